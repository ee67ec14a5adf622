"""The public enquiry form at /enquire/. Thin: the forms validate, ``services.enquiries`` saves."""

from django.conf import settings
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from portal.ratelimit import RateLimit

from ..forms.enquiries import (
    STEP_BY_SLUG,
    STEPS,
    EnquiryAnswers,
    SubmitForm,
    as_form_data,
    summary_rows,
)
from ..services import enquiries as services

# The reference of the enquiry just sent, shown once on the sent page.
SENT_REFERENCE_KEY = "enquiry_sent_reference"
SENT_FOR_LATER_KEY = "enquiry_sent_for_later"
TOO_MANY = "You have sent this form too many times. Please try again in an hour, or phone us."


def _step_limit() -> RateLimit:
    return RateLimit("enquiry-step", limit=settings.ENQUIRY_STEP_RATE_LIMIT_PER_HOUR, period=3600)


def _submit_limit() -> RateLimit:
    return RateLimit("enquiry", limit=settings.ENQUIRY_RATE_LIMIT_PER_HOUR, period=3600)


def _step_url(step) -> str:
    return reverse("enquiries:enquiry_step", kwargs={"step": step.slug})


def _pretend_sent(answers: EnquiryAnswers):
    """Bots that fill in the honeypot get the same answer as people; nothing is kept."""
    answers.clear()
    answers.session.pop(SENT_REFERENCE_KEY, None)
    return redirect("enquiries:enquiry_sent")


@require_GET
def enquiry_start(request):
    return render(
        request,
        "enquiries/enquiry/start.html",
        {
            "first_step_url": _step_url(STEPS[0]),
            "working_days": settings.ENQUIRY_FIRST_CONTACT_WORKING_DAYS,
        },
    )


@never_cache
@require_http_methods(["GET", "POST"])
def enquiry_step(request, step):
    current = STEP_BY_SLUG.get(step)
    if current is None:
        raise Http404("No such step")
    answers = EnquiryAnswers(request.session)
    index = STEPS.index(current)
    missing = answers.first_missing()
    if missing is not None and STEPS.index(missing) < index:
        return redirect(_step_url(missing))
    status = 200
    if request.method == "POST":
        form = current.form_class(request.POST)
        if not _step_limit().hit(request):
            form.is_valid()
            form.add_error(None, TOO_MANY)
            status = 429
        elif form.is_valid():
            answers.save(current, form.answers())
            following = answers.first_missing()
            # After a change from the check page, straight back to it.
            if following is None:
                return redirect("enquiries:enquiry_check")
            return redirect(_step_url(following))
        elif form.caught_spam:
            return _pretend_sent(answers)
    else:
        stored = answers.get(current)
        form = current.form_class(initial=as_form_data(current, stored) if stored else None)
    back_url = _step_url(STEPS[index - 1]) if index else reverse("enquiries:enquiry_start")
    return render(
        request,
        "enquiries/enquiry/step.html",
        {
            "form": form,
            "step": current,
            "number": index + 1,
            "total": len(STEPS),
            "back_url": back_url,
        },
        status=status,
    )


@never_cache
@require_http_methods(["GET", "POST"])
def enquiry_check(request):
    answers = EnquiryAnswers(request.session)
    missing = answers.first_missing()
    if missing is not None:
        return redirect(_step_url(missing))
    status = 200
    if request.method == "POST":
        form = SubmitForm(request.POST)
        if not _submit_limit().hit(request):
            form.is_valid()
            form.add_error(None, TOO_MANY)
            status = 429
        elif form.is_valid():
            submission = services.enquiry_submit(
                **answers.service_arguments(),
                privacy_acknowledged=True,
            )
            answers.clear()
            request.session[SENT_REFERENCE_KEY] = submission.enquiry.reference
            request.session[SENT_FOR_LATER_KEY] = not submission.enquiry.aged_21_or_over
            return redirect("enquiries:enquiry_sent")
        elif form.caught_spam:
            return _pretend_sent(answers)
    else:
        form = SubmitForm()
    return render(
        request,
        "enquiries/enquiry/check.html",
        {
            "form": form,
            "rows": summary_rows(answers),
            "back_url": _step_url(STEPS[-1]),
        },
        status=status,
    )


@never_cache
@require_GET
def enquiry_sent(request):
    return render(
        request,
        "enquiries/enquiry/sent.html",
        {
            "working_days": settings.ENQUIRY_FIRST_CONTACT_WORKING_DAYS,
            "reference": request.session.get(SENT_REFERENCE_KEY, ""),
            # Someone under 21 registered their interest for later: no visit or assessment yet.
            "for_later": request.session.get(SENT_FOR_LATER_KEY, False),
        },
    )

"""The Registration of Interest form at /register-interest/<token>/, from the link staff
email after the initial visit. Thin: the form keeps what was typed, ``services.registration``
saves and sends it."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from ..forms.registration import RegistrationOfInterestForm
from ..services import registration as services
from .events import _private


def _closed_because(registration, *, now) -> str:
    """Why the form cannot be filled in now, in words ("" while it can)."""
    enquiry = registration.enquiry
    if enquiry.status != enquiry.Status.INITIAL_VISIT_DONE:
        return "This form is closed. Contact us if you still want to apply."
    if registration.link_expired(now):
        return (
            "This link has expired. Contact us and we will email you a new one: the answers "
            "you saved are kept."
        )
    return ""


@never_cache
@require_http_methods(["GET", "POST"])
def registration_form(request, token):
    registration = services.registration_for_token(token)
    if registration is None:
        return _private(render(request, "enquiries/registration/not_found.html", status=404))
    enquiry = registration.enquiry
    now = timezone.now()
    if registration.submitted_at is not None:
        if request.method == "POST":  # the second press of a double click
            return redirect(request.path)
        return _private(
            render(
                request,
                "enquiries/registration/sent.html",
                {
                    "registration": registration,
                    "answers": services.registration_answers(enquiry, registration.data),
                    "working_days": settings.ENQUIRY_ROI_DECISION_WORKING_DAYS,
                },
            )
        )
    closed = _closed_because(registration, now=now)
    if closed:
        return _private(
            render(request, "enquiries/registration/closed.html", {"why": closed}, status=410)
        )
    if request.method == "POST":
        form = RegistrationOfInterestForm(request.POST, enquiry=enquiry)
        if form.is_valid():
            sending = "send" in request.POST
            try:
                if sending:
                    services.registration_send(registration=registration, data=form.answers())
                else:
                    services.registration_save(registration=registration, data=form.answers())
                    messages.success(
                        request,
                        "Your answers are saved. Use the link in our email to come back to them.",
                    )
                return redirect(request.path)
            except services.RegistrationClosed:
                return redirect(request.path)  # the page says why
            except ValidationError as problems:
                for name, errors in problems.message_dict.items():
                    for error in errors:
                        form.add_error(name, error)
    else:
        form = RegistrationOfInterestForm(initial=registration.data, enquiry=enquiry)
    return _private(
        render(
            request,
            "enquiries/registration/form.html",
            {
                "form": form,
                "registration": registration,
                "enquiry": enquiry,
                "expires_on": timezone.localdate(registration.link_expires_at),
                "working_days": settings.ENQUIRY_ROI_DECISION_WORKING_DAYS,
            },
        )
    )

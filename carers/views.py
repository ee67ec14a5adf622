"""The carers' own area (``/my/``): their journey, their letters, two-step sign-in.

Every page: signed in, the account's own household only (``own_area.own_area_for``),
never stored by a browser or proxy, and each opening audited as staff openings are.
"""

from datetime import date, timedelta
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from enquiries.models import InformationEvent
from portal import audit
from portal.middleware import session_seconds_left, user_has_mfa

from . import own_area, services
from .forms import (
    CarersBookEntryForm,
    CarersSessionReportForm,
    DocumentSendForm,
    HealthConsentForm,
    SupportNetworkFormSet,
    WeeklySummaryForm,
)
from .models import DocumentRequest, OnlineForm

SUPPORT_GROUP = InformationEvent.Topic.SUPPORT_GROUP


def own_area_page(name: str, *, letters_only_allowed: bool = False, two_step_page: bool = False):
    """The checks every page of the own area makes, in order; ``name`` goes in the audit."""

    def decorator(view):
        @never_cache
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            area = own_area.own_area_for(request.user)
            if area is None:
                return render(request, "carers/my/no_area.html", status=403)
            if area.letters_only and not letters_only_allowed:
                return redirect("my_letters")
            needs_two_step = not area.letters_only and own_area.two_step_required(area.household)
            request.two_step_required = needs_two_step
            if needs_two_step and not two_step_page and not user_has_mfa(request.user):
                return redirect("my_two_step")
            audit.accessed(area.household, "carers.own_area.opened", by=request.user, page=name)
            return view(request, area, *args, **kwargs)

        return wrapper

    return decorator


def _context(request, area: own_area.OwnArea, current: str, **extra) -> dict:
    return {
        # The warning before the session ends (static/js/session-warning.js).
        "session_expires_in": session_seconds_left(request),
        "session_warn_before": settings.CARERS_SESSION_WARNING_SECONDS,
        "area": area,
        "household": area.household,
        "applicant": area.applicant,
        "current": current,
        "has_two_step": user_has_mfa(request.user),
        # An open placement: the area shows family time (and asks for two-step sign-in).
        "two_step_required": getattr(request, "two_step_required", False),
        **extra,
    }


@own_area_page("journey")
def journey(request, area):
    today = timezone.localdate()
    return render(
        request,
        "carers/my/journey.html",
        _context(
            request,
            area,
            "journey",
            journey=own_area.journey(area.household, today=today),
            social_worker=area.household.social_worker,
            today=today,
        ),
    )


@own_area_page("letters", letters_only_allowed=True)
def letters(request, area):
    sent = own_area.household_letters(request.user, area.household)
    return render(
        request,
        "carers/my/letters.html",
        _context(
            request,
            area,
            "letters",
            letters=sent,
            matches=own_area.household_matches(area.household),
        ),
    )


@own_area_page("matching certificate", letters_only_allowed=True)
def matching_certificate(request, area, pk):
    """The carers' matching certificate for their employer (``placements.letters``, the
    one staff issue): nothing about the child. ``?neutral=1`` leaves out "Early
    Permanence" and "fostering", for carers who would rather their employer did not read
    them. Signed for the agency by the household's social worker."""
    from placements.letters import matching_certificate_pdf
    from placements.models import Match

    match = get_object_or_404(
        Match.objects.select_related("link__household", "placement", "referral"),
        pk=pk,
        link__household=area.household,
    )
    neutral = request.GET.get("neutral") == "1"
    data = matching_certificate_pdf(
        match=match, issued_by=area.household.social_worker, neutral=neutral
    )
    audit.accessed(
        match.referral,
        "placements.referral.matching_certificate_issued",
        by=request.user,
        letter=True,
        carers=True,
        neutral=neutral,
    )
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = 'attachment; filename="matching-certificate.pdf"'
    return response


@own_area_page("support")
def support(request, area):
    from placements.models import Placement

    offered = own_area.offered_events(area.household, request.user)
    return render(
        request,
        "carers/my/support.html",
        _context(
            request,
            area,
            "support",
            social_worker=area.household.social_worker,
            # The plans of matches still in force: not those of a placement that ended.
            matches=[
                match
                for match in own_area.household_matches(area.household)
                if match.placement is None or match.placement.status != Placement.Status.ENDED
            ],
            groups=[item for item in offered if item.event.topic == SUPPORT_GROUP],
        ),
    )


@own_area_page("two-step sign-in", two_step_page=True)
def two_step(request, area):
    return render(
        request,
        "carers/my/two_step.html",
        _context(request, area, "two_step", required=request.two_step_required),
    )


@own_area_page("documents")
def documents(request, area):
    asked = list(
        DocumentRequest.objects.filter(household=area.household, withdrawn_on__isnull=True)
        .select_related("document")
        .order_by("due_on", "requested_on", "pk")
    )
    return render(
        request,
        "carers/my/documents.html",
        _context(
            request,
            area,
            "documents",
            open=[item for item in asked if item.document_id is None],
            sent=sorted(
                (item for item in asked if item.document_id is not None),
                key=lambda item: item.sent_at,
                reverse=True,
            ),
        ),
    )


@own_area_page("send a document")
def document_send(request, area, pk):
    asked = get_object_or_404(DocumentRequest, pk=pk, household=area.household)
    if not asked.is_open:
        messages.info(request, f"“{asked.title}” is no longer waiting for a file.")
        return redirect("my_documents")
    form = DocumentSendForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.document_request_send(
                request=asked, file=form.cleaned_data["file"], by=request.user
            )
        except services.TransitionRefused as refusal:
            for message in refusal.messages:
                form.add_error(None, message)
        else:
            messages.success(request, f"Thank you: “{asked.title}” is sent.")
            return redirect("my_documents")
    return render(
        request,
        "carers/my/document_send.html",
        _context(request, area, "documents", asked=asked, form=form),
    )


@own_area_page("training and groups")
def training(request, area):
    offered = own_area.offered_events(area.household, request.user)
    guests = own_area.guests_for(area.household, offered)
    return render(
        request,
        "carers/my/training.html",
        _context(
            request,
            area,
            "training",
            offered=[(item, guests.get(item.event.pk)) for item in offered],
            both=area.household.applicants.count() > 1,
        ),
    )


@require_POST
@own_area_page("invite family and friends")
def training_invite(request, area, pk):
    """Invite people of the support network to a session for family and friends
    (``services.support_network_invite``)."""
    try:
        made, refused = services.support_network_invite(
            user=request.user, event_pk=pk, member_pks=request.POST.getlist("member")
        )
    except services.TransitionRefused as refusal:
        for message in refusal.messages:
            messages.error(request, message)
    else:
        if made:
            names = ", ".join(booking.name for booking in made)
            verb = "is" if len(made) == 1 and " and " not in names else "are"
            messages.success(request, f"{names} {verb} invited: we have emailed them the details.")
        for message in refused:
            messages.error(request, message)
        if not made and not refused:
            messages.info(request, "Everyone you chose is invited already.")
    return redirect(f"{reverse('my_training')}#event-{pk}")


@require_POST
@own_area_page("book a place")
def training_book(request, area, pk):
    both = area.household.applicants.count() > 1
    if both and request.POST.get("places") not in ("1", "2"):
        messages.error(request, "Choose how many of you are coming, then book again.")
        return redirect("my_training")
    places = 2 if request.POST.get("places") == "2" else 1
    try:
        booking = services.event_book(user=request.user, event_pk=pk, places=places)
    except services.TransitionRefused as refusal:
        for message in refusal.messages:
            messages.error(request, message)
    else:
        if booking.is_waiting:
            messages.info(
                request,
                f"There are not enough places free on “{booking.event.title}” for your "
                "booking, so you are on its waiting list. We will email you if places come up.",
            )
        else:
            messages.success(request, f"You are booked on “{booking.event.title}”.")
    return redirect("my_training")


@own_area_page("cancel a place")
def training_cancel(request, area, pk):
    """Are you sure? (GET), then cancel (POST): the GOV.UK pattern for an action that
    cannot be undone."""
    offered = {
        item.event.pk: item for item in own_area.offered_events(area.household, request.user)
    }
    item = offered.get(pk)
    if item is None or item.booking is None:
        messages.error(request, "There is no booking of yours to cancel for that session.")
        return redirect("my_training")
    if request.method == "POST":
        try:
            services.event_cancel(user=request.user, event_pk=pk)
        except services.TransitionRefused as refusal:
            for message in refusal.messages:
                messages.error(request, message)
        else:
            messages.success(request, f"Your booking for “{item.event.title}” is cancelled.")
        return redirect("my_training")
    return render(
        request, "carers/my/training_cancel.html", _context(request, area, "training", item=item)
    )


@own_area_page("family time")
def family_time(request, area):
    today = timezone.localdate()
    start = today - timedelta(days=today.weekday())
    try:
        chosen = date.fromisoformat(request.GET.get("week", ""))
    except ValueError:
        chosen = None
    # Any week within ten years of today; anything else shows this week.
    if chosen is not None and abs((chosen - today).days) <= 3660:
        start = chosen - timedelta(days=chosen.weekday())
    return render(
        request,
        "carers/my/family_time.html",
        _context(
            request,
            area,
            "family_time",
            sessions=own_area.family_time_week(area.household, start),
            start=start,
            end=start + timedelta(days=6),
            previous=start - timedelta(days=7),
            following=start + timedelta(days=7),
            this_week=start <= today <= start + timedelta(days=6),
        ),
    )


@own_area_page("family time report")
def family_time_report(request, area, pk):
    from placements import services as placements_services
    from placements.models import FamilyTimeSession, Placement

    session = get_object_or_404(
        FamilyTimeSession.objects.select_related("child", "plan").exclude(
            placement__status=Placement.Status.ENDED
        ),
        pk=pk,
        placement__household=area.household,
        withdrawn_at__isnull=True,
    )
    # Miles are asked for once: a claim made is shown, not sent again with a new note.
    form = CarersSessionReportForm(
        request.POST or None, initial={"note": session.note}, with_miles=not session.claim
    )
    if request.method == "POST" and form.is_valid():
        try:
            placements_services.family_time_carers_report(
                session=session,
                household_id=area.household.pk,
                by=request.user,
                note=form.cleaned_data["note"],
                miles=form.cleaned_data.get("miles"),
            )
        except services.TransitionRefused as refusal:
            for message in refusal.messages:
                form.add_error(None, message)
        else:
            noted = bool(form.cleaned_data["note"].strip())
            claimed = form.cleaned_data.get("miles") is not None
            saved = {
                (True, True): "your note is saved and your mileage claim is sent",
                (True, False): "your note is saved",
                (False, True): "your mileage claim is sent",
            }[(noted, claimed)]
            messages.success(request, f"Thank you: {saved}.")
            week = session.held_on - timedelta(days=session.held_on.weekday())
            return redirect(f"{reverse('my_family_time')}?week={week.isoformat()}")
    return render(
        request,
        "carers/my/family_time_report.html",
        _context(
            request,
            area,
            "family_time",
            session=session,
            child=own_area.child_name(session.child),
            form=form,
        ),
    )


@own_area_page("communication book")
def book(request, area):
    """The communication book of each child placed with the household: what the birth
    family wrote (once shared), the carers' own entries, and a form to write one for each
    child, through ``placements.services.book_entry_from_carers``."""
    from placements import services as placements_services

    books = own_area.communication_book(area.household)
    forms_by_child = {
        item.child.pk: CarersBookEntryForm(prefix=f"c{item.child.pk}") for item in books
    }
    if request.method == "POST":
        try:
            chosen = int(request.POST.get("child", ""))
        except ValueError:
            chosen = None
        if chosen not in forms_by_child:
            messages.error(request, "You can write only in the book of a child who lives with you.")
            return redirect("my_book")
        form = CarersBookEntryForm(request.POST, prefix=f"c{chosen}")
        forms_by_child[chosen] = form
        if form.is_valid():
            child = next(item.child for item in books if item.child.pk == chosen)
            try:
                placements_services.book_entry_from_carers(
                    child=child,
                    household_id=area.household.pk,
                    text=form.cleaned_data["text"],
                    by=request.user,
                )
            except services.TransitionRefused as refusal:
                for message in refusal.messages:
                    form.add_error("text", message)
            else:
                messages.success(
                    request,
                    "Thank you: your entry is sent to your social worker, who shares it "
                    "with the birth family.",
                )
                return redirect("my_book")
    return render(
        request,
        "carers/my/book.html",
        _context(
            request,
            area,
            "book",
            books=[(item, forms_by_child[item.child.pk]) for item in books],
            # Only the form posted can have errors: the error summary names them.
            error_form=next((form for form in forms_by_child.values() if form.errors), None),
        ),
    )


@own_area_page("emails")
def emails(request, area):
    """The applicant turns the weekly summary on or off (``services.weekly_summary_set``).
    The emails that answer something (a document asked for, a place booked, a letter) are
    not optional: they are how the agency reaches them."""
    applicant = area.applicant
    current = "yes" if applicant.weekly_summary else "no"
    form = WeeklySummaryForm(
        request.POST if request.method == "POST" else None, initial={"send": current}
    )
    if request.method == "POST" and form.is_valid():
        send = form.cleaned_data["send"] == "yes"
        services.weekly_summary_set(applicant=applicant, send=send, by=request.user)
        messages.success(
            request,
            "You will get a weekly email about your week ahead."
            if send
            else "You will not get the weekly email. Sign in to see what is new.",
        )
        return redirect("my_emails")
    return render(request, "carers/my/emails.html", _context(request, area, "emails", form=form))


def _form_saved(request, area, kind: str, data: dict, *, said: str = ""):
    """Keep the answers as they stand (``services.online_form_save``) and come back to the
    page. A form sent meanwhile (from another tab, or the first press of a double click)
    is not changed: the page shows it as sent."""
    try:
        services.online_form_save(applicant=area.applicant, kind=kind, data=data, by=request.user)
    except services.TransitionRefused:
        return redirect(request.path)
    if said:
        messages.success(request, said)
    return redirect(request.path)


def _form_sent(request, area, kind: str, data: dict, add_error, *, thanks: str):
    """Send the form (``services.online_form_send``): back to the page, which shows it sent
    (now, or by the first press of a double click), or ``None`` with each problem given to
    ``add_error(field, message)`` and the answers kept."""
    try:
        services.online_form_send(applicant=area.applicant, kind=kind, data=data, by=request.user)
    except services.TransitionRefused as refusal:
        problems = getattr(refusal, "fields", None)
        if not problems:  # sent meanwhile, from another tab
            return redirect(request.path)
        for name, message in problems.items():
            add_error(name, message)
        return None
    messages.success(request, thanks)
    return redirect(request.path)


@own_area_page("health consent form")
def health_consent(request, area):
    """The applicant's own health consent: *Save for later* keeps whatever is typed;
    *Send* checks it all and sends it once. Each applicant fills in their own."""
    kind = OnlineForm.Kind.HEALTH_CONSENT
    saved = OnlineForm.objects.filter(applicant=area.applicant, kind=kind).first()
    if request.method == "POST" and saved and saved.submitted_at:
        return redirect("my_health_consent")  # sent already: the page shows it
    if request.method == "POST":
        form = HealthConsentForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            if "send" not in request.POST:
                return _form_saved(
                    request,
                    area,
                    kind,
                    data,
                    said="Your answers are saved. Come back to send them.",
                )
            sent = _form_sent(
                request,
                area,
                kind,
                data,
                form.add_error,
                thanks="Thank you: your form is sent to your social worker.",
            )
            if sent:
                return sent
    else:
        form = HealthConsentForm(initial=saved.data if saved else None)
    return render(
        request,
        "carers/my/health_consent.html",
        _context(
            request,
            area,
            "forms",
            form=form,
            saved=saved,
            answers=services.form_kind(kind).answers(saved.data) if saved else [],
        ),
    )


def _people_posted(formset) -> list[dict]:
    """The people as the page showed them (a blank row kept where it stood), every answer
    as typed."""
    return [
        {name: form.cleaned_data.get(name, "") for name in services.SUPPORT_PERSON_FIELDS}
        for form in formset.forms
    ]


@own_area_page("support network form")
def support_network(request, area):
    """The people who will support the applicants, added and removed a person at a time
    (each press saves the answers, so nothing typed is lost), then sent once. Sent, they
    join the household's support network on the social worker's record."""
    kind = OnlineForm.Kind.SUPPORT_NETWORK
    saved = OnlineForm.objects.filter(applicant=area.applicant, kind=kind).first()
    blank = dict.fromkeys(services.SUPPORT_PERSON_FIELDS, "")
    if request.method == "POST" and saved and saved.submitted_at:
        return redirect(request.path)  # sent already: the page shows it
    if request.method == "POST":
        formset = SupportNetworkFormSet(request.POST, prefix="people")
        if not formset.forms:  # the page always has a person: this post was not from it
            messages.error(request, "Your answers could not be read. Here they are as saved.")
            return redirect(request.path)
        if formset.is_valid():
            people = _people_posted(formset)
            if "send" in request.POST:

                def add_error(key, message):
                    _, n, field = key.split("-")
                    formset.forms[int(n)].add_error(field, message)

                sent = _form_sent(
                    request,
                    area,
                    kind,
                    {"people": people},
                    add_error,
                    thanks="Thank you: your support network is sent to your social worker.",
                )
                if sent:
                    return sent
            else:
                said = "Your answers are saved. Come back to send them."
                removing = str(request.POST.get("remove", ""))
                if removing.isdecimal() and int(removing) < len(people):
                    del people[int(removing)]
                    said = "The person is removed and your answers saved."
                elif "add" in request.POST and len(people) < services.SUPPORT_NETWORK_MOST:
                    people.append(blank)
                    said = f"Person {len(people)} is added at the end: fill in their details."
                elif "add" in request.POST:
                    messages.error(request, SupportNetworkFormSet.too_many)
                    said = ""
                return _form_saved(request, area, kind, {"people": people or [blank]}, said=said)
    else:
        people = (saved.data.get("people") if saved else None) or [blank]
        formset = SupportNetworkFormSet(initial=people, prefix="people")
    problems = [
        (f"id_people-{n}-{name}", message)
        for n, form in enumerate(formset.forms)
        for name in services.SUPPORT_PERSON_FIELDS
        for message in form.errors.get(name, [])
    ] + [("id_people-0-name", message) for message in formset.non_form_errors()]
    return render(
        request,
        "carers/my/support_network.html",
        _context(
            request,
            area,
            "network",
            formset=formset,
            problems=problems,
            saved=saved,
            answers=services.form_kind(kind).answers(saved.data) if saved else [],
            recorded=area.household.support_network.order_by("name", "pk"),
            most=services.SUPPORT_NETWORK_MOST,
        ),
    )

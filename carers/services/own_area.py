"""An applicant invited to their own area (``carers.own_area``) by their social worker.

The invitation is the staff invitation's one-time link (``portal.invitations``), emailed
through the outbox, which leads to ``/my/`` once a password is chosen. Opening the link
verifies the address. An applicant who already has a password (one who was sent a
letter) is linked and told their area is ready: the email then only asks them to sign in.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from portal import access, audit
from portal.formats import day
from portal.invitations import invitation_create, staff_invitation_find
from portal.models import StaffInvitation, User
from portal.notifications import notify, queued_keys

from ..models import Applicant, Document, DocumentRequest, EventOffer, Household
from .records import TransitionRefused, _document_save, _lock_household, document_validate

OWN_AREA_PATH = "/my/"


def applicant_invite_problems(*, applicant: Applicant, by) -> list[str]:
    """Why ``applicant`` cannot be invited now, in words (empty: they can)."""
    if not access.may_see(by, applicant.household):
        return ["You do not have access to this household."]
    if applicant.household.status == Household.Status.CLOSED:
        return ["The household is closed: its applicants cannot be invited to their own area."]
    email = applicant.email.strip()
    if not email:
        return [
            f"Record an email address for {applicant.full_name} first: the invitation is "
            "sent to it."
        ]
    owner = User.objects.filter(email__iexact=email).first()
    if owner is not None and owner.is_staff:
        return [
            f"{email} is the address of a staff account. A member of staff's own application "
            "is not opened through the staff account: record a personal address for them."
        ]
    other = Applicant.objects.filter(account=owner).exclude(pk=applicant.pk).first()
    if owner is not None and other is not None:
        return [
            f"{email} already opens the own area of another applicant. Each applicant "
            "needs an address of their own."
        ]
    return []


# A second press of "Invite" this soon after the first sends nothing more (a double click,
# or two colleagues at once): the first email's link must keep working.
INVITE_AGAIN_AFTER = timedelta(minutes=2)


def applicant_invite(*, applicant: Applicant, by) -> StaffInvitation | None:
    """Link ``applicant`` to the account of their email (made if there is none) and email
    them the way in: a one-time link to choose a password, or (an account that has one) a
    note that their area is ready. Earlier links stop working. Returns the invitation, or
    None when none was needed."""
    problems = applicant_invite_problems(applicant=applicant, by=by)
    if problems:
        raise TransitionRefused(problems)
    with transaction.atomic():
        # The household's row serialises invitations to its applicants; the checks run
        # again under it, so two at once never share an address or send twice.
        Household.objects.select_for_update().filter(pk=applicant.household_id).exists()
        applicant = Applicant.objects.select_for_update().get(pk=applicant.pk)
        problems = applicant_invite_problems(applicant=applicant, by=by)
        if problems:
            raise TransitionRefused(problems)
        email = applicant.email.strip().lower()
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            user = User(email=email, first_name=applicant.first_name, last_name=applicant.last_name)
            user.set_unusable_password()
            user.save()
        before = applicant.account_id
        recent = StaffInvitation.objects.filter(
            user=user,
            used_at__isnull=True,
            withdrawn_at__isnull=True,
            created_at__gt=timezone.now() - INVITE_AGAIN_AFTER,
            expires_at__gt=timezone.now(),
        ).exists()
        if before == user.pk and recent:
            raise TransitionRefused(
                f"{applicant.full_name} was invited a moment ago: that email's link works. "
                "Nothing more was sent."
            )
        if before != user.pk:
            if before is not None:
                # The old address's links stop opening anything at once.
                StaffInvitation.objects.filter(
                    user_id=before, used_at__isnull=True, withdrawn_at__isnull=True
                ).update(withdrawn_at=timezone.now())
            applicant.account = user
            applicant.save(update_fields=["account"])
        invitation = None
        if user.has_usable_password():
            path, invited = OWN_AREA_PATH, False
        else:
            token = invitation_create(user=user, by=by, next_path=OWN_AREA_PATH)
            invitation = staff_invitation_find(token=token)
            path, invited = f"/accounts/invitation/{token}/", True
        entry = audit.record(
            applicant.household,
            "carers.own_area.invited",
            by=by,
            changes={"own area account": [before, user.pk]},
            applicant=applicant.pk,
        )
        notify(
            key=f"own-area:{applicant.pk}:{entry.pk}",
            to=user.email,
            template="carers/own_area_invitation",
            context={
                "first_name": applicant.first_name,
                "path": path,
                "invited": invited,
                "valid_days": settings.STAFF_INVITATION_VALID_DAYS,
            },
        )
    return invitation


def own_area_status(applicant: Applicant) -> str:
    """Where an applicant's own area stands, for their social worker."""
    if applicant.account_id is None:
        return "Not invited"
    account = applicant.account
    if account.email.lower() != applicant.email.strip().lower():
        return "The email address has changed since the invitation: invite them again"
    if account.has_usable_password():
        if account.last_login:
            return f"Signed in; last on {day(account.last_login)}"
        return "Password chosen; not signed in since"
    invitation = (
        StaffInvitation.objects.filter(user=account, used_at=None, withdrawn_at=None)
        .order_by("-created_at")
        .first()
    )
    if invitation is None or not invitation.is_usable():
        return "Invited; the link has expired: invite them again"
    return f"Invited; the link works until {day(invitation.expires_at)}"


# ---------------------------------------------------------------------------
# Documents asked of the applicants, sent from their own area
# ---------------------------------------------------------------------------


def _applicant_accounts(household: Household) -> list[User]:
    """The accounts that open the household's own area now (their address unchanged)."""
    from ..own_area import has_own_area

    return [
        applicant.account
        for applicant in household.applicants.select_related("account").order_by("position")
        if has_own_area(applicant)
    ]


def _tell_applicants(household: Household, *, key: str, template: str, path: str) -> None:
    """Email each applicant whose area opens now: their first name and a link to ``path``
    in it, nothing about what is there. Inside the caller's transaction."""
    for account in _applicant_accounts(household):
        notify(
            key=f"{key}:to:{account.pk}",
            to=account.email,
            template=template,
            context={"first_name": account.first_name, "path": path},
        )


def document_request_create(
    *, household: Household, title: str, by, note: str = "", due_on=None, kind: str = ""
) -> DocumentRequest:
    """Ask the applicants for a document; each applicant with an own area is told by email
    (a link to their area, nothing about what is asked)."""
    today = timezone.localdate()
    problems = []
    if not access.may_see(by, household):
        problems.append("You do not have access to this household.")
    elif household.status == Household.Status.CLOSED:
        problems.append("The household is closed: nothing more can be asked of it.")
    if not title.strip():
        problems.append("Say what you are asking for.")
    if due_on is not None and due_on < today:
        problems.append(
            f"The day to send it by ({day(due_on)}) cannot be before today ({day(today)})."
        )
    if problems:
        raise TransitionRefused(problems)
    with transaction.atomic():
        request = DocumentRequest.objects.create(
            household=household,
            title=title.strip()[:150],
            kind=kind or Document.Kind.OTHER,
            note=note.strip()[:1000],
            due_on=due_on,
            requested_on=today,
            requested_by=by,
        )
        audit.record(household, "carers.document_request.made", by=by, request=request.pk)
        _tell_applicants(
            household,
            key=f"document-request:{request.pk}",
            template="carers/document_requested",
            path="/my/documents/",
        )
    return request


def document_request_send(*, request: DocumentRequest, file, by) -> DocumentRequest:
    """The applicant ``by`` sends the document asked for: checked by its content (a clear
    refusal, and nothing stored, for anything else), kept with the household's documents,
    and the social worker is told by email. Once only: a second send is refused."""
    from ..own_area import own_area_for

    area = own_area_for(by)
    if area is None or area.letters_only or area.household.pk != request.household_id:
        raise TransitionRefused("This request is not one of yours.")
    document_validate(file)
    with transaction.atomic():
        request = DocumentRequest.objects.select_for_update().get(pk=request.pk)
        if request.document_id is not None:
            raise TransitionRefused(
                f"You have already sent “{request.title}”, on {day(request.sent_at)}. "
                "If you need to send a new version, ask your social worker."
            )
        if request.withdrawn_on is not None:
            raise TransitionRefused(
                f"Your social worker no longer needs “{request.title}”: nothing was sent."
            )
        document = _document_save(
            household=request.household,
            kind=request.kind,
            title=request.title,
            file=file,
            by=by,
            check_record=None,
            action="carers.document.sent_by_applicant",
        )
        request.document = document
        request.sent_at = timezone.now()
        request.sent_by = by
        request.save(update_fields=["document", "sent_at", "sent_by"])
        worker = request.household.social_worker
        if worker is not None and worker.email:
            notify(
                key=f"document-arrived:{request.pk}",
                to=worker.email,
                template="carers/document_arrived",
                context={
                    "first_name": worker.first_name,
                    "path": f"/admin/carers/household/{request.household_id}/own-area/",
                },
            )
    return request


def document_request_withdraw(*, request: DocumentRequest, by) -> DocumentRequest:
    """The social worker no longer needs a document still open."""
    if not access.may_see(by, request.household):
        raise TransitionRefused("You do not have access to this household.")
    with transaction.atomic():
        request = DocumentRequest.objects.select_for_update().get(pk=request.pk)
        if not request.is_open:
            raise TransitionRefused(f"“{request.title}” is no longer open.")
        request.withdrawn_on = timezone.localdate()
        request.save(update_fields=["withdrawn_on"])
        audit.record(
            request.household, "carers.document_request.withdrawn", by=by, request=request.pk
        )
    return request


# ---------------------------------------------------------------------------
# Private events (training, groups) offered to a household, booked from its area
# ---------------------------------------------------------------------------


def event_offer(*, household: Household, event, by) -> EventOffer:
    """Offer a private event to a household: its applicants see it in their area and book
    there; those invited are told by email (a link, never the event)."""
    problems = []
    if not access.may_see(by, household):
        problems.append("You do not have access to this household.")
    elif household.status == Household.Status.CLOSED:
        problems.append("The household is closed: nothing more can be offered to it.")
    if not event.is_private:
        problems.append(
            f"“{event.title}” is a public event: anyone may book it on the events pages."
        )
    if not event.is_open_for_booking():
        problems.append(f"“{event.title}” is no longer taking bookings.")
    if problems:
        raise TransitionRefused(problems)
    with transaction.atomic():
        Household.objects.select_for_update().filter(pk=household.pk).exists()
        if EventOffer.objects.filter(event=event, household=household).exists():
            raise TransitionRefused(f"“{event.title}” is already offered to {household}.")
        offer = EventOffer.objects.create(
            event=event, household=household, offered_on=timezone.localdate(), offered_by=by
        )
        audit.record(household, "carers.event.offered", by=by, event=event.pk)
        _tell_applicants(
            household,
            key=f"event-offer:{offer.pk}",
            template="carers/event_offered",
            path="/my/training/",
        )
    return offer


def _own_offer(user, event_pk: int) -> tuple:
    from ..own_area import own_area_for

    area = own_area_for(user)
    offer = None
    if area is not None and not area.letters_only:
        offer = (
            EventOffer.objects.select_related("event")
            .filter(household=area.household, event_id=event_pk)
            .first()
        )
    if offer is None:
        raise TransitionRefused("This event is not one offered to you.")
    return area, offer


def event_book(*, user, event_pk: int, places: int):
    """Book places for the applicant ``user`` on an event offered to their household, on
    the events' booking engine: confirmed while places last, else the waiting list, with
    its emails, reminders and calendar file."""
    from enquiries.models import Booking
    from enquiries.services import events as engine

    from ..own_area import household_emails

    area, offer = _own_offer(user, event_pk)
    booked = (
        Booking.objects.active()
        .filter(event=offer.event, email__in=household_emails(area.household))
        .first()
    )
    if booked is not None:
        raise TransitionRefused(
            f"{booked.name} has already booked “{offer.event.title}” for your household "
            f"({booked.places} place{'s' if booked.places > 1 else ''})."
            if booked.email != user.email.lower()
            else f"You have already booked “{offer.event.title}”."
        )
    try:
        return engine.booking_create(
            event=offer.event,
            name=area.applicant.full_name,
            email=user.email,
            places=places,
        )
    except engine.DuplicateBooking:
        raise TransitionRefused(f"You have already booked “{offer.event.title}”.") from None
    except engine.BookingError as refusal:
        raise TransitionRefused(refusal.message) from None


def event_cancel(*, user, event_pk: int) -> None:
    """Cancel the applicant's booking of an offered event; its places go to the waiting
    list."""
    from enquiries.models import Booking
    from enquiries.services import events as engine

    from ..own_area import household_emails

    area, offer = _own_offer(user, event_pk)
    # Either applicant may cancel the household's booking.
    booking = (
        Booking.objects.active()
        .select_related("event")
        .filter(event=offer.event, email__in=household_emails(area.household))
        .first()
    )
    if booking is None:
        raise TransitionRefused(f"You have no booking for “{offer.event.title}” to cancel.")
    try:
        engine.booking_cancel(booking=booking)
    except engine.BookingError as refusal:
        raise TransitionRefused(refusal.message) from None


def event_offer_withdraw(*, offer: EventOffer, by) -> None:
    """Take back an offer (made to the wrong household, say), while nobody in the household
    has booked it, nor any guest they invited; the trail keeps it."""
    from enquiries.models import Booking

    from ..own_area import household_emails, network_guests

    household = offer.household
    if not access.may_see(by, household):
        raise TransitionRefused("You do not have access to this household.")
    with transaction.atomic():
        Household.objects.select_for_update().filter(pk=household.pk).exists()
        booked = (
            Booking.objects.active()
            .filter(
                event_id=offer.event_id,
                email__in=[
                    *household_emails(household),
                    *(guest.email.strip().lower() for guest in network_guests(household)),
                ],
            )
            .first()
        )
        if booked is not None:
            raise TransitionRefused(
                f"{booked.name} has booked “{offer.event.title}”: they cancel it (from their "
                "area, or a guest from their booking's link), or the events team cancels the "
                "booking, before the offer is withdrawn."
            )
        audit.record(household, "carers.event.offer_withdrawn", by=by, event=offer.event_id)
        offer.delete()


# ---------------------------------------------------------------------------
# The weekly summary, which the applicants can turn off
# ---------------------------------------------------------------------------


def weekly_summary_set(*, applicant: Applicant, send: bool, by) -> Applicant:
    """The applicant turns their weekly summary on or off, from their own area."""
    with transaction.atomic():
        Applicant.objects.filter(pk=applicant.pk).update(weekly_summary=send)
        applicant.weekly_summary = send
        audit.record(applicant, "carers.own_area.weekly_summary", by=by, send=send)
    return applicant


def weekly_summaries_queue(*, now=None) -> int:
    """The beat job: on ``CARERS_WEEKLY_SUMMARY_WEEKDAY`` from ``CARERS_WEEKLY_SUMMARY_HOUR``
    (agency policy), one email to each applicant whose area opens and who has not turned
    the summary off, when their household has something to do or a date in the week
    ahead (as their journey page lists them, with the family time sessions of the week):
    how many of each and a link to their area, nothing more (no names, no word of a
    child or of family time). Safe to run hourly: the key names the applicant and the
    week. An open household's applicants only: a closed one has only its letters."""
    now = timezone.localtime(now or timezone.now())
    today = now.date()
    if (
        today.weekday() != settings.CARERS_WEEKLY_SUMMARY_WEEKDAY
        or now.hour < settings.CARERS_WEEKLY_SUMMARY_HOUR
    ):
        return 0
    from ..own_area import has_own_area, week_ahead

    year, week, _ = today.isocalendar()
    applicants = {
        f"carers:weekly-summary:{applicant.pk}:{year}-W{week:02d}": applicant
        for applicant in Applicant.objects.select_related("account", "household")
        .filter(account__isnull=False, weekly_summary=True)
        .exclude(household__status=Household.Status.CLOSED)
        .order_by("pk")
        if has_own_area(applicant)
    }
    done = queued_keys(applicants)
    counts = {}
    queued = 0
    for key, applicant in applicants.items():
        if key in done:
            continue
        household = applicant.household
        if household.pk not in counts:
            counts[household.pk] = week_ahead(household, today=today)
        ahead = counts[household.pk]
        if not (ahead.to_do or ahead.dates):
            continue
        notify(
            key=key,
            to=applicant.account.email,
            template="carers/weekly_summary",
            context={
                "first_name": applicant.first_name,
                "to_do": ahead.to_do,
                "dates": ahead.dates,
                "path": OWN_AREA_PATH,
                "settings_path": f"{OWN_AREA_PATH}emails/",
            },
        )
        queued += 1
    return queued


# ---------------------------------------------------------------------------
# The support network invited to a session for family and friends
# ---------------------------------------------------------------------------


def support_network_invite(*, user, event_pk: int, member_pks) -> tuple[list, list[str]]:
    """The applicant ``user`` invites people of their household's support network (as
    their social worker recorded it, with an email address not an applicant's own) to a
    session for family and friends offered to the household: a place each on the events'
    booking engine, so each guest gets the engine's own confirmation (or waiting-list)
    email, reminders, calendar file and a link to cancel. People sharing an address share
    one booking, with a place each. An address already booked is passed over, so a second
    press invites nobody twice. Returns the bookings made and, in words, any the engine
    refused (the session filling or closing part way): those made stand."""
    from enquiries.models import InformationEvent
    from enquiries.services import events as engine

    from ..own_area import network_guests

    area, offer = _own_offer(user, event_pk)
    event = offer.event
    if event.topic != InformationEvent.Topic.FAMILY_AND_FRIENDS:
        raise TransitionRefused(
            f"“{event.title}” is for you: only a session for family and friends takes guests."
        )
    if not event.is_open_for_booking():
        raise TransitionRefused(f"“{event.title}” is no longer taking bookings.")
    try:
        wanted = {int(pk) for pk in member_pks}
    except (TypeError, ValueError):
        wanted = set()
    members = [member for member in network_guests(area.household) if member.pk in wanted]
    if not wanted or len(members) != len(wanted):
        raise TransitionRefused("Choose who to invite from the list.")
    by_address: dict[str, list] = {}
    for member in members:
        by_address.setdefault(member.email.strip().lower(), []).append(member)
    made, refused = [], []
    for address, people in by_address.items():
        names = " and ".join(person.name for person in people)
        try:
            made.append(
                engine.booking_create(event=event, name=names, email=address, places=len(people))
            )
        except engine.DuplicateBooking:
            continue  # invited already
        except engine.BookingError as refusal:
            refused.append(f"{names}: {refusal.message}")
    if made:
        audit.record(
            area.household,
            "carers.own_area.support_network_invited",
            by=user,
            event=event.pk,
            guests=sum(booking.places for booking in made),
        )
    return made, refused


# ---------------------------------------------------------------------------
# Forms the applicants fill in online: saved as they go, submitted once
# ---------------------------------------------------------------------------

# The health consent's answers, in the order the form asks them.
HEALTH_CONSENT_FIELDS = ("gp_practice", "gp_address", "gp_phone", "consent", "signed_name")


def health_consent_problems(*, applicant: Applicant, data: dict) -> dict[str, str]:
    """What stops the health consent going, by field, in words (empty: it can go). The
    agency's medical adviser asks the applicant's GP for their health record with this
    consent, so the practice must be named and the applicant must agree and sign with
    their own name."""
    problems = {}
    if not str(data.get("gp_practice", "")).strip():
        problems["gp_practice"] = "Enter the name of your GP practice"
    if not str(data.get("gp_address", "")).strip():
        problems["gp_address"] = "Enter your GP practice's address"
    if data.get("consent") is not True:
        problems["consent"] = "Tick the box to say you agree, or talk to your social worker"
    signed = " ".join(str(data.get("signed_name", "")).split()).casefold()
    if not signed:
        problems["signed_name"] = "Type your full name to sign the form"
    elif signed != " ".join(applicant.full_name.split()).casefold():
        problems["signed_name"] = f"Type your full name as we have it: {applicant.full_name}"
    return problems


def health_consent_answers(data: dict) -> list[tuple[str, str]]:
    """The health consent's answers as label and value, for whoever reads them."""
    rows = [
        ("GP practice", data.get("gp_practice") or ""),
        ("GP practice's address", data.get("gp_address") or ""),
        ("GP practice's phone number", data.get("gp_phone") or "—"),
        ("Agrees the medical adviser may ask the GP", "Yes" if data.get("consent") else "No"),
        ("Signed", data.get("signed_name") or ""),
    ]
    return rows


# The support network's details: the people the applicants will lean on, each with how to
# reach them. The agency meets some of them and invites them to a session for family and
# friends, so each needs a name, who they are to the applicants and a way to get in touch.
SUPPORT_NETWORK_FIELDS = ("people",)
SUPPORT_PERSON_FIELDS = ("name", "relationship", "phone", "email", "help")
# As many people as one form takes (agency practice: a network is a handful to a dozen).
SUPPORT_NETWORK_MOST = 20
# How long "how they will help" may be: it is kept in the member's notes after a prefix.
SUPPORT_HELP_MOST = 250


def support_person_lengths() -> dict[str, int]:
    """The longest answer each field takes: the support network record's own columns."""
    from ..models import SupportNetworkMember

    lengths = {
        name: SupportNetworkMember._meta.get_field(name).max_length
        for name in SUPPORT_PERSON_FIELDS
        if name != "help"
    }
    return {**lengths, "help": SUPPORT_HELP_MOST}


def support_person(person) -> dict[str, str]:
    """One person of the form's answers as tidy text, each field within its length (a
    blank row has every field empty)."""
    person = person if isinstance(person, dict) else {}
    return {
        name: " ".join(str(person.get(name) or "").split())[:most]
        for name, most in support_person_lengths().items()
    }


def support_rows(data: dict) -> list[dict[str, str]]:
    """Every row of the form's answers, blank ones in their place (as the form shows
    them), up to the most the form takes."""
    people = data.get("people") if isinstance(data, dict) else None
    if not isinstance(people, list):
        return []
    return [support_person(person) for person in people[:SUPPORT_NETWORK_MOST]]


def support_people(data: dict) -> list[dict[str, str]]:
    """The people in the support network form's answers, blank rows left out."""
    return [person for person in support_rows(data) if any(person.values())]


def _known_names(household: Household) -> dict[str, str]:
    """The household's support network as recorded, by name as compared (case and spaces
    aside): the name as recorded."""
    names = household.support_network.values_list("name", flat=True)
    return {" ".join(name.split()).casefold(): name for name in names}


def support_network_problems(*, applicant: Applicant, data: dict) -> dict[str, str]:
    """What stops the support network's details going, by field (``people-<n>-<field>``,
    counting the rows as the form shows them, blank ones included), in words; empty: they
    can go. Someone already on the household's support network (by name, added by the
    social worker or sent by the other applicant) is refused, not passed over: their
    details there are the social worker's to change."""
    from django.core.exceptions import ValidationError
    from django.core.validators import validate_email

    if not support_people(data):
        return {"people-0-name": "Add at least one person who will support you"}
    own = applicant.email.strip().lower()
    partners = {
        other.email.strip().lower(): other.first_name
        for other in applicant.household.applicants.exclude(pk=applicant.pk)
        if other.email.strip()
    }
    known = _known_names(applicant.household)
    problems = {}
    for n, row in enumerate(support_rows(data)):
        if not any(row.values()):
            continue  # a blank row is left out, not refused
        who = row["name"] or f"person {n + 1}"
        if not row["name"]:
            problems[f"people-{n}-name"] = f"Enter the name of person {n + 1}"
        elif row["name"].casefold() in known:
            problems[f"people-{n}-name"] = (
                f"{known[row['name'].casefold()]} is already in your support network: remove "
                "them here, and tell your social worker if their details have changed"
            )
        if not row["relationship"]:
            problems[f"people-{n}-relationship"] = f"Enter who {who} is to you"
        email = row["email"].lower()
        if email:
            try:
                validate_email(email)
            except ValidationError:
                problems[f"people-{n}-email"] = (
                    f"Enter {who}'s email address in the right format, like name@example.com"
                )
            else:
                if email == own:
                    problems[f"people-{n}-email"] = (
                        f"That is your own email address: enter {who}'s own, or leave it empty"
                    )
                elif email in partners:
                    problems[f"people-{n}-email"] = (
                        f"That is {partners[email]}'s email address, and {partners[email]} is "
                        f"applying with you: enter {who}'s own, or leave it empty"
                    )
        if not row["phone"] and not row["email"]:
            problems[f"people-{n}-phone"] = f"Enter a phone number or an email address for {who}"
    return problems


def support_network_answers(data: dict) -> list[tuple[str, str]]:
    """The support network's details as label and value: a row a person."""
    rows = []
    for person in support_people(data):
        ways = [way for way in (person["phone"], person["email"]) if way]
        value = "; ".join([person["relationship"], *ways])
        if person["help"]:
            value += f". How they will help: {person['help']}"
        rows.append((person["name"], value))
    return rows


def support_network_record(*, form, by) -> int:
    """On sending, the people become the household's support network as the social worker
    sees it (the household page), each one in the trail as it is added. Under the
    household's lock, so the two applicants sending at once add nobody twice: someone
    there already by name (the checks refused that, unless the other applicant's form
    went in between) is left as recorded. Returns how many were added."""
    from ..models import SupportNetworkMember

    household = _lock_household(form.applicant.household_id)
    known = _known_names(household)
    added = 0
    for person in support_people(form.data):
        if person["name"].casefold() in known:
            continue
        known[person["name"].casefold()] = person["name"]
        SupportNetworkMember.objects.create(  # auditlog records each, by the applicant
            household=household,
            name=person["name"],
            relationship=person["relationship"],
            phone=person["phone"],
            email=person["email"],
            notes=f"How they will help: {person['help']}" if person["help"] else "",
        )
        added += 1
    if added:
        audit.record(household, "carers.own_area.support_network_sent", by=by, added=added)
    return added


@dataclass(frozen=True)
class FormKind:
    """One kind of form the applicants fill in online: its fields, in the order asked;
    what stops it going, by field, in words; its answers as label and value (for the
    applicant, the social worker and a subject access request); and what sending it does
    to the household's record beyond keeping the answers, in the same transaction."""

    fields: tuple[str, ...]
    problems: Callable[..., dict[str, str]]
    answers: Callable[[dict], list[tuple[str, str]]]
    on_send: Callable[..., object] | None = None
    # What the social worker is told sending it did to the record (the own-area page).
    sent_note: str = ""


# A new kind of form is its model choice, an entry here, a Django form and a page.
FORM_KINDS = {
    "health_consent": FormKind(
        HEALTH_CONSENT_FIELDS, health_consent_problems, health_consent_answers
    ),
    "support_network": FormKind(
        SUPPORT_NETWORK_FIELDS,
        support_network_problems,
        support_network_answers,
        on_send=support_network_record,
        sent_note="The people in it are on the household's support network (People).",
    ),
}


def form_kind(kind: str) -> FormKind:
    if kind not in FORM_KINDS:
        raise ValueError(f"No online form of kind {kind!r}.")
    return FORM_KINDS[kind]


def _locked_form(applicant: Applicant, kind: str):
    from ..models import OnlineForm

    # The unique (applicant, kind) makes a race of two first saves one row.
    OnlineForm.objects.get_or_create(applicant=applicant, kind=kind)
    return OnlineForm.objects.select_for_update().get(applicant=applicant, kind=kind)


def _sent_already(form) -> TransitionRefused:
    return TransitionRefused(
        f"You sent this form on {day(timezone.localdate(form.submitted_at))}. It cannot "
        "be changed now: tell your social worker if something is different."
    )


def _keep(form, data: dict, fields) -> None:
    form.data = {name: data.get(name) for name in fields}
    form.saved_at = timezone.now()
    form.save(update_fields=["data", "saved_at"])


def online_form_save(*, applicant: Applicant, kind: str, data: dict, by):
    """Keep the applicant's answers as they stand, however incomplete: nothing typed is
    lost. A form already sent is not changed (refused in words)."""
    fields = form_kind(kind).fields
    with transaction.atomic():
        form = _locked_form(applicant, kind)
        if form.submitted_at is not None:
            raise _sent_already(form)
        _keep(form, data, fields)
        audit.record(form, "carers.own_area.form_saved", by=by)
    return form


def online_form_send(*, applicant: Applicant, kind: str, data: dict, by) -> tuple:
    """Keep the answers, check them in full and send them, in one transaction under the
    form's row lock: ``(form, sent_now)``. A form already sent (the second press of a
    double click) is left as it was, answers and all: ``(form, False)``. Answers that do
    not pass are kept, and the refusal (``TransitionRefused``) carries the problems by
    field as ``fields``. The social worker is emailed a link to the household's own-area
    page, where the answers are."""
    spec = form_kind(kind)
    with transaction.atomic():
        form = _locked_form(applicant, kind)
        if form.submitted_at is not None:
            return form, False
        _keep(form, data, spec.fields)
        audit.record(form, "carers.own_area.form_saved", by=by)
        problems = spec.problems(applicant=applicant, data=form.data)
        if not problems:
            form.submitted_at = timezone.now()
            form.save(update_fields=["submitted_at"])
            audit.record(form, "carers.own_area.form_submitted", by=by)
            if spec.on_send is not None:
                spec.on_send(form=form, by=by)
            worker = applicant.household.social_worker
            if worker is not None and worker.email:
                notify(
                    key=f"carers:online-form:{form.pk}:submitted",
                    to=worker.email,
                    template="carers/online_form_submitted",
                    context={
                        "first_name": worker.first_name,
                        "path": f"/admin/carers/household/{applicant.household_id}/own-area/",
                    },
                )
    if problems:  # the answers are kept (committed above); what stops them, in words
        refusal = TransitionRefused(list(problems.values()))
        refusal.fields = problems
        raise refusal
    return form, True

"""Every write to an enquiry: the public form's submission, the pipeline, notes, retention.

Nothing is lost: ``enquiry_submit`` saves the enquiry and its outbox rows in one
durable transaction, so by the time it returns the enquiry is committed, and no email
has been tried yet (the outbox delivers after the commit; an email that fails is
retried, the enquiry stays).

The pipeline follows style.md "States": ``ENQUIRY_TRANSITIONS`` lists every move, and
``ENQUIRY_WORKFLOW`` (``portal.workflow``) holds it with the buttons staff see. Each
move has one service that locks the row, checks the move against the table, records
when the stage was reached, who moved it (``EnquiryStatusChange``) and the next
deadline, saves only those fields and leaves a dotted audit entry
(``enquiries.enquiry.<move>``). Converting to a carer household is
``enquiry_mark_converted``, called by the carers app.
"""

import copy
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from portal import audit, dates, formats
from portal.calendar import add_months
from portal.models import Notification
from portal.notifications import notifications_withdraw, notify
from portal.workflow import Action, Refused, Table, Workflow, lock

from ..clocks import first_contact_due, next_deadline, received_on
from ..emails import absolute
from ..models import (
    Booking,
    Enquiry,
    EnquiryContact,
    EnquiryNote,
    EnquiryStatusChange,
    RegistrationOfInterest,
)
from ..reminders import enquiry_reminders_plan

logger = logging.getLogger(__name__)

Status = Enquiry.Status

ENQUIRY_TRANSITIONS: dict[str, set[str]] = {
    Status.NEW: {Status.CONTACTED, Status.CLOSED},
    # The acknowledgement carries the pack, so a contacted enquiry may go straight on to
    # its visit; "Information pack sent" stays for a pack sent again after talking.
    Status.CONTACTED: {Status.INFORMATION_PACK_SENT, Status.INITIAL_VISIT_BOOKED, Status.CLOSED},
    Status.INFORMATION_PACK_SENT: {Status.INITIAL_VISIT_BOOKED, Status.CLOSED},
    Status.INITIAL_VISIT_BOOKED: {Status.INITIAL_VISIT_DONE, Status.CLOSED},
    Status.INITIAL_VISIT_DONE: {Status.ROI_RECEIVED, Status.CLOSED},
    Status.ROI_RECEIVED: {Status.CONVERTED, Status.CLOSED},
    Status.CONVERTED: set(),
    Status.CLOSED: set(),
}

# The buttons on an enquiry, in the order staff see them; each calls one service below
# (the admin's move page). Converting is the carers app's action, not a button here.
ENQUIRY_WORKFLOW = Workflow(
    table=Table(ENQUIRY_TRANSITIONS),
    audit_prefix="enquiries.enquiry",
    permission="enquiries.change_enquiry",
    actions=(
        Action(
            "contacted",
            "Record first contact",
            targets=(Status.CONTACTED,),
            help="You have spoken to the enquirer, or replied to them. This stops the "
            "first-contact clock.",
            fields=("happened_on",),
        ),
        Action(
            "information-pack-sent",
            "Information pack sent",
            targets=(Status.INFORMATION_PACK_SENT,),
            help="The acknowledgement email already attached the information pack, so there "
            "is no clock to stop; record this if you sent it again after talking.",
        ),
        Action(
            "book-initial-visit",
            "Book the initial visit",
            targets=(Status.INITIAL_VISIT_BOOKED,),
            help="An initial visit to the enquirer's home is arranged.",
            fields=("visit_on",),
        ),
        Action(
            "initial-visit-done",
            "Initial visit done",
            targets=(Status.INITIAL_VISIT_DONE,),
            help="The initial visit took place. The Registration of Interest is chased if it "
            "has not arrived within the policy's working days.",
            fields=("happened_on",),
        ),
        Action(
            "rebook-initial-visit",
            "Move the initial visit",
            states=(Status.INITIAL_VISIT_BOOKED,),
            help="The initial visit moves to another day.",
            fields=("visit_on",),
        ),
        Action(
            "roi-received",
            "Registration of Interest received",
            targets=(Status.ROI_RECEIVED,),
            help="The enquirer's Registration of Interest has arrived. The decision on it is "
            "due within the policy's working days of the day it arrived.",
            fields=("received_on",),
        ),
        Action(
            "close",
            "Close the enquiry",
            targets=(Status.CLOSED,),
            help="The enquiry goes no further. Its clocks stop; it is anonymised once it has "
            "been closed for the retention period.",
            fields=("reason",),
        ),
    ),
)

# The information pack anyone can download; the acknowledgement links to it, so the
# enquirer has the pack even when the personalised copy cannot be attached.
PUBLIC_PACK_PATH = "/information-pack.pdf"

# What staff may correct on an enquiry; everything else is set by the services.
DETAIL_FIELDS = (
    "first_name",
    "last_name",
    "email",
    "phone",
    "postcode",
    "contact_method",
    "contact_time",
    "household",
    "partner_name",
    "route",
    "heard_about",
)
PERSONAL_FIELDS = (
    "first_name",
    "last_name",
    "email",
    "phone",
    "postcode",
    "partner_name",
    "children_ages",
)

# What each enquiry model's audit entries hide: everything personal, and the special
# category data (health, beliefs) the enquirer may have written in their own words.
# Registered from apps.py (``portal.audit.register``) and hidden again, in entries
# already written, on anonymisation.
AUDIT_MASKED_FIELDS = {
    "enquiry": PERSONAL_FIELDS,
    "enquirycontact": ("question", "sensitive_details"),
    "enquirynote": ("text",),
}


class EnquiryError(Exception):
    """An enquiry could not be changed; ``message`` is safe to show staff or the public."""

    message = "Sorry, that could not be done. Please try again."

    def __init__(self, message: str | None = None):
        super().__init__(message or self.message)
        if message:
            self.message = message


class EnquiryTransitionNotAllowed(EnquiryError, Refused):
    def __init__(self, enquiry: Enquiry, to: str):
        super().__init__(
            f"{enquiry} is {Status(enquiry.status).label.lower()}: it cannot move to "
            f"“{Status(to).label.lower()}”."
        )
        self.enquiry = enquiry
        self.to = to


# -- the public form ----------------------------------------------------------------------


@dataclass(frozen=True)
class EnquirySubmission:
    enquiry: Enquiry
    contact: EnquiryContact
    repeat: bool  # added to an open enquiry of the same email address


@dataclass(frozen=True)
class KnownHousehold:
    """A carer household the enquirer already belongs to, as the carers app reports it."""

    reference: str  # e.g. EP00042
    notify_email: str = ""  # who should hear from them (their social worker), if anyone


# Set by the carers app in its AppConfig.ready(): enquiries never import carers.
_household_lookup: Callable[[str], KnownHousehold | None] | None = None


def register_household_lookup(lookup: Callable[[str], KnownHousehold | None]) -> None:
    """``lookup(email)`` names the open or approved carer household of that address, if any."""
    global _household_lookup
    _household_lookup = lookup


def known_household_for(email: str) -> KnownHousehold | None:
    return _household_lookup(email) if _household_lookup is not None else None


def _lock_email(email: str) -> None:
    """Serialise submissions from one email address until the transaction ends.

    Two submissions of the same address at once must not both miss the open enquiry
    and make two. The row that does not exist yet cannot be locked, so PostgreSQL
    takes an advisory lock on the address; SQLite writes one transaction at a time.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"enquiry:{email}"])


def open_enquiry_for(email: str, *, now: datetime) -> Enquiry | None:
    """The open enquiry of this address heard from within the repeat window, if any."""
    since = now - timedelta(days=settings.ENQUIRY_REPEAT_WINDOW_DAYS)
    return (
        Enquiry.objects.select_for_update()
        .filter(
            email__iexact=email,
            status__in=Enquiry.OPEN_STATUSES,
            last_contact_at__gte=since,
        )
        .order_by("-last_contact_at", "-id")
        .first()
    )


def event_before_enquiry(email: str, *, now: datetime) -> int | None:
    """The latest information event this address had a place at before enquiring."""
    return (
        Booking.objects.filter(
            email__iexact=email,
            status__in=Booking.PLACE_HOLDING_STATUSES,
            event__starts_at__lte=now,
        )
        .order_by("-event__starts_at", "-id")
        .values_list("event_id", flat=True)
        .first()
    )


def enquiry_submit(
    *,
    first_name: str,
    last_name: str,
    email: str,
    postcode: str,
    contact_method: str,
    contact_time: str,
    household: str,
    route: str,
    aged_21_or_over: bool,
    privacy_acknowledged: bool,
    phone: str = "",
    partner_name: str = "",
    children_ages: list[int] | tuple[int, ...] = (),
    heard_about: str = "",
    question: str = "",
    sensitive_details: str = "",
    sensitive_consent: bool = False,
    now: datetime | None = None,
) -> EnquirySubmission:
    """Save an enquiry from the public form, then queue its emails through the outbox.

    The question and the children's ages are kept: they are what we need to answer the
    enquirer. Sensitive details (health, beliefs, anything they chose to tell us) are
    kept only with the explicit consent; without it they are dropped here, before
    anything is saved, and the contact records that something was withheld, so staff
    know to ask. Someone under 21 registers their interest for later.

    The acknowledgement attaches the information pack, so the pack is recorded as sent
    with it. The same address enquiring again within ENQUIRY_REPEAT_WINDOW_DAYS is added
    to its open enquiry as a new contact. An address that belongs to one of our carer
    households (the carers app's lookup) is recorded against that household, closed at
    once, with no clocks and no pack: their social worker answers them.
    """
    if not privacy_acknowledged:
        raise EnquiryError("The privacy notice must be acknowledged before an enquiry is kept.")
    now = now or timezone.now()
    email = email.strip().lower()
    details = {
        "first_name": first_name.strip(),
        "last_name": last_name.strip(),
        "email": email,
        "phone": phone.strip(),
        "postcode": postcode.strip().upper(),
        "contact_method": contact_method,
        "contact_time": contact_time,
        "household": household,
        "partner_name": partner_name.strip() if household == Enquiry.Household.COUPLE else "",
        "children_ages": list(children_ages),
        "route": route,
        "aged_21_or_over": bool(aged_21_or_over),
        "heard_about": heard_about,
    }
    sensitive_details = sensitive_details.strip()
    consented = {}
    if sensitive_consent and sensitive_details:
        consented = {"sensitive_consent_at": now}
    withheld = bool(sensitive_details) and not consented
    kept_details = sensitive_details if consented else ""

    with transaction.atomic(durable=True):
        _lock_email(email)
        known = known_household_for(email)
        enquiry = None if known else open_enquiry_for(email, now=now)
        repeat = enquiry is not None
        if repeat:
            for name, value in {**details, **consented}.items():
                setattr(enquiry, name, value)
            enquiry.last_contact_at = now
            enquiry.privacy_acknowledged_at = now
            audit.name_next_save(enquiry, "enquiries.enquiry.contacted_again")
            enquiry.save(
                update_fields=[
                    *details,
                    *consented,
                    "last_contact_at",
                    "privacy_acknowledged_at",
                    "updated_at",
                ]
            )
        else:
            enquiry = Enquiry(
                **details,
                **consented,
                received_at=now,
                last_contact_at=now,
                privacy_acknowledged_at=now,
                after_event_id=event_before_enquiry(email, now=now),
            )
            if known:
                enquiry.status = Status.CLOSED
                enquiry.closed_reason = Enquiry.ClosedReason.KNOWN_HOUSEHOLD
                enquiry.closed_at = now
                enquiry.known_household_reference = known.reference
                audit.name_next_save(enquiry, "enquiries.enquiry.received_from_carer_household")
            else:
                # The acknowledgement below attaches the pack: that is the pack sent.
                enquiry.information_pack_sent_at = now
                audit.name_next_save(enquiry, "enquiries.enquiry.received")
            enquiry.next_deadline, enquiry.next_deadline_clock = next_deadline(enquiry)
            enquiry.save()
            enquiry_reminders_plan(enquiry)
        contact = EnquiryContact.objects.create(
            enquiry=enquiry,
            received_at=now,
            question=question.strip(),
            sensitive_details=kept_details,
            sensitive_withheld=withheld,
        )
        _acknowledge(enquiry, contact, repeat=repeat, known=known)
        _tell_the_team(enquiry, contact, repeat=repeat, known=known)
    return EnquirySubmission(enquiry=enquiry, contact=contact, repeat=repeat)


def _acknowledge(
    enquiry: Enquiry, contact: EnquiryContact, *, repeat: bool, known: KnownHousehold | None
) -> None:
    notify(
        key=f"enquiry:{enquiry.pk}:contact:{contact.pk}:acknowledgement",
        to=enquiry.email,
        template="enquiries/enquiry_acknowledgement",
        context={
            "first_name": enquiry.first_name,
            "reference": enquiry.reference,
            "repeat": repeat,
            "known_household": bool(known),
            "for_later": not enquiry.aged_21_or_over,
            "working_days": settings.ENQUIRY_FIRST_CONTACT_WORKING_DAYS,
            "pack_url": absolute(PUBLIC_PACK_PATH),
            "events_url": absolute("/events/"),
        },
        # Built by the worker when the email goes (the content app owns the pack). One of
        # our carers already has it and hears from their social worker instead.
        attachments=[] if known else [{"kind": "information-pack", "for": enquiry.first_name}],
    )


def _tell_the_team(
    enquiry: Enquiry, contact: EnquiryContact, *, repeat: bool, known: KnownHousehold | None
) -> None:
    """A notice with a link to the admin and nothing about the person."""
    to = settings.RECRUITMENT_TEAM_EMAIL
    if known and known.notify_email:
        to = known.notify_email
    elif repeat and enquiry.assigned_to_id and enquiry.assigned_to.is_active:
        to = enquiry.assigned_to.email
    first_contact = first_contact_due(received_on(enquiry))
    notify(
        key=f"enquiry:{enquiry.pk}:contact:{contact.pk}:team-notice",
        to=to,
        template="enquiries/enquiry_team_notice",
        context={
            "reference": enquiry.reference,
            "repeat": repeat,
            "household_reference": known.reference if known else "",
            # Only that it needs a look: the route (and so the person's age) stays in
            # the staff area.
            "needs_a_look": not enquiry.aged_21_or_over,
            "first_contact_due": formats.day(first_contact),
            "admin_url": absolute(enquiry.get_absolute_url()),
        },
    )


# -- the pipeline ------------------------------------------------------------------------


def _deadline_after(enquiry: Enquiry, *, to: str, fields: dict) -> dict:
    """The next deadline the enquiry will have once moved to ``to`` with ``fields``."""
    moved = copy.copy(enquiry)
    moved.status = to
    for name, value in fields.items():
        setattr(moved, name, value)
    deadline, clock = next_deadline(moved)
    return {"next_deadline": deadline, "next_deadline_clock": clock}


def _move(
    enquiry: Enquiry,
    *,
    to: str,
    by,
    what: str,
    note: str = "",
    fields: dict | None = None,
    now: datetime,
    check=None,
) -> Enquiry:
    """Move the enquiry to ``to`` under a row lock, if the table allows it.

    ``check(locked)`` may refuse the move with an EnquiryError once the row is locked.
    The audit entry is ``enquiries.enquiry.<what>``. The caller's object is brought up
    to date as well.
    """
    fields = dict(fields or {})

    def history(locked: Enquiry, from_status: str, to_status: str) -> None:
        EnquiryStatusChange.objects.create(
            enquiry=locked,
            from_status=from_status,
            to_status=to_status,
            by=by,
            at=now,
            note=note.strip(),
        )

    with transaction.atomic():
        locked = lock(enquiry)
        if not ENQUIRY_WORKFLOW.table_of(locked).allows(locked.status, to):
            raise EnquiryTransitionNotAllowed(locked, to)
        if check is not None:
            check(locked)
        fields.update(_deadline_after(locked, to=to, fields=fields))
        ENQUIRY_WORKFLOW.move(locked, to=to, by=by, what=what, fields=fields, history=history)
        enquiry_reminders_plan(locked)
    for name in ("status", *fields, "updated_at"):
        setattr(enquiry, name, getattr(locked, name))
    return enquiry


def _happened_on(
    enquiry: Enquiry, day: date | None, *, what: str, now: datetime
) -> tuple[datetime, Callable[[Enquiry], None]]:
    """When something staff record happened: ``day`` (today if not given), and its check.

    Today is recorded to the minute; an earlier day at midday, or when the enquiry
    arrived if that was later the same day. The check refuses a day in the future or
    before the enquiry arrived, in words.
    """
    today = timezone.localdate(now)
    day = day or today
    if day == today:
        moment = now
    else:
        moment = timezone.make_aware(datetime.combine(day, time(12)))
        moment = max(moment, enquiry.received_at) if enquiry.received_at else moment

    def check(locked: Enquiry) -> None:
        label = f"The date of the {what}"
        problems = dates.happened(day, label=label, today=today) or dates.in_order(
            day, received_on(locked), label=label, earlier_label="the enquiry arrived"
        )
        if problems:
            raise EnquiryError(problems[0].message)

    return moment, check


def enquiry_mark_contacted(
    *,
    enquiry: Enquiry,
    by,
    on: date | None = None,
    note: str = "",
    now: datetime | None = None,
) -> Enquiry:
    """First contact made with the enquirer on ``on`` (today if not given).

    Stops the first-contact clock.
    """
    now = now or timezone.now()
    moment, check = _happened_on(enquiry, on, what="first contact", now=now)
    return _move(
        enquiry,
        to=Status.CONTACTED,
        by=by,
        note=note,
        now=now,
        what="contacted",
        fields={"contacted_at": moment},
        check=check,
    )


def enquiry_mark_information_pack_sent(
    *, enquiry: Enquiry, by, note: str = "", now: datetime | None = None
) -> Enquiry:
    """The information pack has been sent (stops the information-pack clock).

    An enquiry from the form had the pack with its acknowledgement: that first moment
    is kept, the stage records that it was sent again.
    """
    now = now or timezone.now()
    return _move(
        enquiry,
        to=Status.INFORMATION_PACK_SENT,
        by=by,
        note=note,
        now=now,
        what="information_pack_sent",
        fields={"information_pack_sent_at": enquiry.information_pack_sent_at or now},
    )


def _not_before_enquiry(day: date, what: str):
    def check(locked: Enquiry) -> None:
        if day < received_on(locked):
            raise EnquiryError(f"The {what} cannot be before the enquiry arrived.")

    return check


def enquiry_book_initial_visit(
    *, enquiry: Enquiry, by, visit_on: date, note: str = "", now: datetime | None = None
) -> Enquiry:
    """An initial visit to the enquirer's home is booked for ``visit_on``."""
    now = now or timezone.now()
    return _move(
        enquiry,
        to=Status.INITIAL_VISIT_BOOKED,
        by=by,
        note=note,
        now=now,
        what="initial_visit_booked",
        fields={"initial_visit_booked_at": now, "initial_visit_on": visit_on},
        check=_not_before_enquiry(visit_on, "visit"),
    )


def enquiry_rebook_initial_visit(
    *, enquiry: Enquiry, by, visit_on: date, note: str = ""
) -> Enquiry:
    """A booked initial visit moves to another day (the stage does not change)."""
    with transaction.atomic():
        locked = lock(enquiry)
        if locked.status != Status.INITIAL_VISIT_BOOKED:
            raise EnquiryError("Only a booked initial visit can be moved to another day.")
        _not_before_enquiry(visit_on, "visit")(locked)
        locked.initial_visit_on = visit_on
        audit.name_next_save(locked, "enquiries.enquiry.initial_visit_rebooked")
        locked.save(update_fields=["initial_visit_on", "updated_at"])
        text = f"Initial visit moved to {formats.day(visit_on)}."
        EnquiryNote.objects.create(enquiry=locked, author=by, text=f"{text} {note.strip()}".strip())
    enquiry.initial_visit_on = visit_on
    return enquiry


def enquiry_mark_initial_visit_done(
    *,
    enquiry: Enquiry,
    by,
    on: date | None = None,
    note: str = "",
    now: datetime | None = None,
) -> Enquiry:
    """The initial visit took place on ``on`` (today if not given).

    Starts the clock that chases the Registration of Interest.
    """
    now = now or timezone.now()
    moment, on_or_after_arrival = _happened_on(enquiry, on, what="initial visit", now=now)
    day = timezone.localdate(moment)

    def check(locked: Enquiry) -> None:
        on_or_after_arrival(locked)
        if locked.initial_visit_on and day < locked.initial_visit_on:
            raise EnquiryError(
                f"The initial visit is booked for {formats.day(locked.initial_visit_on)}, so it "
                f"cannot have been done on {formats.day(day)}. If it happened earlier, move the "
                "visit to that day first."
            )

    return _move(
        enquiry,
        to=Status.INITIAL_VISIT_DONE,
        by=by,
        note=note,
        now=now,
        what="initial_visit_done",
        fields={"initial_visit_done_at": moment},
        check=check,
    )


def enquiry_mark_roi_received(
    *,
    enquiry: Enquiry,
    by,
    received_on_day: date | None = None,
    note: str = "",
    now: datetime | None = None,
) -> Enquiry:
    """A Registration of Interest has arrived: its decision clock starts from that day."""
    now = now or timezone.now()
    day = received_on_day or timezone.localdate(now)

    def check(locked: Enquiry) -> None:
        if day > timezone.localdate(now):
            raise EnquiryError("The Registration of Interest cannot be received in the future.")
        _not_before_enquiry(day, "Registration of Interest")(locked)

    return _move(
        enquiry,
        to=Status.ROI_RECEIVED,
        by=by,
        note=note,
        now=now,
        what="roi_received",
        fields={"roi_received_on": day},
        check=check,
    )


def enquiry_mark_converted(
    *, enquiry: Enquiry, by, household_reference: str, now: datetime | None = None
) -> Enquiry:
    """The enquirers became a carer household (the carers app calls this).

    Only from "Registration of Interest received"; ``household_reference`` is the
    household's reference in the carers app (e.g. EP00042).
    """
    reference = (household_reference or "").strip()
    if not reference:
        raise EnquiryError("A converted enquiry needs the carer household's reference.")
    if len(reference) > Enquiry._meta.get_field("household_reference").max_length:
        raise EnquiryError("That household reference is too long.")
    now = now or timezone.now()
    return _move(
        enquiry,
        to=Status.CONVERTED,
        by=by,
        now=now,
        what="converted",
        note=f"Carer household {reference}.",
        fields={"converted_at": now, "household_reference": reference},
    )


def enquiry_close(
    *, enquiry: Enquiry, by, reason: str, note: str = "", now: datetime | None = None
) -> Enquiry:
    """Close the enquiry with one of ``Enquiry.ClosedReason``; its clocks stop."""
    if reason not in Enquiry.ClosedReason.values:
        raise EnquiryError("Choose why the enquiry is closing.")
    now = now or timezone.now()
    return _move(
        enquiry,
        to=Status.CLOSED,
        by=by,
        note=note,
        now=now,
        what=f"closed.{reason}",
        fields={"closed_at": now, "closed_reason": reason},
    )


# -- assignment, notes and details ---------------------------------------------------------


def enquiry_assign(*, enquiry: Enquiry, to, by) -> Enquiry:
    """Give the enquiry to a member of staff (or nobody): they get its reminders."""
    with transaction.atomic():
        locked = lock(enquiry)
        if locked.assigned_to_id == (to.pk if to else None):
            return enquiry
        if to is not None and not (to.is_active and to.is_staff):
            raise EnquiryError("Enquiries can only be assigned to active staff.")
        locked.assigned_to = to
        locked.assigned_at = timezone.now()
        audit.name_next_save(locked, "enquiries.enquiry.assigned")
        locked.save(update_fields=["assigned_to", "assigned_at", "updated_at"])
        enquiry_reminders_plan(locked)
    enquiry.assigned_to, enquiry.assigned_at = locked.assigned_to, locked.assigned_at
    return enquiry


def enquiry_note_add(*, enquiry: Enquiry, author, text: str) -> EnquiryNote:
    text = text.strip()
    if not text:
        raise EnquiryError("A note needs some text.")
    if enquiry.is_anonymised:
        raise EnquiryError("This enquiry has been anonymised: notes can no longer be added.")
    note = EnquiryNote(enquiry=enquiry, author=author, text=text[:4000])
    note.save()
    return note


def enquiry_update_details(*, enquiry: Enquiry, changed) -> Enquiry:
    """Staff correct what the enquirer told us; the stage and the clocks are not theirs."""
    fields = [name for name in changed if name in DETAIL_FIELDS]
    if not fields:
        return enquiry
    if enquiry.is_anonymised:
        raise EnquiryError("This enquiry has been anonymised and cannot be changed.")
    if "email" in fields:
        enquiry.email = enquiry.email.strip().lower()
    if enquiry.household != Enquiry.Household.COUPLE and enquiry.partner_name:
        enquiry.partner_name = ""
        fields.append("partner_name")
    audit.name_next_save(enquiry, "enquiries.enquiry.details_changed")
    enquiry.save(update_fields=[*dict.fromkeys(fields), "updated_at"])
    return enquiry


def enquiry_staff_edit(
    *,
    enquiry: Enquiry,
    by,
    changed: Iterable[str] = (),
    assign: bool = False,
    assigned_to=None,
    note: str = "",
) -> Enquiry:
    """Staff saved the enquiry's page: corrected details, who it is assigned to (when
    ``assign``) and a new note, all of them together or, when one is refused, none."""
    with transaction.atomic():
        enquiry_update_details(enquiry=enquiry, changed=changed)
        if assign:
            enquiry_assign(enquiry=enquiry, to=assigned_to, by=by)
        if note:
            enquiry_note_add(enquiry=enquiry, author=by, text=note)
    return enquiry


# -- consent -----------------------------------------------------------------------------


def enquiry_sensitive_consent_withdraw(
    *, enquiry: Enquiry, by, now: datetime | None = None
) -> Enquiry:
    """The enquirer withdrew their consent to keep the sensitive details they wrote (UK
    GDPR Art. 7(3); Art. 9(2)(a) was the basis for keeping them): the details are cleared
    from every contact, the consent's date removed, and the withdrawal recorded (when, by
    whom). The enquiry itself stays."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = lock(enquiry)
        if locked.is_anonymised:
            raise EnquiryError(f"{locked} has been anonymised: nothing sensitive is kept.")
        held = locked.contacts.exclude(sensitive_details="")
        if locked.sensitive_consent_at is None and not held.exists():
            raise EnquiryError(f"{locked} keeps no sensitive details to withdraw consent for.")
        contact_pks = list(held.values_list("pk", flat=True))
        held.update(sensitive_details="")
        locked.sensitive_consent_at = None
        locked.sensitive_consent_withdrawn_at = now
        locked.sensitive_consent_withdrawn_by = by
        audit.name_next_save(locked, "enquiries.enquiry.sensitive_consent_withdrawn")
        locked.save(
            update_fields=[
                "sensitive_consent_at",
                "sensitive_consent_withdrawn_at",
                "sensitive_consent_withdrawn_by",
                "updated_at",
            ]
        )
        # Entries written before the field was masked keep no trace of the details either.
        audit.history_hide({EnquiryContact: contact_pks})
    enquiry.sensitive_consent_at = None
    enquiry.sensitive_consent_withdrawn_at = now
    enquiry.sensitive_consent_withdrawn_by = by
    return enquiry


# -- retention ---------------------------------------------------------------------------


def anonymise_before(today: date | None = None) -> date:
    """Enquiries closed before this day are old enough to anonymise."""
    today = today or timezone.localdate()
    return add_months(today, -settings.ENQUIRY_RETENTION_MONTHS)


def enquiry_anonymise(*, enquiry: Enquiry, now: datetime | None = None) -> Enquiry:
    """Blank everything that identifies the enquirer; keep what the funnel report counts.

    Kept: the stage dates, the route, how they heard about us, the closing reason and
    who on the staff did what. Gone: names, contact details, postcode, household
    details, questions, notes, the Registration of Interest filled in online, the
    addresses and contents of the emails sent about the enquiry, and the IP address the public submission was logged with.
    """
    now = now or timezone.now()
    with transaction.atomic():
        locked = lock(enquiry)
        if locked.status != Status.CLOSED:
            raise EnquiryError("Only a closed enquiry can be anonymised.")
        if locked.is_anonymised:
            return locked
        for name in PERSONAL_FIELDS:
            setattr(locked, name, [] if name == "children_ages" else "")
        locked.anonymised_at = now
        audit.name_next_save(locked, "enquiries.enquiry.anonymised")
        locked.save(update_fields=[*PERSONAL_FIELDS, "anonymised_at", "updated_at"])
        locked.contacts.update(question="", sensitive_details="")
        # The Registration of Interest filled in online, answers and link alike.
        RegistrationOfInterest.objects.filter(enquiry=locked).delete()
        locked.status_changes.exclude(note="").update(note="")
        note_pks = [str(pk) for pk in locked.notes.values_list("pk", flat=True)]
        for note in locked.notes.all():
            note.delete()
        prefix = f"enquiry:{locked.pk}:"
        notifications_withdraw(key_prefix=prefix)
        Notification.objects.filter(key__startswith=prefix).update(to="", context={})
        # The enquiry's own audit entries: every personal value hidden (entries written
        # before a field was masked included), and the address the public's own
        # submission (no staff actor) was logged with removed.
        audit.history_hide(
            {
                Enquiry: [locked.pk],
                EnquiryContact: list(locked.contacts.values_list("pk", flat=True)),
                EnquiryNote: note_pks,
            },
            public_addresses=True,
        )
    return locked


def closed_due(today: date):
    """Closed enquiries old enough to anonymise on ``today`` (the retention class's rows)."""
    return Enquiry.objects.filter(
        status=Status.CLOSED,
        anonymised_at__isnull=True,
        closed_at__date__lt=anonymise_before(today),
    ).order_by()


def closed_anonymise(batch, now: datetime) -> None:
    for enquiry in batch:
        enquiry_anonymise(enquiry=enquiry, now=now)

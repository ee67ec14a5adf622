"""Information events, bookings and enquiries for a large agency's history (``seed_scale``).

Written as the services leave them (``services/events.py``, ``services/enquiries.py``):
a booking holds a place only while the event has one (the rest wait, on events still
to come), past events' bookings were checked in or not, bookings and closed enquiries
older than the retention periods are anonymised, each enquiry's stages are reached in
order with a stage change for each, and an open enquiry carries its earliest clock.
"""

from datetime import datetime, time, timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.text import slugify

from portal.dates import add_months
from portal.roles import Role
from portal.scale import History

from . import clocks
from .models import (
    Booking,
    Enquiry,
    EnquiryContact,
    EnquiryStatusChange,
    InformationEvent,
)
from .services.enquiries import PERSONAL_FIELDS

FIRST_NAMES = [
    "Amira",
    "Ben",
    "Cara",
    "Dev",
    "Erin",
    "Femi",
    "Gwen",
    "Hari",
    "Isla",
    "Jon",
    "Kemi",
    "Lars",
    "Mina",
    "Noor",
    "Owen",
    "Priya",
    "Quinn",
    "Rosa",
    "Sami",
    "Tess",
    "Uma",
    "Vik",
    "Wren",
    "Yusuf",
    "Zara",
    "Alex",
    "Bea",
    "Cal",
    "Dina",
    "Eli",
]
LAST_NAMES = [
    "Haddad",
    "Okafor",
    "Lindqvist",
    "Patel",
    "Walsh",
    "Adeyemi",
    "Morgan",
    "Singh",
    "Reid",
    "Baker",
    "Ade",
    "Holm",
    "Okoro",
    "Evans",
    "Hughes",
    "Nowak",
    "Campbell",
    "Murphy",
    "Clarke",
    "Rahman",
    "Brooks",
    "Kowalski",
    "Shah",
    "Ward",
    "Ellis",
]
TOWNS = ("Oakford", "Ashby", "Elmbridge", "Oakway", "Millbrook", "Hollins")

# (stage reached, share of enquiries older than a few months)
OUTCOMES = [
    (Enquiry.Status.CLOSED, 0.82),
    (Enquiry.Status.CONVERTED, 0.10),
]
ORDER = [
    Enquiry.Status.NEW,
    Enquiry.Status.CONTACTED,
    Enquiry.Status.INFORMATION_PACK_SENT,
    Enquiry.Status.INITIAL_VISIT_BOOKED,
    Enquiry.Status.INITIAL_VISIT_DONE,
    Enquiry.Status.ROI_RECEIVED,
]
STAMPS = {
    Enquiry.Status.CONTACTED: "contacted_at",
    Enquiry.Status.INFORMATION_PACK_SENT: "information_pack_sent_at",
    Enquiry.Status.INITIAL_VISIT_BOOKED: "initial_visit_booked_at",
    Enquiry.Status.INITIAL_VISIT_DONE: "initial_visit_done_at",
}


def person(history: History) -> tuple[str, str]:
    return history.rng.choice(FIRST_NAMES), history.rng.choice(LAST_NAMES)


def build(history: History) -> None:
    events = _events(history)
    _bookings(history, events)
    history.enquiry_events = [e for e in events if e.starts_at < history.now]
    _enquiries(history)


# -- events and bookings ------------------------------------------------------------------


def _events(history: History) -> list[InformationEvent]:
    count = history.amount(1500)
    rows = []
    rng = history.rng
    for n in range(count):
        # Spread over the history, a few in the weeks to come.
        day = (
            history.today + timedelta(days=rng.randint(1, 42))
            if n % 12 == 0
            else history.day_between(history.start, history.today - timedelta(days=1))
        )
        kind = rng.choice(InformationEvent.Kind.values)
        topic = (
            InformationEvent.Topic.CARER_TALK if n % 5 == 0 else InformationEvent.Topic.INFORMATION
        )
        starts = timezone.make_aware(datetime.combine(day, time(rng.choice((10, 12, 18, 19)))))
        pk = history.pk(InformationEvent)
        title = (
            "Talk with an experienced EP carer"
            if topic == InformationEvent.Topic.CARER_TALK
            else (
                "Early Permanence: an introduction" if kind == "online" else "Information evening"
            )
        )
        event = InformationEvent(
            pk=pk,
            title=title,
            slug=f"{slugify(title)}-{day.isoformat()}-{pk}",
            kind=kind,
            topic=topic,
            starts_at=starts,
            ends_at=starts + timedelta(minutes=rng.choice((60, 90, 120))),
            booking_closes_at=starts - timedelta(hours=2),
            places=rng.randint(35, 55),
            description="Our social workers explain Early Permanence and answer questions.",
        )
        if kind == InformationEvent.Kind.ONLINE:
            event.joining_link = f"https://meet.example.org/oakway-{pk}"
        else:
            town = rng.choice(TOWNS)
            event.venue = f"{town} Community Centre"
            event.address = f"{rng.randint(1, 90)} Market Street\n{town}\nOK{rng.randint(1, 9)} 2AB"
        if rng.random() < 0.02 and day > history.start + timedelta(days=30):
            event.status = InformationEvent.Status.CANCELLED
            event.cancelled_at = min(starts - timedelta(days=rng.randint(1, 20)), history.now)
        rows.append(event)
    events = history.write(InformationEvent, rows, label="information events")
    events_team = history.staff[Role.EVENTS_TEAM]
    for event in events:
        by = history.rng.choice(events_team)
        created = event.starts_at - timedelta(days=history.rng.randint(30, 60))
        history.audit(event, "enquiries.event.created", at=created, by=by)
        if event.status == InformationEvent.Status.CANCELLED:
            history.audit(event, "enquiries.event.cancelled", at=event.cancelled_at, by=by)
    return events


def _bookings(history: History, events: list[InformationEvent]) -> None:
    rng = history.rng
    wanted = history.amount(60000)
    per_event = max(1, wanted // len(events))
    booking_cutoff = add_months(history.today, -settings.BOOKING_RETENTION_MONTHS)
    rows = []
    for event in events:
        past = event.ends_at < history.now
        anonymised = past and timezone.localdate(event.ends_at) < booking_cutoff
        held = 0
        for _n in range(per_event):
            pk = history.pk(Booking)
            first, last = person(history)
            made = min(
                event.starts_at - timedelta(days=rng.randint(3, 40), hours=rng.randint(0, 9)),
                history.now - timedelta(hours=1),
            )
            places = 2 if rng.random() < 0.2 else 1
            booking = Booking(
                pk=pk,
                event=event,
                name=f"{first} {last}",
                email=f"{first}.{last}.{pk}@example.org".lower(),
                places=places,
                heard_about=rng.choice(Booking.HeardAbout.values),
                token=history.token("booking", pk),
                created_at=made,
            )
            if event.status == InformationEvent.Status.CANCELLED or rng.random() < 0.1:
                booking.status = Booking.Status.CANCELLED
                booking.cancelled_at = min(
                    event.cancelled_at or made + timedelta(days=rng.randint(0, 2)),
                    event.starts_at,
                    history.now,
                )
                if held + places <= event.places:
                    booking.confirmed_at = made
            elif held + places <= event.places:
                held += places
                booking.confirmed_at = made
                if not past:
                    booking.status = Booking.Status.CONFIRMED
                elif rng.random() < 0.8:
                    booking.status = Booking.Status.ATTENDED
                    booking.checked_in_at = event.starts_at - timedelta(minutes=rng.randint(0, 20))
                else:
                    booking.status = Booking.Status.NO_SHOW
            elif not past:
                booking.status = Booking.Status.WAITING
            else:
                # Still waiting when the event began: the waiting list was let go.
                booking.status = Booking.Status.CANCELLED
                booking.cancelled_at = event.starts_at
            if anonymised:
                booking.name = booking.email = ""
                booking.anonymised_at = history.after(
                    timezone.make_aware(
                        datetime.combine(add_months(timezone.localdate(event.ends_at), 12), time(3))
                    ),
                    days=1,
                )
            rows.append(booking)
            _booking_history(history, booking, event, made)
    history.write(Booking, rows, label="bookings")


def _booking_history(history: History, booking: Booking, event, made) -> None:
    to = booking.email
    history.audit(booking, "enquiries.booking.created", at=made, kind=0)
    if booking.status == Booking.Status.WAITING:
        history.outbox(
            f"booking:{booking.pk}:waiting",
            to=to,
            template="enquiries/booking_waiting",
            due_at=made,
        )
        return
    if booking.confirmed_at:
        history.outbox(
            f"booking:{booking.pk}:confirmed",
            to=to,
            template="enquiries/booking_confirmed",
            due_at=made,
            context={} if booking.anonymised_at else {"name": booking.first_name},
        )
    if booking.status == Booking.Status.CANCELLED and booking.cancelled_at:
        history.audit(booking, "enquiries.booking.cancelled", at=booking.cancelled_at)
        history.outbox(
            f"booking:{booking.pk}:cancelled",
            to=to,
            template="enquiries/booking_cancelled",
            due_at=booking.cancelled_at,
        )
        return
    reminder = event.starts_at - timedelta(days=settings.EVENT_REMINDER_DAYS_BEFORE)
    if reminder < history.now and booking.created_at < reminder:
        history.outbox(
            f"booking:{booking.pk}:reminder-before",
            to=to,
            template="enquiries/booking_reminder_before",
            due_at=reminder,
        )
    day_reminder = event.starts_at - timedelta(hours=4)
    if day_reminder < history.now:
        history.outbox(
            f"booking:{booking.pk}:reminder-day",
            to=to,
            template="enquiries/booking_reminder_day",
            due_at=day_reminder,
        )
    if booking.status in (Booking.Status.ATTENDED, Booking.Status.NO_SHOW):
        if booking.checked_in_at:
            history.audit(booking, "enquiries.booking.checked_in", at=booking.checked_in_at)
        follow_up = event.ends_at + timedelta(days=1)
        history.outbox(
            f"booking:{booking.pk}:follow-up",
            to=to,
            template=(
                "enquiries/follow_up_attended"
                if booking.status == Booking.Status.ATTENDED
                else "enquiries/follow_up_no_show"
            ),
            due_at=follow_up,
        )
    if booking.anonymised_at:
        history.audit(booking, "enquiries.booking.anonymised", at=booking.anonymised_at)


# -- enquiries ------------------------------------------------------------------------------


def _enquiries(history: History) -> None:
    rng = history.rng
    count = history.amount(30000)
    recruitment = history.staff[Role.RECRUITMENT_TEAM]
    cutoff = add_months(history.today, -settings.ENQUIRY_RETENTION_MONTHS)
    # How many become households: the carers' builder takes these, oldest first.
    converting = history.amount(3000)
    rows, contacts, changes = [], [], []
    history.conversions = []
    received_days = sorted(history.day_in_history() for _ in range(count))
    convert_at = set(
        rng.sample(
            [n for n, day in enumerate(received_days) if day < history.today - timedelta(days=60)]
            or list(range(count)),
            min(converting, count),
        )
    )
    for n, day in enumerate(received_days):
        pk = history.pk(Enquiry)
        first, last = person(history)
        couple = rng.random() < 0.6
        received = history.moment(day, earliest=7, latest=22)
        enquiry = Enquiry(
            pk=pk,
            first_name=first,
            last_name=last,
            email=f"{first}.{last}.{pk}@example.net".lower(),
            phone=f"07700 9{pk % 100000:05d}",
            postcode=f"OK{rng.randint(1, 9)} {rng.randint(1, 9)}AB",
            contact_method=rng.choice(Enquiry.ContactMethod.values),
            contact_time=rng.choice(Enquiry.ContactTime.values),
            household=Enquiry.Household.COUPLE if couple else Enquiry.Household.SINGLE,
            partner_name=f"{rng.choice(FIRST_NAMES)} {last}" if couple else "",
            children_ages=[rng.randint(2, 16)] if rng.random() < 0.3 else [],
            route=rng.choice(Enquiry.Route.values),
            aged_21_or_over=rng.random() < 0.98,
            heard_about=rng.choice(Enquiry.HeardAbout.values),
            privacy_acknowledged_at=received,
            received_at=received,
            last_contact_at=received,
            assigned_to=rng.choice(recruitment),
            assigned_at=received + timedelta(hours=2),
        )
        if history.enquiry_events and rng.random() < 0.25:
            event = rng.choice(history.enquiry_events)
            enquiry.after_event = event if event.starts_at < received else None
        steps = _advance(history, enquiry, converts=n in convert_at, cutoff=cutoff)
        rows.append(enquiry)
        contacts.append(
            EnquiryContact(
                pk=history.pk(EnquiryContact),
                enquiry=enquiry,
                received_at=received,
                question="" if enquiry.anonymised_at else "Can we apply while we both work?",
            )
        )
        was = Enquiry.Status.NEW
        history.audit(enquiry, "enquiries.enquiry.received", at=received, kind=0)
        history.outbox(
            f"enquiry:{pk}:contact:{contacts[-1].pk}:acknowledgement",
            to=enquiry.email,
            template="enquiries/enquiry_acknowledgement",
            due_at=received,
        )
        history.outbox(
            f"enquiry:{pk}:contact:{contacts[-1].pk}:team-notice",
            to="" if enquiry.anonymised_at else settings.RECRUITMENT_TEAM_EMAIL,
            template="enquiries/enquiry_team_notice",
            due_at=received,
        )
        for status, at in steps:
            changes.append(
                EnquiryStatusChange(
                    pk=history.pk(EnquiryStatusChange),
                    enquiry=enquiry,
                    from_status=was,
                    to_status=status,
                    by=enquiry.assigned_to,
                    at=at,
                )
            )
            history.audit(
                enquiry,
                f"enquiries.enquiry.{status}",
                at=at,
                by=enquiry.assigned_to,
                changes={"status": [was, status]},
            )
            was = status
        if enquiry.anonymised_at:
            history.audit(enquiry, "enquiries.enquiry.anonymised", at=enquiry.anonymised_at)
        if enquiry.status == Enquiry.Status.CONVERTED:
            history.conversions.append(enquiry)
    history.write(Enquiry, rows, label="enquiries")
    history.write(EnquiryContact, contacts, label="enquiry contacts")
    history.write(EnquiryStatusChange, changes, label="enquiry stage changes")


def _advance(history: History, enquiry: Enquiry, *, converts: bool, cutoff) -> list:
    """Move the enquiry along its stages as the services would; the stage changes made."""
    rng = history.rng
    age = (history.today - timezone.localdate(enquiry.received_at)).days
    if converts:
        reach = len(ORDER) - 1
    elif age > 120:
        reach = rng.choice((0, 1, 1, 2, 2, 2, 3, 4, 4, 5))
    else:
        # Recent: still moving, most a stage or two along.
        reach = min(rng.choice((0, 1, 1, 2, 2, 3, 4, 5)), max(0, age // 7))
    steps = []
    at = enquiry.received_at
    for status in ORDER[1 : reach + 1]:
        at = history.after(at, days=1, most=12)
        if status in STAMPS:
            setattr(enquiry, STAMPS[status], at)
        if status == Enquiry.Status.INITIAL_VISIT_BOOKED:
            enquiry.initial_visit_on = timezone.localdate(at) + timedelta(days=rng.randint(3, 10))
        if status == Enquiry.Status.INITIAL_VISIT_DONE:
            visit = timezone.make_aware(datetime.combine(enquiry.initial_visit_on, time(11)))
            at = min(max(at, visit), history.now)
            enquiry.initial_visit_done_at = at
        if status == Enquiry.Status.ROI_RECEIVED:
            enquiry.roi_received_on = timezone.localdate(at)
        enquiry.status = status
        enquiry.last_contact_at = at
        steps.append((status, at))
    if converts:
        at = history.after(at, days=2, most=10)
        enquiry.status = Enquiry.Status.CONVERTED
        enquiry.converted_at = at
        enquiry.household_reference = "(set by carers)"  # the household's, once it has one
        steps.append((Enquiry.Status.CONVERTED, at))
    elif age > 120 or rng.random() < 0.15:
        at = history.after(at, days=5, most=60)
        enquiry.status = Enquiry.Status.CLOSED
        enquiry.closed_at = at
        enquiry.closed_reason = rng.choice(
            [r for r in Enquiry.ClosedReason.values if r != Enquiry.ClosedReason.KNOWN_HOUSEHOLD]
        )
        steps.append((Enquiry.Status.CLOSED, at))
        if timezone.localdate(at) < cutoff:
            for name in PERSONAL_FIELDS:
                setattr(enquiry, name, [] if name == "children_ages" else "")
            enquiry.anonymised_at = history.after(
                timezone.make_aware(
                    datetime.combine(add_months(timezone.localdate(at), 12), time(3))
                ),
                days=1,
            )
    if enquiry.status in Enquiry.OPEN_STATUSES:
        enquiry.next_deadline, enquiry.next_deadline_clock = clocks.next_deadline(enquiry)
    return steps

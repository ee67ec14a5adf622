"""Demo information events for `make run`: idempotent, found by their titles and dates."""

from datetime import datetime, time, timedelta

from django.conf import settings
from django.utils import timezone

from portal.audit import name_next_save
from portal.calendar import add_working_days
from portal.demo import demo_email
from portal.roles import Role

from .models import Booking, InformationEvent
from .reminders import reminder_times
from .services import events as event_services

DEMO_EVENTS = [
    # title, kind, working days ahead, start, end, places, nearly full? (topic: TOPICS)
    (
        "Early Permanence: an introduction",
        InformationEvent.Kind.ONLINE,
        5,
        time(19),
        time(20, 30),
        30,
        False,
    ),
    (
        "Information evening in Oakway",
        InformationEvent.Kind.IN_PERSON,
        9,
        time(18, 30),
        time(20, 30),
        12,
        True,
    ),
    (
        "Talk with an experienced EP carer",
        InformationEvent.Kind.ONLINE,
        15,
        time(12, 30),
        time(13, 30),
        20,
        False,
    ),
    (
        "Fostering for Adoption explained",
        InformationEvent.Kind.IN_PERSON,
        25,
        time(10),
        time(12),
        25,
        False,
    ),
    (
        "Preparation training, day 1",
        InformationEvent.Kind.IN_PERSON,
        12,
        time(10),
        time(15, 30),
        16,
        False,
    ),
]

TOPICS = {
    "Talk with an experienced EP carer": InformationEvent.Topic.CARER_TALK,
    # Private: offered to households from their social worker's own-area page.
    "Preparation training, day 1": InformationEvent.Topic.PREPARATION,
}
DESCRIPTIONS = {
    "Preparation training, day 1": (
        "The first day of preparation training for people in Stage 1: how babies and young "
        "children come into care, what Early Permanence asks of carers, and the court "
        "process. Lunch is provided."
    ),
}

CARER_TALK_DESCRIPTION = (
    "An hour with a carer who has looked after a baby through Early Permanence, with one "
    "of our social workers. They will talk about the first phone call, the weeks of family "
    "time, waiting for the court's decision and what it was like when the plan changed for "
    "another family they know.\n\n"
    "Ask them anything. You can keep your camera off and ask in the chat."
)

DESCRIPTION = (
    "Our social workers explain how Early Permanence works, who the children are, how the "
    "assessment runs and how we support carers through the court process. An adopter who has "
    "done it will share what it was like. There is plenty of time for questions, and you do "
    "not have to say anything about yourself."
)


def _at(day, clock) -> datetime:
    return timezone.make_aware(datetime.combine(day, clock))


def seed(*, stdout) -> None:
    today = timezone.localdate()
    for title, kind, ahead, start, end, places, nearly_full in DEMO_EVENTS:
        day = add_working_days(today, ahead)
        event = InformationEvent.objects.filter(title=title, starts_at__date__gte=today).first()
        if event is None:
            event = InformationEvent(
                title=title,
                kind=kind,
                starts_at=_at(day, start),
                ends_at=_at(day, end),
                places=places,
                booking_closes_at=_at(day, start) - timedelta(hours=2),
                topic=TOPICS.get(title, InformationEvent.Topic.INFORMATION),
                description=DESCRIPTIONS.get(
                    title, CARER_TALK_DESCRIPTION if title in TOPICS else DESCRIPTION
                ),
                accessibility=(
                    "Live captions are on. You can keep your camera off."
                    if kind == InformationEvent.Kind.ONLINE
                    else "Step-free entrance, an accessible toilet and a hearing loop. "
                    "Free parking on site."
                ),
            )
            if kind == InformationEvent.Kind.ONLINE:
                event.joining_link = "https://meet.example.org/oakway-information-event"
            else:
                event.venue = "Oakway Community Centre"
                event.address = "12 Market Street\nOakway\nOK1 2AB"
            event_services.event_save(event=event)
            stdout.write(f"  event: {event}")
        if nearly_full:
            _fill(event, leave=1)
    seed_enquiries(stdout=stdout)
    _seed_drop_in(stdout)
    _seed_today(stdout)


TODAY_TITLE = "Information evening at Oakway library"


def _seed_today(stdout) -> None:
    """An event today with people booked, so the Events team's check-in can be tried.

    Check-in opens at midnight on the day of the event; booking has closed.
    """
    today = timezone.localdate()
    event = InformationEvent.objects.filter(title=TODAY_TITLE, starts_at__date=today).first()
    if event is None:
        start = _at(today, time(18, 30))
        event = InformationEvent(
            title=TODAY_TITLE,
            kind=InformationEvent.Kind.IN_PERSON,
            starts_at=start,
            ends_at=start + timedelta(hours=2),
            # Booking closed at the start of the day, so the demo's past stays quiet.
            booking_closes_at=_at(today, time(0)),
            places=10,
            venue="Oakway Library, community room",
            address="3 Church Lane\nOakway\nOK1 4CD",
            description=DESCRIPTION,
            accessibility="Step-free entrance through the library, a hearing loop and an "
            "accessible toilet on the same floor.",
        )
        event_services.event_save(event=event)
        stdout.write(f"  event: {event} (today: try check-in on its bookings)")
    _fill(event, leave=4)


def _seed_drop_in(stdout) -> None:
    """An online drop-in timed so that its first reminder falls due soon after seeding.

    Someone trying the portal with `make run` can book it and watch the confirmation,
    then the reminder, arrive in the worker's console.
    """
    title = "Online drop-in: ask us anything"
    now = timezone.now()
    if InformationEvent.objects.filter(title=title, starts_at__gt=now).exists():
        return
    lead = timedelta(days=settings.EVENT_REMINDER_DAYS_BEFORE, minutes=15)
    start = (now + lead).replace(second=0, microsecond=0)
    start += timedelta(minutes=-start.minute % 15)
    event = InformationEvent(
        title=title,
        kind=InformationEvent.Kind.ONLINE,
        starts_at=start,
        ends_at=start + timedelta(minutes=45),
        places=15,
        joining_link="https://meet.example.org/oakway-drop-in",
        description="A relaxed online session with two of our social workers. Drop in with "
        "any question about Early Permanence, adoption or fostering.",
        accessibility="Live captions are on. You can keep your camera off.",
    )
    event_services.event_save(event=event)
    first_reminder = timezone.localtime(reminder_times(event)["reminder-before"])
    stdout.write(f"  event: {event} (a booking's first reminder is due at {first_reminder:%H:%M})")


def _fill(event: InformationEvent, *, leave: int) -> None:
    """Demo bookings until ``leave`` places are left.

    Written directly rather than through ``booking_create``: seed_demo runs inside a
    transaction (the service's durable one cannot nest), and demo people must not
    be sent emails or reminders.
    """
    missing = event.places - leave - event_services.confirmed_places(event)
    start = event.bookings.count()
    Booking.objects.bulk_create(
        Booking(
            event=event,
            name=f"Demo Person {n}",
            email=f"demo.person{n}@example.org",
            places=1,
            status=Booking.Status.CONFIRMED,
            confirmed_at=timezone.now(),
        )
        for n in range(start + 1, start + 1 + max(missing, 0))
    )


# ---------------------------------------------------------------------------
# Enquiries: one or more in every stage, some overdue, found again by email address
# ---------------------------------------------------------------------------

# (first name, last name, stage reached, working days since the enquiry, extra)
DEMO_ENQUIRIES = [
    ("Amira", "Haddad", "new", 0, {}),
    ("Ben", "Okafor", "new", 3, {"assign": True}),  # first contact overdue
    ("Cara", "Lindqvist", "contacted", 7, {}),
    ("Dev", "Patel", "information_pack_sent", 4, {"assign": True}),
    ("Erin", "Walsh", "initial_visit_booked", 8, {"assign": True}),
    ("Femi", "Adeyemi", "initial_visit_done", 15, {}),
    ("Gwen", "Morgan", "roi_received", 20, {"roi_days_ago": 2, "assign": True}),
    ("Hari", "Singh", "roi_received", 25, {"roi_days_ago": 8}),  # decision overdue
    ("Isla", "Reid", "converted", 40, {"roi_days_ago": 10}),
    ("Jon", "Baker", "closed", 12, {"reason": "withdrew"}),
    ("Kemi", "Ade", "closed", 30, {"reason": "no_response"}),
    ("Lars", "Holm", "closed", 320, {"reason": "moved_away", "anonymise": True}),
    # Closed long enough ago that the retention job anonymises it on its first run (the
    # report of that run, under Retention runs, lists it).
    ("Mina", "Okoro", "closed", 300, {"reason": "no_response"}),
]
DEMO_QUESTION = "Can we apply if we both work full time at the moment?"


def _demo_now(working_days_ago: int, hour: int = 11) -> datetime:
    day = add_working_days(timezone.localdate(), -working_days_ago)
    return timezone.make_aware(datetime.combine(day, time(hour)))


def seed_enquiries(*, stdout) -> None:
    """Demo enquiries written without emails (demo people must not be emailed), then
    moved along the pipeline by the real services, so clocks and reminders are real."""
    from portal.models import User

    from .clocks import next_deadline
    from .models import Enquiry, EnquiryContact
    from .services import enquiries as enquiry_services

    # All or nothing (seed_demo runs each app in one transaction); the anonymised demo
    # enquiry keeps no address to be found by, so the others mark that it ran.
    if Enquiry.objects.filter(email__startswith="demo.enquirer").exists():
        return
    recruiter = User.objects.filter(email=demo_email(Role.RECRUITMENT_TEAM)).first()
    steps = [
        ("contacted", enquiry_services.enquiry_mark_contacted, {}),
        ("information_pack_sent", enquiry_services.enquiry_mark_information_pack_sent, {}),
        ("initial_visit_booked", enquiry_services.enquiry_book_initial_visit, {}),
        ("initial_visit_done", enquiry_services.enquiry_mark_initial_visit_done, {}),
        ("roi_received", enquiry_services.enquiry_mark_roi_received, {}),
    ]
    order = [name for name, _, _ in steps]
    for n, (first, last, stage, ago, extra) in enumerate(DEMO_ENQUIRIES, start=1):
        email = f"demo.enquirer{n}@example.org"
        received = _demo_now(ago, hour=9)
        enquiry = Enquiry(
            first_name=first,
            last_name=last,
            email=email,
            phone="01632 960 00" + str(n % 10),
            postcode="OK1 2AB",
            contact_method=Enquiry.ContactMethod.EITHER,
            contact_time=Enquiry.ContactTime.EVENING,
            household=Enquiry.Household.COUPLE if n % 2 else Enquiry.Household.SINGLE,
            partner_name=f"Sam {last}" if n % 2 else "",
            route=Enquiry.Route.values[n % 3],
            aged_21_or_over=True,
            heard_about=Enquiry.HeardAbout.values[n % 6],
            privacy_acknowledged_at=received,
            received_at=received,
            last_contact_at=received,
            # As from the form: the acknowledgement carried the pack.
            information_pack_sent_at=received,
        )
        enquiry.next_deadline, enquiry.next_deadline_clock = next_deadline(enquiry)
        name_next_save(enquiry, "enquiries.enquiry.received")
        enquiry.save()
        EnquiryContact.objects.create(
            enquiry=enquiry, received_at=received, question=DEMO_QUESTION if n % 3 == 0 else ""
        )
        if extra.get("assign") and recruiter:
            enquiry_services.enquiry_assign(enquiry=enquiry, to=recruiter, by=recruiter)
        if stage in order:
            reached = order.index(stage) + 1
        elif stage == "converted":
            reached = len(order)
        elif stage == "closed":
            reached = 1 if ago < 20 else 2
        else:
            reached = 0
        for index, (name, service, _) in enumerate(steps[:reached]):
            # Each step a working day after the last, and never in the future.
            when = _demo_now(max(ago - 1 - index, 0), hour=10 + index % 6)
            arguments = {"enquiry": enquiry, "by": recruiter, "now": when}
            if name == "initial_visit_booked":
                # Booked for the day it is then done (a visit is never done before its day).
                arguments["visit_on"] = timezone.localdate(_demo_now(max(ago - 2 - index, 0)))
            if name == "roi_received":
                roi_day = add_working_days(timezone.localdate(), -extra.get("roi_days_ago", 0))
                arguments["received_on_day"] = max(roi_day, timezone.localdate(when))
                arguments["now"] = max(when, _demo_now(extra.get("roi_days_ago", 0)))
            service(**arguments)
        if stage == "converted":
            enquiry_services.enquiry_mark_converted(
                enquiry=enquiry, by=recruiter, household_reference="EP-DEMO"
            )
        if stage == "closed":
            closed_at = _demo_now(max(ago - 3, 0), hour=16)
            enquiry_services.enquiry_close(
                enquiry=enquiry, by=recruiter, reason=extra["reason"], now=closed_at
            )
            if extra.get("anonymise"):
                enquiry_services.enquiry_anonymise(enquiry=enquiry)
        stdout.write(f"  enquiry: {enquiry.reference} ({enquiry.get_status_display()})")

"""Demo information events for `make run`: idempotent, found by their titles and dates."""

from datetime import datetime, time, timedelta

from django.conf import settings
from django.utils import timezone

from portal.calendar import add_working_days

from . import services
from .models import Booking, InformationEvent
from .reminders import reminder_times

DEMO_EVENTS = [
    # title, kind, working days ahead, start, end, places, nearly full?
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
        "Talk with an adopter",
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
]

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
                description=DESCRIPTION,
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
            services.event_save(event=event)
            stdout.write(f"  event: {event}")
        if nearly_full:
            _fill(event, leave=1)
    _seed_drop_in(stdout)


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
    services.event_save(event=event)
    first_reminder = timezone.localtime(reminder_times(event)["reminder-before"])
    stdout.write(f"  event: {event} (a booking's first reminder is due at {first_reminder:%H:%M})")


def _fill(event: InformationEvent, *, leave: int) -> None:
    """Demo bookings until ``leave`` places are left.

    Written directly rather than through ``booking_create``: seed_demo runs inside a
    transaction (the service's durable one cannot nest), and demo people must not
    be sent emails or reminders.
    """
    missing = event.places - leave - services.confirmed_places(event)
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

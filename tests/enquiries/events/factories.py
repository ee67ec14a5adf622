"""Factories for information events and bookings."""

from datetime import timedelta

import factory
from django.utils import timezone

from enquiries.models import Booking, InformationEvent


def in_days(days: float, hour: int = 19):
    """A moment ``days`` from now at ``hour`` o'clock London time."""
    local = timezone.localtime() + timedelta(days=days)
    return local.replace(hour=hour, minute=0, second=0, microsecond=0)


def today_just_past_midnight():
    """A start on today's date whatever the hour a test runs (now + 30 minutes is
    tomorrow after 23:30, and check-in opens only on the event's day): a minute past
    midnight, London time."""
    return timezone.localtime().replace(hour=0, minute=1, second=0, microsecond=0)


class InformationEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InformationEvent

    title = factory.Sequence(lambda n: f"Information evening {n}")
    slug = factory.Sequence(lambda n: f"information-evening-{n}")
    kind = InformationEvent.Kind.ONLINE
    starts_at = factory.LazyFunction(lambda: in_days(10))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(hours=1, minutes=30))
    joining_link = "https://meet.example.org/abc-defg-hij"
    places = 10
    description = "What Early Permanence is and how to apply."

    class Params:
        in_person = factory.Trait(
            kind=InformationEvent.Kind.IN_PERSON,
            joining_link="",
            venue="Oakway Community Centre",
            address="12 Market Street\nOakway\nOK1 2AB",
        )


class BookingFactory(factory.django.DjangoModelFactory):
    """A booking written straight to the database (tests of the services use the services)."""

    class Meta:
        model = Booking

    event = factory.SubFactory(InformationEventFactory)
    name = factory.Sequence(lambda n: f"Alex Person{n}")
    email = factory.Sequence(lambda n: f"person{n}@example.com")
    places = 1
    status = Booking.Status.CONFIRMED
    confirmed_at = factory.LazyFunction(timezone.now)

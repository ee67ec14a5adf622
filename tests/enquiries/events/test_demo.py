import io

import pytest
from django.core.management import call_command

from enquiries.models import InformationEvent

pytestmark = pytest.mark.django_db


def test_seed_demo_adds_upcoming_online_and_in_person_events_one_nearly_full(settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=io.StringIO())
    call_command("seed_demo", stdout=io.StringIO())  # idempotent
    from enquiries.demo import TODAY_TITLE
    from enquiries.selectors.events import events_upcoming

    events = [event for event in events_upcoming() if event.title != TODAY_TITLE]
    assert len(events) == 5
    assert {e.kind for e in events} == set(InformationEvent.Kind.values)
    assert [e.places_left for e in events if 0 < e.places_left <= 1]
    assert all(e.is_open_for_booking() for e in events)
    # The preparation training day is private: offered to households, never listed.
    (training,) = InformationEvent.objects.private()
    assert training.title == "Preparation training, day 1" and training not in events


def test_seed_demo_has_an_event_today_with_people_booked_ready_for_check_in(settings):
    from django.utils import timezone

    from enquiries.demo import TODAY_TITLE
    from enquiries.models import Booking
    from enquiries.services import events as services

    settings.DEBUG = True
    call_command("seed_demo", stdout=io.StringIO())
    call_command("seed_demo", stdout=io.StringIO())  # idempotent
    (today,) = InformationEvent.objects.filter(
        title=TODAY_TITLE, starts_at__date=timezone.localdate()
    )
    booked = list(today.bookings.filter(status=Booking.Status.CONFIRMED).order_by("id"))
    assert len(booked) == today.places - 4
    assert services.booking_mark_attended(booking=booked[0]).status == Booking.Status.ATTENDED


def test_seed_demo_offers_a_talk_with_an_experienced_ep_carer(settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=io.StringIO())
    talk = InformationEvent.objects.get(topic=InformationEvent.Topic.CARER_TALK)
    assert talk.title == "Talk with an experienced EP carer"
    assert "carer who has looked after a baby through Early Permanence" in talk.description

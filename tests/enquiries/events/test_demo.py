import pytest

from enquiries.models import InformationEvent

# seed_demo run twice (idempotent) once for the module: each test reads it.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("seeded_demo")]


def test_seed_demo_adds_upcoming_online_and_in_person_events_one_nearly_full():
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


def test_seed_demo_has_an_event_today_with_people_booked_ready_for_check_in():
    from django.utils import timezone

    from enquiries.demo import TODAY_TITLE
    from enquiries.models import Booking
    from enquiries.services import events as services

    (today,) = InformationEvent.objects.filter(
        title=TODAY_TITLE, starts_at__date=timezone.localdate()
    )
    booked = list(today.bookings.filter(status=Booking.Status.CONFIRMED).order_by("id"))
    assert len(booked) == today.places - 4
    assert services.booking_mark_attended(booking=booked[0]).status == Booking.Status.ATTENDED


def test_seed_demo_offers_a_talk_with_an_experienced_ep_carer():
    talk = InformationEvent.objects.get(topic=InformationEvent.Topic.CARER_TALK)
    assert talk.title == "Talk with an experienced EP carer"
    assert "carer who has looked after a baby through Early Permanence" in talk.description

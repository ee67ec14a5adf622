import io

import pytest
from django.core.management import call_command

from enquiries.models import InformationEvent

pytestmark = pytest.mark.django_db


def test_seed_demo_adds_upcoming_online_and_in_person_events_one_nearly_full(settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=io.StringIO())
    call_command("seed_demo", stdout=io.StringIO())  # idempotent
    from enquiries.selectors import events_upcoming

    events = list(events_upcoming())
    assert len(events) == 5
    assert {e.kind for e in events} == set(InformationEvent.Kind.values)
    assert [e.places_left for e in events if 0 < e.places_left <= 1]
    assert all(e.is_open_for_booking() for e in events)

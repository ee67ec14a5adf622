"""Medians and whole days worked out by the database (portal/aggregates.py), checked on
figures worked out by hand. PostgreSQL's percentile_cont and the window-function path
SQLite takes (``make run``) must give the same answers: both run here, the second by
telling the module it is on SQLite (the expressions used compile the same on both)."""

import pytest
from django.db import connection
from django.db.models import Case, F, IntegerField, When
from django.test.utils import CaptureQueriesContext

from enquiries.models import Booking
from portal import aggregates
from tests.enquiries.events.factories import BookingFactory, InformationEventFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def bookings():
    event = InformationEventFactory(places=40)
    # Places 1, 2, 3 and 10; the confirmed ones are 1 and 3.
    for places, status in [(1, "confirmed"), (2, "waiting"), (3, "confirmed"), (10, "waiting")]:
        BookingFactory(event=event, places=places, status=status)
    return Booking.objects.all()


VALUES = {
    "places": F("places"),
    # NULL for a booking on the waiting list: left out of its median.
    "confirmed": Case(
        When(status="confirmed", then=F("places")), default=None, output_field=IntegerField()
    ),
}


@pytest.mark.parametrize("vendor", ["this database", "sqlite"])
def test_medians_by_hand_on_each_path(bookings, monkeypatch, vendor):
    if vendor == "sqlite":
        monkeypatch.setattr(aggregates.connection, "vendor", "sqlite")
    # Four places: halfway between the middle two, 2 and 3. Two confirmed: 1 and 3.
    assert aggregates.medians(bookings, VALUES) == {"places": 2.5, "confirmed": 2.0}
    # An odd count takes the middle one: 1, 2 and 3.
    assert aggregates.medians(bookings.filter(places__lt=10), {"places": F("places")}) == {
        "places": 2.0
    }
    # Nothing to take the median of.
    assert aggregates.medians(bookings.none(), {"places": F("places")}) == {"places": None}
    assert aggregates.medians(bookings.filter(status="waiting"), VALUES)["confirmed"] is None
    by_status = aggregates.medians_by(bookings, group="status", values={"places": F("places")})
    assert by_status == {
        "confirmed": {"places": 2.0},
        "waiting": {"places": 6.0},
        None: {"places": 2.5},
    }


def test_the_medians_are_one_query_on_postgresql(bookings):
    if connection.vendor != "postgresql":
        pytest.fail("CI runs on PostgreSQL")
    with CaptureQueriesContext(connection) as context:
        aggregates.medians(bookings, VALUES)
    assert len(context.captured_queries) == 1
    assert "PERCENTILE_CONT" in context.captured_queries[0]["sql"]

"""Request and access logs name the route, never a booking's token."""

import logging

import pytest

from enquiries.models import Booking
from portal.logroutes import RouteNotCredential
from tests.enquiries.events.factories import BookingFactory

pytestmark = pytest.mark.django_db


def _record(msg, args):
    return logging.LogRecord("t", logging.WARNING, __file__, 1, msg, args, None)


def test_not_found_and_access_log_records_are_rewritten():
    token = "Abc_def-123" * 4
    not_found = _record("Not Found: %s", (f"/bookings/{token}/cancel/",))
    RouteNotCredential().filter(not_found)
    assert not_found.getMessage() == "Not Found: /bookings/<token>/cancel/"
    # gunicorn passes its atoms as a mapping.
    atoms = {"r": f"GET /bookings/{token}/calendar.ics HTTP/1.1", "s": "200"}
    access = _record('"%(r)s" %(s)s', atoms)
    RouteNotCredential().filter(access)
    assert token not in access.getMessage()
    assert "/bookings/<token>/calendar.ics" in access.getMessage()
    # Other paths are left as they are.
    page = _record("Not Found: %s", ("/events/information-evening-2026-12-03/",))
    RouteNotCredential().filter(page)
    assert page.getMessage() == "Not Found: /events/information-evening-2026-12-03/"


def test_a_wrong_or_real_token_is_never_in_the_log(client, caplog):
    booking = BookingFactory()
    caplog.set_level(logging.INFO)
    client.get(f"/bookings/{'x' * 43}/")
    csrf_client = client.__class__(enforce_csrf_checks=True)
    csrf_client.post(f"/bookings/{booking.token}/cancel/")
    assert "Not Found: /bookings/<token>/" in caplog.text
    assert "Forbidden (CSRF" in caplog.text
    assert booking.token not in caplog.text
    assert "x" * 43 not in caplog.text
    assert Booking.objects.get().status == Booking.Status.CONFIRMED


def test_search_terms_are_left_out_of_access_logs():
    atoms = {"r": "GET /admin/search/?q=Willow+Hartington HTTP/1.1", "s": "200"}
    access = _record('"%(r)s" %(s)s', atoms)
    RouteNotCredential().filter(access)
    assert access.getMessage() == '"GET /admin/search/?q=<search> HTTP/1.1" 200'
    listed = _record("%s", ("/admin/carers/household/?status=open&q=ok1%202ab&o=1",))
    RouteNotCredential().filter(listed)
    assert listed.getMessage() == "/admin/carers/household/?status=open&q=<search>&o=1"

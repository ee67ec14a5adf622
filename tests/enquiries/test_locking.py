"""The event lock on PostgreSQL: a booking that cannot get it in time is retried, then refused."""

import threading

import pytest
from django.db import connections, transaction

from enquiries import services
from enquiries.models import Booking, InformationEvent

from .factories import InformationEventFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


class HeldLock:
    """Another transaction holding the event row's lock until released."""

    def __init__(self, event):
        self.event = event
        self.locked = threading.Event()
        self.release = threading.Event()
        self.thread = threading.Thread(target=self._hold)

    def _hold(self):
        try:
            with transaction.atomic():
                InformationEvent.objects.select_for_update().get(pk=self.event.pk)
                self.locked.set()
                self.release.wait(timeout=30)
        finally:
            connections.close_all()

    def __enter__(self):
        self.thread.start()
        assert self.locked.wait(timeout=10)
        return self

    def __exit__(self, *exc):
        self.release.set()
        self.thread.join(timeout=30)


def test_a_lock_held_too_long_is_retried_then_refused_politely(require_postgres, settings, caplog):
    settings.BOOKING_LOCK_TIMEOUT_SECONDS = 0.2
    event = InformationEventFactory()
    with HeldLock(event), pytest.raises(services.BookingBusy):
        services.booking_create(event=event, name="Jo", email="jo@example.com", places=1)
    assert caplog.text.count("Event lock timed out") == services.LOCK_ATTEMPTS
    assert not Booking.objects.exists()
    # Once the lock is free, the same booking goes through.
    booking = services.booking_create(event=event, name="Jo", email="jo@example.com", places=1)
    assert booking.status == Booking.Status.CONFIRMED


def test_the_booking_page_says_to_try_again_when_busy(require_postgres, settings, client):
    settings.BOOKING_LOCK_TIMEOUT_SECONDS = 0.2
    event = InformationEventFactory()
    data = {"name": "Jo", "email": "jo@example.com", "places": "1", "website": ""}
    with HeldLock(event):
        response = client.post(event.get_absolute_url(), data)
    assert response.status_code == 200
    assert "A lot of people are booking this event right now" in response.content.decode()
    assert not Booking.objects.exists()

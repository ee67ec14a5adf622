"""The event lock on PostgreSQL: a booking that cannot get it in time is retried, then
put on the waiting list (never refused); the waiting-list sweep gives it any free place."""

import threading

import pytest
from django.db import connections, transaction

from enquiries.models import Booking, InformationEvent
from enquiries.services import events as services
from portal.models import Notification

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
                # The lock the services take (FOR NO KEY UPDATE).
                InformationEvent.objects.select_for_update(no_key=True).get(pk=self.event.pk)
                self.locked.set()
                self.release.wait(timeout=30)
        finally:
            connections.close_all()

    def __enter__(self):
        self.thread.start()
        assert self.locked.wait(timeout=60)
        return self

    def __exit__(self, *exc):
        self.release.set()
        self.thread.join(timeout=30)


def test_a_lock_held_too_long_is_retried_then_the_booking_waits(require_postgres, settings, caplog):
    settings.BOOKING_LOCK_TIMEOUT_SECONDS = 0.2
    event = InformationEventFactory(places=5)
    with HeldLock(event):
        booking = services.booking_create(event=event, name="Jo", email="jo@example.com", places=1)
        # Still held: the booking did not wait for it to be released.
        assert booking.status == Booking.Status.WAITING
    assert caplog.text.count("Event lock timed out") == services.LOCK_ATTEMPTS
    assert Notification.objects.filter(key=f"booking:{booking.pk}:waiting").exists()
    # Once the lock is free, the sweep gives the waiting booking the free place.
    assert services.events_waiting_list_fill() == 1
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED
    assert Notification.objects.filter(key=f"booking:{booking.pk}:promoted").exists()
    assert services.events_waiting_list_fill() == 0


def test_the_booking_page_answers_as_usual_when_busy(require_postgres, settings, client):
    settings.BOOKING_LOCK_TIMEOUT_SECONDS = 0.2
    event = InformationEventFactory()
    data = {"name": "Jo", "email": "jo@example.com", "places": "1", "website": ""}
    with HeldLock(event):
        response = client.post(event.get_absolute_url(), data)
    assert response.status_code == 302
    assert response["Location"] == f"/events/{event.slug}/check-your-email/"
    assert Booking.objects.get().status == Booking.Status.WAITING

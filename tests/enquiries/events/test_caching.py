"""The events pages come from the page cache, and are right again once anything that
changes them has committed: bookings, cancellations, event changes, and time."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from enquiries.models import Booking
from enquiries.services import events as services
from portal import pagecache
from portal.pagecache import HIT_HEADER

from .factories import InformationEventFactory, in_days
from .test_views import form_data

pytestmark = pytest.mark.django_db


def html_of(response) -> str:
    return response.content.decode()


def book(event, email, places=1, *, commit):
    with commit(execute=True):
        return services.booking_create(event=event, name="Jo", email=email, places=places)


def test_the_list_and_the_event_page_are_served_from_the_cache(client, make_event):
    event = make_event(places=5)
    for path in ("/events/", event.get_absolute_url()):
        assert HIT_HEADER not in client.get(path)
        assert client.get(path)[HIT_HEADER] == "hit"


def test_a_booking_changes_the_places_left_once_it_commits(
    client, make_event, django_capture_on_commit_callbacks
):
    event = make_event(places=5)
    assert "5 places left" in html_of(client.get("/events/"))
    assert "5 places left" in html_of(client.get(event.get_absolute_url()))

    with django_capture_on_commit_callbacks() as callbacks:
        services.booking_create(event=event, name="Jo", email="jo@example.com", places=2)
    assert "5 places left" in html_of(client.get("/events/")), "nothing before the commit"
    for callback in callbacks:
        callback()

    assert "3 places left" in html_of(client.get("/events/"))
    assert "3 places left" in html_of(client.get(event.get_absolute_url()))


def test_a_cancellation_frees_the_places_on_the_pages(
    client, make_event, django_capture_on_commit_callbacks
):
    event = make_event(places=1)
    mine = book(event, "jo@example.com", commit=django_capture_on_commit_callbacks)
    assert "Waiting list" in html_of(client.get("/events/"))
    assert "Join the waiting list" in html_of(client.get(event.get_absolute_url()))

    with django_capture_on_commit_callbacks(execute=True):
        services.booking_cancel(booking=mine)
    assert "1 place left" in html_of(client.get("/events/"))
    assert "Book a place" in html_of(client.get(event.get_absolute_url()))


def test_a_promotion_from_the_waiting_list_shows(
    client, make_event, django_capture_on_commit_callbacks
):
    event = make_event(places=2)
    first = book(event, "jo@example.com", places=2, commit=django_capture_on_commit_callbacks)
    waiting = book(event, "sam@example.com", commit=django_capture_on_commit_callbacks)
    assert waiting.status == Booking.Status.WAITING
    assert "Waiting list" in html_of(client.get("/events/"))
    with django_capture_on_commit_callbacks(execute=True):
        services.booking_cancel(booking=first)
    assert Booking.objects.get(pk=waiting.pk).status == Booking.Status.CONFIRMED
    assert "1 place left" in html_of(client.get("/events/"))


def test_staff_changes_to_an_event_show(client, make_event, django_capture_on_commit_callbacks):
    event = make_event(places=5, title="Autumn evening")
    other = make_event(title="Winter evening")
    client.get("/events/")
    client.get(event.get_absolute_url())

    event.places = 8
    event.title = "Autumn evening, now bigger"
    with django_capture_on_commit_callbacks(execute=True):
        services.event_save(event=event, changed=["places", "title"])
    assert "Autumn evening, now bigger" in html_of(client.get("/events/"))
    assert "8 places left" in html_of(client.get(event.get_absolute_url()))

    with django_capture_on_commit_callbacks(execute=True):
        services.event_cancel(event=other)
    assert "Winter evening" not in html_of(client.get("/events/"))
    assert "This event has been cancelled" in html_of(client.get(other.get_absolute_url()))

    with django_capture_on_commit_callbacks(execute=True):
        copy = services.event_duplicate(event=event)
    assert copy.title in html_of(client.get("/events/"))


def test_pages_change_by_themselves_when_booking_closes(client, make_event, monkeypatch):
    closes = timezone.now() + timedelta(minutes=2)
    event = make_event(booking_closes_at=closes)
    list_before = html_of(client.get("/events/"))
    page_before = html_of(client.get(event.get_absolute_url()))
    assert "Book a place" in page_before and "Booking closed" not in list_before
    assert client.get(event.get_absolute_url())[HIT_HEADER] == "hit"

    # Three minutes on: well within the cache's own limit (EVENTS_CACHE_SECONDS), past
    # the moment booking closed.
    later = timezone.now() + timedelta(minutes=3)
    shift = (later - timezone.now()).total_seconds()
    real_time = pagecache.time.time
    monkeypatch.setattr(pagecache.time, "time", lambda: real_time() + shift)
    monkeypatch.setattr(timezone, "now", lambda: later)

    page_after = client.get(event.get_absolute_url())
    assert HIT_HEADER not in page_after
    assert "Booking has closed" in html_of(page_after)
    assert "Booking closed" in html_of(client.get("/events/"))


def test_an_event_leaves_the_list_when_it_starts(client, monkeypatch):
    soon = InformationEventFactory(
        title="Starting soon", starts_at=timezone.now() + timedelta(minutes=1)
    )
    InformationEventFactory(title="Next month", starts_at=in_days(30))
    assert "Starting soon" in html_of(client.get("/events/"))
    later = timezone.now() + timedelta(minutes=2)
    shift = (later - timezone.now()).total_seconds()
    real_time = pagecache.time.time
    monkeypatch.setattr(pagecache.time, "time", lambda: real_time() + shift)
    monkeypatch.setattr(timezone, "now", lambda: later)
    html = html_of(client.get("/events/"))
    assert "Starting soon" not in html and "Next month" in html
    assert "already taken place" in html_of(client.get(soon.get_absolute_url()))


def test_a_cached_event_page_gives_each_visitor_a_token_that_books(make_event):
    event = make_event(places=5)
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    first.get(event.get_absolute_url())
    page = second.get(event.get_absolute_url())
    assert page[HIT_HEADER] == "hit"
    token = pagecache.CSRF_INPUT.search(page.content).group(1).decode()
    assert "csrftoken" in page.cookies

    response = second.post(event.get_absolute_url(), {**form_data(), "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert Booking.objects.filter(email="jo@example.com").exists()

    # Someone else's token is refused.
    third = Client(enforce_csrf_checks=True)
    third.get(event.get_absolute_url())
    refused = third.post(
        event.get_absolute_url(),
        {**form_data(email="sam@example.com"), "csrfmiddlewaretoken": "x" + token[1:]},
    )
    assert refused.status_code == 403


def test_a_form_with_errors_is_never_cached(client, event):
    response = client.post(event.get_absolute_url(), form_data(email="not-an-email"))
    assert "govuk-error-summary" in html_of(response)
    fresh = client.get(event.get_absolute_url())
    assert "govuk-error-summary" not in html_of(fresh)


def test_the_events_list_stores_only_the_pages_that_were_asked_for(client, make_event):
    """An unknown filter or a page past the last is served, never stored as a page."""
    make_event()
    addresses = (
        "/events/?kind=nonsense",
        "/events/?topic=nonsense",
        "/events/?topic=a&topic=b",
        "/events/?page=9999",
        "/events/?page=01",
    )
    for address in addresses:
        client.get(address)
        assert HIT_HEADER not in client.get(address), address
    client.get("/events/?kind=online")
    assert client.get("/events/?kind=online")[HIT_HEADER] == "hit"

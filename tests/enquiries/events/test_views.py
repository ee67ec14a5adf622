"""The public pages: list, event page with the booking form, confirmation, manage, cancel."""

import re
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from enquiries.models import Booking, InformationEvent
from enquiries.services import events as services
from portal.models import Notification

from .factories import BookingFactory, InformationEventFactory, in_days

pytestmark = pytest.mark.django_db


def form_data(**overrides):
    data = {
        "name": "Jo Bloggs",
        "email": "jo@example.com",
        "phone": "",
        "places": "1",
        "access_needs": "",
        "heard_about": "",
        "website": "",
    }
    data.update(overrides)
    return data


# -- the list ----------------------------------------------------------------


def test_the_list_shows_upcoming_events_soonest_first_and_nothing_past(client):
    later = InformationEventFactory(title="Later evening", starts_at=in_days(20))
    sooner = InformationEventFactory(title="Sooner evening", starts_at=in_days(5))
    past = InformationEventFactory(title="Past evening", starts_at=in_days(-2))
    cancelled = InformationEventFactory(
        title="Cancelled evening", status=InformationEvent.Status.CANCELLED
    )
    response = client.get("/events/")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.index(sooner.title) < html.index(later.title)
    assert past.title not in html
    assert cancelled.title not in html


def test_the_list_shows_places_left_and_the_waiting_list_when_full(client):
    roomy = InformationEventFactory(title="Roomy", places=5)
    BookingFactory(event=roomy, places=2)
    BookingFactory(event=roomy, status=Booking.Status.CANCELLED, places=2)
    full = InformationEventFactory(title="Full", places=1)
    BookingFactory(event=full)
    html = client.get("/events/").content.decode()
    assert "3 places left" in html
    assert "Waiting list" in html


def test_the_list_filters_online_and_in_person(client):
    InformationEventFactory(title="Online one")
    InformationEventFactory(title="Face to face", in_person=True)
    online = client.get("/events/?kind=online").content.decode()
    assert "Online one" in online and "Face to face" not in online
    in_person = client.get("/events/?kind=in_person").content.decode()
    assert "Face to face" in in_person and "Online one" not in in_person
    everything = client.get("/events/?kind=nonsense").content.decode()
    assert "Online one" in everything and "Face to face" in everything


def test_the_list_is_empty_politely(client):
    response = client.get("/events/")
    assert "no events planned" in response.content.decode()


# -- the event page and booking -------------------------------------------------


def test_the_event_page_shows_the_facts_and_the_form_but_never_the_joining_link(client, event):
    html = client.get(event.get_absolute_url()).content.decode()
    assert event.title in html
    assert 'name="email"' in html
    assert event.joining_link not in html
    assert "Book a place" in html


def test_an_unknown_event_is_404(client):
    assert client.get("/events/no-such-event/").status_code == 404


def test_booking_answers_check_your_email_and_the_done_page_stays_private(client, event):
    response = client.post(event.get_absolute_url(), form_data())
    booking = Booking.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/events/{event.slug}/check-your-email/"
    html = client.get(response["Location"]).content.decode()
    assert "Check your email" in html
    assert booking.token not in html
    page = client.get(f"/bookings/{booking.token}/booked/")
    html = page.content.decode()
    assert "Booking confirmed" in html
    assert event.joining_link in html
    assert {"no-store", "private"} <= {v.strip() for v in page["Cache-Control"].split(",")}
    assert "noindex" in page["X-Robots-Tag"]


def test_a_full_event_offers_the_waiting_list(client, make_event):
    event = make_event(places=1)
    BookingFactory(event=event)
    html = client.get(event.get_absolute_url()).content.decode()
    assert "Join the waiting list" in html
    response = client.post(event.get_absolute_url(), form_data(), follow=True)
    assert "Check your email" in response.content.decode()
    assert event.joining_link not in response.content.decode()
    assert Booking.objects.get(email="jo@example.com").status == Booking.Status.WAITING


def test_a_waiting_booking_for_more_places_than_are_free_is_told_it_can_take_fewer(
    client, make_event
):
    event = make_event(places=3)
    BookingFactory(event=event, places=2)
    client.post(event.get_absolute_url(), form_data(places="2"))
    waiting = Booking.objects.get(email="jo@example.com")
    assert waiting.status == Booking.Status.WAITING
    html = client.get(f"/bookings/{waiting.token}/").content.decode()
    assert "1 place is free at the moment, fewer than the 2 you asked for." in html
    assert f"/bookings/{waiting.token}/change/" in html
    assert "The event is full." not in html
    email = Notification.objects.get(key=f"booking:{waiting.pk}:waiting")
    assert email.context["places_free"] == 1
    # Once nothing is free, the page says the event is full.
    BookingFactory(event=event, places=1)
    html = client.get(f"/bookings/{waiting.token}/").content.decode()
    assert "The event is full." in html
    assert "free at the moment" not in html


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", "", "Enter your full name"),
        ("name", "x" * 101, "Full name must be 100 characters or fewer"),
        ("email", "not-an-email", "Enter an email address in the correct format"),
        ("email", "", "Enter your email address"),
        ("phone", "call me maybe", "Enter a phone number"),
        ("places", "", "Select how many places you need"),
        ("places", "7", "Select how many places you need"),
        ("access_needs", "x" * 1001, "1,000 characters or fewer"),
        ("heard_about", "carrier-pigeon", "Choose an answer from the list"),
    ],
)
def test_bad_input_shows_an_error_summary_and_saves_nothing(client, event, field, value, message):
    response = client.post(event.get_absolute_url(), form_data(**{field: value}))
    html = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in html
    assert message in html
    assert "<title>Error: " in html
    assert not Booking.objects.exists()
    assert not Notification.objects.exists()


def _answer(response) -> tuple[int, str, str]:
    """What a person sees after sending the form: status, where it leads, the page's words."""
    return response.status_code, response.get("Location", ""), response.content.decode()


def test_a_repeated_booking_is_answered_exactly_as_a_new_one(client, event):
    first = services.booking_create(event=event, name="Jo", email="jo@example.com", places=1)
    repeat = client.post(event.get_absolute_url(), form_data(email="JO@example.com"))
    new = client.post(event.get_absolute_url(), form_data(email="sam@example.com"))
    assert _answer(repeat) == _answer(new)
    assert repeat.status_code == 302
    html = client.get(repeat["Location"]).content.decode()
    assert "already" not in html
    # The link itself goes only to the inbox, never to whoever typed the address.
    assert first.token not in html
    assert Notification.objects.filter(key__startswith=f"booking:{first.pk}:link:").count() == 1
    assert Booking.objects.count() == 2


def test_repeated_tries_email_the_existing_booker_at_most_once_a_day(client, event):
    first = services.booking_create(event=event, name="Jo", email="jo@example.com", places=1)
    for _ in range(3):
        client.post(event.get_absolute_url(), form_data(email="jo@example.com"))
    assert Notification.objects.filter(key__startswith=f"booking:{first.pk}:link:").count() == 1


def test_the_honeypot_answers_like_a_success_and_saves_nothing(client, event):
    spam = client.post(event.get_absolute_url(), form_data(website="http://spam.example"))
    person = client.post(event.get_absolute_url(), form_data(email="real@example.com"))
    assert _answer(spam) == _answer(person)
    assert Booking.objects.get().email == "real@example.com"
    assert not Notification.objects.exclude(to="real@example.com").exists()


def test_the_limit_counts_bookings_made_not_attempts(client, event, settings):
    """A shared office or library address is not blocked by other people's mistakes."""
    settings.BOOKING_RATE_LIMIT_PER_HOUR = 2
    for _ in range(12):
        bad = client.post(event.get_absolute_url(), form_data(email="not-an-email"))
        assert bad.status_code == 200
    for n in range(2):
        made = client.post(event.get_absolute_url(), form_data(email=f"p{n}@example.com"))
        assert made.status_code == 302
    response = client.post(event.get_absolute_url(), form_data(email="p3@example.com"))
    assert response.status_code == 429
    assert "too many bookings" in response.content.decode()
    assert Booking.objects.count() == 2
    other_ip = client.post(
        event.get_absolute_url(), form_data(email="p4@example.com"), REMOTE_ADDR="10.0.0.9"
    )
    assert other_ip.status_code == 302


def test_the_limit_counts_bookings_per_email_address_from_any_client(client, settings):
    settings.BOOKING_RATE_LIMIT_PER_HOUR = 2
    events = InformationEventFactory.create_batch(3)
    for n, event in enumerate(events[:2]):
        response = client.post(
            event.get_absolute_url(), form_data(email="jo@example.com"), REMOTE_ADDR=f"10.0.1.{n}"
        )
        assert response.status_code == 302
    third = client.post(
        events[2].get_absolute_url(), form_data(email="JO@example.com"), REMOTE_ADDR="10.0.1.9"
    )
    assert third.status_code == 429
    assert Booking.objects.filter(event=events[2]).count() == 0


def test_booking_is_closed_after_booking_closes_at(client, make_event):
    event = make_event(booking_closes_at=timezone.now() + timedelta(hours=1))
    InformationEvent.objects.filter(pk=event.pk).update(
        booking_closes_at=timezone.now() - timedelta(minutes=1)
    )
    html = client.get(event.get_absolute_url()).content.decode()
    assert "Booking has closed" in html
    assert 'name="email"' not in html
    response = client.post(event.get_absolute_url(), form_data())
    assert response.status_code == 200
    assert not Booking.objects.exists()


def test_a_past_event_page_says_it_has_taken_place(client):
    event = InformationEventFactory(starts_at=in_days(-1))
    html = client.get(event.get_absolute_url()).content.decode()
    assert "already taken place" in html


def test_a_cancelled_event_page_says_so(client, make_event):
    event = make_event(status=InformationEvent.Status.CANCELLED)
    html = client.get(event.get_absolute_url()).content.decode()
    assert "This event has been cancelled" in html
    assert 'name="email"' not in html


# -- manage and cancel ----------------------------------------------------------


def test_the_manage_page_shows_the_booking_and_the_link_only_when_confirmed(client, make_event):
    event = make_event(places=1)
    confirmed = BookingFactory(event=event)
    waiting = BookingFactory(event=event, status=Booking.Status.WAITING)
    html = client.get(confirmed.get_absolute_url()).content.decode()
    assert event.joining_link in html
    assert "calendar.ics" in html
    assert "Cancel this booking" in html
    waiting_html = client.get(waiting.get_absolute_url()).content.decode()
    assert event.joining_link not in waiting_html
    assert "calendar.ics" not in waiting_html
    assert "waiting list" in waiting_html


def test_an_unknown_token_is_404(client):
    assert client.get("/bookings/not-a-real-token/").status_code == 404
    assert client.get(f"/bookings/{'x' * 100}/").status_code == 404


def test_cancelling_needs_the_confirmation_step_and_promotes_the_waiting_list(client, make_event):
    event = make_event(places=1)
    mine = services.booking_create(event=event, name="Jo", email="jo@example.com", places=1)
    theirs = services.booking_create(event=event, name="Sam", email="sam@example.com", places=1)
    confirm = client.get(f"/bookings/{mine.token}/cancel/")
    assert "Are you sure you want to cancel your booking?" in confirm.content.decode()
    mine.refresh_from_db()
    assert mine.status == Booking.Status.CONFIRMED

    response = client.post(f"/bookings/{mine.token}/cancel/", follow=True)
    assert "Your booking has been cancelled" in response.content.decode()
    assert Booking.objects.get(pk=mine.pk).status == Booking.Status.CANCELLED
    assert Booking.objects.get(pk=theirs.pk).status == Booking.Status.CONFIRMED
    # Once cancelled, the cancel page leads back to the booking.
    assert client.get(f"/bookings/{mine.token}/cancel/").status_code == 302


def test_no_cancelling_after_the_start(client, make_event):
    event = make_event()
    booking = BookingFactory(event=event)
    InformationEvent.objects.filter(pk=event.pk).update(
        starts_at=timezone.now() - timedelta(minutes=1)
    )
    assert "Cancel this booking" not in client.get(booking.get_absolute_url()).content.decode()
    response = client.post(f"/bookings/{booking.token}/cancel/", follow=True)
    assert "can no longer be cancelled" in response.content.decode()
    assert Booking.objects.get(pk=booking.pk).status == Booking.Status.CONFIRMED


def test_the_calendar_download_is_only_for_a_held_place(client, make_event):
    event = make_event(places=1)
    confirmed = BookingFactory(event=event)
    waiting = BookingFactory(event=event, status=Booking.Status.WAITING)
    response = client.get(f"/bookings/{confirmed.token}/calendar.ics")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar"
    assert b"BEGIN:VCALENDAR" in response.content
    assert client.get(f"/bookings/{waiting.token}/calendar.ics").status_code == 404


# -- query budgets ---------------------------------------------------------------


def _populate(events: int, bookings_each: int):
    for _ in range(events):
        event = InformationEventFactory(places=bookings_each * 2)
        BookingFactory.create_batch(bookings_each, event=event)
        BookingFactory(event=event, status=Booking.Status.WAITING)


def count_queries(fn) -> int:
    with CaptureQueriesContext(connection) as context:
        fn()
    return len(context.captured_queries)


def test_query_budgets_hold_with_ten_times_the_rows(client):
    _populate(events=2, bookings_each=2)
    target = InformationEventFactory(places=100)
    BookingFactory.create_batch(2, event=target)

    counter = iter(range(10_000))

    def rendered(path):
        """Queries of the page rendered afresh: the page cache is emptied first."""
        cache.clear()
        return count_queries(lambda: client.get(path))

    def measure():
        return {
            "list": rendered("/events/"),
            "list again": count_queries(lambda: client.get("/events/")),
            "event page": rendered(target.get_absolute_url()),
            "event page again": count_queries(lambda: client.get(target.get_absolute_url())),
            "booking POST": count_queries(
                lambda: client.post(
                    target.get_absolute_url(), form_data(email=f"q{next(counter)}@example.com")
                )
            ),
        }

    measure()  # warm-up: per-process caches (content types, templates) fill once
    small = measure()
    _populate(events=18, bookings_each=20)
    BookingFactory.create_batch(20, event=target)
    large = measure()
    assert small == large, (small, large)
    assert large["list"] <= 3
    assert large["event page"] <= 2
    # Served from the page cache until something changes.
    assert large["list again"] == 0
    assert large["event page again"] == 0
    # Event, lock, duplicate check, count, insert, audit, three outbox rows (get_or_create
    # with savepoints): confirmation and two reminders.
    assert large["booking POST"] <= 22
    print("query counts:", large)


# -- GOV.UK styling of every public form ----------------------------------------


def _public_forms(booking):
    import inspect

    from django import forms as django_forms

    from content import forms as content_forms
    from enquiries.forms import enquiries as enquiry_forms
    from enquiries.forms import events as booking_forms

    for module in (enquiry_forms, booking_forms, content_forms):
        for name, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ != module.__name__ or not issubclass(cls, django_forms.Form):
                continue
            form = cls(booking=booking) if name == "BookingChangeForm" else cls()
            if getattr(form, "helper", None) is not None:
                yield name, form


def test_every_input_of_every_public_form_has_its_govuk_class(db):
    """A widget crispy-forms-gds does not know (a phone field's TelInput) rendered unstyled."""
    from html.parser import HTMLParser

    from crispy_forms.utils import render_crispy_form

    class Fields(HTMLParser):
        def __init__(self):
            super().__init__()
            self.found = []

        def handle_starttag(self, tag, attrs):
            if tag in ("input", "select", "textarea"):
                self.found.append((tag, dict(attrs)))

    booking = BookingFactory()
    expected = {
        "input": ("govuk-input", "govuk-radios__input", "govuk-checkboxes__input"),
        "select": ("govuk-select",),
        "textarea": ("govuk-textarea",),
    }
    checked = set()
    for name, form in _public_forms(booking):
        parser = Fields()
        parser.feed(render_crispy_form(form))
        for tag, attrs in parser.found:
            if attrs.get("type") == "hidden" or attrs.get("name") == "website":
                continue
            classes = (attrs.get("class") or "").split()
            assert any(c in classes for c in expected[tag]), (name, tag, attrs)
            checked.add((name, attrs.get("name")))
    assert ("BookingForm", "phone") in checked
    assert ("BookingChangeForm", "phone") in checked
    assert len({name for name, _ in checked}) >= 10


def test_the_event_description_is_govuk_body_text(client, make_event):
    event = make_event(description="First paragraph.\nSame one.\n\nSecond <b>paragraph</b>.")
    html = client.get(event.get_absolute_url()).content.decode()
    assert '<p class="govuk-body">First paragraph.<br>Same one.</p>' in html
    assert '<p class="govuk-body">Second &lt;b&gt;paragraph&lt;/b&gt;.</p>' in html


# -- talks with an experienced EP carer -------------------------------------------


def test_carer_talks_have_their_own_copy_and_filter(client):
    talk = InformationEventFactory(
        title="An hour with Sam", topic=InformationEvent.Topic.CARER_TALK
    )
    evening = InformationEventFactory(title="An evening with us")
    everything = client.get("/events/").content.decode()
    assert talk.title in everything and evening.title in everything
    assert "Talk with an EP carer" in everything
    talks = client.get("/events/?topic=carer_talk").content.decode()
    assert talk.title in talks and evening.title not in talks
    assert "<title>Information events: Talk with an experienced EP carer" in talks
    page = client.get(talk.get_absolute_url()).content.decode()
    assert "talk with an experienced EP carer" in page
    assert "someone who has cared for a baby through Early Permanence" in page
    assert "Our social workers explain" not in page.split("<main", 1)[1]


# -- changing a booking -------------------------------------------------------------


def test_the_booker_changes_places_phone_and_access_needs_until_booking_closes(client):
    event = InformationEventFactory(places=3)
    booking = services.booking_create(event=event, name="Jo", email="jo@example.com", places=1)
    manage = client.get(booking.get_absolute_url()).content.decode()
    change_url = f"/bookings/{booking.token}/change/"
    assert change_url in manage
    form = client.get(change_url)
    assert re.search(r'value="1"\s+checked', form.content.decode()), "the current places"
    response = client.post(
        change_url, {"places": "2", "phone": "01632 960001", "access_needs": "A quiet space"}
    )
    assert response.status_code == 302
    booking.refresh_from_db()
    assert (booking.places, booking.phone, booking.access_needs) == (
        2,
        "01632 960001",
        "A quiet space",
    )
    InformationEvent.objects.filter(pk=event.pk).update(
        booking_closes_at=timezone.now() - timedelta(minutes=1)
    )
    assert client.get(change_url)["Location"] == booking.get_absolute_url()
    assert change_url not in client.get(booking.get_absolute_url()).content.decode()


def test_asking_for_more_places_than_are_left_says_so_on_the_field(client):
    event = InformationEventFactory(places=2)
    booking = services.booking_create(event=event, name="Jo", email="jo@example.com", places=1)
    services.booking_create(event=event, name="Sam", email="sam@example.com", places=1)
    response = client.post(
        f"/bookings/{booking.token}/change/", {"places": "2", "phone": "", "access_needs": ""}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: " in html
    assert "no more places at this event" in html
    booking.refresh_from_db()
    assert booking.places == 1


def test_a_name_that_is_not_a_name_is_refused_with_a_clear_error(client, event):
    response = client.post(event.get_absolute_url(), form_data(name="Visit evil.example now"))
    html = response.content.decode()
    assert "Full name must only include letters, spaces, hyphens and apostrophes" in html
    assert not Booking.objects.exists()

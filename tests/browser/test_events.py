"""Information events in Chromium: accessible pages, and a booking from form to waiting list."""

import re
from datetime import timedelta

import pytest
from icalendar import Calendar
from playwright.sync_api import expect

from enquiries.models import Booking
from enquiries.services import events as services
from tests.enquiries.events.factories import BookingFactory, InformationEventFactory, in_days

from .harness import assert_accessible, axe_check, html_check, htmlcs_check

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def events():
    online = InformationEventFactory(
        title="Early Permanence: an introduction",
        places=2,
        starts_at=in_days(7),
        accessibility="Live captions are on.",
    )
    in_person = InformationEventFactory(
        title="Information evening in Oakway", in_person=True, places=1, starts_at=in_days(9)
    )
    BookingFactory(event=in_person)
    return online, in_person


def test_the_list_and_the_event_page_are_accessible_and_valid(page, live_server, events):
    online, in_person = events
    assert_accessible(page, "/events/", live_server)
    assert page.get_by_text("2 places left").count() == 1
    assert page.get_by_text("Waiting list").count() == 1
    assert_accessible(page, "/events/?kind=in_person", live_server)
    assert_accessible(page, "/events/?topic=carer_talk&kind=online", live_server)
    assert_accessible(page, online.get_absolute_url(), live_server)
    assert_accessible(page, in_person.get_absolute_url(), live_server)
    assert page.get_by_role("button", name="Join the waiting list").count() == 1


def test_the_form_with_errors_is_accessible_and_valid(page, live_server, events):
    online, _ = events
    page.goto(f"{live_server.url}{online.get_absolute_url()}")
    page.get_by_label("Email address").fill("not an email")
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Book a place").click()
    response = navigation.value
    assert page.title().startswith("Error: ")
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    assert summary.get_by_role("link", name="Enter your full name").count() == 1
    # The summary links reach their fields.
    summary.get_by_role("link", name="Select how many places you need").click()
    assert page.evaluate("document.activeElement.name") == "places"
    assert not axe_check(page), axe_check(page)
    assert not htmlcs_check(page), htmlcs_check(page)
    errors = html_check(response.text())
    assert not errors, errors
    assert not Booking.objects.filter(event=online).exists()


def _link(message, pattern):
    body = message.get_body(preferencelist=("plain",)).get_content()
    return re.search(pattern, body).group(0)


def test_book_receive_the_email_manage_cancel_and_the_waiting_list_moves_up(
    page, live_server, smtp_settings, events
):
    inbox = smtp_settings
    event, _ = events
    event.places = 1
    event.save(update_fields=["places"])

    # Book from the list.
    assert_accessible(page, "/events/", live_server)
    page.get_by_role("link", name=event.title).click()
    page.get_by_label("Full name").fill("Jo Bloggs")
    page.get_by_label("Email address").fill("jo@example.com")
    page.get_by_label("1 place, just me").check()
    page.get_by_label("How did you hear about this event? (optional)").select_option("search")
    page.get_by_role("button", name="Book a place").click()
    # The same answer whether the address had booked before or not.
    page.wait_for_url(re.compile(r"/events/[\w-]+/check-your-email/$"))
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    assert_accessible(page, page.url.removeprefix(live_server.url), live_server)

    # The confirmation arrives at a real SMTP server, with a calendar file.
    (confirmation,) = inbox.wait_for(lambda m: "booked" in m["Subject"])
    assert confirmation["To"] == "jo@example.com"
    (attachment,) = list(confirmation.iter_attachments())
    assert attachment.get_content_type() == "text/calendar"
    (entry,) = Calendar.from_ical(attachment.get_content()).walk("VEVENT")
    assert str(entry["summary"]) == event.title
    assert str(entry["url"]) == event.joining_link

    # Someone else joins the waiting list.
    waiting = services.booking_create(
        event=event, name="Sam Smith", email="sam@example.com", places=1
    )
    assert waiting.status == Booking.Status.WAITING

    # Open the manage link from the email (the site URL there is the test setting's).
    manage_url = _link(confirmation, r"http://testserver/bookings/[\w-]+/")
    manage_path = manage_url.removeprefix("http://testserver")
    assert_accessible(page, manage_path, live_server)
    assert page.get_by_role("link", name="join the event").get_attribute("href") == (
        event.joining_link
    )

    # Change the booking: more places than are left is refused on the field.
    page.get_by_role("link", name="Change your booking").click()
    page.wait_for_url(f"{live_server.url}{manage_path}change/")
    assert_accessible(page, f"{manage_path}change/", live_server)
    page.get_by_label("Phone number (optional)").fill("01632 960 001")
    page.get_by_label("2 places, me and 1 other person").check()
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Save changes").click()
    assert page.title().startswith("Error: ")
    expect(page.get_by_text("no more places at this event").first).to_be_visible()
    assert not axe_check(page), axe_check(page)
    assert not htmlcs_check(page), htmlcs_check(page)
    errors = html_check(navigation.value.text())
    assert not errors, errors
    page.get_by_label("1 place, just me").check()
    page.get_by_role("button", name="Save changes").click()
    page.wait_for_url(f"{live_server.url}{manage_path}")
    expect(page.get_by_text("Your booking has been changed.")).to_be_visible()

    # Cancel, with a confirmation step.
    page.get_by_role("link", name="Cancel this booking").click()
    page.wait_for_url(f"{live_server.url}{manage_path}cancel/")
    assert_accessible(page, f"{manage_path}cancel/", live_server)
    assert page.get_by_role("heading", name="Are you sure you want to cancel your booking?")
    page.get_by_role("button", name="Yes, cancel my booking").click()
    page.wait_for_url(f"{live_server.url}{manage_path}")
    expect(page.get_by_text("Your booking has been cancelled.")).to_be_visible()
    assert not axe_check(page)
    assert not htmlcs_check(page), htmlcs_check(page)

    # The waiting booking is promoted and told.
    waiting.refresh_from_db()
    assert waiting.status == Booking.Status.CONFIRMED
    (promotion,) = inbox.wait_for(
        lambda m: m["To"] == "sam@example.com" and "came up" in m["Subject"]
    )
    assert event.joining_link in promotion.get_body(preferencelist=("plain",)).get_content()
    assert inbox.wait_for(lambda m: "cancelled" in m["Subject"] and m["To"] == "jo@example.com")
    assert event.starts_at - timedelta(days=1) > waiting.confirmed_at

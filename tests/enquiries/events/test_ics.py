"""The calendar file, parsed back with icalendar and checked field by field."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.utils import timezone
from icalendar import Calendar

from enquiries import ics
from enquiries.models import Booking
from enquiries.services import events as services
from portal.notifications import AttachmentUnavailable, deliver_due

from .factories import BookingFactory, InformationEventFactory

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")


def parse(data: bytes):
    calendar = Calendar.from_ical(data)
    (entry,) = calendar.walk("VEVENT")
    return calendar, entry


def summer_event(**fields):
    # 7pm British Summer Time is 18:00 UTC: the file must say 19:00 Europe/London.
    start = datetime(2031, 7, 15, 19, 0, tzinfo=LONDON)
    return InformationEventFactory(starts_at=start, ends_at=start + timedelta(hours=1.5), **fields)


def test_confirmation_email_carries_an_ics_in_london_time_with_the_joining_link():
    event = summer_event(title="Summer evening")
    booking = services.booking_create(
        event=event, name="Jo Bloggs", email="jo@example.com", places=1
    )
    deliver_due()
    (message,) = [m for m in mail.outbox if "booked" in m.subject]
    (filename, content, mimetype) = message.attachments[0]
    assert (filename, mimetype) == ("information-event.ics", "text/calendar")
    calendar, entry = parse(content.encode() if isinstance(content, str) else content)

    assert str(calendar["version"]) == "2.0"
    assert calendar.walk("VTIMEZONE")[0]["tzid"] == "Europe/London"
    start = entry.decoded("dtstart")
    assert start.tzinfo is not None and start.tzinfo.key == "Europe/London"
    assert (start.hour, start.minute) == (19, 0)
    assert start.astimezone(ZoneInfo("UTC")).hour == 18
    assert entry.decoded("dtend") - start == timedelta(hours=1, minutes=30)
    assert "TZID=Europe/London" in entry.to_ical().decode().replace("\r\n ", "")
    assert str(entry["summary"]) == "Summer evening"
    assert str(entry["location"]) == event.joining_link
    assert str(entry["url"]) == event.joining_link
    # The token is the booking's only credential; calendar entries get forwarded.
    raw = content if isinstance(content, str) else content.decode()
    assert booking.token not in raw.replace("\r\n ", "")
    assert "/bookings/" not in raw.replace("\r\n ", "")
    assert "link in our email" in str(entry["description"])
    assert str(entry["status"]) == "CONFIRMED"
    assert str(entry["uid"]) == f"booking-{booking.pk}-event-{event.pk}@testserver"


def test_the_uid_is_stable_across_downloads():
    booking = BookingFactory(event=summer_event())
    first = parse(ics.booking_calendar(booking))[1]
    second = parse(ics.booking_calendar(booking))[1]
    assert first["uid"] == second["uid"]


def test_an_in_person_event_gives_the_venue_and_address():
    booking = BookingFactory(event=summer_event(in_person=True))
    entry = parse(ics.booking_calendar(booking))[1]
    assert str(entry["location"]) == "Oakway Community Centre, 12 Market Street\nOakway\nOK1 2AB"
    assert "url" not in entry


def test_a_waiting_booking_gets_no_joining_link_and_no_attachment():
    event = summer_event()
    booking = BookingFactory(event=event, status=Booking.Status.WAITING)
    entry = parse(ics.booking_calendar(booking))[1]
    assert str(entry["location"]) == "Online"
    assert event.joining_link not in entry.to_ical().decode()
    with pytest.raises(AttachmentUnavailable):
        ics.booking_ics_attachment({"kind": "booking-ics", "booking": booking.pk})
    with pytest.raises(AttachmentUnavailable):
        ics.booking_ics_attachment({"kind": "booking-ics", "booking": 999_999})


def test_a_winter_event_is_in_greenwich_time():
    start = timezone.make_aware(datetime(2031, 1, 14, 19, 0))
    booking = BookingFactory(
        event=InformationEventFactory(starts_at=start, ends_at=start + timedelta(hours=1))
    )
    entry = parse(ics.booking_calendar(booking))[1]
    assert entry.decoded("dtstart").astimezone(ZoneInfo("UTC")).hour == 19

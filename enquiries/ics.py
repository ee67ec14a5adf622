"""Calendar files (.ics) for a booking: the email attachment and the manage page's download."""

from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event

from portal.notifications import Attachment, AttachmentUnavailable

from .models import Booking

LONDON = ZoneInfo("Europe/London")
FILENAME = "information-event.ics"
MIMETYPE = "text/calendar"


def booking_uid(booking: Booking) -> str:
    """Stable for the booking, so a second download updates the entry instead of adding one."""
    host = urlsplit(settings.SITE_URL).hostname or "localhost"
    return f"booking-{booking.pk}-event-{booking.event_id}@{host}"


def booking_calendar(booking: Booking) -> bytes:
    """One VEVENT in London time; the joining link only for a place that is confirmed."""
    event = booking.event
    show_link = event.is_online and booking.is_confirmed and event.joining_link

    calendar = Calendar()
    calendar.add("prodid", f"-//{settings.AGENCY_NAME}//Information events//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")

    entry = Event()
    entry.add("uid", booking_uid(booking))
    entry.add("dtstamp", timezone.now())
    entry.add("dtstart", event.starts_at.astimezone(LONDON))
    entry.add("dtend", event.ends_at.astimezone(LONDON))
    entry.add("summary", event.title)
    # Grows whenever staff change the event, so calendars take the newer copy.
    entry.add("sequence", max(int((event.updated_at - event.created_at).total_seconds()), 0))
    entry.add("status", "CANCELLED" if event.is_cancelled else "CONFIRMED")
    if event.is_online:
        entry.add("location", event.joining_link if show_link else "Online")
    else:
        entry.add("location", ", ".join(p for p in [event.venue, event.address] if p))
    if show_link:
        entry.add("url", event.joining_link)
    lines = [f"{settings.AGENCY_NAME} information event."]
    if show_link:
        lines.append(f"Join online: {event.joining_link}")
    # Never the manage link: its token is the booking's only credential, and calendar
    # entries are shared and forwarded.
    lines.append("To change or cancel your booking, use the link in our email.")
    entry.add("description", "\n".join(lines))
    calendar.add_component(entry)
    calendar.add_missing_timezones()
    return calendar.to_ical()


def booking_ics_attachment(spec: dict) -> Attachment:
    """The outbox's builder for ``{"kind": "booking-ics", "booking": <pk>}``."""
    booking = Booking.objects.select_related("event").filter(pk=spec.get("booking")).first()
    if booking is None or booking.status != Booking.Status.CONFIRMED:
        raise AttachmentUnavailable("the booking no longer holds a place")
    return Attachment(FILENAME, booking_calendar(booking), MIMETYPE)

"""What emails about bookings may say, as plain data for the outbox.

The first name and the event, never access needs, phone numbers or anything
else a person told us. The joining link of an online event goes only to people
whose place is confirmed.
"""

from datetime import datetime

from django.conf import settings
from django.urls import reverse

from .formats import event_when
from .models import Booking, InformationEvent


def absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def event_context(event: InformationEvent) -> dict:
    """What every email about an event says of it: when, where and how to get in."""
    return {
        "event_title": event.title,
        # How the emails name it: "our information event", or a private session by title.
        "event_noun": f"our session “{event.title}”"
        if event.is_private
        else "our information event",
        "event_when": event_when(event),
        "event_online": event.is_online,
        "venue": event.venue,
        "address": event.address,
        "accessibility": event.accessibility,
    }


# Who may see a private event's other sessions, by their email address: registered by the
# app that keeps them (the carers' own area, ``register_private_events_reader``).
_private_events_readers: list = []


def register_private_events_reader(reads) -> None:
    """``reads(email)`` says whether the person with that address finds a private event's
    other sessions at ``settings.PRIVATE_EVENTS_PATH``."""
    _private_events_readers.append(reads)


def events_url(booking: Booking) -> str:
    """Where the booker finds other events: the public list, or for a private event the
    page of their own area that lists them. A guest on a private event (someone the
    carers invited) has no way in to its sessions, so none is given: the emails tell them
    to ask whoever invited them. Queries for a private event only."""
    if not booking.event.is_private:
        return absolute(reverse("enquiries:event_list"))
    if any(reads(booking.email) for reads in _private_events_readers):
        return absolute(settings.PRIVATE_EVENTS_PATH)
    return ""


def email_context(booking: Booking, *, with_joining_link: bool = False) -> dict:
    event = booking.event
    context = {
        "first_name": booking.first_name,
        **event_context(event),
        "places": booking.places,
        "manage_url": absolute(booking.get_absolute_url()),
        "events_url": events_url(booking),
    }
    if with_joining_link and event.is_online and event.joining_link:
        context["joining_link"] = event.joining_link
    return context


def ics_attachment(booking: Booking) -> list[dict]:
    """The calendar file, built by the worker when the email goes (see ics.py)."""
    return [{"kind": "booking-ics", "booking": booking.pk}]


def next_events(*, now: datetime, exclude: InformationEvent | None = None, limit: int = 3):
    """The next few events still taking bookings, for an email."""
    upcoming = (
        InformationEvent.objects.public()
        .filter(status=InformationEvent.Status.SCHEDULED, starts_at__gt=now)
        .order_by("starts_at", "id")
    )
    if exclude is not None:
        upcoming = upcoming.exclude(pk=exclude.pk)
    return [
        {
            "title": event.title,
            "when": event_when(event),
            "kind": event.get_kind_display(),
            "url": absolute(event.get_absolute_url()),
        }
        for event in upcoming[: limit * 3]
        if event.is_open_for_booking(now)
    ][:limit]

"""The events pages served from the cache, and their refresh when events or bookings change.

The events list and each event page depend on the *events generation*
(portal/pagecache.py). The services bump it once any change to an event or to who
holds a place has committed, so the places left are right again at once in the process
that made the change and within ``PUBLIC_CACHE_RECHECK_SECONDS`` everywhere else. Pages
also expire when time changes them: when an event's booking closes or it starts.
"""

from datetime import datetime

from django.conf import settings
from django.db import transaction

from portal.pagecache import Generation, public_page

EVENTS = Generation("enquiries:events:generation")


def events_changed() -> None:
    """What the events pages show has changed: refresh them once the transaction commits."""
    transaction.on_commit(EVENTS.bump, robust=True)


def _seconds() -> int:
    return settings.EVENTS_CACHE_SECONDS


def seconds_until_change(moments, *, now: datetime) -> float | None:
    """Seconds until the first of ``moments`` still to come (None if none is)."""
    ahead = [(moment - now).total_seconds() for moment in moments if moment and moment > now]
    return min(ahead) if ahead else None


def event_moments(event) -> tuple[datetime, datetime]:
    """When an event's page changes by itself: its booking closes, then it starts."""
    return (event.booking_deadline, event.starts_at)


def cache_events_page(*, query=None, csrf: bool = False):
    return public_page(generations=(EVENTS,), seconds=_seconds, query=query, csrf=csrf)

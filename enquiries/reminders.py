"""What is due about information events, as outbox rows.

Reminders are rows with a future ``due_at``, written when a place is confirmed
and swept by the outbox's beat task; cancelling withdraws them. Follow-ups after
an event are found by a beat sweep (``follow_ups_queue``), because they depend
on the check-in staff do on the night.
"""

import hashlib
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from portal.models import Notification
from portal.notifications import notifications_withdraw, notify

from .emails import absolute, email_context, next_events
from .models import Booking, InformationEvent

REMINDERS = ("reminder-before", "reminder-day")


def reminder_times(event: InformationEvent) -> dict[str, datetime]:
    """Some days before the start, and on the morning of the event."""
    before = event.starts_at - timedelta(days=settings.EVENT_REMINDER_DAYS_BEFORE)
    local_start = timezone.localtime(event.starts_at)
    morning = local_start.replace(
        hour=settings.EVENT_MORNING_REMINDER_HOUR, minute=0, second=0, microsecond=0
    )
    # An event that starts before the usual reminder hour is reminded of an hour ahead.
    morning = min(morning, event.starts_at - timedelta(hours=1))
    return {"reminder-before": before, "reminder-day": morning}


def _version(event: InformationEvent) -> str:
    """New whenever the event is saved, so a re-planned reminder never reuses the key of
    a withdrawn one (``notify`` would hand back the withdrawn row)."""
    facts = f"{event.starts_at.isoformat()}|{event.updated_at.isoformat()}"
    return hashlib.sha256(facts.encode()).hexdigest()[:10]


def reminders_schedule(booking: Booking, *, now: datetime) -> None:
    """Queue the reminders of a confirmed booking; ones whose time has passed are skipped."""
    event = booking.event
    version = _version(event)
    context = email_context(booking, with_joining_link=True)
    for name, due_at in reminder_times(event).items():
        if due_at <= now:
            continue
        notify(
            key=f"booking:{booking.pk}:{name}:{version}",
            to=booking.email,
            template=f"enquiries/booking_{name.replace('-', '_')}",
            context=context,
            due_at=due_at,
        )


def reminders_withdraw(booking: Booking) -> int:
    return notifications_withdraw(key_prefix=f"booking:{booking.pk}:reminder-")


def follow_ups_queue(*, now: datetime | None = None) -> int:
    """After an event: ask attended people to enquire, offer no-shows the next dates.

    Once per booking (the key), for events that ended long enough ago and not
    too long ago. Returns how many were queued.
    """
    now = now or timezone.now()
    latest_end = now - timedelta(hours=settings.EVENT_FOLLOW_UP_HOURS_AFTER)
    earliest_end = latest_end - timedelta(days=settings.EVENT_FOLLOW_UP_WINDOW_DAYS)
    bookings = list(
        Booking.objects.filter(
            status__in=(Booking.Status.ATTENDED, Booking.Status.NO_SHOW),
            event__status=InformationEvent.Status.SCHEDULED,
            event__ends_at__gt=earliest_end,
            event__ends_at__lte=latest_end,
        )
        .select_related("event")
        .order_by("id")
    )
    keys = {booking.pk: f"booking:{booking.pk}:follow-up" for booking in bookings}
    done = set(Notification.objects.filter(key__in=keys.values()).values_list("key", flat=True))
    offered = None
    queued = 0
    with transaction.atomic():
        for booking in bookings:
            if keys[booking.pk] in done:
                continue
            context = email_context(booking)
            if booking.status == Booking.Status.ATTENDED:
                template = "enquiries/follow_up_attended"
                context["enquire_url"] = absolute("/enquire/")
            else:
                template = "enquiries/follow_up_no_show"
                if offered is None:
                    offered = next_events(now=now)
                context["next_events"] = offered
            notify(key=keys[booking.pk], to=booking.email, template=template, context=context)
            queued += 1
    return queued

"""What is due about information events, as outbox rows.

Reminders are rows with a future ``due_at``, written when a place is confirmed
and swept by the outbox's beat task; cancelling withdraws them. Follow-ups after
an event are found by a beat sweep (``follow_ups_queue``), because they depend
on the check-in staff do on the night.

Enquiries: a missed deadline is reminded once, the next working day, to the person
assigned (or the team); ``enquiry_reminders_plan`` keeps those rows in step with the
enquiry's open clocks and is called by every service that changes them.
"""

import hashlib
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from portal import formats
from portal.models import Notification
from portal.notifications import notifications_withdraw, notify

from .clocks import open_clocks, reminder_due_at
from .emails import absolute, email_context, next_events
from .models import Booking, Enquiry, InformationEvent
from .models.events import PRIVATE_TOPICS

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


def reminders_planned(booking: Booking, *, now: datetime) -> list[dict]:
    """The reminders of a confirmed booking still to come, as ``notify`` arguments.

    A reminder whose time has passed is neither planned nor promised (a booking
    made on the morning of the event gets no morning reminder).
    """
    event = booking.event
    version = _version(event)
    context = email_context(booking, with_joining_link=True)
    return [
        {
            "key": f"booking:{booking.pk}:{name}:{version}",
            "to": booking.email,
            "template": f"enquiries/booking_{name.replace('-', '_')}",
            "context": context,
            "due_at": due_at,
        }
        for name, due_at in reminder_times(event).items()
        if due_at > now
    ]


def reminders_schedule(booking: Booking, *, now: datetime) -> None:
    """Queue the reminders of a confirmed booking; ones whose time has passed are skipped."""
    for reminder in reminders_planned(booking, now=now):
        notify(**reminder)


def reminders_withdraw(booking: Booking) -> int:
    return notifications_withdraw(key_prefix=f"booking:{booking.pk}:reminder-")


def follow_ups_queue(*, now: datetime | None = None) -> int:
    """After an event: ask attended people to enquire, offer no-shows the next dates.

    Once per booking (the key), for events that ended long enough ago and not
    too long ago; never for a private event (training for carers already in touch with
    their social worker). Returns how many were queued.
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
        .exclude(event__topic__in=PRIVATE_TOPICS)
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


# ===========================================================================
# Enquiries: overdue reminders to the recruitment team
# ===========================================================================


def enquiry_reminder_recipient(enquiry: Enquiry) -> tuple[str, str]:
    """Who is reminded, as (email, first name): the assigned person, else the team mailbox."""
    person = enquiry.assigned_to
    if person is not None and person.is_active:
        return person.email, person.first_name
    return settings.RECRUITMENT_TEAM_EMAIL, ""


def _enquiry_reminder_key(enquiry: Enquiry, clock: str, deadline) -> str:
    # The assignment's moment is part of the key: a reminder withdrawn when the enquiry
    # changed hands must not block the one for a later assignment to the same person.
    who = f"u{enquiry.assigned_to_id}" if enquiry.assigned_to_id else "team"
    since = f"{enquiry.assigned_at:%Y%m%d%H%M%S%f}" if enquiry.assigned_at else "0"
    return f"enquiry:{enquiry.pk}:overdue:{clock}:{deadline:%Y%m%d}:{who}:{since}"


def _sentence_case(label: str) -> str:
    """Lower-case the first letter only, so "Registration of Interest" keeps its capitals."""
    return label[:1].lower() + label[1:]


def enquiry_reminders_plan(enquiry: Enquiry) -> None:
    """One reminder per open clock, due the working day after its deadline.

    Reminders of clocks that stopped, or meant for someone no longer assigned, are
    withdrawn; ones already sent stay sent (their key is taken, so none is repeated).
    """
    to, first_name = enquiry_reminder_recipient(enquiry)
    wanted = {
        _enquiry_reminder_key(enquiry, clock, deadline): (clock, deadline)
        for clock, deadline in open_clocks(enquiry).items()
    }
    stale = (
        Notification.objects.pending()
        .filter(key__startswith=f"enquiry:{enquiry.pk}:overdue:")
        .exclude(key__in=list(wanted))
        .values_list("key", flat=True)
    )
    notifications_withdraw(keys=list(stale))
    for key, (clock, deadline) in wanted.items():
        notify(
            key=key,
            to=to,
            template="enquiries/enquiry_overdue",
            context={
                "first_name": first_name,
                "reference": enquiry.reference,
                "clock": _sentence_case(Enquiry.Clock(clock).label),
                "deadline": formats.day(deadline),
                "admin_url": absolute(enquiry.get_absolute_url()),
            },
            due_at=reminder_due_at(deadline),
        )

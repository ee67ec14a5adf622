"""Every write and state change of the enquiries app.

Information events and bookings come first; enquiries and their pipeline follow
in their own section.
"""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, OperationalError, connection, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.text import slugify

from portal.calendar import add_months
from portal.notifications import notify

from .caching import events_changed
from .emails import email_context, ics_attachment, next_events
from .models import Booking, InformationEvent
from .reminders import reminders_schedule, reminders_withdraw

logger = logging.getLogger(__name__)

# ===========================================================================
# Information events and bookings
# ===========================================================================


class BookingError(Exception):
    """A booking could not be made or changed; ``message`` is safe to show the person."""

    message = "Sorry, something went wrong with your booking. Please try again."

    def __init__(self, message: str | None = None):
        super().__init__(message or self.message)
        if message:
            self.message = message


class BookingClosed(BookingError):
    message = "Booking for this event has closed."


class DuplicateBooking(BookingError):
    message = (
        "This email address already has a booking for this event. We have emailed the link "
        "to manage it to that address."
    )

    def __init__(self, booking: Booking):
        super().__init__()
        self.booking = booking


class BookingBusy(BookingError):
    message = "A lot of people are booking this event right now. Please try again in a minute."


class BookingNotCancellable(BookingError):
    message = "This booking can no longer be cancelled."


class TransitionNotAllowed(BookingError):
    def __init__(self, obj, to: str):
        super().__init__(f"{obj._meta.verbose_name} cannot move from {obj.status} to {to}.")


BOOKING_TRANSITIONS: dict[str, set[str]] = {
    Booking.Status.CONFIRMED: {
        Booking.Status.CANCELLED,
        Booking.Status.ATTENDED,
        Booking.Status.NO_SHOW,
    },
    Booking.Status.WAITING: {Booking.Status.CONFIRMED, Booking.Status.CANCELLED},
    # Check-in mistakes can be put right.
    Booking.Status.ATTENDED: {Booking.Status.NO_SHOW},
    Booking.Status.NO_SHOW: {Booking.Status.ATTENDED},
    Booking.Status.CANCELLED: set(),
}

EVENT_TRANSITIONS: dict[str, set[str]] = {
    InformationEvent.Status.SCHEDULED: {InformationEvent.Status.CANCELLED},
    InformationEvent.Status.CANCELLED: set(),
}

# How often a booking that timed out waiting for the event's lock is tried again.
LOCK_ATTEMPTS = 3
LOCK_NOT_AVAILABLE = "55P03"


# -- locking ----------------------------------------------------------------


def _lock_event(event_pk: int) -> InformationEvent:
    """Lock the event row for the rest of the transaction and return it fresh.

    Every change to who holds a place takes this lock first (then any booking
    rows), so two requests never count the same free place and never deadlock.
    """
    if not settings.BOOKING_LOCK_ENABLED:
        # Only the concurrency test goes this way, to show the race the lock prevents.
        return InformationEvent.objects.get(pk=event_pk)
    if connection.vendor == "postgresql":
        timeout_ms = int(settings.BOOKING_LOCK_TIMEOUT_SECONDS * 1000)
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('lock_timeout', %s, true)", [f"{timeout_ms}ms"])
    return InformationEvent.objects.select_for_update(of=("self",)).get(pk=event_pk)


def _is_lock_timeout(exc: OperationalError) -> bool:
    return getattr(exc.__cause__, "sqlstate", None) == LOCK_NOT_AVAILABLE


def _with_lock_retries(fn):
    """Run ``fn`` (one durable transaction); a lock timeout is retried, then refused."""
    for attempt in range(1, LOCK_ATTEMPTS + 1):
        try:
            return fn()
        except OperationalError as exc:
            if not _is_lock_timeout(exc):
                raise
            logger.warning("Event lock timed out (attempt %s of %s)", attempt, LOCK_ATTEMPTS)
    raise BookingBusy()


def confirmed_places(event: InformationEvent) -> int:
    """Places held at the event, summed fresh from the bookings (never a stored counter)."""
    taken = Booking.objects.filter(
        event=event, status__in=Booking.PLACE_HOLDING_STATUSES
    ).aggregate(taken=Sum("places"))["taken"]
    return taken or 0


# -- audit ------------------------------------------------------------------


def _transition(obj, *, to: str, table: dict, action: str, fields: dict | None = None) -> None:
    """Move a locked row to ``to`` if the table allows it; save only what changed."""
    if to not in table[obj.status]:
        raise TransitionNotAllowed(obj, to)
    obj.status = to
    for name, value in (fields or {}).items():
        setattr(obj, name, value)
    obj._audit_action = action
    obj.save(update_fields=["status", "updated_at", *(fields or {})])


# -- email ------------------------------------------------------------------


def _confirm_notice(booking: Booking, *, now: datetime, promoted: bool) -> None:
    name = "promoted" if promoted else "confirmed"
    notify(
        key=f"booking:{booking.pk}:{name}",
        to=booking.email,
        template=f"enquiries/booking_{name}",
        context=email_context(booking, with_joining_link=True),
        attachments=ics_attachment(booking),
    )
    reminders_schedule(booking, now=now)


# -- bookings ---------------------------------------------------------------


def booking_create(
    *,
    event: InformationEvent,
    name: str,
    email: str,
    places: int,
    phone: str = "",
    access_needs: str = "",
    heard_about: str = "",
) -> Booking:
    """Book places: confirmed if they fit, otherwise on the waiting list.

    The pretix pattern: inside one durable transaction, lock the event row as
    late as possible, count the confirmed places fresh, then insert.
    """
    email = email.strip().lower()
    if places < 1 or places > settings.BOOKING_MAX_PLACES:
        raise BookingError(f"You can book between 1 and {settings.BOOKING_MAX_PLACES} places.")

    def attempt() -> Booking:
        with transaction.atomic(durable=True):
            locked = _lock_event(event.pk)
            now = timezone.now()
            if not locked.is_open_for_booking(now):
                raise BookingClosed()
            existing = (
                Booking.objects.filter(event=locked, email=email)
                .exclude(status=Booking.Status.CANCELLED)
                .first()
            )
            if existing is not None:
                raise DuplicateBooking(existing)
            fits = confirmed_places(locked) + places <= locked.places
            booking = Booking(
                event=locked,
                name=name.strip(),
                email=email,
                phone=phone.strip(),
                places=places,
                access_needs=access_needs.strip(),
                heard_about=heard_about,
                status=Booking.Status.CONFIRMED if fits else Booking.Status.WAITING,
                confirmed_at=now if fits else None,
            )
            booking._audit_action = (
                "enquiries.booking.confirmed" if fits else "enquiries.booking.wait_listed"
            )
            booking.save()
            events_changed()
            if fits:
                _confirm_notice(booking, now=now, promoted=False)
            else:
                notify(
                    key=f"booking:{booking.pk}:waiting",
                    to=booking.email,
                    template="enquiries/booking_waiting",
                    context=email_context(booking),
                )
            return booking

    try:
        return _with_lock_retries(attempt)
    except IntegrityError:
        # Two requests with the same email raced; the database kept one of them.
        existing = (
            Booking.objects.filter(event=event, email=email)
            .exclude(status=Booking.Status.CANCELLED)
            .first()
        )
        if existing is None:
            raise
        raise DuplicateBooking(existing) from None


BOOKING_DETAIL_FIELDS = ("name", "phone", "access_needs", "heard_about")


def booking_update_details(*, booking: Booking, changed: list[str] | tuple[str, ...]) -> None:
    """Staff correct a person's details; the status and the places are not theirs to edit."""
    fields = [name for name in changed if name in BOOKING_DETAIL_FIELDS]
    if not fields:
        return
    booking._audit_action = "enquiries.booking.details_changed"
    booking.save(update_fields=[*fields, "updated_at"])


def booking_link_resend(*, booking: Booking) -> None:
    """Email the manage link again (someone tried to book twice with this address).

    At most one such email an hour, so the form cannot be used to flood an inbox.
    """
    hour = timezone.now().strftime("%Y%m%d%H")
    notify(
        key=f"booking:{booking.pk}:link:{hour}",
        to=booking.email,
        template="enquiries/booking_link",
        context=email_context(booking),
    )


def _promote_waiting(event: InformationEvent, *, now: datetime) -> list[Booking]:
    """Give freed places to the earliest waiting bookings that fit. The event must be locked."""
    free = event.places - confirmed_places(event)
    promoted = []
    if free <= 0 or event.is_cancelled or now >= event.starts_at:
        return promoted
    waiting = (
        Booking.objects.select_for_update()
        .filter(event=event, status=Booking.Status.WAITING)
        .order_by("created_at", "id")
    )
    for booking in waiting:
        if booking.places > free:
            continue
        _transition(
            booking,
            to=Booking.Status.CONFIRMED,
            table=BOOKING_TRANSITIONS,
            action="enquiries.booking.promoted",
            fields={"confirmed_at": now},
        )
        booking.event = event
        _confirm_notice(booking, now=now, promoted=True)
        promoted.append(booking)
        free -= booking.places
        if free <= 0:
            break
    return promoted


def booking_cancel(*, booking: Booking, by_staff: bool = False) -> list[Booking]:
    """Cancel a booking (until the event starts) and give its places to the waiting list.

    Returns the bookings promoted from the waiting list.
    """

    def attempt() -> list[Booking]:
        with transaction.atomic(durable=True):
            event = _lock_event(booking.event_id)
            locked = Booking.objects.select_for_update().get(pk=booking.pk)
            locked.event = event
            now = timezone.now()
            if event.is_cancelled or not locked.can_be_cancelled(now):
                raise BookingNotCancellable()
            held_places = locked.status == Booking.Status.CONFIRMED
            _transition(
                locked,
                to=Booking.Status.CANCELLED,
                table=BOOKING_TRANSITIONS,
                action="enquiries.booking.cancelled_by_staff"
                if by_staff
                else "enquiries.booking.cancelled",
                fields={"cancelled_at": now},
            )
            events_changed()
            reminders_withdraw(locked)
            notify(
                key=f"booking:{locked.pk}:cancelled",
                to=locked.email,
                template="enquiries/booking_cancelled",
                context=email_context(locked),
            )
            booking.status, booking.cancelled_at = locked.status, locked.cancelled_at
            return _promote_waiting(event, now=now) if held_places else []

    return _with_lock_retries(attempt)


def _check_in(*, booking: Booking, to: str, action: str) -> Booking:
    with transaction.atomic():
        locked = Booking.objects.select_for_update().select_related("event").get(pk=booking.pk)
        if locked.status == to:
            return locked
        if locked.event.is_cancelled or timezone.now() < check_in_opens(locked.event):
            raise BookingError("Check-in opens on the day of the event.")
        _transition(
            locked,
            to=to,
            table=BOOKING_TRANSITIONS,
            action=action,
            fields={"checked_in_at": timezone.now()},
        )
        return locked


def check_in_opens(event: InformationEvent) -> datetime:
    local = timezone.localtime(event.starts_at)
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def booking_mark_attended(*, booking: Booking) -> Booking:
    return _check_in(
        booking=booking, to=Booking.Status.ATTENDED, action="enquiries.booking.attended"
    )


def booking_mark_no_show(*, booking: Booking) -> Booking:
    return _check_in(booking=booking, to=Booking.Status.NO_SHOW, action="enquiries.booking.no_show")


# -- events -----------------------------------------------------------------


def _unique_slug(event: InformationEvent) -> str:
    local = timezone.localtime(event.starts_at)
    base = f"{slugify(event.title)[:150]}-{local:%Y-%m-%d}".strip("-")
    slug, n = base, 2
    while InformationEvent.objects.filter(slug=slug).exclude(pk=event.pk).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


REMINDER_FIELDS = ("starts_at", "ends_at", "venue", "address", "joining_link")


def event_save(*, event: InformationEvent, changed: list[str] | tuple[str, ...] = ()) -> None:
    """Create or update an event's details (staff, through the admin).

    More places promote the waiting list; new times, a new place or a new link
    re-plan the reminders of everyone with a confirmed place.
    """
    if event.pk is None:
        with transaction.atomic():
            event.slug = _unique_slug(event)
            event._audit_action = "enquiries.event.created"
            event.save()
            events_changed()
        return

    def attempt() -> None:
        with transaction.atomic(durable=True):
            locked = _lock_event(event.pk)
            if locked.is_cancelled:
                raise ValidationError("A cancelled event cannot be changed.")
            taken = confirmed_places(locked)
            if event.places < taken:
                raise ValidationError(
                    f"{taken} places are already booked: places cannot be fewer than that."
                )
            event._audit_action = "enquiries.event.changed"
            event.save()
            events_changed()
            now = timezone.now()
            if set(changed) & set(REMINDER_FIELDS):
                _replan_reminders(event, now=now)
            if event.places > locked.places:
                _promote_waiting(event, now=now)

    _with_lock_retries(attempt)


def _replan_reminders(event: InformationEvent, *, now: datetime) -> None:
    for booking in event.bookings.filter(status=Booking.Status.CONFIRMED).order_by("id"):
        booking.event = event
        reminders_withdraw(booking)
        reminders_schedule(booking, now=now)


def event_cancel(*, event: InformationEvent) -> int:
    """Cancel an event: everyone booked (or waiting) is told, their reminders are withdrawn.

    Returns how many people were told.
    """

    def attempt() -> int:
        with transaction.atomic(durable=True):
            locked = _lock_event(event.pk)
            now = timezone.now()
            if now >= locked.starts_at:
                raise BookingError("An event that has started cannot be cancelled.")
            _transition(
                locked,
                to=InformationEvent.Status.CANCELLED,
                table=EVENT_TRANSITIONS,
                action="enquiries.event.cancelled",
                fields={"cancelled_at": now},
            )
            events_changed()
            booked = list(
                Booking.objects.filter(event=locked, status__in=Booking.ACTIVE_STATUSES)
                .select_for_update()
                .order_by("id")
            )
            upcoming = next_events(exclude=locked, now=now)
            for booking in booked:
                booking.event = locked
                reminders_withdraw(booking)
                notify(
                    key=f"booking:{booking.pk}:event-cancelled",
                    to=booking.email,
                    template="enquiries/event_cancelled",
                    context={**email_context(booking), "next_events": upcoming},
                )
            event.status, event.cancelled_at = locked.status, locked.cancelled_at
            return len(booked)

    return _with_lock_retries(attempt)


def event_duplicate(*, event: InformationEvent, starts_on=None) -> InformationEvent:
    """A copy of an event on another date (by default a month later), same times of day."""
    local_start = timezone.localtime(event.starts_at)
    starts_on = starts_on or add_months(local_start.date(), 1)
    shift = starts_on - local_start.date()
    copy = InformationEvent(
        title=event.title,
        kind=event.kind,
        starts_at=_shift_local(event.starts_at, shift),
        ends_at=_shift_local(event.ends_at, shift),
        venue=event.venue,
        address=event.address,
        # A new online session usually needs its own link.
        joining_link="",
        places=event.places,
        booking_closes_at=_shift_local(event.booking_closes_at, shift)
        if event.booking_closes_at
        else None,
        description=event.description,
        accessibility=event.accessibility,
    )
    event_save(event=copy)
    return copy


def _shift_local(moment: datetime, shift: timedelta) -> datetime:
    """Move by whole days in London time, so 7pm stays 7pm across a clock change."""
    local = timezone.localtime(moment)
    naive = local.replace(tzinfo=None) + shift
    return timezone.make_aware(naive, timezone.get_current_timezone())

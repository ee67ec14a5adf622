"""Every write and state change of information events and their bookings.

Enquiries and their pipeline have their own module, ``services/enquiries.py``.
"""

import hashlib
import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, OperationalError, transaction
from django.db.models import CharField, Exists, F, OuterRef, Q, Sum, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone
from django.utils.text import slugify

from portal.audit import history_hide, name_next_save
from portal.calendar import add_months
from portal.models import Notification
from portal.notifications import notifications_withdraw, notify, notify_new
from portal.workflow import Refused, Table, Workflow, is_lock_timeout, lock, lock_wait_limit

from ..caching import events_changed
from ..emails import absolute, email_context, event_context, ics_attachment, next_events
from ..models import Booking, InformationEvent
from ..reminders import reminders_planned, reminders_schedule, reminders_withdraw
from ..selectors.events import events_with_places

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
    """Never shown as such: the form answers a repeat booking as it answers a new one,
    so it cannot be used to find out who has booked."""

    def __init__(self, booking: Booking):
        super().__init__()
        self.booking = booking


class BookingBusy(BookingError):
    message = "A lot of people are booking this event right now. Please try again in a minute."


class BookingNotCancellable(BookingError):
    message = "This booking can no longer be cancelled."


class NotEnoughPlaces(BookingError):
    pass


class BookingNotChangeable(BookingError):
    message = "Booking for this event has closed, so this booking can no longer be changed."


class TransitionNotAllowed(BookingError, Refused):
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

# Bookings and events offer no buttons of their own here: the services below are the
# moves (the admin's actions call them).
BOOKING_WORKFLOW = Workflow(
    table=Table(BOOKING_TRANSITIONS), actions=(), audit_prefix="enquiries.booking"
)
EVENT_WORKFLOW = Workflow(
    table=Table(EVENT_TRANSITIONS), actions=(), audit_prefix="enquiries.event"
)

# How often a booking that timed out waiting for the event's lock is tried again.
LOCK_ATTEMPTS = 3


# -- locking ----------------------------------------------------------------


def _lock_event(event_pk: int, booking_pk: int | None = None):
    """Lock the event row (and one of its bookings) for the rest of the transaction.

    Returns the event fresh, or ``(event, booking)`` with the booking's event set.
    Every change to who holds a place takes the event's lock first (the lock order,
    README "Lock order"), so two requests never count the same free place and never
    deadlock. Waiting for it is cut short by BOOKING_LOCK_TIMEOUT_SECONDS (then
    ``_with_lock_retries`` tries again).
    """
    if not settings.BOOKING_LOCK_ENABLED:
        # Only the concurrency test goes this way, to show the race the lock prevents.
        event = InformationEvent.objects.get(pk=event_pk)
        if booking_pk is None:
            return event
        booking = lock((Booking, booking_pk))
    else:
        lock_wait_limit(settings.BOOKING_LOCK_TIMEOUT_SECONDS)
        # FOR NO KEY UPDATE: lockers still queue one behind the other, but inserting a
        # booking that refers to the event (the waiting-list fallback) does not wait.
        if booking_pk is None:
            return lock((InformationEvent, event_pk), no_key=True)
        event, booking = lock((InformationEvent, event_pk), (Booking, booking_pk), no_key=True)
    booking.event = event
    return event, booking


def _with_lock_retries(fn):
    """Run ``fn`` (one durable transaction); a lock timeout is retried, then refused."""
    for attempt in range(1, LOCK_ATTEMPTS + 1):
        try:
            return fn()
        except OperationalError as exc:
            if not is_lock_timeout(exc):
                raise
            logger.warning("Event lock timed out (attempt %s of %s)", attempt, LOCK_ATTEMPTS)
    raise BookingBusy()


def confirmed_places(event: InformationEvent) -> int:
    """Places held at the event, summed fresh from the bookings (never a stored counter)."""
    taken = Booking.objects.filter(
        event=event, status__in=Booking.PLACE_HOLDING_STATUSES
    ).aggregate(taken=Sum("places"))["taken"]
    return taken or 0


# -- moves ------------------------------------------------------------------


def _transition(obj, *, to: str, workflow: Workflow, what: str, fields: dict | None = None) -> None:
    """Move a locked row to ``to`` if the table allows it (``portal.workflow``)."""
    if not workflow.table_of(obj).allows(obj.status, to):
        raise TransitionNotAllowed(obj, to)
    workflow.move(obj, to=to, by=None, what=what, fields=fields)


# -- email ------------------------------------------------------------------


def _confirm_messages(booking: Booking, *, now: datetime, promoted: bool) -> list[dict]:
    """The confirmation and the reminders still to come; the email promises only those."""
    name = "promoted" if promoted else "confirmed"
    reminders = reminders_planned(booking, now=now)
    planned = {reminder["key"].split(":")[2] for reminder in reminders}
    context = email_context(booking, with_joining_link=True)
    context["reminder_before"] = "reminder-before" in planned
    context["reminder_day"] = "reminder-day" in planned
    confirmation = {
        "key": f"booking:{booking.pk}:{name}",
        "to": booking.email,
        "template": f"enquiries/booking_{name}",
        "context": context,
        "attachments": ics_attachment(booking),
    }
    return [confirmation, *reminders]


def _confirm_notice(booking: Booking, *, now: datetime, promoted: bool) -> None:
    confirmation, *reminders = _confirm_messages(booking, now=now, promoted=promoted)
    notify(**confirmation)
    for reminder in reminders:
        notify(**reminder)


def _waiting_message(booking: Booking, *, places_free: int = 0) -> dict:
    """The waiting-list email; ``places_free`` fewer than asked for are offered to take."""
    return {
        "key": f"booking:{booking.pk}:waiting",
        "to": booking.email,
        "template": "enquiries/booking_waiting",
        "context": {**email_context(booking), "places_free": places_free},
    }


# -- bookings ---------------------------------------------------------------


def _active_booking(*, event_pk: int, email: str) -> Booking | None:
    return (
        Booking.objects.filter(event_id=event_pk, email=email)
        .exclude(status=Booking.Status.CANCELLED)
        .first()
    )


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
    late as possible, count the confirmed places fresh, then insert. Only the
    count and the writes happen under the lock: the repeat-booking check runs
    before it (the database's unique constraint settles a race), and the emails
    and reminders go in one INSERT.

    If the lock cannot be had even after the retries (a crowd booking at once on
    a busy machine), the person still gets an answer, never an error: a place on
    the waiting list, which holds no place and so needs no count.
    ``events_waiting_list_fill`` then gives them any place that is free.
    """
    email = email.strip().lower()
    if places < 1 or places > settings.BOOKING_MAX_PLACES:
        raise BookingError(f"You can book between 1 and {settings.BOOKING_MAX_PLACES} places.")
    details = {
        "name": name.strip(),
        "email": email,
        "phone": phone.strip(),
        "places": places,
        "access_needs": access_needs.strip(),
        "heard_about": heard_about,
    }

    def attempt() -> Booking:
        with transaction.atomic(durable=True):
            existing = _active_booking(event_pk=event.pk, email=email)
            if existing is not None:
                raise DuplicateBooking(existing)
            locked = _lock_event(event.pk)
            now = timezone.now()
            if not locked.is_open_for_booking(now):
                raise BookingClosed()
            free = locked.places - confirmed_places(locked)
            fits = places <= free
            booking = Booking(
                event=locked,
                **details,
                status=Booking.Status.CONFIRMED if fits else Booking.Status.WAITING,
                confirmed_at=now if fits else None,
            )
            name_next_save(
                booking, "enquiries.booking.confirmed" if fits else "enquiries.booking.wait_listed"
            )
            booking.save()
            events_changed()
            if fits:
                notify_new(_confirm_messages(booking, now=now, promoted=False))
            else:
                notify_new([_waiting_message(booking, places_free=max(free, 0))])
            return booking

    def wait_list_without_lock() -> Booking:
        with transaction.atomic(durable=True):
            fresh = InformationEvent.objects.get(pk=event.pk)
            if not fresh.is_open_for_booking(timezone.now()):
                raise BookingClosed()
            booking = Booking(event=fresh, **details, status=Booking.Status.WAITING)
            name_next_save(booking, "enquiries.booking.wait_listed")
            booking.save()
            events_changed()
            notify_new([_waiting_message(booking)])
            return booking

    try:
        try:
            return _with_lock_retries(attempt)
        except BookingBusy:
            logger.warning("Event lock still busy after the retries: booking wait-listed")
            return wait_list_without_lock()
    except IntegrityError:
        # Two requests with the same email raced; the database kept one of them.
        existing = _active_booking(event_pk=event.pk, email=email)
        if existing is None:
            raise
        raise DuplicateBooking(existing) from None


def booking_change(
    *, booking: Booking, places: int, phone: str, access_needs: str
) -> list[Booking]:
    """The person changes their places, phone number or access needs until booking closes.

    More places are taken only if they fit, counted under the event's lock as a new
    booking is; fewer places go to the waiting list at once. A waiting booking may
    change its places freely (it holds none) and is confirmed if they now fit.
    Returns the bookings confirmed by the change (the person's own, or others
    promoted from the waiting list).
    """
    if places < 1 or places > settings.BOOKING_MAX_PLACES:
        raise BookingError(f"You can book between 1 and {settings.BOOKING_MAX_PLACES} places.")

    def attempt() -> list[Booking]:
        with transaction.atomic(durable=True):
            event, locked = _lock_event(booking.event_id, booking.pk)
            now = timezone.now()
            if locked.status not in Booking.ACTIVE_STATUSES or not event.is_open_for_booking(now):
                raise BookingNotChangeable()
            changed = {
                name: value
                for name, value in (
                    ("places", places),
                    ("phone", phone.strip()),
                    ("access_needs", access_needs.strip()),
                )
                if getattr(locked, name) != value
            }
            if not changed:
                return []
            if locked.is_confirmed and places > locked.places:
                free = event.places - confirmed_places(event)
                if places - locked.places > free:
                    have = f"{locked.places} place{'' if locked.places == 1 else 's'}"
                    if free <= 0:
                        raise NotEnoughPlaces(
                            f"There are no more places at this event: you can keep your {have}."
                        )
                    raise NotEnoughPlaces(
                        f"There {'is' if free == 1 else 'are'} only {free} more "
                        f"place{'' if free == 1 else 's'} at this event: you can have up to "
                        f"{locked.places + free}."
                    )
            for name, value in changed.items():
                setattr(locked, name, value)
            name_next_save(locked, "enquiries.booking.changed")
            locked.save(update_fields=[*changed, "updated_at"])
            booking.places, booking.phone, booking.access_needs = (
                locked.places,
                locked.phone,
                locked.access_needs,
            )
            if "places" not in changed:
                return []
            events_changed()
            # Fewer places free some for the waiting list; a waiting booking that now
            # fits is promoted in its turn.
            return _promote_waiting(event, now=now)

    return _with_lock_retries(attempt)


BOOKING_DETAIL_FIELDS = ("name", "phone", "access_needs", "heard_about")


def booking_update_details(*, booking: Booking, changed: list[str] | tuple[str, ...]) -> None:
    """Staff correct a person's details; the status and the places are not theirs to edit."""
    fields = [name for name in changed if name in BOOKING_DETAIL_FIELDS]
    if not fields:
        return
    name_next_save(booking, "enquiries.booking.details_changed")
    booking.save(update_fields=[*fields, "updated_at"])


def booking_link_resend(*, booking: Booking) -> None:
    """Email the manage link again (someone tried to book twice with this address).

    At most one such email a day, so the form cannot be used to flood an inbox.
    """
    day = timezone.localdate().strftime("%Y%m%d")
    notify(
        key=f"booking:{booking.pk}:link:{day}",
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
            workflow=BOOKING_WORKFLOW,
            what="promoted",
            fields={"confirmed_at": now},
        )
        booking.event = event
        _confirm_notice(booking, now=now, promoted=True)
        promoted.append(booking)
        free -= booking.places
        if free <= 0:
            break
    return promoted


def events_waiting_list_fill(*, now: datetime | None = None) -> int:
    """Give free places to waiting bookings (beat), event by event under its lock.

    Normally the waiting list moves up when a place is freed; this catches a
    booking wait-listed without the count while the event's lock was busy.
    Returns how many bookings were confirmed.
    """
    now = now or timezone.now()
    events = list(
        events_with_places()
        .filter(status=InformationEvent.Status.SCHEDULED, starts_at__gt=now, waiting_count__gt=0)
        .filter(places_taken__lt=F("places"))
        .values_list("pk", flat=True)
    )

    def fill(event_pk: int) -> int:
        with transaction.atomic(durable=True):
            return len(_promote_waiting(_lock_event(event_pk), now=timezone.now()))

    promoted = 0
    for event_pk in events:
        try:
            promoted += _with_lock_retries(lambda pk=event_pk: fill(pk))
        except BookingBusy:
            continue  # the next sweep tries again
    return promoted


def booking_cancel(*, booking: Booking, by_staff: bool = False) -> list[Booking]:
    """Cancel a booking (until the event starts) and give its places to the waiting list.

    Returns the bookings promoted from the waiting list.
    """

    def attempt() -> list[Booking]:
        with transaction.atomic(durable=True):
            event, locked = _lock_event(booking.event_id, booking.pk)
            now = timezone.now()
            if event.is_cancelled or not locked.can_be_cancelled(now):
                raise BookingNotCancellable()
            held_places = locked.status == Booking.Status.CONFIRMED
            _transition(
                locked,
                to=Booking.Status.CANCELLED,
                workflow=BOOKING_WORKFLOW,
                what="cancelled_by_staff" if by_staff else "cancelled",
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


def _check_in(*, booking: Booking, to: str, what: str) -> Booking:
    with transaction.atomic():
        # Only the booking: checking in moves between place-holding states, so the
        # count of places (the event's lock) is not touched.
        locked = lock((Booking, booking.pk), related=("event",))
        if locked.status == to:
            return locked
        if locked.event.is_cancelled or timezone.now() < check_in_opens(locked.event):
            raise BookingError("Check-in opens on the day of the event.")
        _transition(
            locked,
            to=to,
            workflow=BOOKING_WORKFLOW,
            what=what,
            fields={"checked_in_at": timezone.now()},
        )
        return locked


def check_in_opens(event: InformationEvent) -> datetime:
    local = timezone.localtime(event.starts_at)
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def booking_mark_attended(*, booking: Booking) -> Booking:
    return _check_in(booking=booking, to=Booking.Status.ATTENDED, what="attended")


def booking_mark_no_show(*, booking: Booking) -> Booking:
    return _check_in(booking=booking, to=Booking.Status.NO_SHOW, what="no_show")


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
            name_next_save(event, "enquiries.event.created")
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
            name_next_save(event, "enquiries.event.changed")
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
                workflow=EVENT_WORKFLOW,
                what="cancelled",
                fields={"cancelled_at": now},
            )
            events_changed()
            booked = list(
                Booking.objects.filter(event=locked, status__in=Booking.ACTIVE_STATUSES)
                .select_for_update()
                .order_by("id")
            )
            _tell_event_cancelled(locked, booked, now=now)
            event.status, event.cancelled_at = locked.status, locked.cancelled_at
            return len(booked)

    return _with_lock_retries(attempt)


def _tell_event_cancelled(event: InformationEvent, bookings: list[Booking], *, now) -> None:
    """Withdraw the bookings' reminders and tell each one the event is cancelled (once)."""
    # A private event's bookers are offered their next sessions in their own area instead.
    upcoming = [] if event.is_private else next_events(exclude=event, now=now)
    for booking in bookings:
        booking.event = event
        reminders_withdraw(booking)
        notify(
            key=f"booking:{booking.pk}:event-cancelled",
            to=booking.email,
            template="enquiries/event_cancelled",
            context={**email_context(booking), "next_events": upcoming},
        )


def _not_told_of_cancellation():
    """Active bookings on cancelled events that have no event-cancelled email."""
    told = Notification.objects.filter(
        key=Concat(
            Value("booking:"),
            Cast(OuterRef("pk"), output_field=CharField()),
            Value(":event-cancelled"),
        )
    )
    return Booking.objects.filter(
        event__status=InformationEvent.Status.CANCELLED, status__in=Booking.ACTIVE_STATUSES
    ).exclude(Exists(told))


def events_cancelled_tell_late_bookings(*, now: datetime | None = None) -> int:
    """Tell bookings made while their event was being cancelled (beat), event by event.

    A booking wait-listed without the event's lock (the lock was busy because the
    event was being cancelled) can commit after the cancellation counted who to
    tell. This finds such bookings on events not yet started and tells them, under
    the event's lock, exactly as the cancellation does. Returns how many were told.
    """
    now = now or timezone.now()
    events = list(
        _not_told_of_cancellation()
        .filter(event__starts_at__gt=now)
        .order_by("event_id")
        .values_list("event_id", flat=True)
        .distinct()
    )

    def tell(event_pk: int) -> int:
        with transaction.atomic(durable=True):
            locked = _lock_event(event_pk)
            late = list(
                _not_told_of_cancellation()
                .filter(event=locked)
                .select_for_update(of=("self",))
                .order_by("id")
            )
            _tell_event_cancelled(locked, late, now=timezone.now())
            if late:
                logger.info(
                    "Told %s late booking(s) of event %s's cancellation", len(late), event_pk
                )
            return len(late)

    told = 0
    for event_pk in events:
        try:
            told += _with_lock_retries(lambda pk=event_pk: tell(pk))
        except BookingBusy:
            continue  # the next sweep tries again
    return told


EVENT_MESSAGE_SUBJECT_MAX = 150
EVENT_MESSAGE_MAX = 3000
EVENT_MESSAGE_STATUSES = (*Booking.ACTIVE_STATUSES, Booking.Status.ATTENDED)


def event_message(*, event: InformationEvent, subject: str, message: str) -> int:
    """Email everyone booked on (or waiting for) an event, without cancelling it.

    One email per booking through the outbox. The key is made from the words and
    the day (London time), so the same words sent twice the same day (a double
    click, a resubmitted page) go once, and the same words on another day go again.
    The body is the staff's message and the event's facts: no name or other detail
    of the person. Returns how many emails were queued by this call (0 when the
    same words already went to everyone today).
    """
    subject, message = " ".join(subject.split()), message.strip()
    if not subject or not message:
        raise ValidationError("Give the message a subject and some words.")
    if len(subject) > EVENT_MESSAGE_SUBJECT_MAX or len(message) > EVENT_MESSAGE_MAX:
        raise ValidationError(
            f"Keep the subject to {EVENT_MESSAGE_SUBJECT_MAX} characters and the message "
            f"to {EVENT_MESSAGE_MAX:,}."
        )
    if event.is_cancelled:
        raise ValidationError("This event is cancelled: everyone booked has been told.")
    digest = hashlib.sha256(f"{subject}\n{message}".encode()).hexdigest()[:16]
    day = timezone.localdate().isoformat()
    context = {**event_context(event), "subject": subject, "message": message}
    with transaction.atomic():
        # Everyone still coming: confirmed, waiting, and those already checked in on the day
        # (a room change reaches them too).
        bookings = list(
            Booking.objects.filter(event=event, status__in=EVENT_MESSAGE_STATUSES).order_by("id")
        )
        keys = {
            booking.pk: f"event:{event.pk}:message:{day}:{digest}:booking:{booking.pk}"
            for booking in bookings
        }
        already = set(
            Notification.objects.filter(key__in=keys.values()).values_list("key", flat=True)
        )
        queued = 0
        for booking in bookings:
            if keys[booking.pk] in already:
                continue
            notify(
                key=keys[booking.pk],
                to=booking.email,
                template="enquiries/event_message",
                context={**context, "manage_url": absolute(booking.get_absolute_url())},
            )
            queued += 1
    return queued


def event_duplicate(*, event: InformationEvent, starts_on=None) -> InformationEvent:
    """A copy of an event on another date (by default a month later), same times of day."""
    local_start = timezone.localtime(event.starts_at)
    starts_on = starts_on or add_months(local_start.date(), 1)
    shift = starts_on - local_start.date()
    copy = InformationEvent(
        title=event.title,
        kind=event.kind,
        topic=event.topic,
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


# -- retention -------------------------------------------------------------------------------


def bookings_due(today):
    """Bookings for events that ended more than ``BOOKING_RETENTION_MONTHS`` before ``today``
    (the privacy notice: "kept for 12 months after the event"), not yet anonymised."""
    cutoff = add_months(today, -settings.BOOKING_RETENTION_MONTHS)
    return Booking.objects.filter(anonymised_at__isnull=True, event__ends_at__date__lt=cutoff)


def booking_anonymise(*, booking: Booking, now: datetime | None = None) -> Booking:
    """Blank the booker's details; keep the booking's status, places and source, so the
    event's numbers stay. The emails about it no longer say who they went to."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = lock(booking)
        if locked.anonymised_at is not None:
            return locked
        locked.name = locked.email = locked.phone = locked.access_needs = ""
        locked.anonymised_at = now
        name_next_save(locked, "enquiries.booking.anonymised")
        locked.save(
            update_fields=["name", "email", "phone", "access_needs", "anonymised_at", "updated_at"]
        )
        prefix = f"booking:{locked.pk}:"
        notifications_withdraw(key_prefix=prefix)
        # Its own emails, and the messages to everyone booked on the event.
        Notification.objects.filter(
            Q(key__startswith=prefix) | Q(key__endswith=f":booking:{locked.pk}")
        ).update(to="", context={})
        history_hide({Booking: [locked.pk]}, public_addresses=True)
    return locked


def bookings_anonymise(batch, now: datetime) -> None:
    for booking in batch:
        booking_anonymise(booking=booking, now=now)

"""Reads for the enquiries app, each a bounded number of queries."""

from datetime import timedelta

from django.db.models import Count, IntegerField, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from ..models import Booking, InformationEvent

# ===========================================================================
# Information events and bookings
# ===========================================================================


def events_with_places() -> QuerySet[InformationEvent]:
    """Events annotated with ``places_taken`` and ``waiting_count`` in the same query."""
    return InformationEvent.objects.annotate(
        places_taken=Coalesce(
            Sum(
                "bookings__places",
                filter=Q(bookings__status__in=Booking.PLACE_HOLDING_STATUSES),
            ),
            Value(0),
            output_field=IntegerField(),
        ),
        waiting_count=Count("bookings", filter=Q(bookings__status=Booking.Status.WAITING)),
    )


def events_upcoming(*, kind: str = "", topic: str = "", now=None) -> QuerySet[InformationEvent]:
    """Scheduled events that have not started, soonest first; nothing past, nothing cancelled."""
    now = now or timezone.now()
    events = (
        events_with_places()
        .public()
        .filter(status=InformationEvent.Status.SCHEDULED, starts_at__gt=now)
    )
    if kind in InformationEvent.Kind.values:
        events = events.filter(kind=kind)
    if topic in InformationEvent.Topic.values:
        events = events.filter(topic=topic)
    return events.order_by("starts_at", "id")


def event_for_page(*, slug: str) -> InformationEvent | None:
    """One public event with its places taken, past and cancelled ones included (they say
    so); a private event has no public page."""
    return events_with_places().public().filter(slug=slug).first()


def booking_for_token(*, token: str) -> Booking | None:
    if not token or len(token) > 64:
        return None
    return Booking.objects.select_related("event").filter(token=token).first()


EVENTS_PANEL_NEXT = 5


def events_panel(user) -> dict | None:
    """Today's events (with their sign-in sheet and check-in) and the next ones, with
    places left and waiting lists, for the events team. Two queries."""
    if not user.has_perm("enquiries.change_informationevent"):
        return None
    now = timezone.localtime()
    start_of_day = now.replace(hour=0, minute=0, second=0, microsecond=0)
    scheduled = events_with_places().filter(status=InformationEvent.Status.SCHEDULED)
    today = list(
        scheduled.filter(
            starts_at__gte=start_of_day, starts_at__lt=start_of_day + timedelta(days=1)
        ).order_by("starts_at", "id")
    )
    upcoming = list(
        scheduled.filter(starts_at__gte=start_of_day + timedelta(days=1)).order_by(
            "starts_at", "id"
        )[:EVENTS_PANEL_NEXT]
    )
    return {"today": today, "upcoming": upcoming}

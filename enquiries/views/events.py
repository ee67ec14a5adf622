"""Public pages of the enquiries app. Views are thin: forms validate, services act."""

import hashlib
import time
from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from portal.ratelimit import RateLimit

from .. import ics
from ..caching import cache_events_page, event_moments, seconds_until_change
from ..forms.events import BookingCancelForm, BookingChangeForm, BookingForm
from ..models import InformationEvent
from ..models.events import PRIVATE_TOPICS
from ..selectors import events as selectors
from ..services import events as services

# ===========================================================================
# Information events and bookings
# ===========================================================================

EVENTS_PER_PAGE = 20
KIND_FILTERS = [("", "All events"), *InformationEvent.Kind.choices]
TOPIC_FILTERS = [
    ("", "Every type"),
    *(
        (value, label)
        for value, label in InformationEvent.Topic.choices
        if value not in PRIVATE_TOPICS
    ),
]


@dataclass(frozen=True)
class _BookingsMade(RateLimit):
    """Bookings made in the last hour from one client address, or for one email address.

    Only bookings that were made count (``record`` once the service has answered), so
    people sharing an office or library address are not refused for each other's
    typing mistakes; ``reached`` reads the count before booking without adding to it.
    A repeat booking counts as a booking: it is answered the same way, and may email
    the owner of the address. With ``email`` set, the count is the address's, from
    any client.
    """

    email: str = ""

    def _key(self, request) -> str:
        if not self.email:
            return super()._key(request)
        window = int(time.time()) // self.period
        digest = hashlib.sha256(self.email.encode()).hexdigest()[:32]
        return f"ratelimit:{self.scope}:{digest}:{window}"

    def reached(self, request) -> bool:
        try:
            return (cache.get(self._key(request)) or 0) >= self.limit
        except Exception:  # noqa: BLE001 - a cache that is down refuses no one
            return False

    def record(self, request) -> None:
        self.hit(request)


def _booking_limits(email: str) -> tuple[_BookingsMade, _BookingsMade]:
    limit = settings.BOOKING_RATE_LIMIT_PER_HOUR
    return (
        _BookingsMade("booking", limit=limit, period=3600),
        _BookingsMade("booking-email", limit=limit, period=3600, email=email.strip().lower()),
    )


def _private(response: HttpResponse) -> HttpResponse:
    """Pages reached by a booking's token are for one person: never cached, never indexed."""
    response["Cache-Control"] = "no-store, private"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@require_GET
@cache_events_page(query=("kind", "topic", "page"))
def event_list(request):
    kind = request.GET.get("kind", "")
    if kind not in InformationEvent.Kind.values:
        kind = ""
    topic = request.GET.get("topic", "")
    if topic not in InformationEvent.Topic.values or topic in PRIVATE_TOPICS:
        topic = ""
    upcoming = selectors.events_upcoming(kind=kind, topic=topic)
    page = Paginator(upcoming, EVENTS_PER_PAGE).get_page(request.GET.get("page"))
    now = timezone.now()
    response = render(
        request,
        "enquiries/event_list.html",
        {
            "page": page,
            "events": page.object_list,
            "kind": kind,
            "topic": topic,
            "kind_filters": [
                {"value": value, "label": label, "current": value == kind}
                for value, label in KIND_FILTERS
            ],
            "topic_filters": [
                {"value": value, "label": label, "current": value == topic}
                for value, label in TOPIC_FILTERS
            ],
            "now": now,
        },
    )
    # The list changes by itself when a listed event's booking closes or it starts; on
    # a later page, also when the first event of all starts (every page moves up one).
    moments = [moment for event in page.object_list for moment in event_moments(event)]
    if page.number > 1:
        moments.append(upcoming.values_list("starts_at", flat=True).first())
    response.public_cache_seconds = seconds_until_change(moments, now=now)
    asked = {name: request.GET.getlist(name) for name in ("kind", "topic", "page")}
    understood = {"kind": kind, "topic": topic, "page": str(page.number)}
    if any(asked[name] not in ([], [understood[name]]) for name in asked):
        # An unknown filter, page 9999: each such address would be stored as a page.
        response.public_cache_seconds = 0
    return response


@require_http_methods(["GET", "POST"])
@cache_events_page(query=(), csrf=True)
def event_detail(request, slug):
    event = selectors.event_for_page(slug=slug)
    if event is None:
        raise Http404("No such event")
    now = timezone.now()
    is_open = event.is_open_for_booking(now)
    status = 200
    form = BookingForm()
    if request.method == "POST" and is_open:
        form = BookingForm(request.POST)
        if form.is_valid():
            limits = _booking_limits(form.cleaned_data["email"])
            if any(limit.reached(request) for limit in limits):
                form.add_error(
                    None, "You have made too many bookings. Please try again in an hour."
                )
                status = 429
            else:
                try:
                    services.booking_create(event=event, **_booking_fields(form))
                except services.DuplicateBooking as duplicate:
                    # Answered as a new booking is, so the form does not tell who has
                    # booked; the owner of the address gets the link at most once a day.
                    services.booking_link_resend(booking=duplicate.booking)
                except services.BookingError as problem:
                    form.add_error(None, problem.message)
                    is_open = not isinstance(problem, services.BookingClosed)
                if not form.errors:
                    for limit in limits:
                        limit.record(request)
                    return redirect("enquiries:booking_check_email", slug=event.slug)
        elif form.caught_spam:
            # Bots get the same answer as people and nothing is saved.
            return redirect("enquiries:booking_check_email", slug=event.slug)
    response = render(
        request,
        "enquiries/event_detail.html",
        {"event": event, "form": form, "is_open": is_open, "now": now},
        status=status,
    )
    response.public_cache_seconds = seconds_until_change(event_moments(event), now=now)
    return response


@never_cache
@require_GET
def booking_check_email(request, slug):
    """The one answer to a booking form that was sent: new, repeat or caught as spam."""
    event = selectors.event_for_page(slug=slug)
    if event is None:
        raise Http404("No such event")
    return render(request, "enquiries/booking_received.html", {"event": event})


def _booking_fields(form: BookingForm) -> dict:
    data = form.cleaned_data
    return {
        "name": data["name"],
        "email": data["email"],
        "phone": data["phone"],
        "places": data["places"],
        "access_needs": data["access_needs"],
        "heard_about": data["heard_about"],
    }


def _booking_or_404(token):
    booking = selectors.booking_for_token(token=token)
    if booking is None:
        raise Http404("No such booking")
    return booking


@never_cache
@require_GET
def booking_done(request, token):
    booking = _booking_or_404(token)
    if booking.status not in booking.ACTIVE_STATUSES:
        return redirect("enquiries:booking_manage", token=booking.token)
    return _private(render(request, "enquiries/booking_done.html", {"booking": booking}))


@never_cache
@require_GET
def booking_manage(request, token):
    booking = _booking_or_404(token)
    return _private(
        render(
            request,
            "enquiries/booking_manage.html",
            {
                "booking": booking,
                "event": booking.event,
                "can_cancel": booking.can_be_cancelled() and not booking.event.is_cancelled,
                "can_change": _can_change(booking),
                "places_free": _places_free_for_waiting(booking),
            },
        )
    )


def _places_free_for_waiting(booking) -> int:
    """Places free now that a waiting booking could take by asking for fewer (else 0)."""
    if not booking.is_waiting or booking.event.is_cancelled:
        return 0
    free = booking.event.places - services.confirmed_places(booking.event)
    return free if 0 < free < booking.places else 0


def _can_change(booking) -> bool:
    return booking.status in booking.ACTIVE_STATUSES and booking.event.is_open_for_booking()


@never_cache
@require_http_methods(["GET", "POST"])
def booking_change(request, token):
    booking = _booking_or_404(token)
    if not _can_change(booking):
        return redirect("enquiries:booking_manage", token=booking.token)
    form = BookingChangeForm(booking=booking)
    if request.method == "POST":
        form = BookingChangeForm(request.POST, booking=booking)
        if form.is_valid():
            try:
                services.booking_change(booking=booking, **form.cleaned_data)
            except services.BookingError as problem:
                field = "places" if isinstance(problem, services.NotEnoughPlaces) else None
                form.add_error(field, problem.message)
            else:
                messages.success(request, "Your booking has been changed.")
                return redirect("enquiries:booking_manage", token=booking.token)
    return _private(
        render(
            request,
            "enquiries/booking_change.html",
            {"booking": booking, "event": booking.event, "form": form},
        )
    )


@never_cache
@require_http_methods(["GET", "POST"])
def booking_cancel(request, token):
    booking = _booking_or_404(token)
    if request.method == "POST":
        form = BookingCancelForm(request.POST)
        if form.is_valid():
            try:
                services.booking_cancel(booking=booking)
            except services.BookingError as problem:
                messages.error(request, problem.message)
            else:
                messages.success(request, "Your booking has been cancelled.")
            return redirect("enquiries:booking_manage", token=booking.token)
    if not booking.can_be_cancelled() or booking.event.is_cancelled:
        return redirect("enquiries:booking_manage", token=booking.token)
    return _private(
        render(
            request,
            "enquiries/booking_cancel.html",
            {"booking": booking, "event": booking.event, "form": BookingCancelForm()},
        )
    )


@never_cache
@require_GET
def booking_calendar(request, token):
    booking = _booking_or_404(token)
    if booking.status not in booking.PLACE_HOLDING_STATUSES:
        raise Http404("Only a confirmed place has a calendar entry")
    response = HttpResponse(ics.booking_calendar(booking), content_type=ics.MIMETYPE)
    response["Content-Disposition"] = f'attachment; filename="{ics.FILENAME}"'
    return _private(response)

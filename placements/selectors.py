"""Reads for placements, each in a fixed number of queries however many rows there are."""

from datetime import date

from django.db.models import (
    Case,
    F,
    Prefetch,
    Q,
    QuerySet,
    When,
)

from portal.deadlines import cases_with_next_deadline

from .clocks import ChildFacts, PlacementFacts
from .models import (
    OVERDUE_KINDS,
    Child,
    CourtOrder,
    LookedAfterReview,
    Placement,
    PlacementChild,
    PlacementDeadline,
)
from .reminders import DEADLINES


def placement_facts(*, placement: Placement) -> PlacementFacts:
    """Everything the clocks look at: five queries, however many children or records."""
    children = list(
        Child.objects.filter(placement_links__placement=placement)
        .order_by("pk")
        .values_list("pk", "entered_care_on")
    )
    # Every review held for each child, in this placement or an earlier one.
    held: dict[int, list[date]] = {pk: [] for pk, _ in children}
    for child_pk, held_on in LookedAfterReview.objects.filter(
        placement__placement_children__child__in=list(held)
    ).values_list("placement__placement_children__child", "held_on"):
        held[child_pk].append(held_on)
    return PlacementFacts(
        placement=placement,
        children=[
            ChildFacts(pk=pk, entered_care_on=entered, reviews=sorted(set(held[pk])))
            for pk, entered in children
        ],
        reviews=list(
            placement.reviews.order_by("held_on").values_list("held_on", "visit_interval_weeks")
        ),
        visits=list(placement.visits.order_by("visited_on").values_list("visited_on", flat=True)),
        extension_ends=list(
            placement.proceedings_extensions.order_by("granted_on").values_list(
                "ends_on", flat=True
            )
        ),
    )


def placement_children(*, placement: Placement) -> list[Child]:
    return list(
        Child.objects.filter(placement_links__placement=placement).order_by("date_of_birth", "pk")
    )


def placements_for_list(queryset: QuerySet[Placement], *, today: date) -> QuerySet[Placement]:
    """Annotate each placement with its next deadline and overdue count; children prefetched."""
    return cases_with_next_deadline(queryset, source=DEADLINES, today=today).prefetch_related(
        Prefetch(
            "placement_children",
            queryset=PlacementChild.objects.select_related("child").order_by(
                "child__date_of_birth", "pk"
            ),
        )
    )


def placements_overdue(queryset: QuerySet[Placement], *, today: date, overdue: bool = True):
    has_overdue = Q(
        pk__in=PlacementDeadline.objects.filter(due_on__lt=today, kind__in=OVERDUE_KINDS).values(
            "placement"
        )
    )
    return queryset.filter(has_overdue if overdue else ~has_overdue)


def court_timeline(*, placement: Placement) -> list[dict]:
    """Issue, extensions, hearings and orders in date order, for the placement page."""
    events: list[dict] = []
    if placement.proceedings_issued_on:
        events.append(
            {"on": placement.proceedings_issued_on, "what": "Care proceedings issued", "who": ""}
        )
    for extension in placement.proceedings_extensions.order_by("granted_on", "id"):
        events.append(
            {
                "on": extension.granted_on,
                "what": f"Proceedings extended to {extension.ends_on.day} "
                f"{extension.ends_on:%B %Y}",
                "who": extension.reason,
            }
        )
    for hearing in placement.hearings.order_by("held_on", "id"):
        events.append(
            {"on": hearing.held_on, "what": hearing.get_kind_display(), "who": hearing.outcome_note}
        )
    for order in CourtOrder.objects.filter(placement=placement).select_related("child"):
        events.append(
            {"on": order.made_on, "what": order.get_kind_display(), "who": str(order.child)}
        )
    if placement.proceedings_concluded_on:
        events.append(
            {
                "on": placement.proceedings_concluded_on,
                "what": "Care proceedings concluded",
                "who": "",
            }
        )
    return sorted(events, key=lambda e: e["on"])


def placement_result():
    """A placement's result for counting: its outcome once ended, else its status."""
    return Case(
        When(status=Placement.Status.ENDED, then=F("outcome")),
        default=F("status"),
    )

"""Reads for placements, each in a fixed number of queries however many rows there are."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import (
    Case,
    Count,
    F,
    Prefetch,
    Q,
    QuerySet,
    When,
)
from django.urls import reverse
from django.utils import timezone

from portal import formats
from portal.deadlines import cases_with_next_deadline
from portal.search import Hit, Kind, changelist_matches

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
                "what": f"Proceedings extended to {formats.day(extension.ends_on)}",
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


# ---------------------------------------------------------------------------
# The placements panel on the staff home page (``portal.dashboard``)
# ---------------------------------------------------------------------------

DASHBOARD_DAYS = 7
DASHBOARD_LIMIT = 100

# What clears each kind of deadline, and where on the placement page it is recorded.
CLEARED_BY = {
    PlacementDeadline.Kind.REVIEW: ("Record the review", "reviews-group"),
    PlacementDeadline.Kind.VISIT: ("Record the visit", "visits-group"),
    PlacementDeadline.Kind.PROCEEDINGS: ("Record an extension", "proceedings_extensions-group"),
}


@dataclass(frozen=True)
class DueItem:
    deadline: PlacementDeadline
    overdue: bool
    placement_url: str
    action: str
    action_url: str


@dataclass
class PlacementsDashboard:
    overdue: list[DueItem]
    upcoming: list[DueItem]
    horizon: date
    team_overdue: list[dict]
    truncated: bool


def dashboard_panel(user) -> dict | None:
    """The placements panel for those who may see placements: their placements' overdue
    items and those due in the next week; team managers also see overdue counts by
    social worker."""
    if not user.has_perm("placements.view_placement"):
        return None
    today = timezone.localdate()
    dashboard = dashboard_for(user=user, today=today)
    return {
        "today": today,
        "dashboard": dashboard,
        "team": user.has_perm("placements.view_measures"),
        "groups": [
            {
                "title": "Overdue",
                "overdue": True,
                "items": dashboard.overdue,
                "caption": "Overdue items on my placements",
                "empty": "Nothing overdue.",
            },
            {
                "title": f"Due in the next {DASHBOARD_DAYS} days",
                "overdue": False,
                "items": dashboard.upcoming,
                "caption": "Items due in the next days on my placements",
                "empty": "Nothing falls due in the next days.",
            },
        ],
    }


def _due_item(deadline: PlacementDeadline, *, today: date) -> DueItem:
    url = reverse("admin:placements_placement_change", args=[deadline.placement_id])
    action, anchor = CLEARED_BY.get(deadline.kind, ("", ""))
    return DueItem(
        deadline=deadline,
        overdue=deadline.is_overdue(today),
        placement_url=url,
        action=action,
        action_url=f"{url}#{anchor}" if anchor else "",
    )


def dashboard_for(*, user, today: date) -> PlacementsDashboard:
    """Two queries at most, however many placements there are. Dates that only say when
    something becomes possible (``never_late_kinds``) are not listed: nothing is due."""
    horizon = today + timedelta(days=DASHBOARD_DAYS)
    rows = list(
        PlacementDeadline.objects.filter(
            placement__household__social_worker=user, due_on__lte=horizon, kind__in=OVERDUE_KINDS
        )
        .exclude(placement__status=Placement.Status.ENDED)
        .select_related("placement")
        .order_by("due_on", "id")[: DASHBOARD_LIMIT + 1]
    )
    truncated = len(rows) > DASHBOARD_LIMIT
    items = [_due_item(d, today=today) for d in rows[:DASHBOARD_LIMIT]]
    team = []
    if user.has_perm("placements.view_measures"):
        changelist = reverse("admin:placements_placement_changelist")
        team = [
            {
                **row,
                "url": f"{changelist}?caseload={row['worker'] or 'unassigned'}&overdue=yes",
            }
            for row in PlacementDeadline.objects.filter(due_on__lt=today, kind__in=OVERDUE_KINDS)
            .exclude(placement__status=Placement.Status.ENDED)
            .values(
                worker=F("placement__household__social_worker"),
                first_name=F("placement__household__social_worker__first_name"),
                last_name=F("placement__household__social_worker__last_name"),
            )
            .annotate(overdue=Count("id"), placements=Count("placement", distinct=True))
            .order_by("-overdue", "worker")[:50]
        ]
    return PlacementsDashboard(
        overdue=[i for i in items if i.overdue],
        upcoming=[i for i in items if not i.overdue],
        horizon=horizon,
        team_overdue=team,
        truncated=truncated,
    )


# -- the staff search (portal.search) -------------------------------------------------------


def child_search(request, term: str) -> QuerySet:
    """Children whose reference, name or placing authority matches ``term``, found as the
    children's list finds them."""
    return changelist_matches(Child, request, term, Child.objects.all()).order_by("reference", "pk")


def child_hit(child: Child) -> Hit:
    # What the children's list shows: the reference and initials, the month of birth and
    # the legal status; never the name.
    if child.date_of_birth:
        born = f"born {formats.month(child.date_of_birth)}"
    else:
        born = f"expected {formats.month(child.expected_on)}" if child.expected_on else ""
    return Hit(
        label=str(child),
        link=child.get_absolute_url(),
        context=", ".join(part for part in (born, child.get_legal_status_display()) if part),
    )


SEARCH_KINDS = (
    Kind(
        name="children",
        title="Children",
        permission="placements.view_child",
        find=child_search,
        hit=child_hit,
        changelist="admin:placements_child_changelist",
        order=30,
    ),
)

"""Reads for placements, each in a fixed number of queries however many rows there are."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
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

from portal import access, formats
from portal.deadlines import cases_with_next_deadline
from portal.search import Hit, Kind, changelist_matches

from .. import clocks
from ..clocks import ChildFacts, Clock, PlacementFacts, ProceedingsFacts
from ..models import (
    OVERDUE_KINDS,
    Child,
    CommunicationBookEntry,
    CourtOrder,
    Duty,
    FamilyTimePlan,
    FamilyTimeSession,
    HealthAssessment,
    LookedAfterReview,
    ParentConsent,
    Placement,
    PlacementChild,
    PlacementDeadline,
    Proceedings,
    ProceedingsExtension,
    SocialWorkerVisit,
)
from ..reminders import DEADLINES


def children_facts(child_pks: list[int], *, placement: Placement | None) -> list[ChildFacts]:
    """What each child's clocks look at, in six queries however many children or records:
    the children, their reviews and health assessments in any placement, their visits in
    ``placement`` (none without one), and their open proceedings with the extensions."""
    children = list(
        Child.objects.filter(pk__in=child_pks).select_related("social_worker").order_by("pk")
    )
    reviews: dict[int, list] = defaultdict(list)
    for child_pk, held_on, weeks in (
        LookedAfterReview.objects.filter(child__in=child_pks)
        .order_by("held_on", "pk")
        .values_list("child", "held_on", "visit_interval_weeks")
    ):
        reviews[child_pk].append((held_on, weeks))
    visits: dict[int, list] = defaultdict(list)
    if placement is not None:
        for child_pk, visited_on in (
            SocialWorkerVisit.objects.filter(child__in=child_pks, placement=placement)
            .order_by("visited_on")
            .values_list("child", "visited_on")
        ):
            visits[child_pk].append(visited_on)
    health: dict[int, list] = defaultdict(list)
    for child_pk, kind, done_on in (
        HealthAssessment.objects.filter(child__in=child_pks)
        .order_by("done_on")
        .values_list("child", "kind", "done_on")
    ):
        health[child_pk].append((kind, done_on))
    open_proceedings = list(
        Proceedings.objects.filter(children__in=child_pks, concluded_on__isnull=True)
        .exclude(issued_on__isnull=True)
        .values_list("pk", "children", "issued_on")
        .order_by("pk")
    )
    ends: dict[int, list] = defaultdict(list)
    for proceedings_pk, ends_on in ProceedingsExtension.objects.filter(
        proceedings__in={row[0] for row in open_proceedings}
    ).values_list("proceedings", "ends_on"):
        ends[proceedings_pk].append(ends_on)
    proceedings: dict[int, list] = defaultdict(list)
    for proceedings_pk, child_pk, issued_on in open_proceedings:
        proceedings[child_pk].append(
            ProceedingsFacts(
                issued_on=issued_on, concluded_on=None, extension_ends=sorted(ends[proceedings_pk])
            )
        )
    return [
        ChildFacts(
            pk=child.pk,
            reference=child.reference,
            entered_care_on=child.entered_care_on,
            date_of_birth=child.date_of_birth,
            reviews=reviews[child.pk],
            visits=visits[child.pk],
            health=health[child.pk],
            proceedings=proceedings[child.pk],
            reviews_duty=child.reviews_duty,
            visits_duty=child.visits_duty,
            health_duty=child.health_duty,
            social_worker=child.social_worker,
        )
        for child in children
    ]


def placement_facts(*, placement: Placement) -> PlacementFacts:
    """Everything the placement's clocks look at: seven queries, however many children or
    records."""
    child_pks = list(
        PlacementChild.objects.filter(placement=placement).values_list("child", flat=True)
    )
    return PlacementFacts(
        placement=placement, children=children_facts(child_pks, placement=placement)
    )


def child_clocks_now(*, child: Child) -> list[Clock]:
    """The child's statutory dates as they stand, for the child's page: under the regime
    of the child's current placement (none: the review and health clocks only). An
    adopted child has none: the adoption order ends the care order and the placement
    order (Adoption and Children Act 2002 s46(2)), so the child is no longer looked after
    and neither the CPPCR 2010 nor the AAR 2005 review and visit duties run."""
    if child.court_orders.filter(kind=CourtOrder.Kind.ADOPTION_ORDER).exists():
        return []
    link = (
        PlacementChild.objects.filter(child=child, is_current=True)
        .select_related("placement")
        .first()
    )
    placement = link.placement if link and link.placement.is_open else None
    facts = children_facts([child.pk], placement=placement)
    if placement is not None:
        from ..services.deadlines import with_authority_needed  # services read through here

        facts = with_authority_needed(facts, placement=placement)
    return clocks.child_clocks(
        facts[0],
        placed_on=placement.placed_on if placement else None,
        adoption_from=clocks.adoption_regime_start(placement) if placement else None,
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


def legal_timeline(*, children: list[Child]) -> list[dict]:
    """Each child's legal story in date order: becoming looked after, the letter before
    proceedings, each set of proceedings (issue, extensions, hearings, conclusion), the
    orders, the decision that the child should be placed for adoption, each parent's
    consent, and the placements. Eight queries, however many children or events."""
    pks = [c.pk for c in children]
    several = len(children) > 1
    events: list[dict] = []

    def add(on, what, child=None, detail=""):
        if on is None:
            return
        who = [str(child)] if child is not None and several else []
        events.append(
            {"on": on, "what": what, "who": "; ".join(who + ([detail] if detail else []))}
        )

    for child in children:
        basis = child.get_looked_after_basis_display()
        add(child.entered_care_on, "Became looked after" + (f" ({basis})" if basis else ""), child)
        add(child.pre_proceedings_on, "Letter before proceedings (Public Law Outline)", child)
        add(
            child.should_be_placed_on,
            "Agency decision: should be placed for adoption (AAR reg 19)",
            child,
        )
    proceedings = list(
        Proceedings.objects.filter(children__in=pks)
        .distinct()
        .prefetch_related("extensions", "hearings", "children")
        .order_by("issued_on", "pk")
    )
    for item in proceedings:
        named = "; ".join(str(c) for c in item.children.all()) if several else ""
        number = f" ({item.case_number})" if item.case_number else ""
        add(item.issued_on, f"Proceedings issued{number}", detail=named)
        for extension in item.extensions.all():
            add(
                extension.granted_on,
                f"Proceedings extended to {formats.day(extension.ends_on)}",
                detail=extension.reason,
            )
        for hearing in item.hearings.all():
            add(hearing.held_on, hearing.get_kind_display(), detail=hearing.outcome_note)
        add(item.concluded_on, f"Proceedings concluded{number}", detail=named)
    for order in CourtOrder.objects.filter(child__in=pks).select_related("child"):
        add(order.made_on, order.get_kind_display(), order.child)
    for consent in ParentConsent.objects.filter(child__in=pks).select_related("child"):
        what = consent.get_parent_display()
        add(
            consent.agreed_in_writing_on,
            f"{what}: written agreement to placement (AAR reg 35(4))",
            consent.child,
        )
        add(
            consent.witnessed_on,
            f"{what}: consent witnessed",
            consent.child,
            consent.cafcass_officer,
        )
        add(consent.withdrawn_on, f"{what}: consent withdrawn", consent.child)
    for link in PlacementChild.objects.filter(child__in=pks).select_related("placement", "child"):
        placement = link.placement
        add(
            placement.placed_on,
            f"Placed ({placement}, {placement.get_route_display()})",
            link.child,
        )
        add(
            placement.adoption_notice_on,
            "Written notice of placement for adoption (AAR reg 35(5))",
            link.child,
        )
        add(placement.placed_for_adoption_on, "Placed for adoption", link.child)
        if placement.outcome:
            add(placement.outcome_on, placement.get_outcome_display(), link.child)
    return sorted(events, key=lambda e: e["on"])


def proceedings_of(*, children: list[Child]) -> list[Proceedings]:
    """The proceedings about any of these children, newest first, with their children."""
    return list(
        Proceedings.objects.filter(children__in=[c.pk for c in children])
        .distinct()
        .prefetch_related("children")
        .order_by("-issued_on", "-pk")
    )


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

# What clears each kind of deadline, and the page section where it is recorded: reviews
# and visits on the placement, health assessments on the child, the proceedings listed
# with the placement's court timeline.
CLEARED_BY = {
    PlacementDeadline.Kind.REVIEW: ("Record the review", "placement", "reviews"),
    PlacementDeadline.Kind.VISIT: ("Record the visit", "placement", "reviews"),
    PlacementDeadline.Kind.INITIAL_HEALTH: ("Record the assessment", "child", "health"),
    PlacementDeadline.Kind.REVIEW_HEALTH: ("Record the assessment", "child", "health"),
    PlacementDeadline.Kind.PROCEEDINGS: ("See the proceedings", "placement", "court"),
    PlacementDeadline.Kind.AUTHORITY: ("Record the consent", "child", "legal"),
}
# A chase item is cleared by recording what the placing authority confirms.
CHASED_BY = {
    PlacementDeadline.Kind.REVIEW: "Record the review they held",
    PlacementDeadline.Kind.VISIT: "Record the visit they made",
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
    action, page, section = CLEARED_BY.get(deadline.kind, ("", "", ""))
    if deadline.duty == Duty.PLACING_AUTHORITY:
        action = CHASED_BY.get(deadline.kind, action)
    action_url = ""
    if page == "placement":
        action_url = reverse(
            "admin:placements_placement_section", args=[deadline.placement_id, section]
        )
    elif page == "child" and deadline.child_id:
        action_url = reverse("admin:placements_child_section", args=[deadline.child_id, section])
    return DueItem(
        deadline=deadline,
        overdue=deadline.is_overdue(today),
        placement_url=url,
        action=action,
        action_url=action_url,
    )


def dashboard_for(*, user, today: date) -> PlacementsDashboard:
    """Two queries at most, however many placements there are. Dates that only say when
    something becomes possible (``never_late_kinds``) are not listed: nothing is due."""
    horizon = today + timedelta(days=DASHBOARD_DAYS)
    rows = list(
        PlacementDeadline.objects.filter(worker=user, due_on__lte=horizon, kind__in=OVERDUE_KINDS)
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
                "worker": row["worker_pk"],
                "url": f"{changelist}?caseload={row['worker_pk'] or 'unassigned'}&overdue=yes",
            }
            for row in access.visible(
                PlacementDeadline.objects.filter(due_on__lt=today, kind__in=OVERDUE_KINDS), user
            )
            .exclude(placement__status=Placement.Status.ENDED)
            .values(
                worker_pk=F("worker"),
                first_name=F("worker__first_name"),
                last_name=F("worker__last_name"),
            )
            .annotate(overdue=Count("id"), placements=Count("placement", distinct=True))
            .order_by("-overdue", "worker_pk")[:50]
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
    if child.sealed_on is not None:
        born = ""  # a sealed child: nothing that points to either identity
    elif child.date_of_birth:
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


# ---------------------------------------------------------------------------
# Family time on the child's page
# ---------------------------------------------------------------------------


def _window_sessions(today: date):
    """The sessions of the rolling window that ended yesterday (``FAMILY_TIME_WINDOW_WEEKS``):
    every regular session generated for those days."""
    start = today - timedelta(weeks=settings.FAMILY_TIME_WINDOW_WEEKS)
    return FamilyTimeSession.objects.filter(
        held_on__gte=start, held_on__lt=today, kind=FamilyTimePlan.Kind.REGULAR, plan__isnull=False
    )


# Planned: every session of the window; held: those that took place (the parent late or not).
_PLANNED_AND_HELD = {
    "planned": Count("id"),
    "held": Count("id", filter=Q(status__in=FamilyTimeSession.HELD)),
}


def family_time_planned_and_held(*, child: Child, today: date) -> tuple[int, int]:
    """Sessions planned and held over the rolling window that ended yesterday. One query."""
    counts = _window_sessions(today).filter(child=child).aggregate(**_PLANNED_AND_HELD)
    return counts["planned"], counts["held"]


def family_time_shortfalls(*, today: date) -> dict[int, tuple[int, int]]:
    """Every child with a regular plan in force who had fewer sessions held than planned
    over the rolling window: sessions planned and held by the child's id. One query,
    however many children there are."""
    in_force = FamilyTimePlan.objects.filter(
        ends_on__isnull=True, kind=FamilyTimePlan.Kind.REGULAR
    ).values("child_id")
    rows = (
        _window_sessions(today)
        .filter(child_id__in=in_force)
        .values("child_id")
        .annotate(**_PLANNED_AND_HELD)
        .filter(held__lt=F("planned"))
        .order_by("child_id")
    )
    return {row["child_id"]: (row["planned"], row["held"]) for row in rows}


def family_time_page(*, child: Child, today: date) -> dict:
    """The child's family time at a glance, in a fixed number of queries: the plan in
    force (what the birth family must not learn first), the sessions of the next weeks
    and of the rolling window, sessions planned and held in it, and the book."""
    plan = (
        FamilyTimePlan.objects.filter(child=child, ends_on__isnull=True)
        .prefetch_related("relatives")
        .first()
    )
    window_start = today - timedelta(weeks=settings.FAMILY_TIME_WINDOW_WEEKS)
    horizon = today + timedelta(weeks=settings.FAMILY_TIME_WEEKS_AHEAD)
    sessions = list(
        FamilyTimeSession.objects.filter(
            child=child, held_on__gte=window_start, held_on__lte=horizon
        )
        .select_related("plan")
        .order_by("held_on", "starts_at", "id")
    )
    planned, held = family_time_planned_and_held(child=child, today=today)
    book = CommunicationBookEntry.objects.filter(child=child)
    return {
        "today": today,
        "plan": plan,
        "withheld": plan.withheld if plan else [],
        "upcoming": [s for s in sessions if s.held_on >= today],
        "recent": [s for s in sessions if s.held_on < today][::-1],
        "planned": planned,
        "held": held,
        "window_weeks": settings.FAMILY_TIME_WINDOW_WEEKS,
        "awaiting": book.filter(status=CommunicationBookEntry.Status.AWAITING).count(),
        "entries": list(book.order_by("-written_on", "-id")[:10]),
    }

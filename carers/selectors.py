"""Reads for carers, each in a fixed number of queries whatever the size of the caseload."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.urls import reverse
from django.utils import timezone

from portal import access
from portal.deadlines import cases_with_next_deadline
from portal.search import Hit, Kind, changelist_matches

from .clocks import HouseholdFacts
from .models import (
    Applicant,
    Assessment,
    Deadline,
    Document,
    Household,
    OnlineForm,
    PanelMinutes,
    Stage,
    StatutoryCheck,
    Track,
    TrainingRecord,
)
from .reminders import DEADLINES
from .roles import DECISION_PERMISSIONS
from .terms import Misfit, misfits


def household_facts(*, household: Household) -> HouseholdFacts:
    """Everything the clocks and guards look at: six queries (a track's proposed refusal
    comes with it)."""
    return HouseholdFacts(
        household=household,
        assessments=list(
            household.assessments.select_related("panel", "determination")
            # The final minutes of the sitting it is booked for start the decision's clock.
            .annotate(
                minutes_received_on=Subquery(
                    PanelMinutes.objects.filter(
                        assessment=OuterRef("pk"), sitting=OuterRef("panel")
                    ).values("received_on")[:1]
                )
            )
            .order_by("track")
        ),
        members=list(household.members.order_by("date_of_birth", "id")),
        checks=list(
            StatutoryCheck.objects.filter(household=household)
            .select_related("applicant", "member")
            # Whether the check's applicant has sent their health consent from their own
            # area (``own_area.journey`` asks for it while their medical is to come).
            .annotate(
                consent_sent=Exists(
                    OnlineForm.objects.filter(
                        applicant=OuterRef("applicant"),
                        kind=OnlineForm.Kind.HEALTH_CONSENT,
                        submitted_at__isnull=False,
                    )
                )
            )
            .order_by("kind", "id")
        ),
        training=list(
            TrainingRecord.objects.filter(applicant__household=household)
            .select_related("course", "applicant")
            .order_by("applicant__position", "course__name")
        ),
        open_reviews=list(
            household.foster_reviews.filter(completed_on__isnull=True).order_by("track")
        ),
    )


def approval_fits(
    *,
    household: Household,
    children: Sequence,
    on: date,
    already_placed: int = 0,
    tracks: Sequence[str] = (Track.ADOPTION, Track.FOSTERING),
) -> list[Misfit]:
    """How placing ``children`` with the household on ``on`` falls outside the terms of its
    approvals on ``tracks`` (empty: it fits). One query.

    ``children`` are anything with a ``date_of_birth`` and a name as ``str`` (a
    ``placements.Child``); ``already_placed`` counts the children living there already.
    Each ``Misfit`` says it in words (``str(misfit)``) and names its track and child, so a
    recorded exemption can set it aside (``placements.services.terms_of_approval_problems``).
    """
    approvals = Assessment.objects.filter(
        household=household, track__in=list(tracks), agency_decision=Assessment.Decision.APPROVED
    ).order_by("track")
    return [
        misfit
        for approval in approvals
        for misfit in misfits(
            approval=approval,
            who=str(household),
            children=children,
            on=on,
            already_placed=already_placed,
        )
    ]


def household_applicants(*, household: Household) -> list[Applicant]:
    return list(household.applicants.order_by("position"))


def household_document_kinds(*, household: Household) -> set[str]:
    return set(household.documents.values_list("kind", flat=True).distinct())


def households_with_deadlines(queryset: QuerySet[Household], *, today: date) -> QuerySet:
    """Annotate each household with its next deadline and its overdue count (for lists)."""
    return cases_with_next_deadline(queryset, source=DEADLINES, today=today).prefetch_related(
        Prefetch("applicants", queryset=Applicant.objects.order_by("position")),
        Prefetch("assessments", queryset=Assessment.objects.order_by("track")),
    )


def households_overdue(queryset: QuerySet[Household], *, today: date, overdue: bool = True):
    condition = Exists(Deadline.objects.filter(household=OuterRef("pk"), due_on__lt=today))
    return queryset.filter(condition if overdue else ~condition)


@dataclass
class Dashboard:
    overdue: list["DueItem"]
    upcoming: list["DueItem"]
    horizon: date
    awaiting_decision: list[Assessment]
    team_overdue: list[dict]
    truncated: bool
    # Checks asked for and not yet back: waiting on someone outside the agency.
    waiting: list["WaitingItem"] = field(default_factory=list)


# What clears each kind of deadline, and the part of the household page where it is done.
CLEARED_BY: dict[str, tuple[str, str]] = {
    Deadline.Kind.ROI_DECISION: ("Decide on the Registration of Interest", "overview"),
    Deadline.Kind.STAGE_1: ("Record the Stage 1 decision", "overview"),
    Deadline.Kind.STAGE_2_NOTICE: ("Record the notice to proceed", "overview"),
    Deadline.Kind.STAGE_2_DECISION: ("Book the panel or record the decision", "overview"),
    Deadline.Kind.FORM_F_PANEL: ("Book the fostering panel", "overview"),
    Deadline.Kind.APPROVAL: ("Move the assessment on", "overview"),
    Deadline.Kind.AGENCY_DECISION: ("Record the agency decision", "overview"),
    Deadline.Kind.CHECK_EXPIRY: ("Renew the check", "checks"),
    Deadline.Kind.DBS_AT_18: ("Request the DBS check", "checks"),
    Deadline.Kind.TRAINING: ("Record the training", "training"),
    Deadline.Kind.FOSTER_REVIEW: ("Record the review", "panels"),
}


def household_place_url(household_id: int, place: str) -> str:
    """The section of the household page where ``place`` (a CLEARED_BY place) is recorded:
    the overview at the change page itself, the others under it (``portal.admin_sections``)."""
    if place == "overview":
        return reverse("admin:carers_household_change", args=[household_id])
    return reverse("admin:carers_household_section", args=[household_id, place])


@dataclass(frozen=True)
class DueItem:
    """A deadline on the home page: what is due, since when, and the action that clears it."""

    deadline: Deadline
    action: str
    action_url: str

    def __getattr__(self, name):
        # The template reads the deadline's own fields (label, due_on, household) directly.
        return getattr(self.deadline, name)


@dataclass(frozen=True)
class WaitingItem:
    check: StatutoryCheck
    action_url: str


def _due_item(deadline: Deadline) -> DueItem:
    action, place = CLEARED_BY.get(deadline.kind, ("Open the household", "overview"))
    return DueItem(deadline, action, household_place_url(deadline.household_id, place))


DASHBOARD_LIMIT = 100


def dashboard_panel(user) -> dict | None:
    """The carers panel on the staff home page (``portal.dashboard``), for those who may
    see households."""
    if not user.has_perm("carers.view_household"):
        return None
    today = timezone.localdate()
    return {"today": today, "dashboard": dashboard_for(user=user, today=today)}


def dashboard_for(*, user, today: date) -> Dashboard:
    """The signed-in social worker's overdue items and what falls due in the next days.

    Team managers also see the decisions waiting for them and each caseload's overdue count,
    each linked to that worker's overdue list. Five queries at most, however many households
    there are.
    """
    horizon = today + timedelta(days=settings.CARERS_DASHBOARD_DAYS)
    rows = list(
        Deadline.objects.filter(household__social_worker=user, due_on__lte=horizon)
        .exclude(household__status=Household.Status.CLOSED)
        .select_related("household")
        .order_by("due_on", "id")[: DASHBOARD_LIMIT + 1]
    )
    truncated = len(rows) > DASHBOARD_LIMIT
    rows = [_due_item(d) for d in rows[:DASHBOARD_LIMIT]]
    waiting = [
        WaitingItem(check, household_place_url(check.household_id, "checks"))
        for check in StatutoryCheck.objects.filter(
            household__social_worker=user, requested_on__isnull=False, received_on__isnull=True
        )
        .exclude(household__status=Household.Status.CLOSED)
        .select_related("household", "applicant", "member")
        .order_by("requested_on", "id")[:DASHBOARD_LIMIT]
    ]
    awaiting, team = [], []
    decides = [track for track, perm in DECISION_PERMISSIONS.items() if user.has_perm(perm)]
    if decides:
        awaiting = list(
            Assessment.objects.filter(
                stage=Stage.PANEL_RECOMMENDED,
                track__in=decides,
                household__in=access.visible(Household.objects.all(), user).values("pk"),
            )
            .select_related("household", "panel")
            .order_by("panel__sits_on", "id")[:DASHBOARD_LIMIT]
        )
        deadlines = reverse("admin:carers_deadline_changelist")
        team = list(
            access.visible(Deadline.objects.filter(due_on__lt=today), user)
            .exclude(household__status=Household.Status.CLOSED)
            .values(
                "household__social_worker",
                "household__social_worker__first_name",
                "household__social_worker__last_name",
                "household__social_worker__email",
            )
            .annotate(overdue=Count("id"), households=Count("household", distinct=True))
            .order_by("-overdue", "household__social_worker")[:50]
        )
        for row in team:
            worker = row["household__social_worker"] or "unassigned"
            row["url"] = f"{deadlines}?caseload={worker}&overdue=yes"
    return Dashboard(
        overdue=[d for d in rows if d.due_on < today],
        upcoming=[d for d in rows if d.due_on >= today],
        horizon=horizon,
        awaiting_decision=awaiting,
        team_overdue=team,
        truncated=truncated,
        waiting=waiting,
    )


def panel_agenda(*, sitting) -> list[Assessment]:
    return list(
        sitting.agenda.select_related("household")
        .prefetch_related(Prefetch("household__applicants", queryset=Applicant.objects.all()))
        .order_by("household__reference", "track")
    )


def household_documents(*, household: Household) -> list[Document]:
    return list(household.documents.select_related("uploaded_by").order_by("-uploaded_at"))


def social_worker_choices():
    from portal.models import User
    from portal.roles import Role

    return User.objects.filter(
        Q(groups__name__in=[Role.SOCIAL_WORKERS, Role.TEAM_MANAGERS]), is_active=True
    ).distinct()


def household_for_enquirer(email: str):
    """The carer household (not closed) an enquirer's email address belongs to, if any.

    Registered with the enquiries app, which calls it when the enquiry form is sent, so
    one of our carers using the form again is recognised rather than started afresh.
    """
    from enquiries.services.enquiries import KnownHousehold

    email = (email or "").strip()
    if not email:
        return None
    applicant = (
        Applicant.objects.filter(email__iexact=email)
        .exclude(household__status=Household.Status.CLOSED)
        .select_related("household__social_worker")
        .order_by("-household__pk")
        .first()
    )
    if applicant is None:
        return None
    worker = applicant.household.social_worker
    return KnownHousehold(
        reference=applicant.household.reference or "",
        notify_email=worker.email if worker is not None and worker.is_active else "",
    )


# -- the staff search (portal.search) -------------------------------------------------------


def household_search(request, term: str) -> QuerySet:
    """Households whose reference, applicant's name or postcode matches ``term``, found as
    the household list's search box finds them; with their social worker and applicants."""
    rows = Household.objects.select_related("social_worker").prefetch_related(
        Prefetch("applicants", queryset=Applicant.objects.order_by("position"))
    )
    return changelist_matches(Household, request, term, rows).order_by("reference", "pk")


def household_hit(household: Household) -> Hit:
    worker = household.social_worker
    return Hit(
        label=f"{household.reference}: {household.applicant_names() or 'no applicants yet'}",
        link=household.get_absolute_url(),
        context=household.get_status_display()
        + (f", social worker {worker}" if worker is not None else ""),
    )


def applicant_search(request, term: str) -> QuerySet:
    """Applicants with every word of ``term`` in their first or last name."""
    matches = Q()
    for word in term.split():
        matches &= Q(first_name__icontains=word) | Q(last_name__icontains=word)
    return (
        Applicant.objects.filter(matches)
        .select_related("household")
        .order_by("last_name", "first_name", "pk")
    )


def applicant_hit(applicant: Applicant) -> Hit:
    household = applicant.household
    return Hit(
        label=applicant.full_name,
        link=household.get_absolute_url(),
        context=f"Applicant in household {household.reference}",
    )


SEARCH_KINDS = (
    Kind(
        name="households",
        title="Carer households",
        permission="carers.view_household",
        find=household_search,
        hit=household_hit,
        changelist="admin:carers_household_changelist",
        order=10,
    ),
    Kind(
        name="applicants",
        title="Applicants",
        permission="carers.view_household",
        find=applicant_search,
        hit=applicant_hit,
        changelist="admin:carers_household_changelist",
        list_name="carer households",
        order=20,
    ),
)


def panel_papers_panel(user) -> dict | None:
    """A panel member's home page leads to their papers."""
    if not user.has_perm("carers.read_panel_papers"):
        return None
    return {"papers_url": reverse("admin:carers_panelsitting_papers")}

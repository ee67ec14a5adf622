"""Every write and state change for children and their placements.

A placement's status moves only through the transition functions below, on the core
engine (``portal.workflow``). Each locks the placement, checks the move against
``ALLOWED_TRANSITIONS`` and its guard (``PLACEMENT``), saves with ``update_fields``,
writes a dotted audit entry and brings the placement's clocks and reminders up to
date, all in one transaction. A refused move raises ``Refused`` (``TransitionRefused``
here) whose messages say plainly what is missing.
"""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from carers.models import Assessment, Household, Track
from portal import audit, dates, deadlines
from portal.calendar import add_months
from portal.dates import DateProblem
from portal.formats import day
from portal.workflow import Action, Offered, Refused, Table, Workflow, lock, lock_all

from . import clocks, reminders
from .models import (
    Child,
    CourtOrder,
    FamilyTimeArrangement,
    FamilyTimeSession,
    Hearing,
    LookedAfterReview,
    Placement,
    PlacementChild,
    ProceedingsExtension,
    SiblingGroup,
    SocialWorkerVisit,
    TemporaryApproval,
)
from .selectors import placement_facts

Status = Placement.Status
Outcome = Placement.Outcome

# Where a placement may go from each status: to another status, or to an end with an
# outcome. Each target has exactly one service function below.
ALLOWED_TRANSITIONS: dict[str, tuple[str, ...]] = {
    Status.FOSTERING: (
        Status.PLACED_FOR_ADOPTION,
        Outcome.RETURNED_HOME,
        Outcome.PLACED_WITH_KIN,
        Outcome.OTHER,
    ),
    Status.PLACED_FOR_ADOPTION: (Outcome.ADOPTED, Outcome.OTHER),
    Status.ENDED: (),
}

CHANGE_PERMISSION = "placements.change_placement"
APPROVAL_PERMISSION = "placements.grant_temporary_approval"

# Orders that set a child's legal status, and the status each one gives.
LEGAL_STATUS_FOR_ORDER = {
    CourtOrder.Kind.INTERIM_CARE_ORDER: Child.LegalStatus.INTERIM_CARE_ORDER,
    CourtOrder.Kind.CARE_ORDER: Child.LegalStatus.CARE_ORDER,
    CourtOrder.Kind.PLACEMENT_ORDER: Child.LegalStatus.PLACEMENT_ORDER,
    CourtOrder.Kind.ADOPTION_ORDER: Child.LegalStatus.ADOPTED,
}
# The adoption order ends the placement, so it is recorded by that transition only.
ORDERS_RECORDED_ON_THEIR_OWN = [
    kind for kind in CourtOrder.Kind.values if kind != CourtOrder.Kind.ADOPTION_ORDER
]


# The status a placement has once it goes to each target: an outcome ends it.
def _status_after(target: str) -> str:
    return Status.PLACED_FOR_ADOPTION if target == Status.PLACED_FOR_ADOPTION else Status.ENDED


# The engine's table is of statuses; which outcome may end it from where is said by
# each ending action's ``states`` (from ``ALLOWED_TRANSITIONS``).
TABLE = Table(
    {
        status: tuple(dict.fromkeys(_status_after(target) for target in targets))
        for status, targets in ALLOWED_TRANSITIONS.items()
    }
)

# The core's one refusal, under the name callers of this module have always used.
TransitionRefused = Refused


def _not_in_future(on: date, what: str = "The date") -> list[str]:
    return dates.messages(dates.happened(on, label=what))


def _require_note(note: str, what: str) -> str:
    note = (note or "").strip()
    if not note:
        raise TransitionRefused([f"Say why {what}."])
    return note[:2000]


# ---------------------------------------------------------------------------
# Children and sibling groups
# ---------------------------------------------------------------------------


def child_register(*, child: Child, by) -> Child:
    """Save a new child (built by a form or a caller) and give it its reference."""
    if child.pk is not None:
        raise ValueError("child_register is for new children")
    problems = child_problems(child)
    if problems:
        raise TransitionRefused(dates.messages(problems))
    with transaction.atomic():
        child.save()
        child.reference = f"C{child.pk:05d}"
        with audit.silenced():
            child.save(update_fields=["reference"])
        audit.record(
            child,
            "placements.child.registered",
            by=by,
            changes={"reference": [None, child.reference]},
        )
    return child


def child_update(*, child: Child, by) -> Child:
    """Save edits to a child's details (auditlog records the masked diff)."""
    problems = child_problems(child)
    if problems:
        raise TransitionRefused(dates.messages(problems))
    with transaction.atomic():
        child.save()
    return child


# A child is under 18 (Children Act 1989, s105(1)): the oldest age a child's record allows.
CHILD_OLDEST_AGE = 17
# A plausibility bound for an unborn baby's expected date, not a rule: a pregnancy lasts
# about nine months, so an expected date further ahead has almost certainly been mistyped.
EXPECTED_DATE_MONTHS_AHEAD = 10


def child_problems(child: Child, *, today: date | None = None) -> list[DateProblem]:
    """A child's dates: born in the past and under 18, in care after birth and not ahead
    of today, born before any placement began, an expected date within a pregnancy."""
    today = today or timezone.localdate()
    problems: list[DateProblem] = []
    if child.date_of_birth is None and child.expected_on is None:
        problems.append(
            DateProblem(
                "date_of_birth", "Give the date of birth, or the expected date for an unborn baby."
            )
        )
    problems += dates.born(
        child.date_of_birth, field="date_of_birth", oldest=CHILD_OLDEST_AGE, today=today
    )
    if child.date_of_birth is None and child.expected_on is not None:
        latest = add_months(today, EXPECTED_DATE_MONTHS_AHEAD)
        if child.expected_on > latest:
            problems.append(
                DateProblem(
                    "expected_on",
                    f"The expected date of birth ({day(child.expected_on)}) is more than "
                    f"{EXPECTED_DATE_MONTHS_AHEAD} months away: check the year.",
                )
            )
    problems += dates.happened(
        child.entered_care_on,
        label="The date the child entered care",
        field="entered_care_on",
        today=today,
    ) or dates.in_order(
        child.entered_care_on,
        child.date_of_birth,
        label="The date the child entered care",
        earlier_label="the date of birth",
        field="entered_care_on",
    )
    if child.pk is not None and child.date_of_birth is not None:
        first_placed_on = (
            Placement.objects.filter(placement_children__child=child)
            .order_by("placed_on")
            .values_list("placed_on", flat=True)
            .first()
        )
        if first_placed_on is not None and child.date_of_birth > first_placed_on:
            problems.append(
                DateProblem(
                    "date_of_birth",
                    f"The date of birth ({day(child.date_of_birth)}) cannot be after the child "
                    f"was placed ({day(first_placed_on)}).",
                )
            )
    return problems


def sibling_group_create(*, by, notes: str = "") -> SiblingGroup:
    with transaction.atomic():
        group = SiblingGroup.objects.create(notes=notes[:300])
        group.reference = f"SG{group.pk:05d}"
        with audit.silenced():
            group.save(update_fields=["reference"])
    return group


def sibling_group_update(*, group: SiblingGroup, notes: str, by) -> SiblingGroup:
    """Staff changed the group's notes (its reference never changes)."""
    group.notes = notes[:300]
    with transaction.atomic():
        group.save(update_fields=["notes"])
    return group


# ---------------------------------------------------------------------------
# Reg 25A temporary approvals
# ---------------------------------------------------------------------------


def _is_approved_adopter(household: Household, on: date) -> bool:
    return (
        household.status == Household.Status.APPROVED
        and household.adopter_approved_on is not None
        and household.adopter_approved_on <= on
    )


def _is_approved_foster_carer(household: Household, on: date) -> bool:
    return (
        household.status == Household.Status.APPROVED
        and household.foster_carer_approved_on is not None
        and household.foster_carer_approved_on <= on
    )


def temporary_approval_grant(
    *, household: Household, child: Child, approved_on: date, by
) -> TemporaryApproval:
    """Approve adopters, for a reg 25A FfA placement, as foster carers for one named child."""
    if not by.has_perm(APPROVAL_PERMISSION):
        raise TransitionRefused(["Only team managers record a reg 25A temporary approval."])
    with transaction.atomic():
        household, child = lock(household, child)
        problems = _not_in_future(approved_on)
        if not _is_approved_adopter(household, approved_on):
            problems.append(
                f"{household} were not approved adopters on {day(approved_on)}: a reg 25A "
                "approval is only for approved adopters."
            )
        if _is_approved_foster_carer(household, approved_on):
            problems.append(
                f"{household} are already approved foster carers: no temporary approval is needed."
            )
        if TemporaryApproval.objects.filter(
            household=household, child=child, ends_on__isnull=True
        ).exists():
            problems.append(f"{child} already has a reg 25A approval with {household}.")
        if problems:
            raise TransitionRefused(problems)
        approval = TemporaryApproval.objects.create(
            household=household, child=child, approved_on=approved_on, approved_by=by
        )
        audit.record(
            approval,
            "placements.temporary_approval.granted",
            by=by,
            changes={"approved_on": [None, approved_on]},
        )
    return approval


def temporary_approval_end(
    *, approval: TemporaryApproval, on: date, reason: str, by=None
) -> TemporaryApproval:
    if reason not in TemporaryApproval.EndReason.values:
        raise TransitionRefused(["Choose why the temporary approval ends."])
    with transaction.atomic():
        approval = lock(approval)
        if approval.ends_on is not None:
            raise TransitionRefused(["This temporary approval has already ended."])
        problems = dates.happened(on, label="The date it ends") or dates.in_order(
            on,
            approval.approved_on,
            label="The date it ends",
            earlier_label="the date it was approved",
        )
        if problems:
            raise TransitionRefused(dates.messages(problems))
        _end_approval(approval, on=on, reason=reason, by=by)
    return approval


def _end_approval(approval: TemporaryApproval, *, on: date, reason: str, by) -> None:
    ends_on = max(on, approval.approved_on)
    changes = {"ends_on": [None, ends_on], "end_reason": ["", reason]}
    approval.ends_on = ends_on
    approval.end_reason = reason
    with audit.silenced():
        approval.save(update_fields=["ends_on", "end_reason"])
    audit.record(approval, f"placements.temporary_approval.ended.{reason}", by=by, changes=changes)


def temporary_approvals_reconcile(*, today: date | None = None) -> int:
    """End open reg 25A approvals the carers' approval has overtaken (beat sweep).

    The carers app never imports placements, so it cannot end them itself when a household
    is approved as foster carers or its adopter approval ends.
    """
    today = today or timezone.localdate()
    ended = 0
    open_approvals = TemporaryApproval.objects.filter(ends_on__isnull=True).select_related(
        "household"
    )
    foster_approved = open_approvals.filter(
        household__status=Household.Status.APPROVED,
        household__foster_carer_approved_on__isnull=False,
        household__foster_carer_approved_on__lte=today,
    )
    adopter_ended = open_approvals.exclude(
        household__status=Household.Status.APPROVED,
        household__adopter_approved_on__isnull=False,
    )
    for queryset, reason in (
        (foster_approved, TemporaryApproval.EndReason.FOSTER_APPROVAL),
        (adopter_ended, TemporaryApproval.EndReason.ADOPTER_APPROVAL_ENDED),
    ):
        for pk in list(queryset.values_list("pk", flat=True).order_by("pk")[:500]):
            with transaction.atomic():
                approval = (
                    TemporaryApproval.objects.select_for_update()
                    .select_related("household")
                    .get(pk=pk)
                )
                if approval.ends_on is not None:
                    continue
                household = approval.household
                if reason == TemporaryApproval.EndReason.FOSTER_APPROVAL:
                    on = household.foster_carer_approved_on
                else:
                    on = household.closed_on or today
                _end_approval(approval, on=on, reason=reason, by=None)
                ended += 1
    return ended


# ---------------------------------------------------------------------------
# Starting a placement: the guard
# ---------------------------------------------------------------------------


def _current_placement_of(child: Child) -> PlacementChild | None:
    return (
        PlacementChild.objects.filter(child=child, is_current=True)
        .select_related("placement")
        .first()
    )


def terms_of_approval_text(assessment: Assessment) -> str:
    """The terms as the decision gave them: "1 child aged 0 to 2"."""
    number = assessment.approved_number_of_children
    children = f"{number} child{'ren' if number != 1 else ''}" if number else "children"
    if assessment.approved_age_from is None or assessment.approved_age_to is None:
        return children
    return f"{children} aged {assessment.approved_age_from} to {assessment.approved_age_to}"


def terms_of_approval_problems(
    *, household: Household, children: Sequence[Child], placed_on: date, fostering: bool
) -> list[str]:
    """The placement must fit the terms of each approval it relies on.

    Always the adopter approval; the foster carer approval too when the carers foster the
    child under it (Concurrency, or FfA by carers approved as foster carers in full; a
    reg 25A approval is for one named child and has no terms of its own).

    Numbers count the children already placed with the household as well as these.
    Ages are compared in completed years on the day of placement, inclusive at both ends,
    so a range "0 to 2" takes a newborn and a child up to the day before their third
    birthday, and "1 to 1" does not take a baby under one.
    """
    tracks = [Track.ADOPTION, Track.FOSTERING] if fostering else [Track.ADOPTION]
    approvals = {
        a.track: a
        for a in Assessment.objects.filter(
            household=household, track__in=tracks, agency_decision=Assessment.Decision.APPROVED
        )
    }
    already_placed = (
        PlacementChild.objects.filter(placement__household=household, is_current=True)
        .exclude(child__in=[c.pk for c in children])
        .count()
    )
    in_the_home = already_placed + len(children)
    when = day(placed_on)
    problems = []
    for track in tracks:
        approval = approvals.get(track)
        if approval is None:
            continue
        as_what = "adopters" if track == Track.ADOPTION else "foster carers"
        terms = f"{household} are approved as {as_what} for {terms_of_approval_text(approval)}"
        number = approval.approved_number_of_children
        if number and in_the_home > number:
            placed = (
                f"{already_placed} already placed and {len(children)} in this placement"
                if already_placed
                else f"{len(children)} in this placement"
            )
            problems.append(f"{terms}: this would make {in_the_home} ({placed}).")
        low, high = approval.approved_age_from, approval.approved_age_to
        if low is None or high is None:
            continue
        for child in children:
            if child.date_of_birth is None or child.date_of_birth > placed_on:
                continue
            age = dates.age_in_years(child.date_of_birth, placed_on)
            if not low <= age <= high:
                problems.append(
                    f"{terms}: {child} is aged {age} on {when} "
                    f"({dates.age_words(child.date_of_birth, placed_on)})."
                )
    return problems


def placement_start_problems(
    *,
    household: Household,
    children: Sequence[Child],
    route: str,
    placed_on: date,
) -> tuple[list[str], dict[int, TemporaryApproval]]:
    """What stops this placement, and the reg 25A approval that allows each child (FfA)."""
    problems: list[str] = []
    approvals: dict[int, TemporaryApproval] = {}
    if not children:
        problems.append("Choose the child, or the brothers and sisters, placed.")
    if route not in Placement.Route.values:
        problems.append("Choose the route: Concurrency or Fostering for Adoption.")
    problems += _not_in_future(placed_on)
    when = day(placed_on)
    if not _is_approved_adopter(household, placed_on):
        problems.append(f"{household} were not approved as adopters on {when}.")
    fostering_ok = _is_approved_foster_carer(household, placed_on)
    if route == Placement.Route.CONCURRENCY and not fostering_ok:
        problems.append(
            f"Concurrency needs carers approved as foster carers as well as adopters: "
            f"{household} were not approved foster carers on {when}. For Fostering for "
            "Adoption, record a reg 25A approval for each child first."
        )
    if route == Placement.Route.FFA and not fostering_ok and children:
        open_approvals = {
            approval.child_id: approval
            for approval in TemporaryApproval.objects.filter(
                household=household,
                child__in=[c.pk for c in children],
                ends_on__isnull=True,
                approved_on__lte=placed_on,
            )
        }
        for child in children:
            if child.pk in open_approvals:
                approvals[child.pk] = open_approvals[child.pk]
            else:
                problems.append(
                    f"{child}: no reg 25A temporary approval with {household} in force on "
                    f"{when}, and they are not approved foster carers."
                )
    for child in children:
        if child.date_of_birth is None:
            problems.append(f"{child} is not born yet: add the date of birth first.")
        elif child.date_of_birth > placed_on:
            problems.append(f"{child} was born after {when}.")
        current = _current_placement_of(child)
        if current is not None:
            problems.append(f"{child} is already placed ({current.placement}).")
    problems += terms_of_approval_problems(
        household=household, children=children, placed_on=placed_on, fostering=fostering_ok
    )
    return problems, approvals


def placement_start(
    *,
    household: Household,
    children: Sequence[Child],
    route: str,
    placed_on: date,
    came_from: str,
    by,
) -> Placement:
    """Record that a child (or brothers and sisters) came to live with approved carers."""
    if not by.has_perm("placements.add_placement"):
        raise TransitionRefused(["You do not have permission to record placements."])
    if came_from not in Placement.CameFrom.values:
        raise TransitionRefused(["Say where the child came from."])
    with transaction.atomic():
        # Lock the household and the children: two placements of one child cannot race.
        household, *children = lock_all(
            household, *[(Child, pk) for pk in sorted({c.pk for c in children})]
        )
        problems, approvals = placement_start_problems(
            household=household, children=children, route=route, placed_on=placed_on
        )
        if problems:
            raise TransitionRefused(problems)
        placement = Placement.objects.create(
            household=household,
            route=route,
            placed_on=placed_on,
            came_from=came_from,
            status=Status.FOSTERING,
            status_changed_on=placed_on,
            created_by=by,
        )
        placement.reference = f"PL{placement.pk:05d}"
        with audit.silenced():
            placement.save(update_fields=["reference"])
        try:
            for child in children:
                PlacementChild.objects.create(
                    placement=placement, child=child, temporary_approval=approvals.get(child.pk)
                )
        except IntegrityError as clash:
            # Only without row locks (SQLite): the database's one-current-placement rule.
            raise TransitionRefused(
                ["A child on this placement was placed by someone else a moment ago."]
            ) from clash
        audit.record(
            placement,
            "placements.placement.started",
            by=by,
            changes={
                "reference": [None, placement.reference],
                "route": [None, route],
                "placed_on": [None, placed_on],
                "children": [None, ", ".join(c.reference for c in children)],
            },
        )
        deadlines_refresh(placement=placement)
    return placement


# ---------------------------------------------------------------------------
# The court timeline and the records kept on a placement
# ---------------------------------------------------------------------------


def _lock(placement: Placement) -> Placement:
    return lock(placement, related=("household", "household__social_worker"))


def _placement_children(placement: Placement) -> list[Child]:
    return list(
        Child.objects.filter(placement_links__placement=placement).order_by("date_of_birth", "pk")
    )


def placement_details_save(*, placement: Placement, by) -> Placement:
    """Staff edited the proceedings' court, number or dates (auditlog keeps the diff)."""
    if placement.pk is None:
        raise ValueError("placements are started with placement_start")
    problems = []
    if placement.proceedings_concluded_on and not placement.proceedings_issued_on:
        problems.append("Give the date the proceedings were issued.")
    problems += dates.messages(proceedings_date_problems(placement=placement))
    if problems:
        raise TransitionRefused(problems)
    with transaction.atomic():
        placement.save(
            update_fields=[
                "court",
                "case_number",
                "proceedings_issued_on",
                "proceedings_concluded_on",
                "updated_at",
            ]
        )
    return placement


def proceedings_date_problems(
    *, placement: Placement, today: date | None = None
) -> list[DateProblem]:
    """Issued and concluded in the past, in that order."""
    issued, concluded = placement.proceedings_issued_on, placement.proceedings_concluded_on
    return dates.happened(
        issued,
        label="The date the proceedings were issued",
        field="proceedings_issued_on",
        today=today,
    ) + (
        dates.happened(
            concluded,
            label="The date the proceedings concluded",
            field="proceedings_concluded_on",
            today=today,
        )
        or dates.in_order(
            concluded,
            issued,
            label="The date the proceedings concluded",
            earlier_label="the date they were issued",
            field="proceedings_concluded_on",
        )
    )


def placement_after_edit(*, placement: Placement, by=None) -> Placement:
    """After staff edit the proceedings, hearings, reviews or visits: clocks catch up."""
    with transaction.atomic():
        placement = _lock(placement)
        proceedings_dates_refresh(placement=placement)
        deadlines_refresh(placement=placement)
    return placement


def proceedings_dates_refresh(*, placement: Placement) -> None:
    """The 26-week date and the extended date follow the issue date and the extensions."""
    ends = list(placement.proceedings_extensions.values_list("ends_on", flat=True))
    issued = placement.proceedings_issued_on
    target = clocks.proceedings_timetable_end(issued_on=issued) if issued else None
    extended = max(ends) if issued and ends else None
    if (placement.proceedings_target_on, placement.proceedings_extended_to) != (target, extended):
        placement.proceedings_target_on = target
        placement.proceedings_extended_to = extended
        with audit.silenced():
            placement.save(
                update_fields=["proceedings_target_on", "proceedings_extended_to", "updated_at"]
            )


def proceedings_issue(
    *, placement: Placement, issued_on: date, by, court: str = "", case_number: str = ""
) -> Placement:
    problems = _not_in_future(issued_on)
    if problems:
        raise TransitionRefused(problems)
    with transaction.atomic():
        placement = _lock(placement)
        changes = {"proceedings_issued_on": [placement.proceedings_issued_on, issued_on]}
        placement.proceedings_issued_on = issued_on
        placement.court = court[:120] or placement.court
        placement.case_number = case_number[:40] or placement.case_number
        with audit.silenced():
            placement.save(
                update_fields=["proceedings_issued_on", "court", "case_number", "updated_at"]
            )
        audit.record(placement, "placements.proceedings.issued", by=by, changes=changes)
        proceedings_dates_refresh(placement=placement)
        deadlines_refresh(placement=placement)
    return placement


def extension_end_problems(
    *, issued_on: date, other_ends: Iterable[date], granted_on: date, ends_on: date
) -> list[str]:
    """What is wrong with an extension's end date (Children Act 1989 s32(5) and (8)).

    The period it extends is the 26 weeks, or the latest other extension ending before it.
    """
    problems = []
    if ends_on <= granted_on:
        problems.append("An extension ends after the day it is granted.")
    extended = max(
        [clocks.proceedings_timetable_end(issued_on=issued_on)]
        + [end for end in other_ends if end < ends_on]
    )
    if ends_on <= extended:
        problems.append(
            f"An extension must end after the period it extends, which ends on {day(extended)}."
        )
        return problems
    latest = clocks.extension_latest_end(period_end=extended, granted_on=granted_on)
    if ends_on > latest:
        problems.append(
            f"An extension can end no later than {day(latest)}: 8 weeks after the later of "
            f"the end of the period it extends ({day(extended)}) and the day it is granted "
            f"({day(granted_on)}) (Children Act 1989, section 32(8))."
        )
    return problems


def proceedings_extend(
    *, placement: Placement, granted_on: date, ends_on: date, by, reason: str = ""
) -> ProceedingsExtension:
    """The court extended the period for the proceedings to ``ends_on`` (the date it set)."""
    with transaction.atomic():
        placement = _lock(placement)
        if placement.proceedings_issued_on is None:
            raise TransitionRefused(["Record the date the care proceedings were issued first."])
        if placement.proceedings_concluded_on is not None:
            raise TransitionRefused(["The care proceedings have concluded."])
        problems = dates.messages(
            extension_date_problems(placement=placement, granted_on=granted_on)
        )
        ends = list(placement.proceedings_extensions.values_list("ends_on", flat=True))
        current = clocks.proceedings_end(
            issued_on=placement.proceedings_issued_on, extension_ends=ends
        )
        if not problems:
            if ends_on <= current:
                problems.append(
                    f"The proceedings already run to {day(current)}: an extension ends after that."
                )
            else:
                problems += extension_end_problems(
                    issued_on=placement.proceedings_issued_on,
                    other_ends=ends,
                    granted_on=granted_on,
                    ends_on=ends_on,
                )
        if problems:
            raise TransitionRefused(problems)
        extension = ProceedingsExtension.objects.create(
            placement=placement, granted_on=granted_on, ends_on=ends_on, reason=reason[:300]
        )
        audit.record(
            placement,
            "placements.proceedings.extended",
            by=by,
            changes={"proceedings_extended_to": [current, ends_on]},
        )
        proceedings_dates_refresh(placement=placement)
        deadlines_refresh(placement=placement)
    return extension


def extension_date_problems(
    *, placement: Placement, granted_on: date, today: date | None = None
) -> list[DateProblem]:
    """Granted in the past, within the proceedings (they may predate the placement)."""
    return dates.happened(
        granted_on, label="The date granted", field="granted_on", today=today
    ) or dates.in_order(
        granted_on,
        placement.proceedings_issued_on,
        label="The date granted",
        earlier_label="the date the proceedings were issued",
        field="granted_on",
    )


def hearing_date_problems(*, placement: Placement, held_on: date) -> list[DateProblem]:
    """A hearing may be listed ahead, and may predate the placement, not the proceedings."""
    return dates.in_order(
        held_on,
        placement.proceedings_issued_on,
        label="The date of the hearing",
        earlier_label="the date the proceedings were issued",
        field="held_on",
    )


def proceedings_conclude(*, placement: Placement, on: date, by) -> Placement:
    with transaction.atomic():
        placement = _lock(placement)
        problems = _not_in_future(on)
        if placement.proceedings_issued_on is None:
            problems.append("Record the date the care proceedings were issued first.")
        elif on < placement.proceedings_issued_on:
            problems.append("Proceedings cannot conclude before they were issued.")
        if problems:
            raise TransitionRefused(problems)
        changes = {"proceedings_concluded_on": [None, on]}
        placement.proceedings_concluded_on = on
        with audit.silenced():
            placement.save(update_fields=["proceedings_concluded_on", "updated_at"])
        audit.record(placement, "placements.proceedings.concluded", by=by, changes=changes)
        deadlines_refresh(placement=placement)
    return placement


def hearing_record(
    *, placement: Placement, held_on: date, kind: str, by, outcome_note: str = ""
) -> Hearing:
    """A hearing: past with its outcome, or listed for a future date."""
    with transaction.atomic():
        placement = _lock(placement)
        problems = hearing_date_problems(placement=placement, held_on=held_on)
        if problems:
            raise TransitionRefused(dates.messages(problems))
        return Hearing.objects.create(
            placement=placement, held_on=held_on, kind=kind, outcome_note=outcome_note[:500]
        )


def court_order_record(
    *, placement: Placement, children: Sequence[Child], kind: str, made_on: date, by
) -> list[CourtOrder]:
    """An order for one or more children of the placement; their legal status follows."""
    if kind not in ORDERS_RECORDED_ON_THEIR_OWN:
        raise TransitionRefused(
            ["Record the adoption order with the “Record the adoption order” button."]
        )
    with transaction.atomic():
        placement = _lock(placement)
        problems = _not_in_future(made_on)
        in_placement = {c.pk for c in _placement_children(placement)}
        if not children:
            problems.append("Choose the child or children the order is for.")
        problems += [f"{c} is not in this placement." for c in children if c.pk not in in_placement]
        for child in children:
            problems += dates.messages(
                dates.in_order(
                    made_on,
                    child.date_of_birth,
                    label=f"The order for {child}",
                    earlier_label="their date of birth",
                )
            )
        if problems:
            raise TransitionRefused(problems)
        orders = [_order_create(placement, child, kind, made_on, by) for child in children]
    return orders


def _order_create(placement: Placement, child: Child, kind: str, made_on: date, by) -> CourtOrder:
    order, created = CourtOrder.objects.get_or_create(
        child=child,
        kind=kind,
        made_on=made_on,
        defaults={"placement": placement, "recorded_by": by},
    )
    if created:
        _legal_status_refresh(child, by=by)
    return order


def _legal_status_refresh(child: Child, *, by) -> None:
    """A child's legal status is the one given by their latest order that sets one."""
    latest = (
        CourtOrder.objects.filter(child=child, kind__in=list(LEGAL_STATUS_FOR_ORDER))
        .order_by("-made_on", "-id")
        .values_list("kind", flat=True)
        .first()
    )
    if latest is None:
        return
    _legal_status_set(child, LEGAL_STATUS_FOR_ORDER[latest], by=by)


def _legal_status_set(child: Child, status: str, *, by) -> None:
    if child.legal_status == status:
        return
    changes = {"legal_status": [child.legal_status, status]}
    child.legal_status = status
    with audit.silenced():
        child.save(update_fields=["legal_status", "updated_at"])
    audit.record(child, "placements.child.legal_status_changed", by=by, changes=changes)


def record_date_problems(
    *,
    placement: Placement,
    on: date,
    what: str = "The date",
    field: str | None = None,
    allow_future: bool = False,
    today: date | None = None,
) -> list[DateProblem]:
    """A record kept on a placement: not ahead of today, and within the placement."""
    problems = [] if allow_future else dates.happened(on, label=what, field=field, today=today)
    if on < placement.placed_on:
        problems.append(
            DateProblem(
                field, f"{what} cannot be before the placement began ({day(placement.placed_on)})."
            )
        )
    elif placement.outcome_on is not None and on > placement.outcome_on:
        problems.append(
            DateProblem(
                field, f"{what} cannot be after the placement ended ({day(placement.outcome_on)})."
            )
        )
    return problems


def _record_date_problems(placement: Placement, on: date, what: str) -> list[str]:
    return dates.messages(record_date_problems(placement=placement, on=on, what=what))


def _review_problems(
    placement: Placement, held_on: date, visit_interval_weeks: int | None, *, review_pk=None
) -> list[str]:
    problems = _record_date_problems(placement, held_on, "A review")
    if visit_interval_weeks is not None and not 1 <= visit_interval_weeks <= 26:
        problems.append("Visits are set between every week and every 26 weeks.")
    if placement.reviews.filter(held_on=held_on).exclude(pk=review_pk).exists():
        problems.append(f"A review on {day(held_on)} is already recorded.")
    return problems


def review_record(
    *,
    placement: Placement,
    held_on: date,
    by,
    note: str = "",
    visit_interval_weeks: int | None = None,
) -> LookedAfterReview:
    """A review held; after placement for adoption it may set how often visits happen."""
    with transaction.atomic():
        placement = _lock(placement)
        problems = _review_problems(placement, held_on, visit_interval_weeks)
        if problems:
            raise TransitionRefused(problems)
        review = LookedAfterReview.objects.create(
            placement=placement,
            held_on=held_on,
            visit_interval_weeks=visit_interval_weeks,
            note=note[:500],
        )
        deadlines_refresh(placement=placement)
    return review


def _visit_problems(placement: Placement, visited_on: date, *, visit_pk=None) -> list[str]:
    problems = _record_date_problems(placement, visited_on, "A visit")
    if placement.visits.filter(visited_on=visited_on).exclude(pk=visit_pk).exists():
        problems.append(f"A visit on {day(visited_on)} is already recorded.")
    return problems


def visit_record(
    *, placement: Placement, visited_on: date, by, seen_alone: bool = False, note: str = ""
) -> SocialWorkerVisit:
    with transaction.atomic():
        placement = _lock(placement)
        problems = _visit_problems(placement, visited_on)
        if problems:
            raise TransitionRefused(problems)
        visit = SocialWorkerVisit.objects.create(
            placement=placement, visited_on=visited_on, seen_alone=seen_alone, note=note[:500]
        )
        deadlines_refresh(placement=placement)
    return visit


def family_time_end_problems(*, starts_on: date | None, ends_on: date | None) -> list[DateProblem]:
    """An end date records that the arrangement has ended: not ahead, not before it began."""
    return dates.happened(ends_on, label="The end date", field="ends_on") or dates.in_order(
        ends_on, starts_on, label="The end date", earlier_label="the start date", field="ends_on"
    )


def _arrangement_problems(placement: Placement, starts_on: date, ends_on: date | None) -> list[str]:
    return _record_date_problems(
        placement, starts_on, "The start of the arrangement"
    ) + dates.messages(family_time_end_problems(starts_on=starts_on, ends_on=ends_on))


def family_time_arrange(
    *,
    placement: Placement,
    starts_on: date,
    times_per_week: int,
    venue: str,
    supervised: bool,
    by,
    with_whom: str = "",
    ends_on: date | None = None,
) -> FamilyTimeArrangement:
    """A new family time arrangement; the one it replaces ends the same day.

    One that has already ended (``ends_on`` given) is recorded as it was and ends nothing.
    """
    with transaction.atomic():
        placement = _lock(placement)
        problems = _arrangement_problems(placement, starts_on, ends_on)
        if problems:
            raise TransitionRefused(problems)
        current = placement.family_time_arrangements.filter(ends_on__isnull=True).first()
        if current is not None and ends_on is None:
            if starts_on < current.starts_on:
                raise TransitionRefused(
                    [f"The current arrangement began on {day(current.starts_on)}."]
                )
            current.ends_on = starts_on
            current.save(update_fields=["ends_on"])
        return FamilyTimeArrangement.objects.create(
            placement=placement,
            starts_on=starts_on,
            ends_on=ends_on,
            times_per_week=times_per_week,
            venue=venue[:150],
            supervised=supervised,
            with_whom=with_whom[:100],
        )


def _session_problems(placement: Placement, held_on: date, status: str) -> list[str]:
    problems = _record_date_problems(placement, held_on, "Family time")
    if status not in FamilyTimeSession.Status.values:
        problems.append("Say whether the session took place.")
    return problems


def family_time_session_record(
    *, placement: Placement, held_on: date, status: str, by, note: str = ""
) -> FamilyTimeSession:
    with transaction.atomic():
        placement = _lock(placement)
        problems = _session_problems(placement, held_on, status)
        if problems:
            raise TransitionRefused(problems)
        return FamilyTimeSession.objects.create(
            placement=placement, held_on=held_on, status=status, note=note[:500]
        )


# ---------------------------------------------------------------------------
# Correcting and removing the records kept on a placement: the same rules as recording
# them, checked with the placement locked; auditlog keeps each change and removal.
# ---------------------------------------------------------------------------

RECORD_MODELS = (
    ProceedingsExtension,
    Hearing,
    FamilyTimeArrangement,
    FamilyTimeSession,
    LookedAfterReview,
    SocialWorkerVisit,
)


def _lock_record(record):
    """The record's placement, locked, and the record as it is now."""
    placement = _lock(Placement(pk=record.placement_id))
    return placement, type(record).objects.get(pk=record.pk, placement=placement)


def _save_record(record, problems: list[str], **values) -> None:
    if problems:
        raise Refused(problems)
    for name, value in values.items():
        setattr(record, name, value)
    record.save(update_fields=list(values))


def review_update(
    *,
    review: LookedAfterReview,
    held_on: date,
    by,
    note: str = "",
    visit_interval_weeks: int | None = None,
) -> LookedAfterReview:
    with transaction.atomic():
        placement, review = _lock_record(review)
        problems = _review_problems(placement, held_on, visit_interval_weeks, review_pk=review.pk)
        _save_record(
            review,
            problems,
            held_on=held_on,
            visit_interval_weeks=visit_interval_weeks,
            note=note[:500],
        )
        deadlines_refresh(placement=placement)
    return review


def visit_update(
    *, visit: SocialWorkerVisit, visited_on: date, by, seen_alone: bool = False, note: str = ""
) -> SocialWorkerVisit:
    with transaction.atomic():
        placement, visit = _lock_record(visit)
        problems = _visit_problems(placement, visited_on, visit_pk=visit.pk)
        _save_record(visit, problems, visited_on=visited_on, seen_alone=seen_alone, note=note[:500])
        deadlines_refresh(placement=placement)
    return visit


def hearing_update(
    *, hearing: Hearing, held_on: date, kind: str, by, outcome_note: str = ""
) -> Hearing:
    with transaction.atomic():
        placement, hearing = _lock_record(hearing)
        problems = dates.messages(hearing_date_problems(placement=placement, held_on=held_on))
        _save_record(hearing, problems, held_on=held_on, kind=kind, outcome_note=outcome_note[:500])
    return hearing


def proceedings_extension_update(
    *, extension: ProceedingsExtension, granted_on: date, ends_on: date, by, reason: str = ""
) -> ProceedingsExtension:
    """A correction to the dates the court set, checked against the other extensions
    (Children Act 1989 s32(5) and (8)). Unlike a new extension, it may be corrected after
    the proceedings concluded, and need not be the latest one."""
    with transaction.atomic():
        placement, extension = _lock_record(extension)
        if placement.proceedings_issued_on is None:
            raise Refused("Record the date the care proceedings were issued first.")
        problems = dates.messages(
            extension_date_problems(placement=placement, granted_on=granted_on)
        ) or extension_end_problems(
            issued_on=placement.proceedings_issued_on,
            other_ends=placement.proceedings_extensions.exclude(pk=extension.pk).values_list(
                "ends_on", flat=True
            ),
            granted_on=granted_on,
            ends_on=ends_on,
        )
        _save_record(
            extension, problems, granted_on=granted_on, ends_on=ends_on, reason=reason[:300]
        )
        proceedings_dates_refresh(placement=placement)
        deadlines_refresh(placement=placement)
    return extension


def family_time_arrangement_update(
    *,
    arrangement: FamilyTimeArrangement,
    starts_on: date,
    ends_on: date | None,
    times_per_week: int,
    venue: str,
    supervised: bool,
    by,
    with_whom: str = "",
) -> FamilyTimeArrangement:
    """A correction, or the end date of an arrangement that has ended."""
    with transaction.atomic():
        placement, arrangement = _lock_record(arrangement)
        problems = _arrangement_problems(placement, starts_on, ends_on)
        current = (
            placement.family_time_arrangements.filter(ends_on__isnull=True)
            .exclude(pk=arrangement.pk)
            .first()
        )
        if ends_on is None and current is not None:
            problems.append(
                f"The arrangement from {day(current.starts_on)} is the current one: "
                "give this one an end date."
            )
        _save_record(
            arrangement,
            problems,
            starts_on=starts_on,
            ends_on=ends_on,
            times_per_week=times_per_week,
            venue=venue[:150],
            supervised=supervised,
            with_whom=with_whom[:100],
        )
    return arrangement


def family_time_session_update(
    *, session: FamilyTimeSession, held_on: date, status: str, by, note: str = ""
) -> FamilyTimeSession:
    with transaction.atomic():
        placement, session = _lock_record(session)
        problems = _session_problems(placement, held_on, status)
        _save_record(session, problems, held_on=held_on, status=status, note=note[:500])
    return session


def placement_record_delete(*, record, by) -> None:
    """Remove a record entered by mistake; the placement's dates and clocks follow."""
    if not isinstance(record, RECORD_MODELS):
        raise TypeError(f"{type(record).__name__} is not a record kept on a placement")
    with transaction.atomic():
        placement, record = _lock_record(record)
        record.delete()
        proceedings_dates_refresh(placement=placement)
        deadlines_refresh(placement=placement)


# ---------------------------------------------------------------------------
# Transitions: one function per move
# ---------------------------------------------------------------------------


def _placement_guard_place_for_adoption(placement: Placement, children, on: date) -> list[str]:
    problems = []
    with_order = dict(
        CourtOrder.objects.filter(
            child__in=[c.pk for c in children], kind=CourtOrder.Kind.PLACEMENT_ORDER
        )
        .values("child")
        .annotate(latest=Max("made_on"))
        .values_list("child", "latest")
    )
    for child in children:
        made_on = with_order.get(child.pk)
        if made_on is None:
            problems.append(f"Record the placement order for {child} first.")
        elif made_on > on:
            problems.append(f"The placement order for {child} was made on {day(made_on)}.")
    if not _is_approved_adopter(placement.household, on):
        problems.append(f"{placement.household} were not approved adopters on {day(on)}.")
    return problems


def _placement_guard_adoption_order(placement: Placement, children, on: date) -> list[str]:
    if placement.adoption_application_on is None:
        return ["Record the carers' adoption order application first."]
    if on < placement.adoption_application_on:
        return [
            f"The order cannot come before the application ({day(placement.adoption_application_on)})."
        ]
    return []


def _guard_adoption_application(placement: Placement, children, on: date) -> list[str]:
    earliest = clocks.adoption_application_from(placement.placed_on)
    problems = []
    if placement.adoption_application_on is not None:
        problems.append(
            f"The application was recorded on {day(placement.adoption_application_on)}."
        )
    if on < earliest:
        problems.append(
            f"The carers may apply from {day(earliest)}, once the child has lived with them "
            "for 10 weeks."
        )
    return problems


@dataclass(frozen=True)
class Context:
    """What the guards read: the placement's children and the day of the move."""

    children: list[Child]
    on: date


def _guard(check: Callable[[Placement, list[Child], date], list[str]]):
    """A guard above, as the engine calls it: ``(placement, context)``."""
    return lambda placement, context: check(placement, context.children, context.on)


def _ending(outcome: str) -> dict:
    """An action that ends the placement with ``outcome``, from where the table allows it."""
    return {
        "targets": (Status.ENDED,),
        "states": tuple(s for s, targets in ALLOWED_TRANSITIONS.items() if outcome in targets),
    }


PLACEMENT = Workflow(
    table=TABLE,
    audit_prefix="placements.placement",
    permission=CHANGE_PERMISSION,
    permission_refused="You do not have permission to change placements.",
    not_open=lambda action, placement: (
        f"{action.label} is not possible: the placement is “{placement.get_status_display()}”."
    ),
    actions=[
        Action(
            "place_for_adoption",
            "Placed for adoption (placement order made)",
            (Status.PLACED_FOR_ADOPTION,),
            guards=(_guard(_placement_guard_place_for_adoption),),
        ),
        Action(
            "record_adoption_application",
            "Record the adoption order application",
            states=(Status.PLACED_FOR_ADOPTION,),
            guards=(_guard(_guard_adoption_application),),
        ),
        Action(
            "record_adoption_order",
            "Record the adoption order",
            **_ending(Outcome.ADOPTED),
            guards=(_guard(_placement_guard_adoption_order),),
        ),
        Action(
            "record_return_home",
            "Returned to the birth family",
            **_ending(Outcome.RETURNED_HOME),
            needs_note=True,
        ),
        Action(
            "record_kin_placement",
            "Placed with kin (e.g. special guardianship)",
            **_ending(Outcome.PLACED_WITH_KIN),
            needs_note=True,
        ),
        Action(
            "end_other",
            "End the placement (other)",
            **_ending(Outcome.OTHER),
            warning=True,
            needs_note=True,
        ),
        Action(
            "record_court_order",
            "Record a court order",
            states=(Status.FOSTERING, Status.PLACED_FOR_ADOPTION),
            fields=("kind", "children"),
        ),
    ],
)

# The buttons by name (the admin's URLs name them).
ACTIONS: dict[str, Action] = PLACEMENT.actions


def actions_for(*, placement: Placement, children: list[Child], user, on: date) -> list[Offered]:
    """The actions open to this user on this placement now, with what blocks each one."""
    return PLACEMENT.actions_for(placement, user=user, context=Context(children, on))


def action_offered(
    *, placement: Placement, name: str, children: list[Child], user, on: date
) -> Offered | None:
    """One action as ``actions_for`` offers it (None when it is not open now)."""
    return PLACEMENT.offered(placement, name, user=user, context=Context(children, on))


def _begin(placement: Placement, action_name: str, *, by, on: date):
    """Lock, then check permission, the move, the date and the guard."""
    locked = _lock(placement)
    action = PLACEMENT.check_open(locked, action_name, user=by)
    problems = _not_in_future(on)
    if on < locked.status_changed_on:
        problems.append(
            f"The date cannot be before {day(locked.status_changed_on)}, when the placement "
            f"became “{locked.get_status_display()}”."
        )
    children = _placement_children(locked)
    problems += PLACEMENT.guard_problems(action, locked, Context(children, on))
    if problems:
        raise TransitionRefused(problems)
    return locked, children


def _move(placement: Placement, *, to: str, on: date, by, what: str, fields: dict) -> None:
    """Apply one allowed move: a new status, or the end with an outcome (``to``)."""
    if to not in ALLOWED_TRANSITIONS[placement.status]:
        raise TransitionRefused([f"“{placement.get_status_display()}” cannot move to “{to}”."])
    if _status_after(to) == Status.ENDED:
        fields = {**fields, "outcome": to, "outcome_on": on}
    placement.status_changed_on = on
    PLACEMENT.move(
        placement,
        to=_status_after(to),
        by=by,
        what=what,
        fields=fields,
        also_save=["status_changed_on"],
    )


def _end(placement: Placement, children: list[Child], *, on: date, by, legal_status: str | None):
    """What follows every ending: the children are free to be placed, approvals end."""
    PlacementChild.objects.filter(placement=placement).update(is_current=False)
    for approval in TemporaryApproval.objects.select_for_update().filter(
        household=placement.household_id, child__in=[c.pk for c in children], ends_on__isnull=True
    ):
        _end_approval(approval, on=on, reason=TemporaryApproval.EndReason.PLACEMENT_ENDED, by=by)
    placement.family_time_arrangements.filter(ends_on__isnull=True).update(ends_on=on)
    if legal_status:
        for child in children:
            _legal_status_set(child, legal_status, by=by)
    deadlines_refresh(placement=placement)


def placement_place_for_adoption(
    *, placement: Placement, on: date, by, note: str = "", notice_on: date | None = None
) -> Placement:
    """The child is placed for adoption: the carers now care for them as prospective adopters.

    The child already lives with the carers, so the agency gives them written notice of the
    date (Adoption Agencies Regulations 2005, reg 35(5)); ``notice_on`` is that notice's
    date. From then the adoption review and visit clocks (AAR reg 36) replace the CPPCR ones.
    """
    with transaction.atomic():
        placement, children = _begin(placement, "place_for_adoption", by=by, on=on)
        if notice_on is not None:
            problems = _not_in_future(notice_on, "The date of the written notice")
            if notice_on < placement.placed_on:
                problems.append(
                    "The written notice cannot come before the child came to live with the "
                    f"carers ({day(placement.placed_on)})."
                )
            if problems:
                raise TransitionRefused(problems)
        _move(
            placement,
            to=Status.PLACED_FOR_ADOPTION,
            on=on,
            by=by,
            what="placed_for_adoption",
            fields={"placed_for_adoption_on": on, "adoption_notice_on": notice_on},
        )
        deadlines_refresh(placement=placement)
    return placement


def placement_record_adoption_application(
    *, placement: Placement, on: date, by, note: str = ""
) -> Placement:
    """Not a move: the carers applied for the adoption order (from 10 weeks after placement)."""
    with transaction.atomic():
        placement, children = _begin(placement, "record_adoption_application", by=by, on=on)
        changes = {"adoption_application_on": [None, on]}
        placement.adoption_application_on = on
        with audit.silenced():
            placement.save(update_fields=["adoption_application_on", "updated_at"])
        audit.record(
            placement, "placements.placement.adoption_application_made", by=by, changes=changes
        )
        deadlines_refresh(placement=placement)
    return placement


def placement_record_adoption_order(
    *, placement: Placement, on: date, by, note: str = ""
) -> Placement:
    """The court made the adoption order: the carers are the child's parents."""
    with transaction.atomic():
        placement, children = _begin(placement, "record_adoption_order", by=by, on=on)
        for child in children:
            CourtOrder.objects.get_or_create(
                child=child,
                kind=CourtOrder.Kind.ADOPTION_ORDER,
                made_on=on,
                defaults={"placement": placement, "recorded_by": by},
            )
        _move(
            placement,
            to=Outcome.ADOPTED,
            on=on,
            by=by,
            what="adopted",
            fields={"outcome_note": (note or "").strip()[:2000]},
        )
        _end(placement, children, on=on, by=by, legal_status=Child.LegalStatus.ADOPTED)
    return placement


def placement_record_return_home(*, placement: Placement, on: date, by, note: str) -> Placement:
    """The court decided the child goes home: a normal outcome, supported by the carers."""
    note = _require_note(note, "the child is returning home (the court's decision)")
    with transaction.atomic():
        placement, children = _begin(placement, "record_return_home", by=by, on=on)
        _move(
            placement,
            to=Outcome.RETURNED_HOME,
            on=on,
            by=by,
            what="returned_home",
            fields={"outcome_note": note},
        )
        _end(placement, children, on=on, by=by, legal_status=Child.LegalStatus.LEFT_CARE)
    return placement


def placement_record_kin_placement(*, placement: Placement, on: date, by, note: str) -> Placement:
    note = _require_note(note, "the child is living with kin (e.g. the order made)")
    with transaction.atomic():
        placement, children = _begin(placement, "record_kin_placement", by=by, on=on)
        _move(
            placement,
            to=Outcome.PLACED_WITH_KIN,
            on=on,
            by=by,
            what="placed_with_kin",
            fields={"outcome_note": note},
        )
        _end(placement, children, on=on, by=by, legal_status=Child.LegalStatus.LEFT_CARE)
    return placement


def placement_end_other(*, placement: Placement, on: date, by, note: str) -> Placement:
    """Any other ending (e.g. the child moved on). The child stays looked after."""
    note = _require_note(note, "the placement ends")
    with transaction.atomic():
        placement, children = _begin(placement, "end_other", by=by, on=on)
        _move(
            placement,
            to=Outcome.OTHER,
            on=on,
            by=by,
            what="ended_other",
            fields={"outcome_note": note},
        )
        _end(placement, children, on=on, by=by, legal_status=None)
    return placement


def placement_record_court_order(
    *, placement: Placement, on: date, by, kind: str, children: Sequence[Child], note: str = ""
) -> list[CourtOrder]:
    """The admin's "Record a court order" button (same as ``court_order_record``)."""
    if not by.has_perm(CHANGE_PERMISSION):
        raise TransitionRefused(["You do not have permission to change placements."])
    return court_order_record(placement=placement, children=children, kind=kind, made_on=on, by=by)


# Every action by its name, for the admin's buttons.
TRANSITION_SERVICES: dict[str, Callable] = {
    "place_for_adoption": placement_place_for_adoption,
    "record_adoption_application": placement_record_adoption_application,
    "record_adoption_order": placement_record_adoption_order,
    "record_return_home": placement_record_return_home,
    "record_kin_placement": placement_record_kin_placement,
    "end_other": placement_end_other,
    "record_court_order": placement_record_court_order,
}


# ---------------------------------------------------------------------------
# Deadlines and their reminders
# ---------------------------------------------------------------------------


def deadlines_refresh(*, placement: Placement) -> None:
    """Make the placement's deadline rows match its clocks, and the reminders match them.

    Call inside the transaction that changed the facts, with the placement locked.
    """
    deadlines.deadlines_refresh(
        source=reminders.DEADLINES,
        owner=placement,
        clocks=clocks.placement_clocks(placement_facts(placement=placement)),
        worker=placement.household.social_worker,
    )


def deadlines_refresh_all(*, limit: int | None = None) -> int:
    """Bring the stored deadlines of every open placement into line with the clocks.

    For after an upgrade that changes a rule: each placement in its own transaction.
    """
    pks = Placement.objects.exclude(status=Status.ENDED).order_by("pk").values_list("pk", flat=True)
    pks = list(pks[:limit] if limit else pks)
    for pk in pks:
        with transaction.atomic():
            placement = _lock(Placement(pk=pk))
            proceedings_dates_refresh(placement=placement)
            deadlines_refresh(placement=placement)
    return len(pks)


def deadlines_follow_social_workers(*, limit: int = 500) -> int:
    """Re-address reminders when a household's social worker changed (beat sweep).

    The carers app cannot tell placements; this finds the deadlines whose recipient no
    longer matches, a bounded batch at a time.
    """
    stale = deadlines.deadlines_with_stale_recipient(reminders.DEADLINES)
    placement_pks = list(
        stale.values_list("placement_id", flat=True).distinct().order_by("placement_id")[:limit]
    )
    for pk in placement_pks:
        with transaction.atomic():
            deadlines_refresh(placement=_lock(Placement(pk=pk)))
    return len(placement_pks)

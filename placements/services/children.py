"""Children and sibling groups: registering and editing a child, and a child's date problems."""

from datetime import date

from django.db import transaction
from django.utils import timezone

from portal import audit, dates
from portal.calendar import add_months
from portal.dates import DateProblem
from portal.formats import day

from ..models import Child, Placement, SiblingGroup
from .common import TransitionRefused
from .deadlines import children_deadlines_refresh, lock_child

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
    """Save edits to a child's details (auditlog records the masked diff). The day the
    child became looked after, who holds each duty and the agency's worker for the child
    move the child's clocks and who is reminded: they follow in the same transaction."""
    problems = child_problems(child)
    if problems:
        raise TransitionRefused(dates.messages(problems))
    with transaction.atomic():
        lock_child(child)
        child.save()
        children_deadlines_refresh(children=[child])
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
    for value, label, name in (
        (
            child.pre_proceedings_on,
            "The date of the letter before proceedings",
            "pre_proceedings_on",
        ),
        (
            child.should_be_placed_on,
            "The date of the decision that the child should be placed for adoption",
            "should_be_placed_on",
        ),
    ):
        problems += dates.happened(value, label=label, field=name, today=today) or dates.in_order(
            value, child.date_of_birth, label=label, earlier_label="the date of birth", field=name
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

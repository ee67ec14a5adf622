"""The records kept on a placement for each child in it (reviews, visits)
and on proceedings (extensions, hearings), and their correction and removal, with the
same rules either way. A review belongs to the child: it counts wherever they live next."""

from datetime import date

from django.db import transaction

from portal import dates, versions
from portal.dates import DateProblem
from portal.formats import day
from portal.workflow import Refused, lock

from ..models import (
    Child,
    HealthAssessment,
    Hearing,
    LookedAfterReview,
    Placement,
    Proceedings,
    ProceedingsExtension,
    SocialWorkerVisit,
)
from .common import TransitionRefused, _lock
from .court import extension_date_problems, extension_end_problems, hearing_date_problems
from .deadlines import (
    children_deadlines_refresh,
    deadlines_refresh,
    lock_child,
    proceedings_dates_refresh,
)

# ---------------------------------------------------------------------------
# The records kept on a placement: reviews, visits
# ---------------------------------------------------------------------------


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


def _child_problems(placement: Placement, child: Child | None) -> list[str]:
    if child is None:
        return ["Choose the child the record is for."]
    if not placement.placement_children.filter(child=child).exists():
        return [f"{child} is not in this placement."]
    return []


def _the_child(placement: Placement, child: Child | None) -> Child | None:
    """The child a record is for: the one given, or the placement's only child (a record
    on a placement of brothers and sisters must name the child)."""
    if child is not None:
        return child
    children = list(Child.objects.filter(placement_links__placement=placement)[:2])
    return children[0] if len(children) == 1 else None


def _review_problems(
    placement: Placement,
    child: Child,
    held_on: date,
    visit_interval_weeks: int | None,
    *,
    review_pk=None,
    today: date | None = None,
) -> list[str]:
    """A review is the child's: it may predate this placement (held while the child lived
    elsewhere, it still counts), but not the day the child became looked after nor come
    after today."""
    problems = dates.messages(dates.happened(held_on, label="A review", today=today))
    if placement.outcome_on is not None and held_on > placement.outcome_on:
        problems.append(
            f"A review cannot be after the placement ended ({day(placement.outcome_on)})."
        )
    became = child.entered_care_on or child.date_of_birth
    if became is not None and held_on < became:
        problems.append(f"A review cannot be before the child became looked after ({day(became)}).")
    if visit_interval_weeks is not None and not 1 <= visit_interval_weeks <= 26:
        problems.append("Visits are set between every week and every 26 weeks.")
    if child.reviews.filter(held_on=held_on).exclude(pk=review_pk).exists():
        problems.append(f"A review on {day(held_on)} is already recorded.")
    return problems


def review_record(
    *,
    placement: Placement,
    held_on: date,
    by,
    child: Child | None = None,
    note: str = "",
    visit_interval_weeks: int | None = None,
) -> LookedAfterReview:
    """A review of the child's case held; after placement for adoption it may set how
    often visits happen. It counts for the child wherever they live next."""
    with transaction.atomic():
        placement = _lock(placement)
        child = _the_child(placement, child)
        problems = _child_problems(placement, child)
        if not problems:
            problems = _review_problems(placement, child, held_on, visit_interval_weeks)
        if problems:
            raise TransitionRefused(problems)
        review = LookedAfterReview.objects.create(
            child=child,
            placement=placement,
            held_on=held_on,
            visit_interval_weeks=visit_interval_weeks,
            note=note[:500],
        )
        deadlines_refresh(placement=placement)
    return review


def _visit_problems(
    placement: Placement, child: Child, visited_on: date, *, visit_pk=None
) -> list[str]:
    problems = _record_date_problems(placement, visited_on, "A visit")
    if child.visits.filter(visited_on=visited_on).exclude(pk=visit_pk).exists():
        problems.append(f"A visit on {day(visited_on)} is already recorded.")
    return problems


def visit_record(
    *,
    placement: Placement,
    visited_on: date,
    by,
    child: Child | None = None,
    seen_alone: bool = False,
    note: str = "",
) -> SocialWorkerVisit:
    with transaction.atomic():
        placement = _lock(placement)
        child = _the_child(placement, child)
        problems = _child_problems(placement, child) or _visit_problems(
            placement, child, visited_on
        )
        if problems:
            raise TransitionRefused(problems)
        visit = SocialWorkerVisit.objects.create(
            child=child,
            placement=placement,
            visited_on=visited_on,
            seen_alone=seen_alone,
            note=note[:500],
        )
        deadlines_refresh(placement=placement)
    return visit


# ---------------------------------------------------------------------------
# Correcting and removing the records kept on a placement: the same rules as recording
# them, checked with the placement locked; auditlog keeps each change and removal.
# ---------------------------------------------------------------------------

RECORD_MODELS = (
    HealthAssessment,
    ProceedingsExtension,
    Hearing,
    LookedAfterReview,
    SocialWorkerVisit,
)


def _lock_record(record):
    """The record's case (its placement, or its proceedings), locked, and the record as
    it is now."""
    if isinstance(record, HealthAssessment):
        child = lock_child(Child(pk=record.child_id))
        return child, HealthAssessment.objects.get(pk=record.pk, child=child)
    if isinstance(record, ProceedingsExtension | Hearing):
        proceedings = lock(Proceedings(pk=record.proceedings_id))
        return proceedings, type(record).objects.get(pk=record.pk, proceedings=proceedings)
    placement = _lock(Placement(pk=record.placement_id))
    return placement, type(record).objects.select_related("child").get(
        pk=record.pk, placement=placement
    )


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
        problems = _review_problems(
            placement, review.child, held_on, visit_interval_weeks, review_pk=review.pk
        )
        _save_record(
            review,
            problems,
            held_on=held_on,
            visit_interval_weeks=visit_interval_weeks,
            note=note[:500],
        )
        # The review is the child's: their current placement's clocks follow too.
        children_deadlines_refresh(children=[review.child])
    return review


def visit_update(
    *, visit: SocialWorkerVisit, visited_on: date, by, seen_alone: bool = False, note: str = ""
) -> SocialWorkerVisit:
    with transaction.atomic():
        placement, visit = _lock_record(visit)
        problems = _visit_problems(placement, visit.child, visited_on, visit_pk=visit.pk)
        _save_record(visit, problems, visited_on=visited_on, seen_alone=seen_alone, note=note[:500])
        deadlines_refresh(placement=placement)
    return visit


def hearing_update(
    *, hearing: Hearing, held_on: date, kind: str, by, outcome_note: str = ""
) -> Hearing:
    with transaction.atomic():
        proceedings, hearing = _lock_record(hearing)
        problems = dates.messages(hearing_date_problems(proceedings=proceedings, held_on=held_on))
        _save_record(hearing, problems, held_on=held_on, kind=kind, outcome_note=outcome_note[:500])
    return hearing


def proceedings_extension_update(
    *, extension: ProceedingsExtension, granted_on: date, ends_on: date, by, reason: str = ""
) -> ProceedingsExtension:
    """A correction to the dates the court set, checked against the other extensions
    (Children Act 1989 s32(5) and (8)). Unlike a new extension, it may be corrected after
    the proceedings concluded, and need not be the latest one."""
    with transaction.atomic():
        proceedings, extension = _lock_record(extension)
        if proceedings.issued_on is None:
            raise Refused("Record the date the care proceedings were issued first.")
        problems = dates.messages(
            extension_date_problems(proceedings=proceedings, granted_on=granted_on)
        ) or extension_end_problems(
            issued_on=proceedings.issued_on,
            other_ends=proceedings.extensions.exclude(pk=extension.pk).values_list(
                "ends_on", flat=True
            ),
            granted_on=granted_on,
            ends_on=ends_on,
        )
        _save_record(
            extension, problems, granted_on=granted_on, ends_on=ends_on, reason=reason[:300]
        )
        proceedings_dates_refresh(proceedings=proceedings)
        children_deadlines_refresh(children=list(proceedings.children.all()))
    return extension


def placement_record_withdraw(*, record, reason: str, by):
    """Withdraw a record entered by mistake (``portal.versions``): it keeps its words
    and leaves the current record, and the placement's dates and clocks follow."""
    if not isinstance(record, RECORD_MODELS):
        raise TypeError(f"{type(record).__name__} is not a record kept on a placement")
    with transaction.atomic():
        try:
            case, record = _lock_record(record)
        except type(record).DoesNotExist:
            raise versions.already_withdrawn(record) from None
        record = versions.withdraw(record=record, reason=reason, by=by)
        if isinstance(case, Proceedings):
            proceedings_dates_refresh(proceedings=case)
            children_deadlines_refresh(children=list(case.children.all()))
        elif isinstance(case, Child):
            children_deadlines_refresh(children=[case])
        else:
            deadlines_refresh(placement=case)
            if isinstance(record, LookedAfterReview):
                children_deadlines_refresh(children=[record.child])
    return record

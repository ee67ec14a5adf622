"""The court timeline: care proceedings, extensions (Children Act 1989 s32), hearings,
court orders and the legal status they give a child."""

from collections.abc import Iterable, Sequence
from datetime import date

from django.db import transaction

from portal import audit, dates
from portal.dates import DateProblem
from portal.formats import day

from .. import clocks
from ..models import Child, CourtOrder, Hearing, Placement, ProceedingsExtension
from .common import TransitionRefused, _lock, _not_in_future, _placement_children
from .deadlines import deadlines_refresh, proceedings_dates_refresh

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


# ---------------------------------------------------------------------------
# The court timeline: proceedings, extensions, hearings, court orders, legal status
# ---------------------------------------------------------------------------


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

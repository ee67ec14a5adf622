"""The court timeline of each child: care proceedings (one child's, or brothers' and
sisters' heard together), extensions (Children Act 1989 s32), hearings, court orders and
the legal status they give a child."""

from collections.abc import Iterable, Sequence
from datetime import date

from django.db import transaction

from portal import audit, dates
from portal.dates import DateProblem
from portal.formats import day
from portal.workflow import lock

from .. import clocks
from ..models import Child, CourtOrder, Hearing, Placement, Proceedings, ProceedingsExtension
from .common import TransitionRefused, _lock, _not_in_future, _placement_children
from .deadlines import children_deadlines_refresh, deadlines_refresh, proceedings_dates_refresh

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


def proceedings_open(
    *,
    children: Sequence[Child],
    by,
    issued_on: date | None = None,
    court: str = "",
    case_number: str = "",
    concluded_on: date | None = None,
) -> Proceedings:
    """Proceedings for one child, or for brothers and sisters whose cases the court hears
    together; the 26-week date follows the issue day."""
    proceedings = Proceedings(
        court=court[:120],
        case_number=case_number[:40],
        issued_on=issued_on,
        concluded_on=concluded_on,
    )
    problems = [] if children else ["Choose the child or children the proceedings are about."]
    problems += dates.messages(proceedings_date_problems(proceedings=proceedings))
    for child in children:
        problems += dates.messages(
            dates.in_order(
                issued_on,
                child.date_of_birth,
                label=f"The proceedings for {child}",
                earlier_label="their date of birth",
            )
        )
    if problems:
        raise TransitionRefused(problems)
    with transaction.atomic():
        proceedings.created_by = by
        proceedings.save()
        proceedings.children.set(children)
        audit.record(
            proceedings,
            "placements.proceedings.opened",
            by=by,
            changes={
                "issued_on": [None, issued_on],
                "children": [None, ", ".join(c.reference for c in children)],
            },
        )
        proceedings_dates_refresh(proceedings=proceedings)
        children_deadlines_refresh(children=list(children))
    return proceedings


def proceedings_save(*, proceedings: Proceedings, by, children: Sequence[Child] | None = None):
    """Staff edited the court, number, dates or children of the proceedings (auditlog
    keeps the diff); the 26-week date and the children's clocks follow."""
    if proceedings.pk is None:
        raise ValueError("proceedings are opened with proceedings_open")
    problems = dates.messages(proceedings_date_problems(proceedings=proceedings))
    if children is not None and not children:
        problems.append("Choose the child or children the proceedings are about.")
    if problems:
        raise TransitionRefused(problems)
    with transaction.atomic():
        edited = proceedings
        proceedings = lock(proceedings)
        for name in ("court", "case_number", "issued_on", "concluded_on"):
            setattr(proceedings, name, getattr(edited, name))
        before = list(proceedings.children.all())
        proceedings.save()
        if children is not None:
            proceedings.children.set(children)
        proceedings_dates_refresh(proceedings=proceedings)
        children_deadlines_refresh(children=before + list(children or []))
    return proceedings


def proceedings_date_problems(
    *, proceedings: Proceedings, today: date | None = None
) -> list[DateProblem]:
    """Issued and concluded in the past, in that order; concluded only once issued."""
    issued, concluded = proceedings.issued_on, proceedings.concluded_on
    if concluded and not issued:
        return [DateProblem("issued_on", "Give the date the proceedings were issued.")]
    return dates.happened(
        issued, label="The date the proceedings were issued", field="issued_on", today=today
    ) + (
        dates.happened(
            concluded, label="The date the proceedings concluded", field="concluded_on", today=today
        )
        or dates.in_order(
            concluded,
            issued,
            label="The date the proceedings concluded",
            earlier_label="the date they were issued",
            field="concluded_on",
        )
    )


def placement_after_edit(*, placement: Placement, by=None) -> Placement:
    """After staff edit the records kept on a placement: its clocks catch up."""
    with transaction.atomic():
        placement = _lock(placement)
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
    *, proceedings: Proceedings, granted_on: date, ends_on: date, by, reason: str = ""
) -> ProceedingsExtension:
    """The court extended the period for the proceedings to ``ends_on`` (the date it set)."""
    with transaction.atomic():
        proceedings = lock(proceedings)
        if proceedings.issued_on is None:
            raise TransitionRefused(["Record the date the care proceedings were issued first."])
        if proceedings.concluded_on is not None:
            raise TransitionRefused(["The care proceedings have concluded."])
        problems = dates.messages(
            extension_date_problems(proceedings=proceedings, granted_on=granted_on)
        )
        ends = list(proceedings.extensions.values_list("ends_on", flat=True))
        current = clocks.proceedings_end(issued_on=proceedings.issued_on, extension_ends=ends)
        if not problems:
            if ends_on <= current:
                problems.append(
                    f"The proceedings already run to {day(current)}: an extension ends after that."
                )
            else:
                problems += extension_end_problems(
                    issued_on=proceedings.issued_on,
                    other_ends=ends,
                    granted_on=granted_on,
                    ends_on=ends_on,
                )
        if problems:
            raise TransitionRefused(problems)
        extension = ProceedingsExtension.objects.create(
            proceedings=proceedings, granted_on=granted_on, ends_on=ends_on, reason=reason[:300]
        )
        audit.record(
            proceedings,
            "placements.proceedings.extended",
            by=by,
            changes={"extended_to": [current, ends_on]},
        )
        proceedings_dates_refresh(proceedings=proceedings)
        children_deadlines_refresh(children=list(proceedings.children.all()))
    return extension


def extension_date_problems(
    *, proceedings: Proceedings, granted_on: date, today: date | None = None
) -> list[DateProblem]:
    """Granted in the past, within the proceedings (they may predate the placement)."""
    return dates.happened(
        granted_on, label="The date granted", field="granted_on", today=today
    ) or dates.in_order(
        granted_on,
        proceedings.issued_on,
        label="The date granted",
        earlier_label="the date the proceedings were issued",
        field="granted_on",
    )


def hearing_date_problems(*, proceedings: Proceedings, held_on: date) -> list[DateProblem]:
    """A hearing may be listed ahead, and may predate the placement, not the proceedings."""
    return dates.in_order(
        held_on,
        proceedings.issued_on,
        label="The date of the hearing",
        earlier_label="the date the proceedings were issued",
        field="held_on",
    )


def proceedings_conclude(*, proceedings: Proceedings, on: date, by) -> Proceedings:
    with transaction.atomic():
        proceedings = lock(proceedings)
        problems = _not_in_future(on)
        if proceedings.issued_on is None:
            problems.append("Record the date the care proceedings were issued first.")
        elif on < proceedings.issued_on:
            problems.append("Proceedings cannot conclude before they were issued.")
        if problems:
            raise TransitionRefused(problems)
        changes = {"concluded_on": [None, on]}
        proceedings.concluded_on = on
        with audit.silenced():
            proceedings.save(update_fields=["concluded_on", "updated_at"])
        audit.record(proceedings, "placements.proceedings.concluded", by=by, changes=changes)
        children_deadlines_refresh(children=list(proceedings.children.all()))
    return proceedings


def hearing_record(
    *, proceedings: Proceedings, held_on: date, kind: str, by, outcome_note: str = ""
) -> Hearing:
    """A hearing: past with its outcome, or listed for a future date."""
    with transaction.atomic():
        proceedings = lock(proceedings)
        problems = hearing_date_problems(proceedings=proceedings, held_on=held_on)
        if problems:
            raise TransitionRefused(dates.messages(problems))
        return Hearing.objects.create(
            proceedings=proceedings, held_on=held_on, kind=kind, outcome_note=outcome_note[:500]
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
    # The order belongs to the child's proceedings issued by then, the latest of them.
    proceedings = (
        Proceedings.objects.filter(children=child, issued_on__lte=made_on)
        .order_by("-issued_on", "-pk")
        .first()
    )
    order, created = CourtOrder.objects.get_or_create(
        child=child,
        kind=kind,
        made_on=made_on,
        defaults={"placement": placement, "proceedings": proceedings, "recorded_by": by},
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

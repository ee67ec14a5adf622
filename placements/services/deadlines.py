"""Stored dates that follow the clocks (``placements/clocks.py``): the proceedings' 26-week
and extended dates, the placement's deadline rows and their reminders, and the sweeps that
bring them up to date."""

from django.db import transaction
from django.db.models import Q

from carers.models import Household
from portal import audit, deadlines
from portal.caseloads import CaseloadPart
from portal.workflow import lock_all

from .. import clocks, reminders
from ..models import Child, Placement
from ..selectors import placement_facts
from .common import Status, _lock

# ---------------------------------------------------------------------------
# The proceedings' dates, which follow the issue date and the extensions
# ---------------------------------------------------------------------------


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


# ---------------------------------------------------------------------------
# Caseloads: a placement's (and its children's) social worker is the one supporting
# its carers, so they move with the household (``portal.caseloads``)
# ---------------------------------------------------------------------------


def placements_follow_worker(households, worker) -> None:
    """After ``households`` (locked) were given to ``worker``: lock their open placements,
    after the households in the lock order, and re-address their deadlines' reminders."""
    pks = list(
        Placement.objects.filter(household__in=[h.pk for h in households])
        .exclude(status=Status.ENDED)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    placements = lock_all(
        *[(Placement, pk) for pk in pks], related=("household", "household__social_worker")
    )
    for placement in placements:
        deadlines_refresh(placement=placement)


def _open_placement(child: Child) -> Placement | None:
    return (
        Placement.objects.filter(placement_children__child=child)
        .exclude(status=Status.ENDED)
        .select_related("household")
        .order_by("-placed_on", "-pk")
        .first()
    )


PLACEMENTS_CASELOAD = CaseloadPart(
    model=Placement,
    worker_path="household__social_worker",
    open=~Q(status=Status.ENDED),
    one="placement",
    plural="placements",
    changelist="admin:placements_placement_changelist",
    follows=Household,
    holder=lambda placement: placement.household if placement.is_open else None,
    follow=placements_follow_worker,
)
CHILDREN_CASELOAD = CaseloadPart(
    model=Child,
    worker_path="placement_links__placement__household__social_worker",
    open=Q(placement_links__placement__status__in=[Status.FOSTERING, Status.PLACED_FOR_ADOPTION]),
    one="child",
    plural="children",
    follows=Household,
    holder=lambda child: getattr(_open_placement(child), "household", None),
)

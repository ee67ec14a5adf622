"""Stored dates that follow the clocks (``placements/clocks.py``): the proceedings' 26-week
and extended dates, the placement's deadline rows and their reminders, and the sweeps that
bring them up to date."""

from dataclasses import replace

from django.db import transaction
from django.db.models import F, Q

from carers.models import Household
from portal import audit, deadlines
from portal.caseloads import CaseloadPart
from portal.workflow import lock, lock_all

from .. import clocks, reminders
from ..models import Child, Duty, Placement, PlacementDeadline, Proceedings
from ..selectors import placement_facts
from .common import Status, _lock

# ---------------------------------------------------------------------------
# The proceedings' dates, which follow the issue date and the extensions
# ---------------------------------------------------------------------------


def proceedings_dates_refresh(*, proceedings: Proceedings) -> None:
    """The 26-week date and the extended date follow the issue date and the extensions."""
    ends = list(proceedings.extensions.values_list("ends_on", flat=True))
    issued = proceedings.issued_on
    target = clocks.proceedings_timetable_end(issued_on=issued) if issued else None
    extended = max(ends) if issued and ends else None
    if (proceedings.target_on, proceedings.extended_to) != (target, extended):
        proceedings.target_on = target
        proceedings.extended_to = extended
        with audit.silenced():
            proceedings.save(update_fields=["target_on", "extended_to", "updated_at"])


# ---------------------------------------------------------------------------
# Deadlines and their reminders
# ---------------------------------------------------------------------------


def deadlines_refresh(*, placement: Placement) -> None:
    """Make the placement's deadline rows match its children's clocks, and the reminders
    match them.

    A clock of a duty this agency holds reminds the agency's social worker for the child;
    every other clock (the placing authority's duties, which are chased, and the
    placement's own) reminds the carers' social worker. Call inside the transaction that
    changed the facts, with the placement locked.
    """
    carers_worker = placement.household.social_worker
    facts = placement_facts(placement=placement)
    facts.children = with_authority_needed(facts.children, placement=placement)
    deadlines.deadlines_refresh(
        source=reminders.DEADLINES,
        owner=placement,
        clocks=[
            replace(clock, worker=clock.worker or carers_worker)
            for clock in clocks.placement_clocks(facts)
        ],
        worker=carers_worker,
    )


def with_authority_needed(children, *, placement: Placement):
    """Each child's facts with the day consent or a placement order is needed, for a baby
    placed for adoption under six weeks old (``consent.authority_needed_by``)."""
    adoption_from = clocks.adoption_regime_start(placement)
    if adoption_from is None:
        return children
    from .consent import authority_needed_by  # consent builds on this module

    found = {
        child.pk: child
        for child in Child.objects.filter(pk__in=[c.pk for c in children]).prefetch_related(
            "consents"
        )
    }
    return [
        replace(
            facts,
            authority_by=authority_needed_by(
                child=found[facts.pk], placed_for_adoption_on=adoption_from
            ),
        )
        for facts in children
    ]


def _open_placement_pks(children) -> list[int]:
    return list(
        Placement.objects.filter(placement_children__child__in=[c.pk for c in children])
        .exclude(status=Status.ENDED)
        .order_by("pk")
        .values_list("pk", flat=True)
        .distinct()
    )


def lock_child(child: Child) -> Child:
    """Lock the child for a change to their own records, after their open placements (the
    lock order), whose clocks the change moves; the child, fresh."""
    found = lock_all(*[(Placement, pk) for pk in _open_placement_pks([child])], (Child, child.pk))
    return found[-1]


def children_deadlines_refresh(*, children) -> None:
    """After a child's own records changed (a review, a visit, a health assessment, the
    proceedings, who holds a duty): the deadlines of their open placements catch up.
    Call inside the transaction that changed them."""
    pks = _open_placement_pks(children)
    for placement in lock_all(
        *[(Placement, pk) for pk in pks], related=("household", "household__social_worker")
    ):
        deadlines_refresh(placement=placement)


def deadlines_refresh_all(*, limit: int | None = None) -> int:
    """Bring the stored deadlines of every open placement into line with the clocks.

    For after an upgrade that changes a rule: each placement in its own transaction.
    """
    pks = Placement.objects.exclude(status=Status.ENDED).order_by("pk").values_list("pk", flat=True)
    pks = list(pks[:limit] if limit else pks)
    for pk in pks:
        # The proceedings first, each locked on its own (they come before placements in
        # the lock order), then the placement's clocks from them.
        for proceedings_pk in (
            Proceedings.objects.filter(children__placement_links__placement=pk)
            .distinct()
            .order_by("pk")
            .values_list("pk", flat=True)
        ):
            with transaction.atomic():
                proceedings_dates_refresh(proceedings=lock(Proceedings(pk=proceedings_pk)))
        with transaction.atomic():
            deadlines_refresh(placement=_lock(Placement(pk=pk)))
    return len(pks)


def deadlines_follow_social_workers(*, limit: int = 500) -> int:
    """Re-address reminders when a household's social worker changed (beat sweep).

    The carers app cannot tell placements; this finds the deadlines whose recipient no
    longer matches, a bounded batch at a time.
    """
    stale = deadlines.deadlines_with_stale_recipient(reminders.DEADLINES)
    # A clock the carers' social worker is reminded of (a chase item, the placement's own)
    # whose household now has another worker, or none.
    carers = (
        PlacementDeadline.objects.exclude(reminders.DEADLINES.closed)
        .exclude(duty=Duty.AGENCY, child__social_worker__isnull=False)
        .filter(
            ~Q(worker=F("placement__household__social_worker"))
            | Q(worker__isnull=True, placement__household__social_worker__isnull=False)
            | Q(worker__isnull=False, placement__household__social_worker__isnull=True)
        )
    )
    placement_pks = sorted(
        set(stale.values_list("placement_id", flat=True))
        | set(carers.values_list("placement_id", flat=True))
    )[:limit]
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

"""Caseloads: who a case is allocated to, and a team manager moving it to someone else.

A case's social worker is the person its deadlines, reminders, home page panels and
"My caseload" filter follow. Each app registers the records it allocates to a social
worker from its ``AppConfig.ready()`` with ``register_caseload``:

- a record that carries the worker itself (``carers.Household.social_worker``) names the
  field (``worker_path``) and is *moved*;
- a record allocated through another one (a placement, a child: their social worker is
  their carers' supervising social worker) names the path to the worker and the record
  that carries it (``holder``); it is counted in a caseload and moves with its holder.

Every part may also say what must follow the worker in the same transaction
(``follow(holders, worker)``): the app's stored deadlines and the reminders planned for
them, re-addressed while the rows are still locked.

``record_reallocate`` moves one record, ``caseload_move`` every open record of a leaving
(or overloaded) worker; both refuse in words when the new worker is not an active
member of the social workers' team, is the same person, or no reason is given. The rows
are locked in the lock order (``portal.workflow.lock``): the moved records first (each
app's rank), then what each app's ``follow`` locks after them. Each move writes one audit
entry per record (``<app>.<model>.reallocated``, with the reason) and a line in the
record's history. Nobody is emailed: the new worker's reminders and digest follow the
records, and the old worker is told nothing about the cases.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.admin.models import CHANGE, LogEntry
from django.db import transaction
from django.db.models import Q

from . import audit
from .models import User
from .roles import Role
from .workflow import Refused, lock_all

PERMISSION = "portal.reallocate_caseload"
REASON_MAX_LENGTH = 2000


@dataclass(frozen=True)
class CaseloadPart:
    """One kind of record in a social worker's caseload."""

    model: type
    worker_path: str  # from the record to its social worker: "social_worker"
    open: Q  # the records still open (only these are in a caseload)
    one: str  # what one is called: "carer household"
    plural: str  # and more than one: "carer households"
    changelist: str = ""  # the admin URL name of its list, filtered by ``?caseload=<id>``
    follows: type | None = None  # the model whose records carry the worker, for followers
    holder: Callable | None = None  # holder(record): the open record carrying its worker
    follow: Callable | None = None  # follow(holders, worker): inside the move's transaction

    @property
    def moves(self) -> bool:
        return self.follows is None

    @property
    def label(self) -> str:
        return self.model._meta.label_lower


_parts: dict[str, CaseloadPart] = {}


def register_caseload(part: CaseloadPart) -> None:
    """Apps register what they allocate to a social worker (from ``AppConfig.ready``)."""
    _parts[part.label] = part


def registered_parts() -> list[CaseloadPart]:
    return list(_parts.values())


def part_for(model_or_record) -> CaseloadPart | None:
    return _parts.get(model_or_record._meta.label_lower)


def counts_text(counts: dict[str, int]) -> str:
    """``{"carer households": 1, "placements": 2}`` as people read it: "1 carer household,
    2 placements"."""
    ones = {part.plural: part.one for part in registered_parts()}
    return ", ".join(
        f"{n} {ones.get(plural, plural) if n == 1 else plural}" for plural, n in counts.items()
    )


def social_workers():
    """Who a case may be given to: active staff in the social workers' team."""
    return (
        User.objects.filter(groups__name=Role.SOCIAL_WORKERS, is_active=True, is_staff=True)
        .distinct()
        .order_by("first_name", "last_name", "email")
    )


def caseload_counts(worker) -> list[tuple[CaseloadPart, int]]:
    """How many open records of each kind are allocated to ``worker``: a query per kind."""
    return [
        (
            part,
            part.model.objects.filter(part.open, **{part.worker_path: worker}).distinct().count(),
        )
        for part in registered_parts()
    ]


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not any(character.isalpha() for character in reason):
        raise Refused("Say why the work is reallocated, in words.")
    return reason[:REASON_MAX_LENGTH]


def _check(*, to, by, reason: str, from_worker=None) -> str:
    if not by.has_perm(PERMISSION):
        raise Refused("Only team managers reallocate work.")
    problems = []
    if to is None:
        problems.append("Choose the social worker who takes the work on.")
    elif not social_workers().filter(pk=to.pk).exists():
        problems.append(
            f"{to} cannot take on work: choose an active member of the social workers' team."
        )
    elif from_worker is not None and to.pk == from_worker.pk:
        problems.append(f"The work is already {to}'s: choose someone else.")
    try:
        reason = _reason(reason)
    except Refused as refusal:
        problems.extend(refusal.messages)
    if problems:
        raise Refused(problems)
    return reason


def _move(part: CaseloadPart, records: list, *, to, by, reason: str) -> None:
    """Give locked ``records`` of a moving part to ``to``; audit and follow."""
    field = part.worker_path
    if not records:
        return
    old = {record.pk: getattr(record, f"{field}_id") for record in records}
    part.model.objects.filter(pk__in=list(old)).update(**{field: to})
    for record in records:
        setattr(record, field, to)
        audit.record(
            record,
            f"{record._meta.app_label}.{record._meta.model_name}.reallocated",
            by=by,
            changes={field: [old[record.pk], to.pk]},
            reason=reason,
        )
    LogEntry.objects.log_actions(
        user_id=by.pk,
        queryset=part.model.objects.filter(pk__in=list(old)),
        action_flag=CHANGE,
        change_message=f"Reallocated to {to}. Reason: {reason}",
    )
    for each in registered_parts():
        if each.follow is not None and (each is part or each.follows is part.model):
            each.follow(records, to)


def holder_of(record):
    """The record that carries ``record``'s social worker (itself, for a moving part)."""
    part = part_for(record)
    if part is None:
        raise Refused("This record is not allocated to a social worker.")
    return record if part.moves else part.holder(record)


def record_reallocate(*, record, to, reason: str, by):
    """Give one record (and what follows it) to another social worker."""
    holder = holder_of(record)
    if holder is None:
        raise Refused("This record has no open case allocated to a social worker.")
    part = part_for(holder)
    with transaction.atomic():
        (locked,) = lock_all(holder)
        current = getattr(locked, part.worker_path)
        reason = _check(to=to, by=by, reason=reason, from_worker=current)
        if not part.model.objects.filter(part.open, pk=locked.pk).exists():
            raise Refused(f"{locked} is closed: only open work is reallocated.")
        _move(part, [locked], to=to, by=by, reason=reason)
    return locked


def caseload_move(*, from_worker, to, reason: str, by) -> dict[str, int]:
    """Give every open record allocated to ``from_worker`` to ``to``, in one transaction.

    Returns how many of each kind moved (``{"carer households": 3, ...}``), counted after
    the move so that records following their holders are included.
    """
    if from_worker is None:
        raise Refused("Choose whose caseload moves.")
    with transaction.atomic():
        reason = _check(to=to, by=by, reason=reason, from_worker=from_worker)
        moving = [part for part in registered_parts() if part.moves]
        pks = {
            part.label: list(
                part.model.objects.filter(part.open, **{part.worker_path: from_worker})
                .order_by("pk")
                .values_list("pk", flat=True)
            )
            for part in moving
        }
        locked = lock_all(*[(part.model, pk) for part in moving for pk in pks[part.label]])
        # Counted under the locks: a move that waited for another finds what it left.
        before = {part.plural: count for part, count in caseload_counts(from_worker)}
        for part in moving:
            # Another manager may have moved one while we waited for its lock.
            records = [
                r
                for r in locked
                if isinstance(r, part.model)
                and getattr(r, f"{part.worker_path}_id") == from_worker.pk
            ]
            _move(part, records, to=to, by=by, reason=reason)
        after = {part.plural: count for part, count in caseload_counts(from_worker)}
    return {plural: before[plural] - after[plural] for plural in before}

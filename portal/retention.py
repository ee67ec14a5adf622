"""The retention schedule: how long each kind of record is kept, from what event, and
what happens then.

Each app registers its retention classes from its ``AppConfig.ready()``
(``register(RetentionClass(...))``), so the core names no app. A class says which rows
are due on a day (``due``) and what to do with them: anonymise or delete (``apply``,
through the owning app's services), or, for casework kept under statute, only list
them for a person to review: the job never deletes case records.

``run()`` is the beat job (``portal.tasks.apply_retention_schedule``) and the
``retention`` command: it takes the due rows of each class in batches of
``RETENTION_BATCH_SIZE``, each batch in its own transaction, skips any record under a
``LegalHold`` and records a ``RetentionRun`` with counts per class (never names). A
second run finds nothing left to do: done rows are no longer due.

The README's table and the public privacy page are both rendered from this registry
(``schedule_markdown()``, ``schedule_rows()``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

logger = logging.getLogger(__name__)

ANONYMISE = "anonymise"
DELETE = "delete"
REVIEW = "review"
ACTIONS = {
    ANONYMISE: "anonymised",
    DELETE: "deleted",
    REVIEW: "listed for review by a team manager (never deleted by the job)",
}


@dataclass(frozen=True)
class RetentionClass:
    """One kind of record and its retention rule.

    ``period`` gives the period in words ("12 months"): a setting's value is read each
    time, so the schedule shows what the job does. ``law`` cites the regulation that sets
    the period; empty, the period is the agency's policy and ``setting`` names it.
    """

    key: str
    title: str
    covers: str
    period: Callable[[], str]
    runs_from: str
    action: str
    due: Callable[[date], QuerySet]
    apply: Callable[[list, datetime], None] | None = None
    law: str = ""
    setting: str = ""

    def __post_init__(self):
        if self.action not in ACTIONS:
            raise ValueError(f"{self.action!r} is not a retention action.")
        if (self.action == REVIEW) != (self.apply is None):
            raise ValueError("Only a class listed for review has no action to apply.")
        if not (self.law or self.setting):
            raise ValueError("A retention period is either the law's or a setting's.")

    @property
    def model(self):
        return self.due(timezone.localdate()).model

    @property
    def basis(self) -> str:
        return f"Law: {self.law}" if self.law else "Policy"


_registry: dict[str, RetentionClass] = {}


def register(retention_class: RetentionClass) -> None:
    """Add a class to the schedule (registering the same key again replaces it)."""
    _registry[retention_class.key] = retention_class


def registered() -> list[RetentionClass]:
    return list(_registry.values())


def years(n: int) -> str:
    return f"{n} years"


def months(n: int) -> str:
    return "1 month" if n == 1 else f"{n} months"


# -- the schedule, in words ------------------------------------------------------------------


def schedule_rows() -> list[dict]:
    """One row per class, for the privacy page and the README."""
    return [
        {
            "title": rc.title,
            "covers": rc.covers,
            "period": rc.period(),
            "runs_from": rc.runs_from,
            "then": ACTIONS[rc.action],
            "basis": rc.basis,
            "setting": rc.setting,
        }
        for rc in registered()
    ]


def schedule_markdown() -> str:
    """The README's "Retention schedule" table (``manage.py retention --table`` prints it)."""
    lines = [
        "| records | what they are | kept for | from | then | basis |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for row in schedule_rows():
        basis = row["basis"] + (f" (`{row['setting']}`)" if row["setting"] else "")
        cells = (row["title"], row["covers"], row["period"], row["runs_from"], row["then"], basis)
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


# -- legal holds ---------------------------------------------------------------------------


def held(model) -> QuerySet:
    """The primary keys of ``model``'s rows under a legal hold."""
    from .models import LegalHold

    content_type = ContentType.objects.get_for_model(model)
    return LegalHold.objects.filter(content_type=content_type).values("object_id")


def held_models() -> list:
    """The models a legal hold can name: those of the registered classes."""
    return list(dict.fromkeys(rc.model for rc in registered()))


# -- the job ---------------------------------------------------------------------------------


def run(
    *,
    today: date | None = None,
    now: datetime | None = None,
    dry_run: bool = False,
    keys: Iterable[str] | None = None,
    trigger: str = "beat",
):
    """Apply the schedule on ``today``: returns the ``RetentionRun`` (unsaved on a dry run).

    The report holds, per class, how many rows were due (``due``), how many of those a
    legal hold kept (``held``) and how many were anonymised or deleted (``done``).
    """
    from .models import RetentionRun

    now = now or timezone.now()
    today = today or timezone.localdate(now)
    size = settings.RETENTION_BATCH_SIZE
    wanted = set(keys) if keys is not None else None
    report = {}
    for rc in registered():
        if wanted is not None and rc.key not in wanted:
            continue
        due_all = rc.due(today)
        on_hold = held(due_all.model)
        due = due_all.exclude(pk__in=on_hold)
        entry = {
            "action": rc.action,
            "due": due.count(),
            "held": due_all.filter(pk__in=on_hold).count(),
            "done": 0,
        }
        if rc.action != REVIEW and not dry_run:
            entry["done"] = _apply_in_batches(rc, due, now=now, size=size)
        report[rc.key] = entry
    retention_run = RetentionRun(
        started_at=now, finished_at=timezone.now(), dry_run=dry_run, trigger=trigger, report=report
    )
    if not dry_run:
        retention_run.save()
        done = sum(entry["done"] for entry in report.values())
        if done:
            logger.info("Retention schedule: %s records anonymised or deleted", done)
    return retention_run


def _apply_in_batches(rc: RetentionClass, due: QuerySet, *, now: datetime, size: int) -> int:
    """Each batch in its own transaction, its rows locked (rows another run holds are left
    to it); the primary key moves on, so the loop ends even if a row stays due."""
    done, last = 0, None
    while True:
        with transaction.atomic():
            batch_qs = due.order_by("pk")
            if last is not None:
                batch_qs = batch_qs.filter(pk__gt=last)
            batch = list(batch_qs.select_for_update(of=("self",), skip_locked=True)[:size])
            if not batch:
                return done
            rc.apply(batch, now)
        last = batch[-1].pk
        done += len(batch)

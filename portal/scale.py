"""A large agency's history, written in bulk for measuring (``manage.py seed_scale``).

Each app that has records to add offers ``<app>.scale.build(history)``; this module is
the machinery they share and names no app: one seeded random source, the agency's
size (``amount``), dates in the past, rows written with ``bulk_create`` in batches
under primary keys given here (so the same seed on an empty database writes the same
rows, references included), audit entries and delivered outbox rows.

Rows are written as the services would have left them, without the services: no
signals, no emails, no clocks recomputed on save. Each builder is responsible for
the states it writes; ``tests/portal/test_seed_scale.py`` checks every row against the
models' own validation and the database's constraints.
"""

import hashlib
import random
import time as clock
from collections import Counter
from datetime import date, datetime, time, timedelta

from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.management.color import no_style
from django.db import connection, models
from django.db.models import Max
from django.utils import timezone
from psycopg.types.json import Jsonb

from . import audit
from .models import Notification

BATCH = 2000
# Audit entries and outbox rows wait in memory until there are this many, then are written.
FLUSH_EVERY = 50_000


class History:
    """What the builders share: the random source, today, the size, the rows written."""

    def __init__(self, *, seed: int, scale: float, years: int, today: date, stdout=None):
        self.seed = seed
        self.scale = scale
        self.years = years
        self.today = today
        self.start = today - timedelta(days=round(365.25 * years))
        self.rng = random.Random(seed)  # noqa: S311 - made-up records, not secrets
        self.counts: Counter = Counter()
        self.stdout = stdout
        self._next_pk: dict[type, int] = {}
        # Staff, by role name (``portal.roles.Role``): filled by the command.
        self.staff: dict[str, list] = {}
        self.audit_rows: list[LogEntry] = []
        self.outbox_rows: list[Notification] = []
        self.outbox_written = 0
        self._content_types: dict[type, ContentType] = {}
        self.timings: list[tuple[str, float]] = []

    # -- size ----------------------------------------------------------------------------

    def amount(self, at_scale_1: int, *, least: int = 1) -> int:
        """How many of something an agency of this size writes over these years, given
        how many a large agency (``--scale 1``) writes over ten."""
        return max(least, round(at_scale_1 * self.scale * self.years / 10))

    # -- dates ---------------------------------------------------------------------------

    def day_between(self, first: date, last: date) -> date:
        if last <= first:
            return first
        return first + timedelta(days=self.rng.randint(0, (last - first).days))

    def day_in_history(self) -> date:
        """A day of the history, later years a little busier than the first."""
        span = (self.today - self.start).days
        return self.start + timedelta(days=round(span * self.rng.random() ** 0.8))

    def moment(self, day: date, *, earliest: int = 9, latest: int = 17) -> datetime:
        """A moment of working hours on ``day``, in the agency's time zone."""
        at = time(self.rng.randint(earliest, latest - 1), self.rng.choice((0, 15, 30, 45)))
        return timezone.make_aware(datetime.combine(day, at))

    def after(self, moment: datetime, *, days: int, most: int | None = None) -> datetime:
        """A moment ``days`` to ``most`` days after ``moment``, never after now."""
        spread = self.rng.randint(days, most if most is not None else days)
        return min(moment + timedelta(days=spread, hours=self.rng.randint(0, 5)), self.now)

    @property
    def now(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.today, time(8)))

    # -- writing -------------------------------------------------------------------------

    def pk(self, model: type[models.Model]) -> int:
        """The next primary key of ``model``: after every row already there."""
        if model not in self._next_pk:
            highest = model._base_manager.aggregate(top=Max("pk"))["top"] or 0
            self._next_pk[model] = highest + 1
        value = self._next_pk[model]
        self._next_pk[model] = value + 1
        return value

    def write(self, model: type[models.Model], rows: list, *, label: str | None = None) -> list:
        """Insert ``rows`` (each with its primary key set by ``pk``) in batches.

        Timestamps Django fills itself (``auto_now``, ``auto_now_add``) keep the moment in
        the history a builder gave them, or the history's now."""
        stamped = [
            field
            for field in model._meta.concrete_fields
            if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
        ]
        for row in rows:
            for field in stamped:
                if getattr(row, field.attname) is None:
                    setattr(row, field.attname, self.now)
        saved = [(field, field.auto_now, field.auto_now_add) for field in stamped]
        try:
            for field in stamped:
                field.auto_now = field.auto_now_add = False
            if connection.vendor == "postgresql":
                self._copy(model, rows)
            else:
                for offset in range(0, len(rows), BATCH):
                    model._base_manager.bulk_create(rows[offset : offset + BATCH])
        finally:
            for field, auto_now, auto_now_add in saved:
                field.auto_now, field.auto_now_add = auto_now, auto_now_add
        self.counts[label or str(model._meta.verbose_name_plural)] += len(rows)
        return rows

    @staticmethod
    def _copy(model: type[models.Model], rows: list) -> None:
        """PostgreSQL: the rows in one ``COPY`` (a large history writes several times
        faster than through ``bulk_create``); the values are the rows' own, JSON adapted."""
        fields = model._meta.concrete_fields
        quote = connection.ops.quote_name
        columns = ", ".join(quote(field.column) for field in fields)
        names = [field.attname for field in fields]
        json = {n for n, field in enumerate(fields) if isinstance(field, models.JSONField)}
        sql = f"COPY {quote(model._meta.db_table)} ({columns}) FROM STDIN"
        with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
            for row in rows:
                values = [getattr(row, name) for name in names]
                for n in json:
                    if values[n] is not None:
                        values[n] = Jsonb(values[n])
                copy.write_row(values)

    def finish_sequences(self) -> None:
        """Primary keys were given here: move each table's sequence past them
        (PostgreSQL; SQLite keeps its own)."""
        statements = connection.ops.sequence_reset_sql(no_style(), list(self._next_pk))
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)

    def token(self, *parts) -> str:
        """A fixed 64-character value for this seed and these parts (booking tokens)."""
        text = ":".join(str(part) for part in (self.seed, *parts))
        return hashlib.blake2b(text.encode(), digest_size=32).hexdigest()

    # -- audit entries and outbox rows ---------------------------------------------------

    def content_type(self, model) -> ContentType:
        if model not in self._content_types:
            self._content_types[model] = ContentType.objects.get_for_model(model)
        return self._content_types[model]

    def audit(
        self,
        row,
        action: str,
        *,
        at: datetime,
        by=None,
        changes: dict | None = None,
        kind: int = LogEntry.Action.UPDATE,
    ) -> None:
        """An audit entry about ``row``, as ``portal.audit.record`` writes one: labelled,
        its masked fields hidden, named by its dotted action."""
        model = type(row)
        stored = {
            name: [audit.as_text(old), audit.as_text(new)]
            for name, (old, new) in (changes or {}).items()
        }
        if len(self.audit_rows) >= FLUSH_EVERY:
            self.write(LogEntry, self.audit_rows, label="audit entries")
            self.audit_rows = []
        self.audit_rows.append(
            LogEntry(
                pk=self.pk(LogEntry),
                content_type=self.content_type(model),
                object_pk=str(row.pk),
                object_id=row.pk,
                object_repr=audit.label(row),
                action=kind,
                changes=audit.hide(stored, audit.masked_fields(model)) or None,
                changes_text="",
                actor=by,
                actor_email=getattr(by, "email", None),
                timestamp=at,
                additional_data={"action": action},
            )
        )

    def outbox(self, key: str, *, to: str, template: str, due_at: datetime, context=None):
        """A delivered outbox row (``portal.notifications``): sent soon after it fell due."""
        due_at = min(due_at, self.now)
        sent_at = min(due_at + timedelta(seconds=self.rng.randint(5, 90)), self.now)
        if len(self.outbox_rows) >= FLUSH_EVERY:
            self.outbox_written += len(self.outbox_rows)
            self.write(Notification, self.outbox_rows, label="delivered outbox rows")
            self.outbox_rows = []
        self.outbox_rows.append(
            Notification(
                pk=self.pk(Notification),
                key=f"scale:{key}",
                to=to,
                template=template,
                context=context or {},
                due_at=due_at,
                next_attempt_at=due_at,
                attempts=1,
                sent_at=sent_at,
            )
        )

    @property
    def audit_count(self) -> int:
        return self.counts["audit entries"] + len(self.audit_rows)

    @property
    def outbox_count(self) -> int:
        return self.outbox_written + len(self.outbox_rows)

    def flush_audit_and_outbox(self) -> None:
        self.write(LogEntry, self.audit_rows, label="audit entries")
        self.write(Notification, self.outbox_rows, label="delivered outbox rows")
        self.audit_rows, self.outbox_rows = [], []

    # -- reporting -----------------------------------------------------------------------

    def step(self, name: str):
        """A context manager timing one builder (the command prints the times)."""
        history = self

        class _Step:
            def __enter__(self):
                self.started = clock.monotonic()

            def __exit__(self, *exc):
                history.timings.append((name, clock.monotonic() - self.started))

        return _Step()

"""The one deadline engine: stored clocks, their reminders, one overdue digest.

An app keeps its rules as pure date functions in its ``clocks.py`` (each citing its
law or policy), stores its open clocks in a table built on ``DeadlineBase`` (one row
per clock of a case, removed once met) and registers a ``DeadlineSource`` from its
``AppConfig.ready()`` saying how that table reaches the case and the person reminded.
The engine does the rest, the same way for every app:

- ``deadlines_refresh`` makes a case's rows match its clocks in a fixed number of
  queries (rows created, moved and deleted in bulk) and plans each moved or new
  clock's reminders in the outbox, a set number of working days before it falls due;
- ``overdue_digests_queue`` sends each member of staff (or team mailbox) ONE email a
  working-day morning counting the overdue items of every app, never on a weekend or
  bank holiday, never before ``OVERDUE_DIGEST_HOUR``, and never twice a day (the key
  names the person and the day).

Emails carry a neutral sentence and a link: no names, no references, nothing about
a household or a child. The core names no app: each app registers its source.
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import (
    Case,
    Count,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from . import formats
from .calendar import add_working_days, is_working_day
from .notifications import notifications_withdraw, notify, notify_new


class DeadlineBase(models.Model):
    """An open clock on a case: what is due, by when. Met clocks are removed.

    The concrete table adds the case it belongs to and ``kind`` (with its choices).
    ``revision`` grows whenever the date or the person reminded changes, which gives
    reminders fresh keys.
    """

    label = models.CharField(max_length=200)
    due_on = models.DateField()
    revision = models.PositiveIntegerField(default=1)
    reminded_to = models.EmailField(max_length=254, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    # Kinds whose date says when something becomes possible: never late, one note on the day.
    never_late_kinds: ClassVar[tuple[str, ...]] = ()

    class Meta:
        abstract = True
        ordering = ["due_on", "id"]

    def __str__(self):
        return f"{self.label} by {formats.day(self.due_on)}"

    @property
    def can_be_overdue(self) -> bool:
        return self.kind not in self.never_late_kinds

    def is_overdue(self, today: date | None = None) -> bool:
        return self.can_be_overdue and self.due_on < (today or timezone.localdate())


@dataclass(frozen=True)
class DeadlineSource:
    """How one app's deadline table plugs into the engine.

    ``settings_prefix`` names the app's policy settings: ``<prefix>_REMINDER_WORKING_DAYS_BEFORE``,
    ``<prefix>_REMINDER_HOUR`` and ``<prefix>_TEAM_EMAIL`` (who is reminded when the case
    has no active social worker).
    """

    model: type[DeadlineBase]
    owner: str  # the foreign key to the case: "household"
    key: tuple[str, ...]  # the fields naming one clock of a case: ("kind", "subject")
    social_worker: str  # the path from a deadline to the person reminded
    closed: Q  # deadlines of cases no longer open: no digest, no re-addressing
    settings_prefix: str
    reminder_template: str
    change_url: str  # the admin URL name of the case, for the reminder's link
    digest_line: str  # what the digest calls this app's items: "on households you assess"
    digest_url: str  # where the digest sends the reader for them
    digest_query: str = ""
    # Other values a clock carries onto its row (model attribute names, e.g. "duty",
    # "worker_id"); a clock may also name its own ``worker``, reminded instead of the
    # case's.
    carried: tuple[str, ...] = ()

    def setting(self, name: str):
        return getattr(settings, f"{self.settings_prefix}_{name}")

    def key_prefix(self, deadline_pk: int) -> str:
        return f"{self.model._meta.app_label}:deadline:{deadline_pk}:"

    def clock_key(self, clock) -> tuple:
        return tuple(getattr(clock, name) for name in self.key)


_sources: dict[str, DeadlineSource] = {}


def register_deadlines(source: DeadlineSource) -> None:
    """Apps register their deadline table (from ``AppConfig.ready``)."""
    _sources[source.model._meta.label] = source


def registered_sources() -> list[DeadlineSource]:
    return list(_sources.values())


def recipient_for(worker, *, source: DeadlineSource) -> tuple[str, str]:
    """The social worker's address and first name, or the app's team mailbox."""
    if worker is not None and worker.is_active and worker.email:
        return worker.email, worker.first_name
    return source.setting("TEAM_EMAIL"), ""


def deadlines_refresh(*, source: DeadlineSource, owner, clocks: Iterable, worker) -> None:
    """Make the case's deadline rows match its clocks, and its reminders match them.

    ``worker`` is reminded of every clock that does not name its own (``clock.worker``).
    Call inside the transaction that changed the facts, with the case locked. The
    same handful of queries however many clocks change: read, withdraw, delete,
    insert, update and queue, each at most once.
    """
    wanted = {source.clock_key(clock): clock for clock in clocks}
    recipients = {
        key: recipient_for(getattr(clock, "worker", None) or worker, source=source)
        for key, clock in wanted.items()
    }
    accessor = source.model._meta.get_field(source.owner).remote_field.get_accessor_name()
    existing = {source.clock_key(d): d for d in getattr(owner, accessor).all()}
    now = timezone.now()
    gone = [d for key, d in existing.items() if key not in wanted]
    new, moved, relabelled = [], [], []
    for key, clock in wanted.items():
        label = clock.label[:200]
        to = recipients[key][0]
        carried = {name: getattr(clock, name) for name in source.carried}
        deadline = existing.get(key)
        if deadline is None:
            fields = dict(zip(source.key, key, strict=True))
            new.append(
                source.model(
                    **{source.owner: owner},
                    **fields,
                    **carried,
                    label=label,
                    due_on=clock.due_on,
                    reminded_to=to,
                )
            )
        elif deadline.due_on != clock.due_on or deadline.reminded_to != to:
            deadline.due_on, deadline.label, deadline.reminded_to = clock.due_on, label, to
            for name, value in carried.items():
                setattr(deadline, name, value)
            deadline.revision += 1
            deadline.updated_at = now
            moved.append(deadline)
        elif deadline.label != label or any(
            getattr(deadline, name) != value for name, value in carried.items()
        ):
            deadline.label, deadline.updated_at = label, now
            for name, value in carried.items():
                setattr(deadline, name, value)
            relabelled.append(deadline)
    if gone or moved:
        notifications_withdraw(key_prefixes=[source.key_prefix(d.pk) for d in gone + moved])
    if gone:
        source.model.objects.filter(pk__in=[d.pk for d in gone]).delete()
    if new:
        new = source.model.objects.bulk_create(new)
    if moved or relabelled:
        source.model.objects.bulk_update(
            moved + relabelled,
            ["due_on", "label", "reminded_to", "revision", "updated_at", *source.carried],
        )
    first_names = dict(recipients.values())
    messages = [
        m
        for d in new + moved
        for m in _reminders(source, d, first_names.get(d.reminded_to, ""), now=now)
    ]
    if messages:
        # Keys carry the row and its revision, both new in this transaction.
        notify_new(messages)


def _reminders(source: DeadlineSource, deadline, first_name: str, *, now) -> Iterator[dict]:
    """This revision's reminders that are still in the future."""
    if deadline.can_be_overdue:
        days_before = sorted(set(source.setting("REMINDER_WORKING_DAYS_BEFORE")), reverse=True)
    else:
        # A date from which something becomes possible: one note on the day itself.
        days_before = [0]
    hour = time(hour=source.setting("REMINDER_HOUR"))
    path = reverse(source.change_url, args=[getattr(deadline, f"{source.owner}_id")])
    for working_days in days_before:
        due_at = timezone.make_aware(
            datetime.combine(add_working_days(deadline.due_on, -working_days), hour)
        )
        if due_at <= now:
            continue
        yield {
            "key": f"{source.key_prefix(deadline.pk)}r{deadline.revision}:{working_days}wd",
            "to": deadline.reminded_to,
            "template": source.reminder_template,
            "context": {
                "first_name": first_name,
                "due_on": formats.day(deadline.due_on, weekday=True),
                "is_from_date": not deadline.can_be_overdue,
                "path": path,
            },
            "due_at": due_at,
        }


def cases_with_next_deadline(
    queryset: QuerySet, *, source: DeadlineSource, today: date
) -> QuerySet:
    """Annotate each case with its next deadline (``next_deadline_on``,
    ``next_deadline_label``) and how many of its deadlines are overdue
    (``overdue_count``; never-late kinds are not counted), for lists: two subqueries,
    no query per row."""
    deadlines = source.model.objects.filter(**{source.owner: OuterRef("pk")})
    next_deadlines = deadlines.order_by("due_on", "id")
    overdue = deadlines.filter(due_on__lt=today)
    if source.model.never_late_kinds:
        overdue = overdue.exclude(kind__in=source.model.never_late_kinds)
    overdue = overdue.order_by().values(source.owner).annotate(n=Count("id")).values("n")
    return queryset.annotate(
        next_deadline_on=Subquery(next_deadlines.values("due_on")[:1]),
        next_deadline_label=Subquery(next_deadlines.values("label")[:1]),
        overdue_count=Coalesce(Subquery(overdue, output_field=IntegerField()), 0),
    )


def deadlines_with_stale_recipient(source: DeadlineSource) -> QuerySet:
    """Open deadlines whose reminders go to someone other than the person reminded now."""
    worker = source.social_worker
    current = Case(
        When(
            Q(**{f"{worker}__is_active": True}) & ~Q(**{f"{worker}__email": ""}),
            then=F(f"{worker}__email"),
        ),
        default=Value(source.setting("TEAM_EMAIL")),
    )
    return (
        source.model.objects.exclude(source.closed)
        .annotate(current_recipient=current)
        .exclude(reminded_to=F("current_recipient"))
    )


def overdue_digests_queue(*, now: datetime | None = None) -> int:
    """One email per person with overdue items in any app, once each working-day morning.

    Safe to run as often as beat likes: the key names the person and the day. One
    query per registered app, then one message per person.
    """
    now = timezone.localtime(now or timezone.now())
    today = now.date()
    if not is_working_day(today) or now.hour < settings.OVERDUE_DIGEST_HOUR:
        return 0
    digests: dict[str, dict] = {}
    for source in registered_sources():
        for who, to, first_name, count in _overdue_counts(source, today):
            digest = digests.setdefault(
                to, {"who": who, "first_name": first_name, "count": 0, "sections": []}
            )
            if who.startswith("team-") and digest["who"] != who:
                digest["who"] += who.removeprefix("team")  # one mailbox for several teams
            digest["count"] += count
            digest["sections"].append(
                {
                    "count": count,
                    "line": source.digest_line,
                    "path": reverse(source.digest_url) + source.digest_query,
                }
            )
    for to, digest in digests.items():
        notify(
            key=f"deadlines:overdue-digest:{digest['who']}:{today.isoformat()}",
            to=to,
            template="portal/overdue_digest",
            context={
                "first_name": digest["first_name"],
                "count": digest["count"],
                "sections": digest["sections"],
            },
        )
    return len(digests)


def _overdue_counts(source: DeadlineSource, today: date) -> Iterator[tuple[str, str, str, int]]:
    """(who, address, first name, overdue items) for each person with overdue items here."""
    worker = source.social_worker
    rows = (
        source.model.objects.filter(due_on__lt=today)
        .exclude(kind__in=source.model.never_late_kinds)
        .exclude(source.closed)
        .values(worker, f"{worker}__email", f"{worker}__first_name", f"{worker}__is_active")
        .annotate(overdue=Count("id"))
        .order_by(worker)
    )
    by_team = 0
    for row in rows:
        if row[worker] and row[f"{worker}__is_active"]:
            email, first_name = row[f"{worker}__email"], row[f"{worker}__first_name"]
            yield str(row[worker]), email, first_name, row["overdue"]
        else:
            by_team += row["overdue"]
    if by_team:
        yield f"team-{source.model._meta.app_label}", source.setting("TEAM_EMAIL"), "", by_team

"""Family time, kept on the child: birth relatives, the versioned plan, the sessions the
plan generates a few weeks ahead, their outcomes and the alerts they raise, mileage
claims, and the communication book moderated by the child's social worker.

Every write locks the child (``lock_child``: the child's open placements first, the lock
order). Emails go through the outbox with a link and a neutral sentence: no child, no
relative, no carer detail.
"""

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from auditlog.models import LogEntry
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import OperationalError, connection, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from portal import audit, dates, formats, versions
from portal.calendar import is_bank_holiday
from portal.notifications import notify, queued_keys
from portal.workflow import Refused, Table, is_lock_timeout, lock_wait_limit

from ..measures import COUNTED_AS, family_time_counts
from ..models import (
    BirthRelative,
    Child,
    CommunicationBookEntry,
    CourtOrder,
    FamilyTimeFiguresBefore,
    FamilyTimePlan,
    FamilyTimeSession,
    Handover,
    Hearing,
    Placement,
)
from ..selectors import family_time_shortfalls
from .deadlines import lock_child

logger = logging.getLogger(__name__)

Status = FamilyTimeSession.Status
Kind = FamilyTimePlan.Kind

# ---------------------------------------------------------------------------
# Birth relatives
# ---------------------------------------------------------------------------


def _relative_problems(*, name: str, address: str, address_reason: str) -> list[str]:
    problems = []
    if not name.strip():
        problems.append("Give the relative's name.")
    if address.strip() and not address_reason.strip():
        problems.append("Say why the address must be kept, or leave it empty.")
    return problems


def birth_relative_record(
    *,
    child: Child,
    relationship: str,
    name: str,
    has_parental_responsibility: bool,
    by,
    contact_route: str = BirthRelative.ContactRoute.CHILD_SOCIAL_WORKER,
    address: str = "",
    address_reason: str = "",
) -> BirthRelative:
    problems = _relative_problems(name=name, address=address, address_reason=address_reason)
    if problems:
        raise Refused(problems)
    with transaction.atomic():
        child = lock_child(child)
        return BirthRelative.objects.create(
            child=child,
            relationship=relationship,
            name=name.strip()[:120],
            has_parental_responsibility=has_parental_responsibility,
            contact_route=contact_route,
            address=address.strip()[:300],
            address_reason=address_reason.strip()[:200] if address.strip() else "",
        )


def birth_relative_update(*, relative: BirthRelative, by, **values) -> BirthRelative:
    """Correct a relative; the restricted address is kept as it was when not given (the
    page shows it only to those who may see it)."""
    with transaction.atomic():
        lock_child(Child(pk=relative.child_id))
        relative = BirthRelative.objects.get(pk=relative.pk)
        for name in ("relationship", "name", "has_parental_responsibility", "contact_route"):
            if name in values:
                setattr(relative, name, values[name])
        if "address" in values:
            relative.address = (values["address"] or "").strip()[:300]
            relative.address_reason = (values.get("address_reason") or "").strip()[:200]
        problems = _relative_problems(
            name=relative.name, address=relative.address, address_reason=relative.address_reason
        )
        if problems:
            raise Refused(problems)
        if not relative.address:
            relative.address_reason = ""
        relative.save()
    return relative


# ---------------------------------------------------------------------------
# Plans
# ---------------------------------------------------------------------------

_HANDOVER_ORDER = [Handover.IN_PERSON, Handover.CONTACT_WORKER, Handover.NEVER_MEET]


def handover_needed(*, surname: bool, address: bool, car: bool, school: bool) -> Handover:
    """The least guarded handover that keeps what the birth family must not learn.

    Agency practice: a face-to-face handover lets the parents see the carers' car and
    follow it home, so a withheld address or car registration means the carers and the
    parents never meet; a withheld surname or school means the carers are not introduced,
    so a contact worker takes the child over.
    """
    if address or car:
        return Handover.NEVER_MEET
    if surname or school:
        return Handover.CONTACT_WORKER
    return Handover.IN_PERSON


def plan_problems(
    *,
    child: Child,
    kind: str,
    source_dated: date | None,
    starts_on: date | None,
    weekdays: str,
    handover: str,
    start_time: time | None = None,
    confirm_by: time | None = None,
    withhold_surname: bool,
    withhold_address: bool,
    withhold_car: bool,
    withhold_school: bool,
    relatives: Iterable[BirthRelative] = (),
    current: FamilyTimePlan | None = None,
) -> list[str]:
    problems = []
    if source_dated is not None:
        problems += dates.messages(
            dates.happened(source_dated, label="The date of the direction or care plan")
        )
    if source_dated and starts_on and starts_on < source_dated:
        problems.append(
            "The plan cannot start before the direction or care plan that sets it "
            f"({formats.day(source_dated)})."
        )
    days = {d for d in weekdays if d in "0123456"}
    if not days or len(days) != len(weekdays):
        problems.append("Choose the days of the week the sessions are on.")
    if confirm_by is not None and start_time is not None and confirm_by >= start_time:
        problems.append(
            f"The parent confirms before the session starts ({start_time:%H:%M}): "
            "choose an earlier time to confirm by, or none."
        )
    needed = handover_needed(
        surname=withhold_surname, address=withhold_address, car=withhold_car, school=withhold_school
    )
    if handover in _HANDOVER_ORDER and _HANDOVER_ORDER.index(handover) < _HANDOVER_ORDER.index(
        needed
    ):
        problems.append(
            f"What the birth family must not learn needs the handover “{needed.label}” "
            "or a more guarded one."
        )
    for relative in relatives:
        if relative.child_id != child.pk:
            problems.append("Choose only this child's relatives.")
            break
    if kind == Kind.FAREWELL and not farewell_allowed(child=child):
        problems.append(
            "Farewell family time follows a placement order or a final hearing: "
            "neither is recorded for the child."
        )
    if current is not None and starts_on is not None and starts_on <= current.starts_on:
        problems.append(
            f"The plan in force began on {formats.day(current.starts_on)}: "
            "a new version starts after it."
        )
    return problems


def farewell_allowed(*, child: Child) -> bool:
    """Farewell family time comes once the court has decided: a placement order, or a
    final hearing in the child's proceedings."""
    return (
        CourtOrder.objects.filter(child=child, kind=CourtOrder.Kind.PLACEMENT_ORDER).exists()
        or Hearing.objects.filter(
            proceedings__children=child,
            kind__in=(Hearing.Kind.FINAL, Hearing.Kind.PLACEMENT_ORDER),
            held_on__lte=timezone.localdate(),
        ).exists()
    )


def family_time_plan_set(
    *,
    child: Child,
    by,
    source: str,
    source_dated: date,
    starts_on: date,
    weekdays: str,
    start_time: time,
    length_minutes: int,
    venue: str,
    supervision: str,
    handover: str,
    transport: str,
    relatives: Iterable[BirthRelative] = (),
    kind: str = Kind.REGULAR,
    supervising_organisation: str = "",
    confirm_by: time | None = None,
    late_cancel_minutes: int | None = None,
    withhold_surname: bool = False,
    withhold_address: bool = False,
    withhold_car: bool = False,
    withhold_school: bool = False,
    note: str = "",
    today: date | None = None,
) -> FamilyTimePlan:
    """A new version of the child's plan. The version in force ends the day this one
    starts; its sessions from then on that nothing has been recorded on are removed, and
    this version's sessions are generated in their place. Past sessions are never
    touched. The carers are told their schedule changed (a link, no details)."""
    relatives = list(relatives)
    today = today or timezone.localdate()
    with transaction.atomic():
        child = lock_child(child)
        current = child.family_time_plans.filter(ends_on__isnull=True).first()
        problems = plan_problems(
            child=child,
            kind=kind,
            source_dated=source_dated,
            starts_on=starts_on,
            weekdays=weekdays,
            handover=handover,
            start_time=start_time,
            confirm_by=confirm_by,
            withhold_surname=withhold_surname,
            withhold_address=withhold_address,
            withhold_car=withhold_car,
            withhold_school=withhold_school,
            relatives=relatives,
            current=current,
        )
        if problems:
            raise Refused(problems)
        if current is not None:
            _plan_end(current, on=starts_on)
        last = child.family_time_plans.order_by("-version").first()
        plan = FamilyTimePlan.objects.create(
            child=child,
            version=(last.version + 1) if last else 1,
            kind=kind,
            source=source,
            source_dated=source_dated,
            starts_on=starts_on,
            weekdays="".join(sorted(set(weekdays))),
            start_time=start_time,
            length_minutes=length_minutes,
            venue=venue[:150],
            supervision=supervision,
            supervising_organisation=supervising_organisation[:150],
            handover=handover,
            transport=transport,
            confirm_by=confirm_by,
            late_cancel_minutes=late_cancel_minutes,
            withhold_surname=withhold_surname,
            withhold_address=withhold_address,
            withhold_car=withhold_car,
            withhold_school=withhold_school,
            note=note[:300],
            created_by=by,
        )
        plan.relatives.set(relatives)
        _generate(plan, today=today)
        audit.record(plan, "placements.family_time.plan_set", by=by, version=plan.version)
        if current is not None:
            _tell_carers_schedule_changed(child, plan)
    return plan


def _plan_end(plan: FamilyTimePlan, *, on: date) -> None:
    """End a plan the day ``on``: its sessions from then that nothing was recorded on go."""
    plan.ends_on = max(on, plan.starts_on)
    plan.save(update_fields=["ends_on"])
    plan.sessions.filter(held_on__gte=on, status__in=FamilyTimeSession.OPEN).delete()


def family_time_plans_end(*, children: Iterable[Child], on: date) -> None:
    """The placement ended: the children's plans in force end with it (inside the caller's
    transaction, the placement and children locked)."""
    for plan in FamilyTimePlan.objects.filter(
        child__in=[c.pk for c in children], ends_on__isnull=True
    ):
        _plan_end(plan, on=on)


# ---------------------------------------------------------------------------
# Generating sessions
# ---------------------------------------------------------------------------


def session_days(plan: FamilyTimePlan, *, start: date, end: date) -> list[date]:
    """The days from ``start`` to ``end`` (both included) on which the plan holds a
    session: its weekdays, within the plan's dates, less bank holidays when the agency's
    family centres close on them (``FAMILY_TIME_SKIP_BANK_HOLIDAYS``)."""
    start = max(start, plan.starts_on)
    if plan.ends_on is not None:
        end = min(end, plan.ends_on - timedelta(days=1))
    weekdays = set(plan.days)
    skip = settings.FAMILY_TIME_SKIP_BANK_HOLIDAYS
    found = []
    day = start
    while day <= end:
        if day.weekday() in weekdays and not (skip and is_bank_holiday(day)):
            found.append(day)
        day += timedelta(days=1)
    return found


def _current_placement(child: Child, *, related: tuple[str, ...] = ()) -> Placement | None:
    """The placement the child lives in now (the newest, should two overlap on a day)."""
    return (
        Placement.objects.filter(
            placement_children__child=child, placement_children__is_current=True
        )
        .select_related(*related)
        .order_by("-placed_on")
        .first()
    )


def _current_placement_pk(child: Child) -> int | None:
    placement = _current_placement(child)
    return placement.pk if placement else None


def _generate(plan: FamilyTimePlan, *, today: date) -> int:
    """Create the plan's sessions from today to the horizon that do not exist yet."""
    horizon = _horizon(today)
    wanted = session_days(plan, start=today, end=horizon)
    # A session withdrawn (the centre never opened that day) is not made again.
    have = set(
        FamilyTimeSession.all_objects.filter(plan=plan, held_on__in=wanted).values_list(
            "held_on", flat=True
        )
    )
    placement_pk = _current_placement_pk(plan.child)
    new = [
        FamilyTimeSession(
            child_id=plan.child_id,
            placement_id=placement_pk,
            plan=plan,
            kind=plan.kind,
            held_on=day,
            starts_at=plan.start_time,
        )
        for day in wanted
        if day not in have
    ]
    # The unique (plan, day) constraint makes a second run, or a race with one, a no-op.
    FamilyTimeSession.objects.bulk_create(new, ignore_conflicts=True)
    if plan.generated_to is None or plan.generated_to < horizon:
        plan.generated_to = horizon
        FamilyTimePlan.objects.filter(pk=plan.pk).update(generated_to=horizon)
    return len(new)


def _horizon(today: date) -> date:
    return today + timedelta(weeks=settings.FAMILY_TIME_WEEKS_AHEAD)


def family_time_sessions_generate(*, today: date | None = None) -> int:
    """The beat job: every plan in force gets its sessions up to the horizon. Safe to
    run twice: a session that exists is never made again, nor changed. A plan already
    generated to today's horizon is passed over, so of the 24 runs a day only the first
    does work for each plan (one query for the others, however many plans there are)."""
    today = today or timezone.localdate()
    made = 0
    plan_pks = (
        FamilyTimePlan.objects.filter(Q(ends_on__isnull=True) | Q(ends_on__gt=today))
        .filter(Q(generated_to__isnull=True) | Q(generated_to__lt=_horizon(today)))
        .values_list("pk", flat=True)
    )
    for pk in plan_pks:
        with transaction.atomic():
            plan = FamilyTimePlan.objects.select_related("child").get(pk=pk)
            lock_child(plan.child)
            made += _generate(plan, today=today)
    return made


# ---------------------------------------------------------------------------
# Recording a session
# ---------------------------------------------------------------------------

# Which outcomes may follow which: a planned session is confirmed, held or cancelled;
# a recorded outcome may be corrected to another outcome (a mistake), never back to
# planned.
_OUTCOMES = tuple(s for s in Status.values if s not in (Status.PLANNED,))
SESSION_TABLE = Table(
    moves={
        Status.PLANNED: _OUTCOMES,
        Status.CONFIRMED: tuple(s for s in _OUTCOMES if s != Status.CONFIRMED),
        **{
            s: tuple(o for o in _OUTCOMES if o not in (s, Status.CONFIRMED))
            for s in _OUTCOMES
            if s != Status.CONFIRMED
        },
    }
)


def session_starts(session: FamilyTimeSession) -> datetime | None:
    """When the session begins, as a moment: the day's local time in the UK, so a
    session after the clocks change starts an hour nearer or further in real time."""
    if session.starts_at is None:
        return None
    return timezone.make_aware(datetime.combine(session.held_on, session.starts_at))


def notice_given(session: FamilyTimeSession) -> timedelta | None:
    """How much notice a cancellation gave: from when it was given to the start."""
    starts = session_starts(session)
    if session.cancelled_at is None or starts is None:
        return None
    return starts - session.cancelled_at


def notice_words(session: FamilyTimeSession) -> str:
    notice = notice_given(session)
    if notice is None:
        return ""
    if notice <= timedelta(0):
        return "no notice (given after the start)"
    hours, rest = divmod(int(notice.total_seconds()) // 60, 60)
    words = [f"{hours} hour{'s' if hours != 1 else ''}"] if hours else []
    if rest or not hours:
        words.append(f"{rest} minute{'s' if rest != 1 else ''}")
    return " ".join(words)


def is_short_notice(session: FamilyTimeSession) -> bool:
    notice = notice_given(session)
    return notice is not None and notice < timedelta(hours=settings.FAMILY_TIME_SHORT_NOTICE_HOURS)


def confirm_deadline(session: FamilyTimeSession) -> datetime | None:
    """When the parent must have confirmed: the plan's ``confirm_by`` on the session's
    day, UK local time (so 09:00 is 08:00 UTC in summer and 09:00 UTC in winter)."""
    plan = session.plan
    if plan is None or plan.confirm_by is None:
        return None
    return timezone.make_aware(datetime.combine(session.held_on, plan.confirm_by))


def is_not_confirmed(session: FamilyTimeSession, *, now: datetime | None = None) -> bool:
    """Still only planned once the time to confirm by has passed, on the day: the parent
    has not confirmed, and under the plan the session does not go ahead. (After the day
    it is a session whose outcome is not recorded.)"""
    deadline = confirm_deadline(session)
    now = now or timezone.now()
    return (
        session.status == Status.PLANNED
        and deadline is not None
        and now >= deadline
        and timezone.localdate(now) == session.held_on
    )


def session_state(session: FamilyTimeSession, *, now: datetime | None = None) -> str:
    """The session's status in words, a planned session past its time to confirm by
    shown as not confirmed."""
    now = now or timezone.now()
    if is_not_confirmed(session, now=now):
        return f"Not confirmed by {session.plan.confirm_by:%H:%M}"
    if session.status in FamilyTimeSession.OPEN and session.held_on < timezone.localdate(now):
        return f"{session.get_status_display()}: what happened is not recorded"
    return session.get_status_display()


def _late_limit(session: FamilyTimeSession) -> int | None:
    return session.plan.late_cancel_minutes if session.plan is not None else None


def _rule_cancelled_at(session: FamilyTimeSession, status: str, late: int | None):
    """When a cancellation the plan's rules make was given: the time to confirm by, or
    the moment the parent became too late (or arrived, when the plan sets no limit)."""
    if status == Status.PARENT_DID_NOT_CONFIRM:
        return confirm_deadline(session)
    starts = session_starts(session)
    if starts is None or late is None:
        return None
    limit = _late_limit(session)
    return starts + timedelta(minutes=min(late, limit) if limit is not None else late)


RULE_CANCELLATIONS = (Status.PARENT_DID_NOT_CONFIRM, Status.CANCELLED_PARENT_LATE)
# A journey was made: the carers drove the child there, whether or not the parent came.
JOURNEY_MADE = (*FamilyTimeSession.HELD, Status.PARENT_DID_NOT_ATTEND, Status.CANCELLED_PARENT_LATE)


def session_problems(
    *,
    session: FamilyTimeSession,
    status: str,
    cancelled_at: datetime | None,
    miles: Decimal | None,
    parent_late_minutes: int | None = None,
    now: datetime | None = None,
) -> list[str]:
    now = now or timezone.now()
    problems = []
    if status != session.status and not SESSION_TABLE.allows(session.status, status):
        problems.append(
            f"A session “{session.get_status_display()}” cannot become “{Status(status).label}”."
        )
    starts = session_starts(session) or timezone.make_aware(
        datetime.combine(session.held_on, time(0))
    )
    if status in JOURNEY_MADE and starts > now:
        problems.append("The session has not started yet: record what happened afterwards.")
    problems += _rule_problems(
        session=session, status=status, late=parent_late_minutes, starts=starts, now=now
    )
    if status in FamilyTimeSession.CANCELLED:
        if cancelled_at is None and status not in RULE_CANCELLATIONS:
            problems.append("Say when the cancellation was given (date and time).")
        elif cancelled_at is not None and cancelled_at > now:
            problems.append("The cancellation cannot be given in the future.")
    elif cancelled_at is not None:
        problems.append("Only a cancelled session has a time the cancellation was given.")
    if miles is not None and status not in JOURNEY_MADE:
        problems.append(
            "Miles are claimed for a journey made: a session held, not attended, or "
            "cancelled because the parent was late."
        )
    return problems


def _rule_problems(
    *, session: FamilyTimeSession, status: str, late: int | None, starts: datetime, now
) -> list[str]:
    """The plan's confirmation and lateness rules (the court's direction or the care
    plan sets them: Children Act 1989 s34(2)-(3); the portal applies them as written)."""
    problems = []
    limit = _late_limit(session)
    if status == Status.PARENT_DID_NOT_CONFIRM:
        deadline = confirm_deadline(session)
        if deadline is None:
            problems.append(
                "The plan sets no time for the parent to confirm by: record it as "
                "“Cancelled by the parent”."
            )
        elif session.status == Status.CONFIRMED:
            problems.append("The parent confirmed this session.")
        elif now < deadline:
            problems.append(
                f"The parent has until {session.plan.confirm_by:%H:%M} on "
                f"{formats.day(session.held_on, weekday=True)} to confirm."
            )
    if status in (Status.PARENT_LATE, Status.CANCELLED_PARENT_LATE):
        if late is None and (status == Status.CANCELLED_PARENT_LATE or limit is not None):
            rule = (
                f": the plan cancels the session when the parent is more than {limit} minutes late"
                if limit is not None
                else ""
            )
            problems.append(f"Say how many minutes late the parent was{rule}.")
        elif late is not None and late < 1:
            problems.append("A late parent is at least 1 minute late.")
        elif late is not None and limit is not None:
            if status == Status.PARENT_LATE and late > limit:
                problems.append(
                    f"The parent was {late} minutes late and the plan cancels the session "
                    f"when the parent is more than {limit} minutes late: record it as "
                    f"“{Status.CANCELLED_PARENT_LATE.label}”, not "
                    f"“{Status.PARENT_LATE.label}”."
                )
            if status == Status.CANCELLED_PARENT_LATE and late <= limit:
                problems.append(
                    f"The parent was {late} minutes late and the plan cancels the session "
                    f"only when the parent is more than {limit} minutes late: record it as "
                    f"“{Status.PARENT_LATE.label}”."
                )
    elif late is not None:
        problems.append("Only a session the parent was late for has minutes late.")
    return problems


def family_time_session_record(
    *,
    session: FamilyTimeSession,
    status: str,
    by,
    cancelled_at: datetime | None = None,
    note: str = "",
    miles: Decimal | None = None,
    parent_late_minutes: int | None = None,
    supervisor_note=None,
    now: datetime | None = None,
) -> FamilyTimeSession:
    """Record what happened to a session (or correct it); the alerts it raises follow.
    A cancellation recorded before the session starts tells the carers not to set off."""
    now = now or timezone.now()
    with transaction.atomic():
        child = lock_child(Child(pk=session.child_id))
        current = (
            FamilyTimeSession.objects.select_related("plan")
            .filter(pk=session.pk, child=child)
            .first()
        )
        if current is None:  # withdrawn since the page was read
            raise versions.already_withdrawn(session)
        session = current
        problems = session_problems(
            session=session,
            status=status,
            cancelled_at=cancelled_at,
            miles=miles,
            parent_late_minutes=parent_late_minutes,
            now=now,
        )
        if supervisor_note is not None and supervisor_note.child_id != child.pk:
            problems.append("The supervisor's note must be a document on this child.")
        if session.claim and miles != session.miles:
            # A claim made stays as made: changing or clearing its miles would let a
            # submitted claim be approved for another figure, and lose an approval or a
            # payment (``mileage_claims_move``).
            problems.append(
                f"The mileage claim for this session is “{session.get_claim_display()}”, "
                f"for {session.miles} miles: its miles cannot change."
            )
        if problems:
            raise Refused(problems)
        if status in RULE_CANCELLATIONS and cancelled_at is None:
            cancelled_at = _rule_cancelled_at(session, status, parent_late_minutes)
        was = session.status
        session.status = status
        session.cancelled_at = cancelled_at
        session.parent_late_minutes = parent_late_minutes
        session.note = note[:500]
        session.miles = miles
        if miles is None:
            session.claim = FamilyTimeSession.Claim.NONE
        session.supervisor_note = supervisor_note
        session.recorded_at = now
        session.save(
            update_fields=[
                "status",
                "cancelled_at",
                "parent_late_minutes",
                "note",
                "miles",
                "claim",
                "supervisor_note",
                "recorded_at",
            ]
        )
        if was != status:
            audit.record(session, "placements.family_time.session_recorded", by=by, status=status)
            if (
                status in FamilyTimeSession.CANCELLED
                and status != Status.CANCELLED_BY_CARERS
                and _not_started(session, now)
            ):
                _tell_carers_cancelled(child, session)
        for alert in session_alerts(child=child, session=session):
            _alert(child, alert)
    return session


def _not_started(session: FamilyTimeSession, now: datetime) -> bool:
    """Whether the carers could still be on their way: before its start time, or, with no
    time set, on its day or before (a past session is only recorded, no one is told)."""
    starts = session_starts(session)
    if starts is None:
        return session.held_on >= timezone.localdate(now)
    return now < starts


def family_time_unconfirmed_cancel(*, now: datetime | None = None) -> int:
    """The beat job, every few minutes: today's sessions the parent has not confirmed by
    the plan's time are cancelled (“the parent did not confirm”) and the carers told not
    to set off, before the session starts. Only sessions not started yet: one already
    under way is the worker's to record. Safe to run twice (a cancelled session is no
    longer planned; the emails are keyed on the session)."""
    now = now or timezone.now()
    local = timezone.localtime(now)
    due = FamilyTimeSession.objects.filter(
        status=Status.PLANNED,
        held_on=local.date(),
        plan__confirm_by__isnull=False,
        plan__confirm_by__lte=local.time(),
    ).filter(Q(starts_at__isnull=True) | Q(starts_at__gt=local.time()))
    cancelled = 0
    for session in due.select_related("plan"):
        try:
            family_time_session_record(
                session=session, status=Status.PARENT_DID_NOT_CONFIRM, by=None, now=now
            )
        except Refused:
            # Confirmed or recorded by a worker since the list was read: theirs stands.
            continue
        cancelled += 1
    return cancelled


# ---------------------------------------------------------------------------
# Alerts to the carers' supervising social worker
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Alert:
    key: str
    kind: str  # shortfall, non_attendance, short_notice, phone_carers (the email's sentence)


_SENTENCES = {
    "shortfall": "Fewer family time sessions were held than planned over the last weeks "
    "on a placement you support.",
    "non_attendance": "A parent has missed family time sessions in a row on a placement "
    "you support.",
    "short_notice": "A family time session was cancelled at short notice on a placement "
    "you support.",
    "phone_carers": "A family time session was cancelled on a placement you support and "
    "the carers have no email address: please phone them before they set off.",
}


# The parent missed the session: did not come, did not confirm, or came too late for it.
MISSED_BY_PARENT = (
    Status.PARENT_DID_NOT_ATTEND,
    Status.PARENT_DID_NOT_CONFIRM,
    Status.CANCELLED_PARENT_LATE,
)


def session_alerts(*, child: Child, session: FamilyTimeSession) -> list[Alert]:
    """The alerts recording this session raises: a short-notice cancellation, and the
    parent's missed sessions in a row (``FAMILY_TIME_MISSED_IN_A_ROW``)."""
    alerts = []
    if session.status in FamilyTimeSession.CANCELLED and is_short_notice(session):
        alerts.append(Alert(f"family-time:session:{session.pk}:short-notice", "short_notice"))
    in_a_row = settings.FAMILY_TIME_MISSED_IN_A_ROW
    attended = list(
        child.family_time_sessions.filter(
            held_on__lte=session.held_on,
            status__in=(*FamilyTimeSession.HELD, *MISSED_BY_PARENT),
        )
        .order_by("-held_on", "-starts_at", "-id")
        .values_list("pk", "status")[:in_a_row]
    )
    if (
        session.status in MISSED_BY_PARENT
        and len(attended) == in_a_row
        and all(status in MISSED_BY_PARENT for _, status in attended)
    ):
        alerts.append(Alert(f"family-time:session:{session.pk}:missed-in-a-row", "non_attendance"))
    return alerts


def family_time_alerts_queue(*, today: date | None = None) -> int:
    """The daily sweep: each child with a plan in force whose sessions held over the
    rolling window fell short of those planned. One alert a child a week at most.

    The children falling short are found in one query, and those already alerted this
    week in one more, so a run's queries grow only with the alerts it queues."""
    today = today or timezone.localdate()
    year, week, _ = today.isocalendar()
    keys = {
        pk: f"family-time:child:{pk}:shortfall:{year}-{week}"
        for pk in family_time_shortfalls(today=today)
    }
    queued = queued_keys(keys.values())
    sent = 0
    for child in Child.objects.filter(pk__in=[pk for pk, key in keys.items() if key not in queued]):
        with transaction.atomic():
            _alert(child, Alert(keys[child.pk], "shortfall"))
        sent += 1
    return sent


def _supervising_social_worker(child: Child):
    placement = _current_placement(child, related=("household__social_worker",))
    return placement.household.social_worker if placement else None


def _alert(child: Child, alert: Alert) -> None:
    worker = _supervising_social_worker(child)
    if worker is not None and worker.is_active and worker.email:
        to, first_name = worker.email, worker.first_name
    else:
        to, first_name = settings.PLACEMENTS_TEAM_EMAIL, ""
    notify(
        key=alert.key,
        to=to,
        template="placements/family_time_alert",
        context={
            "first_name": first_name,
            "sentence": _SENTENCES[alert.kind],
            "path": reverse("admin:placements_child_section", args=[child.pk, "family-time"]),
        },
    )


def _carers_of(child: Child) -> list | None:
    """The carers the child lives with now (None: the child is not placed)."""
    placement = _current_placement(child, related=("household",))
    if placement is None:
        return None
    return list(placement.household.applicants.select_related("account").order_by("pk"))


def _tell_carers_cancelled(child: Child, session: FamilyTimeSession) -> None:
    """Before they set off: the day and time only, no child, venue or reason. When a
    carer has no email address, their supervising social worker is asked to phone the
    carers (one alert for the session). A child not placed has no carers to tell."""
    starts = session.starts_at.strftime("%H:%M") if session.starts_at else ""
    carers = _carers_of(child)
    if carers is None:
        return
    if not carers or any(not applicant.email for applicant in carers):
        _alert(child, Alert(f"family-time:session:{session.pk}:phone-carers", "phone_carers"))
    for applicant in (applicant for applicant in carers if applicant.email):
        notify(
            key=f"family-time:session:{session.pk}:cancelled:carer:{applicant.pk}",
            to=applicant.email,
            template="placements/family_time_session_cancelled",
            context={
                "first_name": applicant.first_name,
                "day": formats.day(session.held_on, weekday=True),
                "starts": starts,
            },
        )


def _tell_carers_schedule_changed(child: Child, plan: FamilyTimePlan) -> None:
    """The plan changed: each carer is told, with a link to the week in their own area
    when they have one (``carers.views``, invited and the address unchanged)."""
    from carers.own_area import has_own_area
    from carers.services.own_area import OWN_AREA_PATH

    for applicant in (applicant for applicant in _carers_of(child) or () if applicant.email):
        notify(
            key=f"family-time:plan:{plan.pk}:carer:{applicant.pk}",
            to=applicant.email,
            template="placements/family_time_schedule_changed",
            context={
                "first_name": applicant.first_name,
                "area_path": f"{OWN_AREA_PATH}family-time/" if has_own_area(applicant) else "",
            },
        )


# ---------------------------------------------------------------------------
# Mileage claims
# ---------------------------------------------------------------------------

CLAIM_TABLE = Table(
    moves={
        FamilyTimeSession.Claim.NONE: (FamilyTimeSession.Claim.SUBMITTED,),
        FamilyTimeSession.Claim.SUBMITTED: (FamilyTimeSession.Claim.APPROVED,),
        FamilyTimeSession.Claim.APPROVED: (FamilyTimeSession.Claim.PAID,),
    },
    field="claim",
)


def mileage_amount(miles: Decimal | None) -> Decimal:
    """The carers' claim: miles at the agency's rate (``FAMILY_TIME_MILEAGE_PENCE``),
    in pounds to the penny."""
    if miles is None:
        return Decimal("0.00")
    pence = (miles * settings.FAMILY_TIME_MILEAGE_PENCE).quantize(
        Decimal("1"), rounding=ROUND_HALF_UP
    )
    return (pence / 100).quantize(Decimal("0.01"))


def _claims_sent_by_carers(rows: list[FamilyTimeSession]) -> set[int]:
    """Which of the sessions had their claim sent by the carers from their own area
    (``family_time_carers_report``): its audit entry says so. A claim moves from none to
    submitted once, so a claim without that entry was submitted by staff."""
    return set(
        LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(FamilyTimeSession),
            object_id__in=[row.pk for row in rows],
            additional_data__action="placements.family_time.carers_report",
            additional_data__claim=True,
        ).values_list("object_id", flat=True)
    )


def _claim_authority_problems(rows: list[FamilyTimeSession], *, to: str, by) -> list[str]:
    """Who may move a claim on: anyone with the case to submit one; those with
    ``placements.approve_mileage`` (team managers) to approve or pay any; and the carers'
    own social worker to approve a claim the carers sent from their own area, never one
    staff submitted (so no social worker approves a claim they made). Agency practice,
    not law."""
    if to == FamilyTimeSession.Claim.SUBMITTED or by.has_perm("placements.approve_mileage"):
        return []
    if to == FamilyTimeSession.Claim.PAID:
        return ["Only a team manager marks mileage claims paid."]
    # A claim goes from none to submitted once: its miles cannot change or be cleared
    # once made (``family_time_session_record``), so the carers' report that made it is
    # the one on record.
    workers = dict(
        Placement.objects.filter(pk__in={row.placement_id for row in rows}).values_list(
            "pk", "household__social_worker_id"
        )
    )
    sent_by_carers = _claims_sent_by_carers(rows)
    problems = []
    for row in rows:
        day = formats.day(row.held_on)
        if row.placement_id is None:
            problems.append(
                f"The session on {day} has no placement, so no carers of their own: a team "
                "manager approves its claim."
            )
        elif workers.get(row.placement_id) != by.pk:
            problems.append(
                f"The claim for {day} is from carers you are not the social worker of: "
                "their social worker or a team manager approves it."
            )
        elif row.pk not in sent_by_carers:
            problems.append(
                f"The claim for {day} was submitted by staff, not by the carers from their "
                "own area: a team manager approves it."
            )
    return problems


def mileage_claims_move(*, sessions: Iterable[FamilyTimeSession], to: str, by) -> int:
    """Move the claims of the sessions chosen on to ``to`` (submitted, approved, paid);
    refuse them all, in words, if any cannot move or is not ``by``'s to move
    (``_claim_authority_problems``)."""
    with transaction.atomic():
        rows = list(
            FamilyTimeSession.objects.select_for_update()
            .filter(pk__in=[s.pk for s in sessions])
            .order_by("pk")
        )
        problems = []
        for row in rows:
            if row.miles is None:
                problems.append(f"The session on {formats.day(row.held_on)} has no miles.")
            elif not CLAIM_TABLE.allows(row.claim, to):
                problems.append(
                    f"The claim for {formats.day(row.held_on)} is "
                    f"“{row.get_claim_display()}”: it cannot become "
                    f"“{FamilyTimeSession.Claim(to).label}”."
                )
        if not problems:
            problems = _claim_authority_problems(rows, to=to, by=by)
        if problems:
            raise Refused(problems)
        for row in rows:
            row.claim = to
        FamilyTimeSession.objects.bulk_update(rows, ["claim"])
        for row in rows:
            audit.record(row, "placements.family_time.claim_moved", by=by, claim=to)
    return len(rows)


def family_time_carers_report(
    *,
    session: FamilyTimeSession,
    household_id: int,
    by,
    note: str = "",
    miles: Decimal | None = None,
    now: datetime | None = None,
) -> FamilyTimeSession:
    """The carers' own report after a session, from their own area: a note on how the child
    was (the child's presentation), and the miles of a journey made, which submits their
    mileage claim for the social worker to approve (``mileage_claims_move``).

    Only the carers the child lived with for the session, while that placement is open;
    only once the session has started; miles only for a journey made (the status the
    supervisor or social worker recorded) and while no claim is made yet. What happened at
    the session stays theirs to record."""
    now = now or timezone.now()
    with transaction.atomic():
        child = lock_child(Child(pk=session.child_id))
        current = (
            FamilyTimeSession.objects.select_related("plan", "placement")
            .filter(
                pk=session.pk,
                child=child,
                placement__household_id=household_id,
                withdrawn_at__isnull=True,
            )
            .exclude(placement__status=Placement.Status.ENDED)
            .first()
        )
        if current is None:
            raise Refused("This session is not one of yours.")
        session = current
        problems = []
        starts = session_starts(session) or timezone.make_aware(
            datetime.combine(session.held_on, time(0))
        )
        if starts > now:
            problems.append("The session has not started yet: write about it afterwards.")
        if not note.strip() and miles is None:
            problems.append("Write a note, or give the miles you drove, or both.")
        if miles is not None:
            if session.claim:
                problems.append(
                    f"Your mileage for this session is already claimed "
                    f"({session.get_claim_display().lower()})."
                )
            elif session.plan is not None and session.plan.transport != (
                FamilyTimePlan.Transport.CARERS_DRIVE
            ):
                problems.append(
                    "The plan does not have you driving the child to this session, so there "
                    "are no miles to claim. If you did drive, tell your social worker."
                )
            elif session.status not in JOURNEY_MADE:
                problems.append(
                    "Miles can be claimed once the session is recorded as held (or as not "
                    "attended by the parent). Your social worker records that; try again later."
                )
            elif miles <= 0 or miles > 1000:
                problems.append("Give the miles as a number between 0.1 and 1,000.")
        if problems:
            raise Refused(problems)
        fields = []
        if note.strip():
            session.note = note.strip()[:500]
            fields.append("note")
        if miles is not None:
            session.miles = miles
            session.claim = FamilyTimeSession.Claim.SUBMITTED
            fields += ["miles", "claim"]
        session.save(update_fields=fields)
        audit.record(
            session,
            "placements.family_time.carers_report",
            by=by,
            note=bool(note.strip()),
            claim=miles is not None,
        )
    return session


# ---------------------------------------------------------------------------
# The communication book
# ---------------------------------------------------------------------------

_HOUSE_NUMBER = re.compile(r"^\s*(flat\s+\w+,?\s*)?\d+[a-z]?\s*,?\s*", re.IGNORECASE)


def _words(text: str) -> str:
    return " " + re.sub(r"[^a-z0-9]+", " ", text.lower()) + " "


def confidentiality_problems(*, child: Child, text: str, whose: str = "the carers'") -> list[str]:
    """What an entry gives away about the carers, in words: their surname, street or
    town, as the household's record has them, when the plan in force withholds them
    (all of them when no plan says otherwise). ``whose`` is "your" when the carers are
    told."""
    placement = _current_placement(child, related=("household",))
    if placement is None:
        return []
    household = placement.household
    plan = child.family_time_plans.filter(ends_on__isnull=True).first()
    surname = plan is None or plan.withhold_surname
    address = plan is None or plan.withhold_address
    said = _words(text)
    problems = []
    if surname:
        surnames = {
            name.strip()
            for name in household.applicants.values_list("last_name", flat=True)
            if name.strip()
        }
        for name in sorted(surnames):
            if _words(name) in said:
                problems.append(f"It names {whose} surname.")
                break
    if address:
        street = _HOUSE_NUMBER.sub("", household.address_line_1).strip()
        if street and _words(street) in said:
            problems.append(f"It names {whose} street.")
        if household.town.strip() and _words(household.town) in said:
            problems.append(f"It names {whose} town.")
    return problems


def book_entry_add(
    *, child: Child, side: str, written_on: date, text: str, by
) -> CommunicationBookEntry:
    """An entry for the book, awaiting moderation; one that gives away what the birth
    family must not learn is held back at once, with the reason."""
    problems = dates.messages(dates.happened(written_on, label="The date written"))
    if not text.strip():
        problems.append("Write the entry.")
    if len(text) > 1000:
        problems.append("Keep the entry to 1,000 characters.")
    if problems:
        raise Refused(problems)
    with transaction.atomic():
        child = lock_child(child)
        entry = CommunicationBookEntry(
            child=child, side=side, written_on=written_on, text=text.strip(), entered_by=by
        )
        leaks = confidentiality_problems(child=child, text=entry.text)
        if leaks:
            entry.status = CommunicationBookEntry.Status.HELD_BACK
            entry.held_back_reason = " ".join(leaks)[:300]
            entry.moderated_at = timezone.now()
        entry.save()
        audit.record(entry, "placements.family_time.book_entry_added", by=by)
    return entry


# A second press of "Send" within this time, with the same words, sends nothing more.
CARERS_ENTRY_REPEAT = timedelta(minutes=2)


def book_entry_from_carers(
    *, child: Child, household_id: int, text: str, by, now: datetime | None = None
) -> tuple[CommunicationBookEntry, bool]:
    """An entry the carers write in their own area, for the birth parents: dated today,
    awaiting the social worker's moderation as a staff entry does. Only for a child who
    lives with them now. Words that would give the carers away are refused before anything
    is saved, so the carers can reword them; the social worker's check still runs on
    moderation. The same words sent again within ``CARERS_ENTRY_REPEAT`` (a double click)
    make no second entry: ``(entry, created)``."""
    now = now or timezone.now()
    text = text.strip()
    if not text:
        raise Refused("Write your entry.")
    if len(text) > 1000:
        raise Refused("Keep your entry to 1,000 characters.")
    with transaction.atomic():
        child = lock_child(child)
        placement = _current_placement(child)
        if placement is None or placement.household_id != household_id:
            raise Refused("You can write only in the book of a child who lives with you.")
        leaks = confidentiality_problems(child=child, text=text, whose="your")
        if leaks:
            raise Refused(
                [*leaks, "The birth family must not learn it: take it out and send again."]
            )
        repeat = CommunicationBookEntry.objects.filter(
            child=child,
            side=CommunicationBookEntry.Side.CARERS,
            entered_by=by,
            text=text,
            created_at__gte=now - CARERS_ENTRY_REPEAT,
        ).first()
        if repeat is not None:
            return repeat, False
        entry = CommunicationBookEntry.objects.create(
            child=child,
            side=CommunicationBookEntry.Side.CARERS,
            written_on=timezone.localdate(now),
            text=text,
            entered_by=by,
            created_at=now,
        )
        audit.record(entry, "placements.family_time.book_entry_added", by=by, carers=True)
    return entry, True


def book_entry_moderate(
    *, entry: CommunicationBookEntry, share: bool, by, reason: str = ""
) -> CommunicationBookEntry:
    """The child's social worker shares the entry with the other side, or holds it back
    with a reason. The confidentiality check runs again: an entry that gives the carers
    away is never shared."""
    with transaction.atomic():
        child = lock_child(Child(pk=entry.child_id))
        current = CommunicationBookEntry.objects.filter(pk=entry.pk, child=child).first()
        if current is None:  # withdrawn since the page was read
            raise versions.already_withdrawn(entry)
        entry = current
        if entry.status == CommunicationBookEntry.Status.SHARED:
            raise Refused("The entry has been shared already.")
        leaks = confidentiality_problems(child=child, text=entry.text)
        if share and leaks:
            raise Refused(["The entry cannot be shared.", *leaks])
        if not share and not reason.strip():
            raise Refused("Say why the entry is held back.")
        entry.status = (
            CommunicationBookEntry.Status.SHARED
            if share
            else CommunicationBookEntry.Status.HELD_BACK
        )
        entry.held_back_reason = "" if share else reason.strip()[:300]
        entry.moderated_by, entry.moderated_at = by, timezone.now()
        entry.save(update_fields=["status", "held_back_reason", "moderated_by", "moderated_at"])
        audit.record(
            entry, "placements.family_time.book_entry_moderated", by=by, status=entry.status
        )
    return entry


# ---------------------------------------------------------------------------
# Withdrawing a row entered by mistake
# ---------------------------------------------------------------------------


def family_time_session_withdraw(*, session: FamilyTimeSession, reason: str, by):
    """Withdraw a session recorded by mistake (``portal.versions``): it keeps its words and
    leaves the lists, the counts and the alerts. A generated session withdrawn is not
    generated again. A mileage claim approved or paid is money finance has acted on: it
    stays in the record."""
    with transaction.atomic():
        lock_child(Child(pk=session.child_id))
        current = FamilyTimeSession.objects.filter(pk=session.pk).first()
        if current is None:
            raise versions.already_withdrawn(session)
        if current.claim in (FamilyTimeSession.Claim.APPROVED, FamilyTimeSession.Claim.PAID):
            raise Refused(
                f"Its mileage claim is “{current.get_claim_display().lower()}”: a session "
                "finance has acted on stays in the record. Correct its outcome instead."
            )
        return versions.withdraw(record=current, reason=reason, by=by)


def book_entry_withdraw(*, entry: CommunicationBookEntry, reason: str, by):
    """Withdraw an entry made by mistake (on the wrong child's book, twice): it leaves the
    book and the moderation list, and keeps its words under "Withdrawn"."""
    with transaction.atomic():
        lock_child(Child(pk=entry.child_id))
        return versions.withdraw(record=entry, reason=reason, by=by)


# ---------------------------------------------------------------------------
# The measures' family time figures, kept
# ---------------------------------------------------------------------------


# How long the job waits, in seconds, for the kept figures' table.
FIGURES_LOCK_WAIT = 5.0


def family_time_figures_keep(*, today: date | None = None) -> FamilyTimeFiguresBefore | None:
    """Keep the EP measures' family time figures of every session held before the Monday
    ``FAMILY_TIME_FIGURES_OPEN_WEEKS`` weeks before this week's (``measures``): the hourly
    job calls this, and it counts only when the kept figures are gone (a trigger deletes
    them when an earlier session changes), a new week has begun, or the counting changed.

    On PostgreSQL the count runs with the kept figures' table locked against writes, and
    every write to a session that the trigger meets takes a lock on it first (the
    trigger's delete): a session changed meanwhile waits until the figures are kept and
    then deletes them, or was committed before the count began and is counted. The lock
    is asked for only when there is counting to do, and for ``FIGURES_LOCK_WAIT`` at most:
    behind a long transaction that writes sessions (queued, it would hold up every other
    write to a session) the job gives up, and the next hour's run tries again. SQLite has
    one writer at a time. Returns the figures kept, or None when it gave up.
    """
    today = today or timezone.localdate()
    this_monday = today - timedelta(days=today.weekday())
    before = this_monday - timedelta(weeks=settings.FAMILY_TIME_FIGURES_OPEN_WEEKS)
    current = FamilyTimeFiguresBefore.objects.filter(before=before, counted_as=COUNTED_AS)
    if kept := current.first():
        return kept
    try:
        with transaction.atomic():
            if connection.vendor == "postgresql":
                lock_wait_limit(FIGURES_LOCK_WAIT)
                table = FamilyTimeFiguresBefore._meta.db_table
                with connection.cursor() as cursor:
                    cursor.execute(f'LOCK TABLE "{table}" IN SHARE ROW EXCLUSIVE MODE')
            if kept := current.first():
                return kept
            counts = family_time_counts(FamilyTimeSession.objects.filter(held_on__lt=before))
            FamilyTimeFiguresBefore.objects.all().delete()
            return FamilyTimeFiguresBefore.objects.create(
                before=before, counted_at=timezone.now(), counted_as=COUNTED_AS, **counts
            )
    except OperationalError as error:
        if not is_lock_timeout(error):
            raise
        logger.warning("Family time figures not kept this run: the sessions were being written")
        return None

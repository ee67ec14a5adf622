"""Family time on the child: plans, generated sessions, outcomes and notice, alerts,
mileage, the moderated communication book, and the pages. Every date below is worked
out by hand in the comments (England and Wales bank holidays, the clocks changing)."""

import csv
import io
from datetime import UTC, date, datetime, time
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import F, Value
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from placements import measures, selectors, services
from placements.models import (
    BirthRelative,
    CommunicationBookEntry,
    FamilyTimeFiguresBefore,
    FamilyTimePlan,
    FamilyTimeSession,
    Handover,
)
from portal.models import ExportLog, Notification
from portal.workflow import Refused

from . import factories
from .helpers import form_data

pytestmark = pytest.mark.django_db

Status = FamilyTimeSession.Status


@pytest.fixture
def sw_client(client, social_worker):
    client.force_login(social_worker)
    return client


@pytest.fixture
def child(placement):
    return placement.children.get()


@pytest.fixture
def placement(ep_household, social_worker):
    child = factories.child(
        social_worker, first_name="Willow", last_name="Hartington", born=date(2025, 2, 20)
    )
    return factories.placement(
        social_worker, ep_household, children=[child], placed_on=date(2025, 3, 3)
    )


def days(child, plan=None):
    sessions = child.family_time_sessions.order_by("held_on")
    if plan is not None:
        sessions = sessions.filter(plan=plan)
    return [s.held_on for s in sessions]


def utc(*args):
    return datetime(*args, tzinfo=UTC)


def record(session, status, by, *, now, **fields):
    return services.family_time_session_record(
        session=session, status=status, by=by, now=now, **fields
    )


# -- generation and a change of plan ------------------------------------------------------


def test_sessions_are_generated_four_weeks_ahead_skipping_bank_holidays(child, social_worker):
    # Mon, Wed, Fri from Mon 14 Apr 2025; generated on that day, to Mon 12 May (4 weeks).
    # Good Friday 18 Apr, Easter Monday 21 Apr and the early May bank holiday (Mon 5 May)
    # are bank holidays in England: the family centre is closed.
    plan = factories.family_time_plan(
        social_worker, child, starts_on=date(2025, 4, 14), weekdays="024"
    )
    assert days(child) == [
        date(2025, 4, 14),
        date(2025, 4, 16),
        date(2025, 4, 23),
        date(2025, 4, 25),
        date(2025, 4, 28),
        date(2025, 4, 30),
        date(2025, 5, 2),
        date(2025, 5, 7),
        date(2025, 5, 9),
        date(2025, 5, 12),
    ]
    assert {s.starts_at for s in plan.sessions.all()} == {time(10, 0)}
    # The beat job on the same day makes nothing, twice.
    assert services.family_time_sessions_generate(today=date(2025, 4, 14)) == 0
    assert services.family_time_sessions_generate(today=date(2025, 4, 14)) == 0
    assert child.family_time_sessions.count() == 10
    # A week later (Mon 21 Apr) the horizon is Mon 19 May: Wed 14, Fri 16, Mon 19 May.
    assert services.family_time_sessions_generate(today=date(2025, 4, 21)) == 3
    assert days(child)[-3:] == [date(2025, 5, 14), date(2025, 5, 16), date(2025, 5, 19)]
    assert services.family_time_sessions_generate(today=date(2025, 4, 21)) == 0


def test_the_hourly_job_passes_over_plans_already_generated_to_the_horizon(social_worker):
    def plans(n: int) -> None:
        for _ in range(n):
            child = factories.child(social_worker)
            factories.family_time_plan(social_worker, child, starts_on=date(2025, 4, 14))

    def run(today: date) -> tuple[int, int]:
        with CaptureQueriesContext(connection) as context:
            made = services.family_time_sessions_generate(today=today)
        return made, len(context.captured_queries)

    # Each plan (Mon, Wed, Fri) is generated to Mon 12 May when it is set on Mon 14 Apr:
    # the job that day has nothing to do, and finds that in one query, for 2 plans or 6.
    plans(2)
    assert run(date(2025, 4, 14)) == (0, 1)
    plans(4)
    assert run(date(2025, 4, 14)) == (0, 1)
    assert set(FamilyTimePlan.objects.values_list("generated_to", flat=True)) == {date(2025, 5, 12)}
    # Wed 16 Apr: the horizon is Wed 14 May, a plan day. Each plan gets that one session.
    made, _ = run(date(2025, 4, 16))
    assert made == 6
    assert set(FamilyTimePlan.objects.values_list("generated_to", flat=True)) == {date(2025, 5, 14)}
    assert FamilyTimeSession.objects.filter(held_on=date(2025, 5, 14)).count() == 6
    # The next run that day passes over all six again.
    assert run(date(2025, 4, 16)) == (0, 1)


def test_a_new_plan_replaces_future_sessions_and_leaves_the_past_alone(child, social_worker):
    first = factories.family_time_plan(
        social_worker, child, starts_on=date(2025, 4, 14), weekdays="024"
    )
    services.family_time_sessions_generate(today=date(2025, 4, 21))
    by_day = {s.held_on: s for s in child.family_time_sessions.all()}
    record(by_day[date(2025, 4, 14)], Status.TOOK_PLACE, social_worker, now=utc(2025, 4, 14, 15))
    record(
        by_day[date(2025, 4, 16)],
        Status.PARENT_DID_NOT_ATTEND,
        social_worker,
        now=utc(2025, 4, 16, 15),
    )
    # Fri 2 May is cancelled ahead by the parent: a fact kept after the change.
    record(
        by_day[date(2025, 5, 2)],
        Status.CANCELLED_BY_PARENT,
        social_worker,
        cancelled_at=utc(2025, 4, 28, 8),
        now=utc(2025, 4, 28, 8),
    )
    # Mon 28 Apr the court directs Tue and Thu from Wed 30 Apr.
    second = factories.family_time_plan(
        social_worker,
        child,
        starts_on=date(2025, 4, 30),
        source_dated=date(2025, 4, 28),
        today=date(2025, 4, 28),
        weekdays="13",
    )
    first.refresh_from_db()
    assert (first.version, first.ends_on, second.version) == (1, date(2025, 4, 30), 2)
    # Before Wed 30 Apr: untouched, outcomes and all (Mon 28 Apr still planned).
    assert days(child, first) == [
        date(2025, 4, 14),
        date(2025, 4, 16),
        date(2025, 4, 23),
        date(2025, 4, 25),
        date(2025, 4, 28),
        date(2025, 5, 2),
    ]
    assert child.family_time_sessions.get(held_on=date(2025, 4, 16)).status == (
        Status.PARENT_DID_NOT_ATTEND
    )
    # From Wed 30 Apr to the horizon Mon 26 May: Tuesdays and Thursdays.
    assert days(child, second) == [
        date(2025, 5, 1),
        date(2025, 5, 6),
        date(2025, 5, 8),
        date(2025, 5, 13),
        date(2025, 5, 15),
        date(2025, 5, 20),
        date(2025, 5, 22),
    ]
    assert services.family_time_sessions_generate(today=date(2025, 4, 28)) == 0
    assert services.family_time_sessions_generate(today=date(2025, 4, 28)) == 0
    # The carers are told their schedule changed: a link, no child.
    sent = Notification.objects.filter(key__startswith=f"family-time:plan:{second.pk}:carer:")
    assert sorted(n.to for n in sent) == ["alex.rivers@example.com", "jordan.rivers@example.com"]
    for notification in sent:
        # No own area (not invited): nothing but the name, and no link into an area.
        assert notification.context == {
            "first_name": notification.context["first_name"],
            "area_path": "",
        }
    assert not Notification.objects.filter(key__startswith=f"family-time:plan:{first.pk}:")


def test_a_plan_is_refused_in_words_and_nothing_saved(child, social_worker):
    factories.family_time_plan(social_worker, child, starts_on=date(2025, 4, 14))
    with pytest.raises(Refused) as refused:
        factories.family_time_plan(
            social_worker,
            child,
            starts_on=date(2025, 4, 10),
            source_dated=date(2025, 4, 11),
            weekdays="",
            handover=Handover.IN_PERSON,
            withhold_car=True,
            kind=FamilyTimePlan.Kind.FAREWELL,
        )
    assert refused.value.messages == [
        "The plan cannot start before the direction or care plan that sets it (11 April 2025).",
        "Choose the days of the week the sessions are on.",
        "What the birth family must not learn needs the handover “Carers and parents never "
        "meet” or a more guarded one.",
        "Farewell family time follows a placement order or a final hearing: neither is "
        "recorded for the child.",
        "The plan in force began on 14 April 2025: a new version starts after it.",
    ]
    assert child.family_time_plans.count() == 1


def test_the_handover_follows_what_must_not_be_learned():
    needed = services.handover_needed
    assert needed(surname=False, address=False, car=False, school=False) == Handover.IN_PERSON
    assert needed(surname=True, address=False, car=False, school=False) == (Handover.CONTACT_WORKER)
    assert needed(surname=False, address=False, car=False, school=True) == (Handover.CONTACT_WORKER)
    assert needed(surname=False, address=True, car=False, school=False) == Handover.NEVER_MEET
    assert needed(surname=False, address=False, car=True, school=False) == Handover.NEVER_MEET


def test_farewell_family_time_follows_a_placement_order(placement, child, social_worker):
    factories.family_time_plan(social_worker, child, starts_on=date(2025, 4, 14))
    services.court_order_record(
        placement=placement,
        children=[child],
        kind="placement_order",
        made_on=date(2025, 6, 2),
        by=social_worker,
    )
    farewell = factories.family_time_plan(
        social_worker,
        child,
        starts_on=date(2025, 6, 9),
        source_dated=date(2025, 6, 2),
        weekdays="0",
        kind=FamilyTimePlan.Kind.FAREWELL,
    )
    sessions = farewell.sessions.order_by("held_on")
    # Mondays from 9 Jun to the horizon, Mon 7 Jul.
    assert [s.held_on for s in sessions] == [
        date(2025, 6, 9),
        date(2025, 6, 16),
        date(2025, 6, 23),
        date(2025, 6, 30),
        date(2025, 7, 7),
    ]
    assert {s.kind for s in sessions} == {FamilyTimePlan.Kind.FAREWELL}


def test_the_end_of_the_placement_ends_the_plan_and_its_open_sessions(
    placement, child, social_worker
):
    factories.family_time_plan(social_worker, child, starts_on=date(2025, 4, 14))
    services.placement_end_other(
        placement=placement, on=date(2025, 4, 25), by=social_worker, note="Moved on."
    )
    plan = child.family_time_plans.get()
    assert plan.ends_on == date(2025, 4, 25)
    assert days(child) == [date(2025, 4, 14), date(2025, 4, 16), date(2025, 4, 23)]


# -- statuses and notice -----------------------------------------------------------------


@pytest.fixture
def mondays(child, social_worker):
    """Mondays at 10:00 from Mon 24 Mar 2025: 24, 31 Mar, 7, 14 Apr (Easter Monday, 21 Apr,
    is a bank holiday). The clocks went forward on Sun 30 Mar 2025 at 01:00 GMT."""
    factories.family_time_plan(social_worker, child, starts_on=date(2025, 3, 24), weekdays="0")
    return {s.held_on: s for s in child.family_time_sessions.all()}


@pytest.mark.parametrize(
    "status",
    [s for s in Status.values if s not in (Status.PLANNED, *services.RULE_CANCELLATIONS)],
)
def test_each_outcome_is_recorded(mondays, social_worker, status):
    session = mondays[date(2025, 3, 24)]
    cancelled = status in FamilyTimeSession.CANCELLED
    # (The cancellations the plan's rules make are tested with their rules below.)
    recorded = record(
        session,
        status,
        social_worker,
        # 10:00 GMT on Mon 24 Mar is 10:00 UTC; recorded that evening.
        now=utc(2025, 3, 24, 18),
        cancelled_at=utc(2025, 3, 22, 10) if cancelled else None,
        miles=Decimal("12.5") if status in FamilyTimeSession.HELD else None,
        note="Settled and fed well afterwards.",
    )
    recorded.refresh_from_db()
    assert recorded.status == status
    if cancelled:
        # Sat 22 Mar 10:00 to Mon 24 Mar 10:00, both GMT: 48 hours.
        assert services.notice_words(recorded) == "48 hours"


def test_the_notice_counts_real_hours_across_the_clock_change(mondays, social_worker):
    session = mondays[date(2025, 3, 31)]
    # Mon 31 Mar 10:00 BST is 09:00 UTC. Given Sat 29 Mar 10:00 GMT (10:00 UTC): 47 hours,
    # not 48, because the clocks went forward in between.
    record(
        session,
        Status.CANCELLED_BY_AUTHORITY,
        social_worker,
        cancelled_at=utc(2025, 3, 29, 10),
        now=utc(2025, 3, 29, 10),
    )
    session.refresh_from_db()
    assert services.notice_words(session) == "47 hours"
    assert not services.is_short_notice(session)
    # Given Sun 30 Mar 12:30 BST (11:30 UTC): 21 hours 30 minutes, short notice.
    record(
        session,
        Status.CANCELLED_BY_CARERS,
        social_worker,
        cancelled_at=utc(2025, 3, 30, 11, 30),
        now=utc(2025, 3, 30, 12),
    )
    session.refresh_from_db()
    assert services.notice_words(session) == "21 hours 30 minutes"
    assert services.is_short_notice(session)


def test_outcomes_that_do_not_fit_are_refused(mondays, social_worker):
    session = mondays[date(2025, 3, 31)]
    before = utc(2025, 3, 30, 12)
    cases = [
        (
            {"status": Status.TOOK_PLACE, "now": before},
            "The session has not started yet: record what happened afterwards.",
        ),
        (
            {"status": Status.CANCELLED_BY_PARENT, "now": before},
            "Say when the cancellation was given (date and time).",
        ),
        (
            {
                "status": Status.CANCELLED_BY_PARENT,
                "cancelled_at": utc(2025, 3, 30, 13),
                "now": before,
            },
            "The cancellation cannot be given in the future.",
        ),
        (
            {
                "status": Status.CHILD_UNWELL,
                "cancelled_at": before,
                "miles": Decimal("10"),
                "now": before,
            },
            "Miles are claimed for a journey made: a session held, not attended, or "
            "cancelled because the parent was late.",
        ),
    ]
    for fields, message in cases:
        with pytest.raises(Refused) as refused:
            services.family_time_session_record(session=session, by=social_worker, **fields)
        assert message in refused.value.messages
    record(session, Status.TOOK_PLACE, social_worker, now=utc(2025, 3, 31, 12))
    with pytest.raises(Refused) as refused:
        record(session, Status.CONFIRMED, social_worker, now=utc(2025, 3, 31, 12))
    assert refused.value.messages == [
        "A session “Took place” cannot become “Confirmed by the parent”."
    ]
    session.refresh_from_db()
    assert session.status == Status.TOOK_PLACE


# -- the plan's confirmation and lateness rules ---------------------------------------------


@pytest.fixture
def ruled(child, social_worker):
    """Mondays at 10:00 from Mon 24 Mar 2025 (24, 31 Mar, 7, 14 Apr), the parent confirming
    by 09:00 on the day, the session cancelled when the parent is more than 30 minutes
    late. The clocks went forward on Sun 30 Mar 2025: 09:00 on Mon 24 Mar is 09:00 UTC,
    09:00 on Mon 31 Mar is 08:00 UTC."""
    factories.family_time_plan(
        social_worker,
        child,
        starts_on=date(2025, 3, 24),
        weekdays="0",
        confirm_by=time(9, 0),
        late_cancel_minutes=30,
    )
    return {s.held_on: s for s in child.family_time_sessions.all()}


def carers_told(session):
    return Notification.objects.filter(
        key__startswith=f"family-time:session:{session.pk}:cancelled:carer:"
    )


def test_an_unconfirmed_session_is_cancelled_at_the_time_to_confirm_by(ruled, child):
    winter, summer = ruled[date(2025, 3, 24)], ruled[date(2025, 3, 31)]
    # Mon 24 Mar, GMT: at 08:59 UTC (08:59 in London) there is a minute left.
    assert services.family_time_unconfirmed_cancel(now=utc(2025, 3, 24, 8, 59)) == 0
    assert services.session_state(winter, now=utc(2025, 3, 24, 8, 59)) == "Planned"
    # At 09:00 UTC (09:00 GMT) it is cancelled, given at 09:00: an hour's notice.
    assert services.family_time_unconfirmed_cancel(now=utc(2025, 3, 24, 9, 0)) == 1
    winter.refresh_from_db()
    assert winter.status == Status.PARENT_DID_NOT_CONFIRM
    assert winter.cancelled_at == utc(2025, 3, 24, 9, 0)
    assert services.notice_words(winter) == "1 hour"
    # The carers are told before they set off, each by name, with no child details.
    told = carers_told(winter).order_by("to")
    assert [n.to for n in told] == ["alex.rivers@example.com", "jordan.rivers@example.com"]
    assert told[0].template == "placements/family_time_session_cancelled"
    assert told[0].context == {
        "first_name": "Alex",
        "day": "Monday 24 March 2025",
        "starts": "10:00",
    }
    for detail in (child.reference, "Willow", "Hartington", "Family centre"):
        assert detail not in str(told[0].context)
    # Mon 31 Mar, BST: 09:00 in London is 08:00 UTC. At 07:59 UTC nothing is due; at
    # 08:30 UTC (09:30 BST) the session is not confirmed, and the job cancels it.
    assert services.family_time_unconfirmed_cancel(now=utc(2025, 3, 31, 7, 59)) == 0
    assert services.session_state(summer, now=utc(2025, 3, 31, 8, 30)) == "Not confirmed by 09:00"
    assert services.family_time_unconfirmed_cancel(now=utc(2025, 3, 31, 8, 30)) == 1
    summer.refresh_from_db()
    # Given at 09:00 BST (08:00 UTC) for 10:00 BST: an hour, not two.
    assert summer.cancelled_at == utc(2025, 3, 31, 8, 0)
    assert services.notice_words(summer) == "1 hour"
    # Safe to run twice: nothing more is cancelled, nobody told twice.
    assert services.family_time_unconfirmed_cancel(now=utc(2025, 3, 31, 8, 35)) == 0
    assert carers_told(summer).count() == 2


def test_a_confirmed_or_started_session_is_left_to_the_worker(ruled, social_worker):
    confirmed, started = ruled[date(2025, 4, 7)], ruled[date(2025, 4, 14)]
    # Mon 7 Apr: the parent rang at 08:45 BST (07:45 UTC); the worker confirmed it.
    record(confirmed, Status.CONFIRMED, social_worker, now=utc(2025, 4, 7, 7, 45))
    assert services.family_time_unconfirmed_cancel(now=utc(2025, 4, 7, 8, 5)) == 0
    confirmed.refresh_from_db()
    assert confirmed.status == Status.CONFIRMED
    with pytest.raises(Refused) as refused:
        record(confirmed, Status.PARENT_DID_NOT_CONFIRM, social_worker, now=utc(2025, 4, 7, 8, 5))
    assert refused.value.messages == ["The parent confirmed this session."]
    # Mon 14 Apr: the job did not run until 10:30 BST (09:30 UTC), after the start. The
    # carers may be on their way: the session shows as not confirmed, the worker records it.
    assert services.family_time_unconfirmed_cancel(now=utc(2025, 4, 14, 9, 30)) == 0
    assert services.session_state(started, now=utc(2025, 4, 14, 9, 30)) == (
        "Not confirmed by 09:00"
    )
    record(started, Status.PARENT_DID_NOT_CONFIRM, social_worker, now=utc(2025, 4, 14, 9, 40))
    started.refresh_from_db()
    assert started.cancelled_at == utc(2025, 4, 14, 8, 0)
    # Recorded after the start: the carers are not sent a "do not set off" email.
    assert not carers_told(started).exists()


def test_the_worker_cannot_cancel_for_no_confirmation_before_the_time(
    ruled, mondays_without_rules, social_worker
):
    with pytest.raises(Refused) as refused:
        # 08:30 BST on Mon 31 Mar is 07:30 UTC: half an hour left to confirm.
        record(
            ruled[date(2025, 3, 31)],
            Status.PARENT_DID_NOT_CONFIRM,
            social_worker,
            now=utc(2025, 3, 31, 7, 30),
        )
    assert refused.value.messages == [
        "The parent has until 09:00 on Monday 31 March 2025 to confirm."
    ]
    with pytest.raises(Refused) as refused:
        record(
            mondays_without_rules[date(2025, 3, 31)],
            Status.PARENT_DID_NOT_CONFIRM,
            social_worker,
            now=utc(2025, 3, 31, 12),
        )
    assert refused.value.messages == [
        "The plan sets no time for the parent to confirm by: record it as "
        "“Cancelled by the parent”."
    ]


@pytest.fixture
def mondays_without_rules(placement, social_worker, make_staff):
    """A second baby on Mondays at 10:00 from Mon 24 Mar 2025, with no rules."""
    other = factories.child(
        social_worker, first_name="Rowan", last_name="Hartington", born=date(2025, 2, 20)
    )
    factories.family_time_plan(social_worker, other, starts_on=date(2025, 3, 24), weekdays="0")
    return {s.held_on: s for s in other.family_time_sessions.all()}


def test_a_parent_later_than_the_plan_allows_cancels_the_session(ruled, social_worker, child):
    session = ruled[date(2025, 3, 31)]
    # Mon 31 Mar 10:00 BST is 09:00 UTC; recorded at 12:00 UTC.
    after = utc(2025, 3, 31, 12)
    cases = [
        (
            {"status": Status.PARENT_LATE, "parent_late_minutes": 45},
            "The parent was 45 minutes late and the plan cancels the session when the "
            "parent is more than 30 minutes late: record it as “Cancelled: the parent was "
            "late”, not “Took place: the parent was late”.",
        ),
        (
            {"status": Status.PARENT_LATE},
            "Say how many minutes late the parent was: the plan cancels the session when "
            "the parent is more than 30 minutes late.",
        ),
        (
            {"status": Status.CANCELLED_PARENT_LATE, "parent_late_minutes": 20},
            "The parent was 20 minutes late and the plan cancels the session only when the "
            "parent is more than 30 minutes late: record it as “Took place: the parent was "
            "late”.",
        ),
        (
            {"status": Status.TOOK_PLACE, "parent_late_minutes": 5},
            "Only a session the parent was late for has minutes late.",
        ),
    ]
    for fields, message in cases:
        with pytest.raises(Refused) as refused:
            services.family_time_session_record(
                session=session, by=social_worker, now=after, **fields
            )
        assert refused.value.messages == [message]
    session.refresh_from_db()
    assert session.status == Status.PLANNED
    # Exactly 30 minutes late: the session went ahead.
    record(session, Status.PARENT_LATE, social_worker, parent_late_minutes=30, now=after)
    # Corrected: the parent was 45 minutes late, so it was called off at 10:30 BST
    # (09:30 UTC), after the start. The carers made the journey: miles can be claimed.
    record(
        session,
        Status.CANCELLED_PARENT_LATE,
        social_worker,
        parent_late_minutes=45,
        miles=Decimal("18"),
        now=after,
    )
    session.refresh_from_db()
    assert (session.status, session.parent_late_minutes) == (Status.CANCELLED_PARENT_LATE, 45)
    assert session.cancelled_at == utc(2025, 3, 31, 9, 30)
    assert services.notice_words(session) == "no notice (given after the start)"
    assert not carers_told(session).exists()
    assert alerts("short-notice").filter(key__contains=f":{session.pk}:").exists()


def test_a_time_to_confirm_by_after_the_start_is_refused(child, social_worker):
    with pytest.raises(Refused) as refused:
        factories.family_time_plan(
            social_worker, child, starts_on=date(2025, 3, 24), confirm_by=time(10, 0)
        )
    assert refused.value.messages == [
        "The parent confirms before the session starts (10:00): choose an earlier time to "
        "confirm by, or none."
    ]


def test_unconfirmed_and_too_late_count_as_missed_in_a_row(ruled, social_worker):
    services.family_time_unconfirmed_cancel(now=utc(2025, 3, 24, 9, 0))
    assert not alerts("missed-in-a-row").exists()
    record(
        ruled[date(2025, 3, 31)],
        Status.CANCELLED_PARENT_LATE,
        social_worker,
        parent_late_minutes=40,
        now=utc(2025, 3, 31, 12),
    )
    assert alerts("missed-in-a-row").count() == 1


def test_a_cancellation_ahead_tells_the_carers_and_their_own_does_not(
    mondays, social_worker, placement
):
    record(
        mondays[date(2025, 3, 31)],
        Status.CANCELLED_BY_AUTHORITY,
        social_worker,
        cancelled_at=utc(2025, 3, 29, 10),
        now=utc(2025, 3, 29, 10),
    )
    assert carers_told(mondays[date(2025, 3, 31)]).count() == 2
    record(
        mondays[date(2025, 4, 7)],
        Status.CANCELLED_BY_CARERS,
        social_worker,
        cancelled_at=utc(2025, 4, 5, 10),
        now=utc(2025, 4, 5, 10),
    )
    assert not carers_told(mondays[date(2025, 4, 7)]).exists()
    # Carers with no email address: their supervising social worker is asked to phone.
    placement.household.applicants.update(email="")
    record(
        mondays[date(2025, 4, 14)],
        Status.CANCELLED_BY_AUTHORITY,
        social_worker,
        cancelled_at=utc(2025, 4, 12, 10),
        now=utc(2025, 4, 12, 10),
    )
    assert not carers_told(mondays[date(2025, 4, 14)]).exists()
    phone = alerts("phone-carers").get()
    assert phone.to == social_worker.email
    assert "please phone them before they set off" in phone.context["sentence"]


def test_the_carers_are_told_only_while_they_could_still_set_off(mondays, social_worker, placement):
    # One carer has an email address and the other has not: one email, one phone alert.
    first, second = placement.household.applicants.order_by("pk")
    second.email = ""
    second.save(update_fields=["email"])
    record(
        mondays[date(2025, 3, 31)],
        Status.CANCELLED_BY_AUTHORITY,
        social_worker,
        cancelled_at=utc(2025, 3, 29, 10),
        now=utc(2025, 3, 29, 10),
    )
    assert [n.to for n in carers_told(mondays[date(2025, 3, 31)])] == [first.email]
    assert alerts("phone-carers").count() == 1
    # A session with no start time, recorded a week after its day: no one is told.
    past = mondays[date(2025, 4, 7)]
    FamilyTimeSession.objects.filter(pk=past.pk).update(starts_at=None)
    record(
        past,
        Status.CANCELLED_BY_AUTHORITY,
        social_worker,
        cancelled_at=utc(2025, 4, 6, 10),
        now=utc(2025, 4, 14, 10),
    )
    assert not carers_told(past).exists()
    assert alerts("phone-carers").count() == 1
    # On its own day with no start time, they may still be on their way: told.
    today = mondays[date(2025, 4, 14)]
    FamilyTimeSession.objects.filter(pk=today.pk).update(starts_at=None)
    record(
        today,
        Status.CANCELLED_BY_AUTHORITY,
        social_worker,
        cancelled_at=utc(2025, 4, 14, 7),
        now=utc(2025, 4, 14, 7),
    )
    assert [n.to for n in carers_told(today)] == [first.email]


def test_a_session_withdrawn_while_its_page_was_open_is_refused_in_words(
    mondays, social_worker, manager
):
    session = mondays[date(2025, 3, 24)]
    services.family_time_session_withdraw(session=session, reason="Wrong child.", by=manager)
    with pytest.raises(Refused) as refused:
        record(session, Status.TOOK_PLACE, social_worker, now=utc(2025, 3, 24, 18))
    assert refused.value.messages[0].startswith("This was already withdrawn on ")


def test_late_minutes_are_recorded_on_the_sessions_page_with_the_rule_in_words(ruled, sw_client):
    session = ruled[date(2025, 3, 24)]
    url = f"/admin/placements/familytimesession/{session.pk}/change/"
    html = sw_client.get(url).content.decode()
    assert "The parent confirms by 09:00 on the day" in html
    response = sw_client.post(
        url, form_data(html, outcome="parent_late", parent_late_minutes="50", note="")
    )
    assert response.status_code == 200
    assert "record it as “Cancelled: the parent was late”" in response.content.decode()
    response = sw_client.post(
        url,
        form_data(html, outcome="cancelled_parent_late", parent_late_minutes="50", note=""),
    )
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.status == Status.CANCELLED_PARENT_LATE


# -- alerts --------------------------------------------------------------------------------


def alerts(kind):
    return Notification.objects.filter(key__startswith="family-time:", key__endswith=kind)


def test_a_short_notice_cancellation_alerts_the_supervising_social_worker(
    mondays, social_worker, child
):
    record(
        mondays[date(2025, 3, 31)],
        Status.CANCELLED_BY_AUTHORITY,
        social_worker,
        cancelled_at=utc(2025, 3, 29, 10),
        now=utc(2025, 3, 29, 10),
    )
    assert not alerts("short-notice").exists()
    record(
        mondays[date(2025, 4, 7)],
        Status.CANCELLED_BY_PARENT,
        social_worker,
        # Mon 7 Apr 10:00 BST = 09:00 UTC; given 08:30 UTC that morning.
        cancelled_at=utc(2025, 4, 7, 8, 30),
        now=utc(2025, 4, 7, 8, 30),
    )
    alert = alerts("short-notice").get()
    assert alert.to == social_worker.email
    assert alert.template == "placements/family_time_alert"
    said = str(alert.context)
    for detail in (child.reference, "Willow", "Hartington", "Family centre"):
        assert detail not in said
    assert alert.context["path"] == (f"/admin/placements/child/{child.pk}/change/family-time/")


def test_two_missed_sessions_in_a_row_alert_once(mondays, social_worker):
    dna = Status.PARENT_DID_NOT_ATTEND
    record(mondays[date(2025, 3, 24)], dna, social_worker, now=utc(2025, 3, 24, 18))
    assert not alerts("missed-in-a-row").exists()
    # A cancellation in between does not break the run: the parent was not expected.
    record(
        mondays[date(2025, 3, 31)],
        Status.CANCELLED_BY_AUTHORITY,
        social_worker,
        cancelled_at=utc(2025, 3, 28, 9),
        now=utc(2025, 3, 28, 9),
    )
    record(mondays[date(2025, 4, 7)], dna, social_worker, now=utc(2025, 4, 7, 18))
    assert alerts("missed-in-a-row").count() == 1
    # Recording it again (a correction of the note) sends nothing new.
    record(mondays[date(2025, 4, 7)], dna, social_worker, now=utc(2025, 4, 7, 19), note="x")
    assert alerts("missed-in-a-row").count() == 1


def test_a_session_held_between_two_missed_ones_raises_no_alert(mondays, social_worker):
    dna = Status.PARENT_DID_NOT_ATTEND
    record(mondays[date(2025, 3, 24)], dna, social_worker, now=utc(2025, 3, 24, 18))
    record(mondays[date(2025, 3, 31)], Status.PARENT_LATE, social_worker, now=utc(2025, 3, 31, 18))
    record(mondays[date(2025, 4, 7)], dna, social_worker, now=utc(2025, 4, 7, 18))
    assert not alerts("missed-in-a-row").exists()


def test_fewer_sessions_held_than_planned_over_four_weeks_alerts_weekly(child, social_worker):
    # Mon, Wed, Fri from Mon 3 Mar 2025 (generated to Mon 31 Mar). On Mon 31 Mar the four
    # weeks are Mon 3 Mar to Sun 30 Mar: 12 sessions planned (no bank holidays in March).
    factories.family_time_plan(social_worker, child, starts_on=date(2025, 3, 3), weekdays="024")
    sessions = list(child.family_time_sessions.filter(held_on__lt=date(2025, 3, 31)))
    assert len(sessions) == 12
    for session in sessions:
        record(session, Status.TOOK_PLACE, social_worker, now=utc(2025, 3, 30, 20))
    assert selectors.family_time_planned_and_held(child=child, today=date(2025, 3, 31)) == (
        12,
        12,
    )
    services.family_time_alerts_queue(today=date(2025, 3, 31))
    assert not alerts("").filter(key__contains="shortfall").exists()
    record(
        sessions[5],
        Status.CHILD_UNWELL,
        social_worker,
        cancelled_at=utc(2025, 3, 14, 7),
        now=utc(2025, 3, 30, 20),
    )
    assert selectors.family_time_planned_and_held(child=child, today=date(2025, 3, 31)) == (
        12,
        11,
    )
    services.family_time_alerts_queue(today=date(2025, 3, 31))
    # Tue 1 Apr is the same ISO week (14 of 2025): no second alert.
    services.family_time_alerts_queue(today=date(2025, 4, 1))
    shortfall = Notification.objects.filter(key__contains=":shortfall:")
    assert [n.key for n in shortfall] == [f"family-time:child:{child.pk}:shortfall:2025-14"]
    assert shortfall.get().to == social_worker.email


def test_the_daily_shortfall_alerts_take_the_same_queries_for_few_children_or_many(
    social_worker,
):
    # Mon, Wed, Fri from Mon 3 Mar 2025: on Mon 31 Mar each child's four weeks (Mon 3 to
    # Sun 30 Mar) hold 12 sessions planned, none recorded as held.
    def children(n: int) -> list:
        made = [factories.child(social_worker) for _ in range(n)]
        for child in made:
            factories.family_time_plan(social_worker, child, starts_on=date(2025, 3, 3))
        return made

    def run(today: date) -> tuple[int, int]:
        with CaptureQueriesContext(connection) as context:
            sent = services.family_time_alerts_queue(today=today)
        return sent, len(context.captured_queries)

    # One child whose every session took place: no alert for them.
    kept_up = children(1)[0]
    for session in kept_up.family_time_sessions.filter(held_on__lt=date(2025, 3, 31)):
        record(session, Status.TOOK_PLACE, social_worker, now=utc(2025, 3, 30, 20))
    short = children(2)
    sent, _ = run(date(2025, 3, 31))
    assert sent == 2
    # Already alerted this week: two queries (those falling short, the alerts queued).
    assert run(date(2025, 3, 31)) == (0, 2)
    short += children(3)
    sent, _ = run(date(2025, 3, 31))
    assert sent == 3
    assert run(date(2025, 3, 31)) == (0, 2)
    keys = set(
        Notification.objects.filter(key__contains=":shortfall:").values_list("key", flat=True)
    )
    assert keys == {f"family-time:child:{child.pk}:shortfall:2025-14" for child in short}


# -- the communication book ----------------------------------------------------------------


def test_an_entry_naming_the_carers_street_is_held_back_with_the_reason(
    child, social_worker, ep_household
):
    assert ep_household.address_line_1 == "1 Test Street"
    factories.family_time_plan(
        social_worker,
        child,
        starts_on=date(2025, 4, 14),
        withhold_address=True,
        handover=Handover.NEVER_MEET,
    )
    entry = services.book_entry_add(
        child=child,
        side=CommunicationBookEntry.Side.CARERS,
        written_on=date(2025, 4, 14),
        text="She loved the ducks at the pond at the end of Test Street this morning.",
        by=social_worker,
    )
    assert entry.status == CommunicationBookEntry.Status.HELD_BACK
    assert entry.held_back_reason == "It names the carers' street."
    with pytest.raises(Refused) as refused:
        services.book_entry_moderate(entry=entry, share=True, by=social_worker)
    assert refused.value.messages == [
        "The entry cannot be shared.",
        "It names the carers' street.",
    ]
    # The town too; the surname is not withheld by this plan.
    assert services.confidentiality_problems(
        child=child, text="The Rivers family went shopping in oakford."
    ) == ["It names the carers' town."]


def test_moderation_shares_an_entry_or_holds_it_back_with_a_reason(child, social_worker):
    entry = services.book_entry_add(
        child=child,
        side=CommunicationBookEntry.Side.PARENTS,
        written_on=date(2025, 4, 14),
        text="Thank you for the photos. Is she sleeping through yet?",
        by=social_worker,
    )
    assert entry.status == CommunicationBookEntry.Status.AWAITING
    with pytest.raises(Refused) as refused:
        services.book_entry_moderate(entry=entry, share=False, by=social_worker)
    assert refused.value.messages == ["Say why the entry is held back."]
    services.book_entry_moderate(entry=entry, share=True, by=social_worker)
    entry.refresh_from_db()
    assert (entry.status, entry.moderated_by) == (
        CommunicationBookEntry.Status.SHARED,
        social_worker,
    )
    with pytest.raises(Refused):
        services.book_entry_moderate(entry=entry, share=False, reason="x", by=social_worker)
    # With no plan, everything about the carers is withheld: the surname too.
    assert services.confidentiality_problems(child=child, text="Love from the Rivers") == [
        "It names the carers' surname."
    ]


def test_moderating_on_the_entry_page(child, sw_client, social_worker):
    entry = services.book_entry_add(
        child=child,
        side=CommunicationBookEntry.Side.PARENTS,
        written_on=date(2025, 4, 14),
        text="Happy to hear she is smiling.",
        by=social_worker,
    )
    url = f"/admin/placements/communicationbookentry/{entry.pk}/change/"
    html = sw_client.get(url).content.decode()
    response = sw_client.post(url, form_data(html, decision="hold"))
    assert "Say why the entry is held back." in response.content.decode()
    response = sw_client.post(
        url, form_data(html, decision="hold", reason="Ask the parent to rephrase.")
    )
    assert response.status_code == 302
    entry.refresh_from_db()
    assert (entry.status, entry.held_back_reason) == (
        CommunicationBookEntry.Status.HELD_BACK,
        "Ask the parent to rephrase.",
    )


# -- mileage -------------------------------------------------------------------------------


def test_mileage_claims_move_on_and_the_finance_csv_totals_them(
    mondays, social_worker, manager, client, placement
):
    held = [mondays[date(2025, 3, 24)], mondays[date(2025, 3, 31)]]
    record(held[0], Status.TOOK_PLACE, social_worker, miles=Decimal("12.5"), now=utc(2025, 4, 8))
    record(held[1], Status.PARENT_LATE, social_worker, miles=Decimal("14.0"), now=utc(2025, 4, 8))
    # At 45p a mile: 12.5 miles = 562.5p, to the penny £5.63; 14 miles = £6.30.
    assert services.mileage_amount(Decimal("12.5")) == Decimal("5.63")
    assert services.mileage_amount(Decimal("14.0")) == Decimal("6.30")
    with pytest.raises(Refused) as refused:
        services.mileage_claims_move(sessions=held, to="approved", by=manager)
    assert refused.value.messages[0] == (
        "The claim for 24 March 2025 is “No claim”: it cannot become “Approved”."
    )
    assert services.mileage_claims_move(sessions=held, to="submitted", by=social_worker) == 2
    client.force_login(manager)
    url = "/admin/placements/familytimesession/"
    pks = [str(s.pk) for s in held]
    client.post(url, {"action": "claims_approved", "_selected_action": pks})
    assert set(
        FamilyTimeSession.objects.filter(miles__isnull=False).values_list("claim", flat=True)
    ) == {"approved"}
    response = client.post(url, {"action": "mileage_csv", "_selected_action": pks})
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[1] == ["Placement", "Household", "Date", "Miles", "Amount (£)", "Claim"]
    assert rows[2:] == [
        [
            placement.reference,
            placement.household.reference,
            "2025-03-24",
            "12.5",
            "5.63",
            "Approved",
        ],
        [
            placement.reference,
            placement.household.reference,
            "2025-03-31",
            "14.0",
            "6.30",
            "Approved",
        ],
    ]
    assert sum(Decimal(row[4]) for row in rows[2:]) == Decimal("11.93")
    assert "Willow" not in response.content.decode()
    assert ExportLog.objects.get().export == "Family time mileage"


@pytest.mark.parametrize(
    "first, second, weeks_apart",
    [
        (date(2025, 12, 28), date(2025, 12, 29), 1),  # a Sunday, then the Monday
        (date(2025, 12, 29), date(2026, 1, 4), 0),  # Monday to Sunday across New Year
        (date(2024, 2, 26), date(2024, 3, 3), 0),  # Monday to Sunday across 29 February
        (date(2026, 1, 4), date(2026, 1, 12), 2),  # a Sunday, then the Monday after next
    ],
)
def test_the_weeks_with_miles_run_monday_to_sunday(social_worker, first, second, weeks_apart):
    """The measures count placement-weeks with miles by the database's week number (days
    since Monday 1 January of the year 1, in sevens): the dates here were read off a
    calendar by hand."""
    row = (
        type(social_worker)
        .objects.filter(pk=social_worker.pk)
        .annotate(a=measures.weeks_since(Value(first)), b=measures.weeks_since(Value(second)))
        .values("a", "b")
        .get()
    )
    assert row["b"] - row["a"] == weeks_apart


def test_a_social_worker_cannot_approve_a_claim_staff_submitted(mondays, social_worker, sw_client):
    """Only the carers' own claims (from their area) are the social worker's to approve:
    one staff submitted waits for a team manager, so no one approves a claim they made."""
    session = mondays[date(2025, 3, 24)]
    record(session, Status.TOOK_PLACE, social_worker, miles=Decimal("3"), now=utc(2025, 4, 8))
    services.mileage_claims_move(sessions=[session], to="submitted", by=social_worker)
    refused = sw_client.post(
        "/admin/placements/familytimesession/",
        {"action": "claims_approved", "_selected_action": [str(session.pk)]},
        follow=True,
    )
    assert "was submitted by staff, not by the carers" in refused.content.decode()
    session.refresh_from_db()
    assert session.claim == "submitted"


# -- the pages -----------------------------------------------------------------------------


def section(child):
    return f"/admin/placements/child/{child.pk}/change/family-time/"


def test_a_plan_set_on_the_childs_page_shows_what_must_not_be_learned(
    child, sw_client, social_worker
):
    mother = services.birth_relative_record(
        child=child,
        relationship=BirthRelative.Relationship.MOTHER,
        name="Dana Example",
        has_parental_responsibility=True,
        by=social_worker,
    )
    plan = {
        "family_time_plans-TOTAL_FORMS": "1",
        "family_time_plans-0-kind": "regular",
        "family_time_plans-0-source": "court_direction",
        "family_time_plans-0-source_dated": "2025-04-10",
        "family_time_plans-0-starts_on": "2025-04-14",
        "family_time_plans-0-relatives": str(mother.pk),
        "family_time_plans-0-weekdays": ["0", "2", "4"],
        "family_time_plans-0-start_time": "10:00",
        "family_time_plans-0-length_minutes": "90",
        "family_time_plans-0-venue": "Oakford Family Centre",
        "family_time_plans-0-supervision": "supervised",
        "family_time_plans-0-handover": "in_person",
        "family_time_plans-0-transport": "carers_drive",
        "family_time_plans-0-withhold_address": "on",
        "family_time_plans-0-withhold_car": "on",
    }
    html = sw_client.get(section(child)).content.decode()
    response = sw_client.post(section(child), form_data(html, **plan))
    assert response.status_code == 200
    assert "needs the handover “Carers and parents never meet”" in response.content.decode()
    assert not child.family_time_plans.exists()
    plan["family_time_plans-0-handover"] = "never_meet"
    response = sw_client.post(section(child), form_data(html, **plan))
    assert response.status_code == 302, response.content.decode()[:3000]
    saved = child.family_time_plans.get()
    assert (saved.weekdays, list(saved.relatives.all())) == ("024", [mother])
    html = sw_client.get(section(child)).content.decode()
    assert "The birth family must not learn" in html
    assert "The carers&#x27; address" in html and "The carers&#x27; car registration" in html
    assert "Carers and parents never meet" in html


def test_recording_a_session_on_its_page(mondays, sw_client):
    session = mondays[date(2025, 3, 24)]
    url = f"/admin/placements/familytimesession/{session.pk}/change/"
    html = sw_client.get(url).content.decode()
    response = sw_client.post(
        url,
        form_data(
            html,
            outcome="cancelled_by_parent",
            cancelled_at="2025-03-23T18:00",
            note="",
        ),
    )
    assert response.status_code == 302, response.context["errors"] if response.context else ""
    session.refresh_from_db()
    assert session.status == Status.CANCELLED_BY_PARENT
    # Sun 23 Mar 18:00 GMT to Mon 24 Mar 10:00 GMT: 16 hours, short notice.
    assert services.notice_words(session) == "16 hours"
    assert "16 hours: short notice" in sw_client.get(url).content.decode()


def test_a_relatives_address_is_shown_to_team_managers_only(
    child, client, make_staff, social_worker
):
    from portal.roles import Role

    services.birth_relative_record(
        child=child,
        relationship=BirthRelative.Relationship.FATHER,
        name="Lee Example",
        has_parental_responsibility=False,
        address="4 Hidden Lane",
        address_reason="Court papers are served there.",
        by=social_worker,
    )
    client.force_login(social_worker)
    assert "4 Hidden Lane" not in client.get(section(child)).content.decode()
    client.force_login(make_staff(Role.TEAM_MANAGERS))
    assert "4 Hidden Lane" in client.get(section(child)).content.decode()
    with pytest.raises(Refused) as refused:
        services.birth_relative_record(
            child=child,
            relationship="mother",
            name="A",
            has_parental_responsibility=True,
            address="1 Road",
            by=social_worker,
        )
    assert refused.value.messages == ["Say why the address must be kept, or leave it empty."]


def _history(child, by, n):
    """``n`` weeks of daily sessions for ``child``, each recorded, and a book entry each."""
    for _ in range(7 * n):
        factories.family_time_record(by, child, miles=Decimal("5"))
    for _ in range(n):
        services.book_entry_add(
            child=child, side="parents", written_on=date(2025, 3, 3), text="Hello.", by=by
        )


def test_the_family_time_page_and_the_sessions_list_keep_their_query_budget(
    child, social_worker, sw_client
):
    urls = [section(child), "/admin/placements/familytimesession/"]

    def counts():
        result = []
        for url in urls:
            with CaptureQueriesContext(connection) as context:
                assert sw_client.get(url).status_code == 200
            result.append(len(context.captured_queries))
        return result

    _history(child, social_worker, 1)
    counts()  # warm-up
    small = counts()
    _history(child, social_worker, 9)
    assert child.family_time_sessions.exclude(status=Status.PLANNED).count() == 70
    large = counts()
    assert small == large
    print("family time queries (child's section, sessions list):", large)


# -- measures ------------------------------------------------------------------------------


def _recorded_for_the_kept_figures(mondays, social_worker):
    """Mon 24 Mar held (10 miles), 31 Mar the parent did not attend (15 miles), 7 Apr
    cancelled by the carers, 14 Apr held (5 miles); all recorded on Sun 20 Apr 2025."""
    now = utc(2025, 4, 20)
    record(
        mondays[date(2025, 3, 24)], Status.TOOK_PLACE, social_worker, miles=Decimal("10"), now=now
    )
    record(
        mondays[date(2025, 3, 31)],
        Status.PARENT_DID_NOT_ATTEND,
        social_worker,
        miles=Decimal("15"),
        now=now,
    )
    record(
        mondays[date(2025, 4, 7)],
        Status.CANCELLED_BY_CARERS,
        social_worker,
        cancelled_at=utc(2025, 4, 6, 9),
        now=now,
    )
    record(
        mondays[date(2025, 4, 14)], Status.TOOK_PLACE, social_worker, miles=Decimal("5"), now=now
    )


def _all_years(today):
    figures = measures.ep_measures(today=today).family_time
    return (
        figures.planned,
        figures.held,
        figures.did_not_attend,
        dict(figures.cancelled)["The carers"],
        figures.not_recorded,
        figures.miles,
        figures.placement_weeks,
    )


def test_the_figures_kept_before_recent_weeks_add_up_to_counting_every_session(
    mondays, social_worker, settings
):
    settings.FAMILY_TIME_FIGURES_OPEN_WEEKS = 2
    _recorded_for_the_kept_figures(mondays, social_worker)
    wednesday = date(2025, 4, 23)
    # Counted afresh: four Mondays planned, two held, one missed, one cancelled by the
    # carers; 30 miles over three placement-weeks.
    by_hand = (4, 2, 1, 1, 0, Decimal("30"), 3)
    assert _all_years(wednesday) == by_hand
    # This week's Monday is 21 Apr; two weeks before it, Mon 7 Apr: kept are 24 and 31 Mar.
    kept = services.family_time_figures_keep(today=wednesday)
    assert kept.before == date(2025, 4, 7)
    assert (kept.planned, kept.held, kept.did_not_attend, kept.miles, kept.placement_weeks) == (
        2,
        1,
        1,
        Decimal("25"),
        2,
    )
    assert _all_years(wednesday) == by_hand
    # A day before the Monday it was kept for, the kept figures are not used.
    # The measures over all years use them (a mark added to the kept row shows), a year's
    # do not; nor do they before the Monday they were kept for: on Sun 30 Mar only 24 Mar
    # is counted (with the kept figures wrongly added, it would be 2).
    FamilyTimeFiguresBefore.objects.update(planned=F("planned") + 100)
    assert _all_years(wednesday)[0] == 104
    assert measures.ep_measures(year=2025, today=wednesday).family_time.planned == 4
    assert _all_years(date(2025, 3, 30))[0] == 1
    # Figures counted another way (before a change to the counting) are not used, and the
    # job counts again.
    FamilyTimeFiguresBefore.objects.update(counted_as="counted-before")
    assert _all_years(wednesday)[0] == 4
    kept = services.family_time_figures_keep(today=wednesday)
    assert (kept.planned, kept.counted_as) == (2, measures.COUNTED_AS)
    # Kept again the same week: not counted again. The next week: counted to Mon 14 Apr.
    assert services.family_time_figures_keep(today=date(2025, 4, 27)).counted_at == (
        kept.counted_at
    )
    later = services.family_time_figures_keep(today=date(2025, 4, 28))
    assert later.before == date(2025, 4, 14) and FamilyTimeFiguresBefore.objects.count() == 1
    assert _all_years(date(2025, 4, 28)) == by_hand


def test_a_change_the_figures_read_to_a_session_before_the_kept_weeks_deletes_them(
    mondays, social_worker, settings
):
    """The database's trigger: services, a raw update, an insert and a delete alike."""
    settings.FAMILY_TIME_FIGURES_OPEN_WEEKS = 2
    _recorded_for_the_kept_figures(mondays, social_worker)
    wednesday = date(2025, 4, 23)
    services.family_time_figures_keep(today=wednesday)
    # A session after the kept weeks: the kept figures stay.
    record(
        mondays[date(2025, 4, 14)],
        Status.PARENT_LATE,
        social_worker,
        miles=Decimal("5"),
        now=utc(2025, 4, 22),
    )
    assert FamilyTimeFiguresBefore.objects.exists()
    # The outcome of 24 Mar corrected: gone, and the measures count it as it now is.
    record(
        mondays[date(2025, 3, 24)],
        Status.CHILD_UNWELL,
        social_worker,
        cancelled_at=utc(2025, 3, 24, 7),
        now=utc(2025, 4, 22),
    )
    assert not FamilyTimeFiguresBefore.objects.exists()
    assert _all_years(wednesday) == (4, 1, 1, 1, 0, Decimal("20"), 2)
    services.family_time_figures_keep(today=wednesday)
    assert _all_years(wednesday) == (4, 1, 1, 1, 0, Decimal("20"), 2)
    # What the figures do not read (a note, a claim moving on) leaves them.
    old = FamilyTimeSession.objects.filter(held_on=date(2025, 3, 31))
    old.update(note="Corrected", claim=FamilyTimeSession.Claim.SUBMITTED)
    assert FamilyTimeFiguresBefore.objects.exists()
    # Written without the services: still caught.
    old.update(miles=Decimal("16"))
    assert not FamilyTimeFiguresBefore.objects.exists()
    # A session moved from before the kept weeks to after, or from after to before.
    services.family_time_figures_keep(today=wednesday)
    old.update(held_on=date(2025, 4, 8))
    assert not FamilyTimeFiguresBefore.objects.exists()
    services.family_time_figures_keep(today=wednesday)
    FamilyTimeSession.objects.filter(held_on=date(2025, 4, 8)).update(held_on=date(2025, 3, 31))
    assert not FamilyTimeFiguresBefore.objects.exists()
    # A session added before them.
    services.family_time_figures_keep(today=wednesday)
    added = FamilyTimeSession.objects.get(held_on=date(2025, 3, 31))
    added.pk, added.plan, added.held_on = None, None, date(2025, 3, 26)
    added.save()
    assert not FamilyTimeFiguresBefore.objects.exists()
    added.delete()
    # A session deleted.
    services.family_time_figures_keep(today=wednesday)
    old.delete()
    assert not FamilyTimeFiguresBefore.objects.exists()
    assert _all_years(wednesday) == (3, 1, 0, 1, 0, Decimal("5"), 1)


def test_the_hourly_job_keeps_the_figures(mondays, social_worker, settings):
    from placements import tasks

    scheduled = {entry["task"]: entry for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert scheduled["placements.tasks.keep_family_time_figures"]["schedule"] == 3600
    _recorded_for_the_kept_figures(mondays, social_worker)
    tasks.keep_family_time_figures.delay()
    kept = FamilyTimeFiguresBefore.objects.get()
    assert kept.before.weekday() == 0 and kept.before < timezone.localdate()
    assert (kept.planned, kept.held, kept.miles) == (4, 2, Decimal("30"))


def test_the_job_gives_up_behind_a_transaction_writing_sessions(
    mondays, social_worker, settings, monkeypatch, require_postgres, caplog
):
    """Another transaction holds the lock a session's write takes: the job waits its
    time, keeps nothing and says so, instead of holding up every write behind it."""
    import psycopg
    from django.db import connection

    from placements.services import family_time

    settings.FAMILY_TIME_FIGURES_OPEN_WEEKS = 2
    monkeypatch.setattr(family_time, "FIGURES_LOCK_WAIT", 0.2)
    _recorded_for_the_kept_figures(mondays, social_worker)
    params = connection.get_connection_params()
    with psycopg.connect(**params) as other:
        other.execute("LOCK TABLE placements_familytimefiguresbefore IN ROW EXCLUSIVE MODE")
        assert services.family_time_figures_keep(today=date(2025, 4, 23)) is None
        other.rollback()
    assert "Family time figures not kept" in caplog.text
    assert not FamilyTimeFiguresBefore.objects.exists()
    assert services.family_time_figures_keep(today=date(2025, 4, 23)).planned == 2


def test_family_time_measures_worked_by_hand(mondays, social_worker, manager, client):
    record(
        mondays[date(2025, 3, 24)],
        Status.TOOK_PLACE,
        social_worker,
        miles=Decimal("10"),
        now=utc(2025, 4, 20),
    )
    record(
        mondays[date(2025, 3, 31)],
        Status.PARENT_DID_NOT_ATTEND,
        social_worker,
        miles=Decimal("15"),
        now=utc(2025, 4, 20),
    )
    record(
        mondays[date(2025, 4, 7)],
        Status.CANCELLED_BY_CARERS,
        social_worker,
        cancelled_at=utc(2025, 4, 6, 9),
        now=utc(2025, 4, 20),
    )
    record(
        mondays[date(2025, 4, 14)],
        Status.CHILD_UNWELL,
        social_worker,
        cancelled_at=utc(2025, 4, 14, 7),
        now=utc(2025, 4, 20),
    )
    figures = measures.ep_measures(year=2025, today=date(2025, 5, 1)).family_time
    # Four Mondays planned (24, 31 Mar, 7, 14 Apr); one held, one missed; the carers
    # cancelled one, the child was unwell for one.
    assert (figures.planned, figures.held, figures.did_not_attend) == (4, 1, 1)
    assert figures.cancelled == [
        ("The authority", 0),
        ("The carers", 1),
        ("The parent", 0),
        ("The child was unwell", 1),
    ]
    # 25 miles at 25 mph is 1 hour, over two placement-weeks (w/c 24 and 31 Mar): 0.5.
    assert (figures.miles, figures.placement_weeks) == (Decimal("25.0"), 2)
    assert figures.travel_hours_per_week == 0.5
    client.force_login(manager)
    html = client.get("/admin/placements/placement/measures/?year=2025").content.decode()
    assert "Carers' travel, hours a week a placement" in html
    rows = measures.measures_csv_rows(measures.ep_measures(year=2025, today=date(2025, 5, 1)))
    assert [
        "Carers' family time travel, hours a week a placement (2025)",
        "All routes",
        "0.5",
        "2",
        "",
    ] in rows


def test_a_birth_relative_finds_their_own_details_in_a_subject_access_request(child, social_worker):
    from portal.subject_access import REMOVED, REVIEW, Person, sections_for

    services.birth_relative_record(
        child=child,
        relationship=BirthRelative.Relationship.MOTHER,
        name="Dana Example",
        has_parental_responsibility=True,
        by=social_worker,
    )
    services.book_entry_add(
        child=child,
        side=CommunicationBookEntry.Side.PARENTS,
        written_on=date(2025, 4, 14),
        text="Thank you for the photos.",
        by=social_worker,
    )
    found = [
        s
        for s in sections_for(Person(first_name="dana", last_name="example"))
        if s.source == "placements"
    ]
    assert len(found) == 1
    rows = dict(found[0].rows)
    assert rows["Relationship to the child"] == "Mother"
    assert rows["Communication book entry, 14/04/2025"] == "Thank you for the photos."
    assert found[0].review == REVIEW
    assert f"The child: {REMOVED}" in found[0].removed
    assert "Willow" not in str(found[0])
    assert not [
        s
        for s in sections_for(Person(first_name="Dana", last_name="Other"))
        if s.source == "placements"
    ]


# -- withdrawing a row entered by mistake ---------------------------------------------------


def withdraw_url(child, row):
    return f"/admin/placements/child/{child.pk}/withdraw/{row._meta.label_lower}/{row.pk}/"


def test_a_team_manager_withdraws_a_session_with_a_reason(
    mondays, child, social_worker, manager, client
):
    from placements import measures

    session = mondays[date(2025, 4, 7)]
    url = withdraw_url(child, session)
    client.force_login(social_worker)
    assert client.get(url).status_code == 403
    client.force_login(manager)
    # The session's own page links to the child's withdraw page.
    page = client.get(f"/admin/placements/familytimesession/{session.pk}/change/")
    assert url in page.content.decode()
    html = client.get(url).content.decode()
    response = client.post(url, form_data(html, reason=""))
    assert response.status_code == 200
    assert "Say in words why this is withdrawn." in response.content.decode()
    response = client.post(
        url, form_data(html, reason="The family centre was closed for training that day.")
    )
    assert response.status_code == 302
    assert not FamilyTimeSession.objects.filter(pk=session.pk).exists()
    kept = FamilyTimeSession.all_objects.get(pk=session.pk)
    assert (kept.withdrawn_by, kept.status) == (manager, Status.PLANNED)
    # Not generated again; out of the counts (three Mondays planned: 24, 31 Mar, 14 Apr).
    assert services.family_time_sessions_generate(today=date(2025, 3, 24)) == 0
    assert days(child) == [date(2025, 3, 24), date(2025, 3, 31), date(2025, 4, 14)]
    figures = measures.ep_measures(year=2025, today=date(2025, 5, 1)).family_time
    assert figures.planned == 3
    # Readable under "Withdrawn" on the child's page, with the reason.
    html = client.get(f"/admin/placements/child/{child.pk}/change/").content.decode()
    assert "The family centre was closed for training that day." in html
    # A second time: refused in words.
    response = client.post(url, form_data(html, reason="Again."))
    assert "This was already withdrawn" in response.content.decode()


def test_a_session_whose_mileage_was_approved_stays(mondays, social_worker, manager):
    session = record(
        mondays[date(2025, 3, 24)],
        Status.TOOK_PLACE,
        social_worker,
        miles=Decimal("12"),
        now=utc(2025, 3, 24, 18),
    )
    services.mileage_claims_move(sessions=[session], to="submitted", by=social_worker)
    services.mileage_claims_move(sessions=[session], to="approved", by=manager)
    with pytest.raises(Refused) as refused:
        services.family_time_session_withdraw(session=session, reason="Wrong child.", by=manager)
    assert refused.value.messages == [
        "Its mileage claim is “approved”: a session finance has acted on stays in the "
        "record. Correct its outcome instead."
    ]
    assert FamilyTimeSession.objects.filter(pk=session.pk).exists()


def test_a_book_entry_is_withdrawn_and_leaves_the_moderation_list(
    child, social_worker, manager, client
):
    entry = services.book_entry_add(
        child=child,
        side=CommunicationBookEntry.Side.PARENTS,
        written_on=date(2025, 4, 14),
        text="She loved the bath toys.",
        by=social_worker,
    )
    client.force_login(manager)
    page = client.get(f"/admin/placements/communicationbookentry/{entry.pk}/change/")
    url = withdraw_url(child, entry)
    assert url in page.content.decode()
    html = client.get(url).content.decode()
    response = client.post(url, form_data(html, reason="Written in the wrong child's book."))
    assert response.status_code == 302
    listing = client.get("/admin/placements/communicationbookentry/").content.decode()
    assert f"/communicationbookentry/{entry.pk}/change/" not in listing
    assert CommunicationBookEntry.all_objects.get(pk=entry.pk).withdrawn_by == manager
    assert selectors.family_time_page(child=child, today=date(2025, 4, 15))["awaiting"] == 0


def test_measures_count_the_rules_cancellations_as_the_parents(ruled, social_worker):
    from placements import measures

    # Mon 24 Mar: not confirmed by 09:00 GMT. Mon 31 Mar: the parent 40 minutes late.
    # Mon 7 Apr: took place. Mon 14 Apr: nothing recorded.
    services.family_time_unconfirmed_cancel(now=utc(2025, 3, 24, 9, 0))
    record(
        ruled[date(2025, 3, 31)],
        Status.CANCELLED_PARENT_LATE,
        social_worker,
        parent_late_minutes=40,
        now=utc(2025, 3, 31, 12),
    )
    record(ruled[date(2025, 4, 7)], Status.TOOK_PLACE, social_worker, now=utc(2025, 4, 7, 12))
    figures = measures.ep_measures(year=2025, today=date(2025, 5, 1)).family_time
    assert (figures.planned, figures.held, figures.not_recorded) == (4, 1, 1)
    assert dict(figures.cancelled)["The parent"] == 2

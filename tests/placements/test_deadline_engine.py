"""The one deadline engine: refresh in bulk, reminders, one overdue digest a morning across apps."""

from collections import namedtuple
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from carers import reminders as carers_reminders
from carers.models import Deadline
from placements import reminders as placements_reminders
from placements import services as placements_services
from placements.models import PlacementDeadline
from portal import deadlines, tasks
from portal.calendar import is_working_day
from portal.models import Notification
from portal.notifications import deliver_due
from tests.carers import factories as carer_factories

from . import factories as placement_factories

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")
HOUSEHOLDS = carers_reminders.DEADLINES.digest_line
PLACEMENTS = placements_reminders.DEADLINES.digest_line
Clock = namedtuple("Clock", "kind subject label due_on")


# The engine lives in portal/deadlines.py; its tests sit here, where both apps' cases exist.


@pytest.fixture(autouse=True)
def _emails_kept(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def both_kinds_overdue(social_worker, ep_household):
    """A household whose ROI decision is overdue, and a placement whose child's review,
    visit and initial health assessment are."""
    late = carer_factories.household(
        social_worker, roi_received_on=timezone.localdate() - timedelta(days=40)
    )
    placement = placement_factories.placement(
        social_worker, ep_household, placed_on=date(2025, 3, 3)
    )
    return late, placement


def working_morning(hour=9, after: date | None = None) -> datetime:
    day = (after or timezone.localdate()) + timedelta(days=1)
    while not is_working_day(day):
        day += timedelta(days=1)
    return datetime.combine(day, datetime.min.time().replace(hour=hour), LONDON)


def digests():
    return Notification.objects.filter(template="portal/overdue_digest")


def digest_emails():
    return [m for m in mail.outbox if m.subject == "Overdue items on your caseload"]


def test_overdue_households_and_placements_go_in_one_digest_from_the_beat_task(
    both_kinds_overdue, social_worker, monkeypatch
):
    late, placement = both_kinds_overdue
    morning = working_morning()
    monkeypatch.setattr(timezone, "now", lambda: morning)
    assert tasks.queue_overdue_digests.delay().get() == 1
    digest = digests().get()
    assert digest.to == social_worker.email
    assert digest.key == f"deadlines:overdue-digest:{social_worker.pk}:{morning.date()}"
    counts = {s["line"]: s["count"] for s in digest.context["sections"]}
    overdue_on_households = Deadline.objects.filter(
        household__social_worker=social_worker, due_on__lt=morning.date()
    ).count()
    assert counts == {HOUSEHOLDS: overdue_on_households, PLACEMENTS: 3}
    assert digest.context["count"] == overdue_on_households + 3

    deliver_due(now=morning)
    [message] = digest_emails()
    assert message.to == [social_worker.email]
    html = message.alternatives[0][0]
    for text in (message.body, html):
        assert "Hello Sam," in text
        assert f"{overdue_on_households + 3} items on your caseload are overdue" in text
        assert "http://testserver/admin/placements/placement/?overdue=yes" in text
        assert f"3 {PLACEMENTS}" in text
        child = placement.children.get()
        for private in (late.reference, placement.reference, child.first_name, "Rivers"):
            assert private not in text


def test_the_digest_is_not_sent_twice_on_a_morning(both_kinds_overdue, monkeypatch):
    morning = working_morning()
    monkeypatch.setattr(timezone, "now", lambda: morning)
    assert tasks.queue_overdue_digests.delay().get() == 1
    deliver_due(now=morning)
    later = morning + timedelta(hours=3)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert tasks.queue_overdue_digests.delay().get() == 1  # the same key: nothing new
    deliver_due(now=later)
    assert digests().count() == 1
    assert len(digest_emails()) == 1
    next_morning = working_morning(after=morning.date())
    monkeypatch.setattr(timezone, "now", lambda: next_morning)
    assert tasks.queue_overdue_digests.delay().get() == 1
    assert digests().count() == 2  # one a working morning


def test_no_digest_before_the_hour_at_weekends_or_on_bank_holidays(
    both_kinds_overdue, monkeypatch, settings
):
    # As each app's digest did before: working days only, from OVERDUE_DIGEST_HOUR.
    settings.OVERDUE_DIGEST_HOUR = 8
    for moment in (
        working_morning(hour=7),
        datetime(2031, 1, 4, 9, tzinfo=LONDON),  # a Saturday
        datetime(2030, 12, 26, 9, tzinfo=LONDON),  # Boxing Day
    ):
        monkeypatch.setattr(timezone, "now", lambda moment=moment: moment)
        assert tasks.queue_overdue_digests.delay().get() == 0
    assert not digests().exists()


def test_cases_without_a_social_worker_go_to_each_team_or_one_shared_mailbox(
    both_kinds_overdue, settings
):
    late, placement = both_kinds_overdue
    for household in (late, placement.household):
        household.social_worker = None
        household.save(update_fields=["social_worker"])
    # The beat sweep re-addresses what the carers' social worker was reminded of.
    placements_services.deadlines_follow_social_workers()
    settings.CARERS_TEAM_EMAIL = "assessments@oakway.example"
    settings.PLACEMENTS_TEAM_EMAIL = "placements@oakway.example"
    morning = working_morning()
    assert deadlines.overdue_digests_queue(now=morning) == 2
    assert set(digests().values_list("to", flat=True)) == {
        "assessments@oakway.example",
        "placements@oakway.example",
    }
    settings.PLACEMENTS_TEAM_EMAIL = "assessments@oakway.example"
    next_morning = working_morning(after=morning.date())
    assert deadlines.overdue_digests_queue(now=next_morning) == 1
    shared = digests().get(key__contains=str(next_morning.date()))
    assert shared.key == f"deadlines:overdue-digest:team-carers-placements:{next_morning.date()}"
    assert {s["line"] for s in shared.context["sections"]} == {HOUSEHOLDS, PLACEMENTS}


def test_the_digest_query_count_does_not_grow_with_the_overdue_items(
    both_kinds_overdue, social_worker
):
    late, _ = both_kinds_overdue
    morning = working_morning()

    def queries(now):
        with CaptureQueriesContext(connection) as context:
            assert deadlines.overdue_digests_queue(now=now) == 1
        return len(context.captured_queries)

    small = queries(morning)
    Deadline.objects.bulk_create(
        Deadline(
            household=late,
            kind=Deadline.Kind.TRAINING,
            subject=f"training:{n}",
            label="Training due",
            due_on=date(2025, 1, 1),
        )
        for n in range(50)
    )
    next_morning = working_morning(after=morning.date())
    assert queries(next_morning) == small
    latest = digests().get(key__contains=str(next_morning.date()))
    assert {s["line"]: s["count"] for s in latest.context["sections"]}[HOUSEHOLDS] >= 51


def test_a_refresh_takes_the_same_queries_for_three_clocks_or_thirty(social_worker):
    source = carers_reminders.DEADLINES
    due = timezone.localdate() + timedelta(days=90)

    def clocks(n, due_on):
        return [Clock("training", f"course:{i}", f"Training {i}", due_on) for i in range(n)]

    def refresh(household, wanted):
        with CaptureQueriesContext(connection) as context:
            deadlines.deadlines_refresh(
                source=source, owner=household, clocks=wanted, worker=social_worker
            )
        return len(context.captured_queries)

    counts = {}
    for n in (3, 30):
        household = carer_factories.household(social_worker)
        created = refresh(household, clocks(n, due))  # the ROI clock goes, n arrive
        prefixes = [
            source.key_prefix(pk) for pk in household.deadlines.values_list("pk", flat=True)
        ]
        assert len(prefixes) == n
        moved = refresh(household, clocks(n, due + timedelta(days=7)))
        relabelled = refresh(
            household,
            [c._replace(label=f"{c.label} (renamed)") for c in clocks(n, due + timedelta(days=7))],
        )
        unchanged = refresh(
            household,
            [c._replace(label=f"{c.label} (renamed)") for c in clocks(n, due + timedelta(days=7))],
        )
        ended = refresh(household, [])
        counts[n] = (created, moved, relabelled, unchanged, ended)
        assert not household.deadlines.exists()
        pending = Notification.objects.pending().values_list("key", flat=True)
        assert not [key for key in pending if key.startswith(tuple(prefixes))]
    assert counts[3] == counts[30]
    assert counts[30] == (5, 4, 2, 1, 3)


def test_a_refresh_plans_reminders_per_revision_and_withdraws_the_old(social_worker, settings):
    settings.CARERS_REMINDER_WORKING_DAYS_BEFORE = [10, 1]
    source = carers_reminders.DEADLINES
    household = carer_factories.household(social_worker)
    due = timezone.localdate() + timedelta(days=90)
    wanted = [Clock("training", f"course:{i}", "Training", due) for i in range(30)]
    deadlines.deadlines_refresh(source=source, owner=household, clocks=wanted, worker=social_worker)
    rows = list(household.deadlines.all())
    assert len(rows) == 30 and {d.revision for d in rows} == {1}
    first = Notification.objects.pending().filter(key__contains=":r1:")
    assert first.filter(key__startswith="carers:deadline:").count() >= 60
    moved = [c._replace(due_on=due + timedelta(days=14)) for c in wanted]
    deadlines.deadlines_refresh(source=source, owner=household, clocks=moved, worker=social_worker)
    assert {d.revision for d in household.deadlines.all()} == {2}
    for deadline in rows:
        keys = Notification.objects.filter(key__startswith=source.key_prefix(deadline.pk))
        assert {n.key.split(":")[3] for n in keys.filter(withdrawn_at__isnull=True)} == {"r2"}
        assert keys.filter(key__contains=":r1:", withdrawn_at__isnull=False).count() == 2


def test_lists_show_each_cases_next_deadline_and_its_overdue_count(both_kinds_overdue):
    """``cases_with_next_deadline`` for either app's cases; never-late kinds are not counted."""
    household, placement = both_kinds_overdue
    today = timezone.localdate()
    PlacementDeadline.objects.create(
        placement=placement,
        kind=PlacementDeadline.Kind.ADOPTION_APPLICATION,
        label="Adoption order application possible",
        due_on=date(2025, 1, 1),
    )

    for source, case in (
        (carers_reminders.DEADLINES, household),
        (placements_reminders.DEADLINES, placement),
    ):
        rows = list(source.model.objects.filter(**{source.owner: case}))
        first = min(rows, key=lambda row: (row.due_on, row.pk))
        listed = deadlines.cases_with_next_deadline(
            type(case).objects.filter(pk=case.pk), source=source, today=today
        ).get()

        assert (listed.next_deadline_on, listed.next_deadline_label) == (first.due_on, first.label)
        assert listed.overdue_count == sum(row.is_overdue(today) for row in rows) > 0

    # The never-late row comes first but is not overdue.
    assert listed.next_deadline_label == "Adoption order application possible"
    assert listed.overdue_count < len(rows)

"""Reminders to the carers' social worker follow the clocks; emails say nothing about the child."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.utils import timezone

from placements import services, tasks
from placements.models import PlacementDeadline
from portal import tasks as portal_tasks
from portal.calendar import add_working_days, is_working_day
from portal.deadlines import overdue_digests_queue
from portal.models import Notification
from portal.notifications import deliver_due
from portal.roles import Role

from . import factories

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")
Kind = PlacementDeadline.Kind


def at_eight(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time().replace(hour=8), LONDON)


@pytest.fixture
def recent(ep_household, social_worker):
    """A placement that began yesterday: its clocks are all in the future."""
    return factories.placement(
        social_worker, ep_household, placed_on=timezone.localdate() - timedelta(days=1)
    )


def reminder_rows(deadline):
    return Notification.objects.filter(key__startswith=f"placements:deadline:{deadline.pk}:")


def test_reminders_go_working_days_before_each_deadline(recent, social_worker, settings):
    review = recent.deadlines.get(kind=Kind.REVIEW)
    expected = {
        f"placements:deadline:{review.pk}:r1:{n}wd": at_eight(add_working_days(review.due_on, -n))
        for n in settings.PLACEMENTS_REMINDER_WORKING_DAYS_BEFORE
    }
    rows = reminder_rows(review)
    assert {r.key: r.due_at for r in rows} == expected
    assert {r.to for r in rows} == {social_worker.email}
    assert {r.template for r in rows} == {"placements/deadline_reminder"}
    assert all(r.context["is_from_date"] is False for r in rows)


def test_reminders_already_past_are_not_queued(ep_household, social_worker):
    placement = factories.placement(social_worker, ep_household, placed_on=date(2025, 3, 3))
    for deadline in placement.deadlines.all():
        assert deadline.is_overdue()
        assert not reminder_rows(deadline).exists()


def test_a_review_moves_the_clock_and_its_reminders(recent, social_worker):
    review = recent.deadlines.get(kind=Kind.REVIEW)
    first_rows = list(reminder_rows(review))
    services.review_record(placement=recent, held_on=timezone.localdate(), by=social_worker)
    review.refresh_from_db()
    assert review.revision == 2
    child = recent.children.get()
    assert review.label == (
        f"{child.reference}: Confirm with the placing authority: next looked-after child review"
    )
    for row in first_rows:
        row.refresh_from_db()
        assert row.withdrawn_at is not None
    fresh = reminder_rows(review).filter(key__contains=":r2:")
    assert fresh.exists() and all(r.withdrawn_at is None for r in fresh)


def test_ending_the_placement_withdraws_every_reminder(recent, social_worker):
    assert Notification.objects.pending().filter(key__startswith="placements:deadline:").exists()
    services.placement_record_return_home(
        placement=recent, on=timezone.localdate(), by=social_worker, note="Court decision."
    )
    assert (
        not Notification.objects.pending().filter(key__startswith="placements:deadline:").exists()
    )


def test_the_reminder_email_carries_nothing_about_the_child(recent, social_worker, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    child = recent.children.get()
    row = Notification.objects.pending().filter(template="placements/deadline_reminder").first()
    assert deliver_due(now=row.due_at + timedelta(seconds=1)) >= 1
    message = next(m for m in mail.outbox if "placement you support" in m.subject)
    html = message.alternatives[0][0]
    for text in (message.subject, message.body, html):
        for private in (
            child.first_name,
            child.last_name,
            child.reference,
            child.initials,
            recent.reference,
            recent.household.reference,
            "Rivers",
            "Oakshire",
        ):
            assert private not in text
    assert "Hello Sam," in message.body
    assert f"http://testserver/admin/placements/placement/{recent.pk}/change/" in message.body
    assert message.to == [social_worker.email]


def test_the_10_week_date_is_one_note_on_the_day(recent, social_worker):
    services.court_order_record(
        placement=recent,
        children=list(recent.children.all()),
        kind="placement_order",
        made_on=timezone.localdate(),
        by=social_worker,
    )
    services.placement_place_for_adoption(
        placement=recent, on=timezone.localdate(), notice_on=timezone.localdate(), by=social_worker
    )
    deadline = recent.deadlines.get(kind=Kind.ADOPTION_APPLICATION)
    assert deadline.due_on == recent.placed_on + timedelta(weeks=10)
    rows = list(reminder_rows(deadline))
    assert [(r.key, r.due_at) for r in rows] == [
        (f"placements:deadline:{deadline.pk}:r1:0wd", at_eight(deadline.due_on))
    ]
    assert rows[0].context["is_from_date"] is True


def test_a_new_social_worker_gets_the_reminders_after_the_sweep(recent, make_staff):
    colleague = make_staff(Role.SOCIAL_WORKERS, first_name="Kit")
    household = recent.household
    household.social_worker = colleague
    household.save(update_fields=["social_worker"])
    assert services.deadlines_follow_social_workers() == 1
    pending = Notification.objects.pending().filter(key__startswith="placements:deadline:")
    assert pending.exists() and {n.to for n in pending} == {colleague.email}
    assert {d.revision for d in recent.deadlines.all()} == {2}
    assert services.deadlines_follow_social_workers() == 0  # nothing left to re-address


def test_without_a_social_worker_the_placements_team_is_reminded(recent, settings):
    settings.PLACEMENTS_TEAM_EMAIL = "team@oakway.example"
    household = recent.household
    household.social_worker = None
    household.save(update_fields=["social_worker"])
    services.deadlines_follow_social_workers()
    assert set(recent.deadlines.values_list("reminded_to", flat=True)) == {"team@oakway.example"}


def working_morning(hour=9) -> datetime:
    day = timezone.localdate() + timedelta(days=1)
    while not is_working_day(day):
        day += timedelta(days=1)
    return datetime.combine(day, datetime.min.time().replace(hour=hour), LONDON)


def test_overdue_items_go_out_as_one_digest_a_working_morning(ep_household, social_worker):
    first = factories.placement(social_worker, ep_household, placed_on=date(2025, 3, 3))
    factories.placement(social_worker, ep_household, placed_on=date(2025, 3, 4))
    # The 10-week date is never late: it does not count as overdue.
    services.court_order_record(
        placement=first,
        children=list(first.children.all()),
        kind="placement_order",
        made_on=date(2025, 4, 1),
        by=social_worker,
    )
    services.placement_place_for_adoption(
        placement=first, on=date(2025, 4, 2), notice_on=date(2025, 4, 2), by=social_worker
    )
    morning = working_morning()
    assert overdue_digests_queue(now=morning) == 1
    assert overdue_digests_queue(now=morning + timedelta(hours=2)) == 1
    digest = Notification.objects.get(template="portal/overdue_digest")
    assert digest.to == social_worker.email
    counts = {s["line"]: s["count"] for s in digest.context["sections"]}
    # Review, visit and initial health assessment of the child on the placement still
    # fostering (3); on the one placed for adoption the first adoption review and visit
    # (2) and the initial health assessment (1); the 10-week date is never late. The
    # household's own overdue items share the email.
    assert counts["on the placements you support"] == 6
    assert digest.context["count"] == sum(counts.values())
    assert digest.key == (
        f"deadlines:overdue-digest:{social_worker.pk}:{morning.date().isoformat()}"
    )


def test_no_digest_before_the_hour_at_weekends_or_on_bank_holidays(ep_household, social_worker):
    factories.placement(social_worker, ep_household, placed_on=date(2025, 3, 3))
    assert overdue_digests_queue(now=working_morning(hour=7)) == 0
    saturday = datetime(2031, 1, 4, 9, tzinfo=LONDON)
    boxing_day = datetime(2030, 12, 26, 9, tzinfo=LONDON)
    assert overdue_digests_queue(now=saturday) == 0
    assert overdue_digests_queue(now=boxing_day) == 0
    assert not Notification.objects.filter(template="portal/overdue_digest").exists()


def test_beat_runs_digests_readdressing_and_approvals_as_separate_tasks(
    ep_household, social_worker, monkeypatch, settings
):
    factories.placement(social_worker, ep_household, placed_on=date(2025, 3, 3))
    morning = working_morning()
    monkeypatch.setattr(timezone, "now", lambda: morning)
    assert portal_tasks.queue_overdue_digests.delay().get() == 1
    assert tasks.follow_social_workers.delay().get() == 0
    assert tasks.end_overtaken_temporary_approvals.delay().get() == 0
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {
        "portal.tasks.queue_overdue_digests",
        "placements.tasks.follow_social_workers",
        "placements.tasks.end_overtaken_temporary_approvals",
    } <= scheduled
    for task in (tasks.follow_social_workers, tasks.end_overtaken_temporary_approvals):
        assert 0 < task.soft_time_limit < task.time_limit

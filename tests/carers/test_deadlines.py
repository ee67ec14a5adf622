"""Deadlines follow the facts; reminders follow the deadlines; emails say nothing personal."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from dateutil.relativedelta import relativedelta
from django.core import mail
from django.utils import timezone

from carers import clocks, services
from carers.models import (
    Deadline,
    HouseholdMember,
    Stage,
    StatutoryCheck,
    TrainingCourse,
)
from portal.calendar import add_working_days
from portal.deadlines import overdue_digests_queue
from portal.models import Notification
from portal.notifications import deliver_due
from tests.carers import factories as f

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")


def deadlines(household):
    return {d.kind: d for d in household.deadlines.all()}


def test_a_new_household_has_the_registration_of_interest_clock(social_worker):
    received = timezone.localdate() - timedelta(days=1)
    household = f.household(social_worker, roi_received_on=received)
    deadline = deadlines(household)["roi_decision"]
    assert deadline.due_on == clocks.roi_decision_due(received)
    assert deadline.label == "Decide on the Registration of Interest"
    assert deadline.reminded_to == social_worker.email


def test_each_move_replaces_the_clocks_it_ends(social_worker):
    today = timezone.localdate()
    household = f.household(social_worker)
    f.to_stage(household, Stage.STAGE_1, social_worker)
    kinds = deadlines(household)
    assert "roi_decision" not in kinds
    assert kinds["stage_1"].due_on == clocks.stage_1_due(today)
    assert kinds["approval"].due_on == clocks.approval_due(today)
    training = household.deadlines.filter(kind="training")
    assert {d.due_on for d in training} == {
        today + relativedelta(months=2),
        today + relativedelta(months=4),
    }

    f.to_stage(household, Stage.STAGE_2, social_worker)
    kinds = deadlines(household)
    assert "stage_1" not in kinds
    assert kinds["stage_2_decision"].due_on == today + relativedelta(months=4)

    f.to_stage(household, Stage.PANEL_BOOKED, social_worker)
    assert deadlines(household)["agency_decision"].due_on == add_working_days(today, 7)


def test_a_stage_2_extension_moves_the_clock(social_worker):
    today = timezone.localdate()
    household = f.household(social_worker)
    a = f.to_stage(household, Stage.STAGE_2, social_worker)
    later = today + relativedelta(months=6)
    services.assessment_extend_stage_2(
        assessment=a, until=later, by=social_worker, note="At the applicants' request."
    )
    deadline = deadlines(household)["stage_2_decision"]
    assert (deadline.due_on, deadline.revision) == (later, 2)


def test_reminders_are_queued_for_working_days_before_the_deadline(social_worker, settings):
    settings.CARERS_REMINDER_WORKING_DAYS_BEFORE = [10, 1]
    today = timezone.localdate()
    household = f.household(social_worker)
    f.to_stage(household, Stage.STAGE_1, social_worker)
    deadline = deadlines(household)["stage_1"]
    rows = Notification.objects.filter(key__startswith=f"carers:deadline:{deadline.pk}:")
    expected = {
        f"carers:deadline:{deadline.pk}:r1:{n}wd": datetime.combine(
            add_working_days(deadline.due_on, -n), datetime.min.time().replace(hour=8), LONDON
        )
        for n in (10, 1)
    }
    assert {r.key: r.due_at for r in rows} == expected
    assert all(r.due_at.date() > today for r in rows)
    assert {r.to for r in rows} == {social_worker.email}
    assert {r.template for r in rows} == {"carers/deadline_reminder"}


def test_reminders_already_past_are_not_queued(social_worker):
    # Received long ago: the decision is overdue; the overdue digest covers it instead.
    household = f.household(
        social_worker, roi_received_on=timezone.localdate() - timedelta(days=40)
    )
    deadline = deadlines(household)["roi_decision"]
    assert deadline.is_overdue()
    assert not Notification.objects.filter(
        key__startswith=f"carers:deadline:{deadline.pk}:"
    ).exists()


def test_a_met_deadline_withdraws_its_reminders(social_worker):
    household = f.household(social_worker)
    a = f.to_stage(household, Stage.STAGE_1, social_worker)
    stage_1 = deadlines(household)["stage_1"]
    services.assessment_record_stage_1_plan(
        assessment=a, agreed_on=timezone.localdate(), by=social_worker
    )
    f.receive_all_checks(household)
    f.complete_training(household)
    services.assessment_complete_stage_1(assessment=a, on=timezone.localdate(), by=social_worker)
    assert not Deadline.objects.filter(pk=stage_1.pk).exists()
    rows = Notification.objects.filter(key__startswith=f"carers:deadline:{stage_1.pk}:")
    assert rows.exists()
    assert all(r.withdrawn_at for r in rows)


def test_a_new_social_worker_gets_the_reminders(social_worker, make_staff):
    from portal.roles import Role

    household = f.household(social_worker)
    f.to_stage(household, Stage.STAGE_1, social_worker)
    colleague = make_staff(Role.SOCIAL_WORKERS, first_name="Kit")
    household.social_worker = colleague
    household.save()
    services.household_after_edit(household=household)
    pending = Notification.objects.pending().filter(key__startswith="carers:deadline:")
    assert pending.exists()
    assert {n.to for n in pending} == {colleague.email}
    assert {d.revision for d in household.deadlines.all()} == {2}


def test_without_a_social_worker_the_team_mailbox_is_reminded(social_worker, settings):
    settings.CARERS_TEAM_EMAIL = "team@oakway.example"
    household = f.household(social_worker, social_worker=None)
    assert deadlines(household)["roi_decision"].reminded_to == "team@oakway.example"


def test_the_reminder_email_carries_no_personal_details(social_worker, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    household = f.household(social_worker)
    f.to_stage(household, Stage.STAGE_1, social_worker)
    row = Notification.objects.pending().filter(template="carers/deadline_reminder").first()
    assert deliver_due(now=row.due_at + timedelta(seconds=1)) >= 1
    message = next(
        m for m in mail.outbox if m.subject == "A deadline on your caseload is coming up"
    )
    html = message.alternatives[0][0]
    for text in (message.body, html):
        assert "Hello Sam," in text
        assert f"http://testserver/admin/carers/household/{household.pk}/change/" in text
        for personal in ("Rivers", "Alex", household.reference, "Orchard", "OK1"):
            assert personal not in text


def working_morning(hour=9):
    day = timezone.localdate() + timedelta(days=1)
    while not services_is_working(day):
        day += timedelta(days=1)
    return datetime.combine(day, datetime.min.time().replace(hour=hour), LONDON)


def services_is_working(day):
    from portal.calendar import is_working_day

    return is_working_day(day)


def test_overdue_items_go_out_as_one_digest_a_working_morning(social_worker, make_staff):
    long_ago = timezone.localdate() - timedelta(days=40)
    f.household(social_worker, roi_received_on=long_ago)
    f.household(social_worker, roi_received_on=long_ago)
    morning = working_morning()
    assert overdue_digests_queue(now=morning) == 1
    assert overdue_digests_queue(now=morning + timedelta(hours=2)) == 1
    digests = Notification.objects.filter(template="portal/overdue_digest")
    assert digests.count() == 1
    digest = digests.get()
    assert digest.to == social_worker.email
    assert digest.context["count"] == 2
    assert digest.key == (
        f"deadlines:overdue-digest:{social_worker.pk}:{morning.date().isoformat()}"
    )


def test_no_digest_before_the_hour_at_weekends_or_on_bank_holidays(social_worker):
    f.household(social_worker, roi_received_on=timezone.localdate() - timedelta(days=40))
    assert overdue_digests_queue(now=working_morning(hour=7)) == 0
    saturday = date(2031, 1, 4)
    assert (
        overdue_digests_queue(
            now=datetime.combine(saturday, datetime.min.time().replace(hour=9), LONDON)
        )
        == 0
    )
    boxing_day = date(2030, 12, 26)
    assert (
        overdue_digests_queue(
            now=datetime.combine(boxing_day, datetime.min.time().replace(hour=9), LONDON)
        )
        == 0
    )
    assert not Notification.objects.filter(template="portal/overdue_digest").exists()


def test_the_sweep_task_queues_digests(social_worker, monkeypatch):
    from portal import tasks

    f.household(social_worker, roi_received_on=timezone.localdate() - timedelta(days=40))
    morning = working_morning()
    monkeypatch.setattr(timezone, "now", lambda: morning)
    assert tasks.queue_overdue_digests.delay().get() == 1


# -- checks and training ----------------------------------------------------------------------


def test_required_checks_are_listed_for_each_person(social_worker):
    household = f.household(social_worker, applicants=1, has_pets=True)
    applicant = household.applicants.get()
    applicant.has_former_partners = True
    applicant.has_lived_abroad = True
    applicant.save()
    HouseholdMember.objects.create(
        household=household,
        first_name="Robin",
        last_name="Rivers",
        relationship="daughter",
        date_of_birth=date(2000, 1, 1),
    )
    HouseholdMember.objects.create(
        household=household,
        first_name="Ash",
        last_name="Rivers",
        relationship="son",
        date_of_birth=timezone.localdate() - relativedelta(years=10),
    )
    services.household_after_edit(household=household)
    rows = sorted((c.kind, str(c.person or "household")) for c in household.checks.all())
    K = StatutoryCheck.Kind
    assert rows == sorted(
        [
            (K.DBS, "Alex Rivers"),
            (K.LOCAL_AUTHORITY, "Alex Rivers"),
            (K.MEDICAL, "Alex Rivers"),
            (K.PERSONAL_REFERENCE, "Alex Rivers"),
            (K.PERSONAL_REFERENCE, "Alex Rivers"),
            (K.PERSONAL_REFERENCE, "Alex Rivers"),
            (K.EMPLOYER_REFERENCE, "Alex Rivers"),
            (K.FORMER_PARTNER_REFERENCE, "Alex Rivers"),
            (K.OVERSEAS, "Alex Rivers"),
            (K.DBS, "Robin Rivers"),
            (K.HOME_SAFETY, "household"),
            (K.PETS, "household"),
        ]
    )
    services.household_after_edit(household=household)
    assert household.checks.count() == len(rows)


def test_a_dbs_check_expires_by_policy_and_its_expiry_is_a_clock(social_worker, settings):
    settings.CARERS_DBS_RENEWAL_YEARS = 3
    household = f.household(social_worker, applicants=1)
    dbs = household.checks.get(kind=StatutoryCheck.Kind.DBS)
    dbs.requested_on = dbs.received_on = date(2024, 2, 29)
    dbs.outcome = StatutoryCheck.Outcome.SATISFACTORY
    dbs.save()
    services.household_after_edit(household=household)
    dbs.refresh_from_db()
    assert dbs.expires_on == date(2027, 2, 28)
    deadline = deadlines(household)["check_expiry"]
    assert (deadline.due_on, deadline.label) == (
        date(2027, 2, 28),
        "Enhanced DBS check expires: Alex Rivers",
    )
    renewal = StatutoryCheck.objects.create(
        household=household,
        kind=StatutoryCheck.Kind.DBS,
        applicant=dbs.applicant,
        requested_on=date(2026, 10, 1),
        received_on=date(2026, 11, 10),
        outcome=StatutoryCheck.Outcome.SATISFACTORY,
    )
    services.household_after_edit(household=household)
    assert deadlines(household)["check_expiry"].subject == f"check:{renewal.pk}"


def test_a_child_turning_18_needs_a_dbs_check_by_the_birthday(social_worker):
    household = f.household(social_worker)
    birthday_18 = timezone.localdate() + timedelta(days=30)
    if (birthday_18.month, birthday_18.day) == (2, 29):
        birthday_18 += timedelta(days=1)  # no 29 February eighteen years earlier
    member = HouseholdMember.objects.create(
        household=household,
        first_name="Ash",
        last_name="Rivers",
        relationship="son",
        date_of_birth=birthday_18 - relativedelta(years=18),
    )
    services.household_after_edit(household=household)
    deadline = deadlines(household)["dbs_at_18"]
    assert (deadline.due_on, deadline.label) == (
        birthday_18,
        "Enhanced DBS check: Ash Rivers turns 18",
    )
    StatutoryCheck.objects.create(
        household=household,
        kind=StatutoryCheck.Kind.DBS,
        member=member,
        requested_on=timezone.localdate(),
        received_on=timezone.localdate(),
        outcome=StatutoryCheck.Outcome.SATISFACTORY,
    )
    services.household_after_edit(household=household)
    assert "dbs_at_18" not in deadlines(household)


def test_training_is_due_by_the_course_rule_and_follows_a_changed_rule(social_worker):
    today = timezone.localdate()
    household = f.household(social_worker)
    f.to_stage(household, Stage.STAGE_1, social_worker)
    course = TrainingCourse.objects.get(name="Adoption preparation training")
    records = household.training.filter(course=course)
    assert records.count() == 2
    assert {r.due_on for r in records} == {today + relativedelta(months=2)}
    course.due_within_months = 3
    services.training_course_save(course=course, by=social_worker)
    # Eager Celery in tests: the refresh task has run on commit of the test's transaction;
    # run it directly too, as the worker would.
    services.training_course_refresh(course_pk=course.pk)
    assert {r.due_on for r in records.all()} == {today + relativedelta(months=3)}
    labels = {d.label: d.due_on for d in household.deadlines.filter(kind="training")}
    assert labels["Adoption preparation training: Alex Rivers"] == today + relativedelta(months=3)


def test_a_completed_foster_review_opens_the_next(social_worker, manager):
    today = timezone.localdate()
    household = f.household(social_worker)
    f.to_stage(household, Stage.STAGE_2, social_worker)
    fostering = f.fostering(household)
    services.assessment_start_form_f(assessment=fostering, on=today, by=social_worker)
    f.upload(household, "form_f", social_worker)
    f.to_stage(household, Stage.PANEL_BOOKED, social_worker)
    f.report_shared(fostering, social_worker, today)
    services.assessment_book_panel(
        assessment=fostering, panel=f.panel(sits_on=today), on=today, by=social_worker
    )
    services.assessment_record_recommendation(
        assessment=fostering, recommendation="suitable", by=social_worker
    )
    f.record_minutes(fostering, social_worker)
    services.assessment_record_decision(
        assessment=fostering,
        decision="approved",
        on=today,
        by=manager,
        approved_age_from=0,
        approved_age_to=2,
        approved_number_of_children=1,
    )
    first = household.foster_reviews.get(track="fostering")
    # The first review goes to the fostering panel (FS(E)R 2011 reg 28).
    complete = {
        "on": today,
        "by": social_worker,
        "outcome": "continue",
        "carers_views": "Happy to carry on.",
        "panel": f.panel(sits_on=today),
        "panel_recommendation": "continue",
    }
    following = services.approval_review_complete(review=first, **complete)
    assert (following.due_on, following.goes_to_panel) == (today + relativedelta(months=12), False)
    assert deadlines(household)["foster_review"].subject == f"review:{following.pk}"
    with pytest.raises(services.TransitionRefused):
        services.approval_review_complete(review=first, **complete)

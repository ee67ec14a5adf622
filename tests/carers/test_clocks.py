"""Every clock on known dates, with bank holidays and month ends."""

from datetime import date

import pytest

from carers import clocks


@pytest.mark.parametrize(
    ("received", "due"),
    [
        # Thursday before Easter: Good Friday and Easter Monday do not count.
        (date(2025, 4, 17), date(2025, 4, 28)),
        # Friday: five working days is the next Friday.
        (date(2025, 6, 6), date(2025, 6, 13)),
    ],
)
def test_registration_of_interest_decision_counts_working_days(received, due):
    assert clocks.roi_decision_due(received) == due


@pytest.mark.parametrize(
    ("accepted", "due"),
    [
        (date(2025, 1, 15), date(2025, 3, 15)),
        # Month end: two months after 31 December is the last day of February.
        (date(2024, 12, 31), date(2025, 2, 28)),
        (date(2023, 12, 31), date(2024, 2, 29)),
    ],
)
def test_stage_1_target_is_two_months_from_acceptance(accepted, due):
    assert clocks.stage_1_due(accepted) == due


def test_stage_1_target_follows_the_policy_setting(settings):
    settings.CARERS_STAGE_ONE_MONTHS = 3
    assert clocks.stage_1_due(date(2025, 1, 15)) == date(2025, 4, 15)


@pytest.mark.parametrize(
    ("notice", "due"),
    [
        (date(2025, 3, 3), date(2025, 7, 3)),
        (date(2025, 10, 31), date(2026, 2, 28)),
        (date(2027, 10, 31), date(2028, 2, 29)),
    ],
)
def test_stage_2_decision_is_four_months_from_the_notice_to_proceed(notice, due):
    assert clocks.stage_2_decision_due(notice) == due


def test_an_extended_stage_2_decision_uses_the_new_date():
    assert clocks.stage_2_decision_due(date(2025, 3, 3), date(2025, 8, 1)) == date(2025, 8, 1)


def test_the_pause_before_stage_2_ends_after_six_months():
    assert clocks.stage_2_notice_due(date(2025, 8, 31)) == date(2026, 2, 28)


@pytest.mark.parametrize(
    ("started", "due"),
    [(date(2025, 8, 31), date(2026, 2, 28)), (date(2025, 1, 10), date(2025, 7, 10))],
)
def test_approval_target_is_six_months_from_the_start_of_stage_1(started, due):
    assert clocks.approval_due(started) == due


def test_approval_target_follows_the_policy_setting(settings):
    settings.CARERS_APPROVAL_TARGET_MONTHS = 8
    assert clocks.approval_due(date(2025, 1, 10)) == date(2025, 9, 10)


@pytest.mark.parametrize(
    ("panel_on", "due"),
    [
        # Christmas Day, Boxing Day and New Year's Day do not count.
        (date(2025, 12, 19), date(2026, 1, 2)),
        # The early May bank holiday (5 May 2025).
        (date(2025, 4, 30), date(2025, 5, 12)),
        (date(2025, 6, 4), date(2025, 6, 13)),
    ],
)
def test_agency_decision_is_seven_working_days_after_panel(panel_on, due):
    assert clocks.agency_decision_due(panel_on) == due


def test_agency_decision_follows_the_policy_setting(settings):
    settings.CARERS_AGENCY_DECISION_WORKING_DAYS = 10
    assert clocks.agency_decision_due(date(2025, 6, 4)) == date(2025, 6, 18)


def test_form_f_reaches_panel_within_eight_months():
    assert clocks.form_f_panel_due(date(2025, 6, 30)) == date(2026, 2, 28)


@pytest.mark.parametrize(
    ("received", "expires"),
    [(date(2024, 2, 29), date(2027, 2, 28)), (date(2025, 5, 1), date(2028, 5, 1))],
)
def test_dbs_checks_are_renewed_every_three_years(received, expires):
    assert clocks.dbs_expires(received) == expires


def test_dbs_renewal_follows_the_policy_setting(settings):
    settings.CARERS_DBS_RENEWAL_YEARS = 1
    assert clocks.dbs_expires(date(2025, 5, 1)) == date(2026, 5, 1)


def test_foster_carer_review_is_within_a_year():
    assert clocks.foster_review_due(date(2024, 2, 29)) == date(2025, 2, 28)


# The overall approval target applies to the tracks the household pursues.


@pytest.mark.django_db
def test_adopters_who_never_started_a_fostering_assessment_carry_no_approval_target(
    social_worker, manager
):
    from carers import services
    from carers.models import Deadline, Stage, Track
    from tests.carers import factories as f

    household = f.household(social_worker, roi_received_on=date(2024, 1, 2))
    # Stage 1 started Tue 2 Jan 2024: the 6-month target is Tue 2 Jul 2024 (policy).
    f.to_stage(household, Stage.STAGE_2, social_worker, on=date(2024, 1, 2))
    target = household.deadlines.get(kind=Deadline.Kind.APPROVAL)
    assert (target.due_on, target.label) == (date(2024, 7, 2), "Approval as adopters (target)")
    # Approved as adopters (for Fostering for Adoption under reg 25A); fostering never
    # started. Before, the target stayed open and overdue from 3 July 2024 for ever.
    adoption = f.to_stage(
        household, Stage.APPROVED, social_worker, manager=manager, on=date(2024, 1, 2)
    )
    assert adoption.stage == Stage.APPROVED
    assert household.assessments.get(track=Track.FOSTERING).stage == Stage.NOT_STARTED
    assert not household.deadlines.filter(kind=Deadline.Kind.APPROVAL).exists()
    assert (
        not household.deadlines.filter(due_on__lt=date(2026, 1, 1))
        .exclude(kind__in=[Deadline.Kind.CHECK_EXPIRY, Deadline.Kind.ADOPTER_REVIEW])
        .exists()
    )
    # Once they start the fostering assessment, the target covers both approvals again.
    services.assessment_start_form_f(
        assessment=household.assessments.get(track=Track.FOSTERING),
        on=date(2024, 3, 1),
        by=social_worker,
    )
    target = household.deadlines.get(kind=Deadline.Kind.APPROVAL)
    assert (target.due_on, target.label) == (
        date(2024, 7, 2),
        "Approval as adopters and foster carers (target)",
    )


# AAR 2005 reg 30B(5)(c): 40 working days beginning with the day the notice is sent.
# Counted by hand on the England and Wales bank holidays of 2025-26 (25, 26 December, 1
# January): sent Wednesday 3 December 2025, the 3rd to the 5th are days 1-3, 8-12 Dec 4-8,
# 15-19 Dec 9-13, 22-24 Dec 14-16, 29-31 Dec 17-19, 2 Jan 20, then 5 full weeks to
# Friday 30 January 2026 (day 40). Sent on Saturday 6 December, Monday 8 December is
# day 1: 8-12 Dec 1-5, 15-19 Dec 6-10, 22-24 Dec 11-13, 29-31 Dec 14-16, 2 Jan 17, five
# weeks 18-37 (5 to 30 January), 2-4 February 38-40.
@pytest.mark.parametrize(
    "sent, last_day",
    [
        (date(2025, 12, 3), date(2026, 1, 30)),
        (date(2025, 12, 6), date(2026, 2, 4)),
    ],
)
def test_adopters_have_40_working_days_beginning_with_the_notice(sent, last_day):
    assert clocks.representations_due(sent, adoption=True) == last_day


# FS(E)R 2011 reg 27(6)(b): within 28 days of the date of the notice: 3 December gives
# 31 December (3 + 28), bank holidays make no difference to calendar days.
def test_foster_carers_have_28_days_from_the_notice():
    assert clocks.representations_due(date(2025, 12, 3), adoption=False) == date(2025, 12, 31)

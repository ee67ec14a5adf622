"""Every placement clock on known dates, worked out by hand from the calendar."""

from datetime import date

import pytest

from placements import clocks, services
from placements.models import Placement, PlacementDeadline

from . import factories


@pytest.mark.parametrize(
    ("placed_on", "due"),
    [
        # 20 working days: Mon 3 March 2025 -> Mon 31 March 2025 (no bank holidays).
        (date(2025, 3, 3), date(2025, 3, 31)),
        # Over Easter 2025 (Good Friday 18 April, Easter Monday 21 April) and the early May
        # bank holiday (5 May): 14 April -> 15 May.
        (date(2025, 4, 14), date(2025, 5, 15)),
        # Over Christmas 2025 (25 and 26 December) and New Year's Day 2026: 22 December ->
        # 22 January 2026.
        (date(2025, 12, 22), date(2026, 1, 22)),
    ],
)
def test_the_first_review_is_within_20_working_days_of_placement(placed_on, due):
    assert clocks.next_review_due(placed_on, []) == due


def test_the_second_review_is_within_3_months_of_the_first():
    assert clocks.next_review_due(date(2025, 3, 3), [date(2025, 3, 28)]) == date(2025, 6, 28)
    # A first review on 31 August: three months on is the last day of November.
    assert clocks.next_review_due(date(2025, 8, 1), [date(2025, 8, 31)]) == date(2025, 11, 30)


def test_later_reviews_are_at_most_6_months_apart():
    held = [date(2025, 3, 28), date(2025, 6, 20)]
    assert clocks.next_review_due(date(2025, 3, 3), held) == date(2025, 12, 20)
    held.append(date(2025, 12, 19))
    assert clocks.next_review_due(date(2025, 3, 3), held) == date(2026, 6, 19)


def test_the_first_visit_is_within_a_week_then_every_6_weeks_in_the_first_year():
    placed = date(2025, 3, 3)
    assert clocks.next_visit_due(placed, []) == date(2025, 3, 10)
    assert clocks.next_visit_due(placed, [date(2025, 3, 9)]) == date(2025, 4, 20)
    # The last visit on the day before the first anniversary: still six weeks.
    assert clocks.next_visit_due(placed, [date(2026, 3, 2)]) == date(2026, 4, 13)


def test_after_the_first_year_visits_are_at_most_3_months_apart():
    placed = date(2024, 1, 1)
    assert clocks.next_visit_due(placed, [date(2025, 1, 15)]) == date(2025, 4, 15)
    # The order of recording does not matter: the latest visit counts.
    assert clocks.next_visit_due(placed, [date(2025, 1, 15), date(2024, 11, 1)]) == date(
        2025, 4, 15
    )


def test_proceedings_finish_within_26_weeks_of_issue_plus_extensions():
    issued = date(2025, 1, 6)
    assert clocks.proceedings_target(issued) == date(2025, 7, 7)
    assert clocks.proceedings_extended_to(issued, []) is None
    assert clocks.proceedings_extended_to(issued, [8]) == date(2025, 9, 1)
    assert clocks.proceedings_extended_to(issued, [8, 4]) == date(2025, 9, 29)


def test_the_adoption_order_application_is_possible_10_weeks_after_placement():
    assert clocks.adoption_application_from(date(2025, 3, 3)) == date(2025, 5, 12)


def _deadlines(placement):
    return {d.kind: d.due_on for d in placement.deadlines.all()}


@pytest.mark.django_db
def test_a_new_placement_has_its_review_and_visit_deadlines(ep_household, social_worker):
    placement = factories.placement(social_worker, ep_household, placed_on=date(2025, 4, 14))
    assert _deadlines(placement) == {
        PlacementDeadline.Kind.REVIEW: date(2025, 5, 15),
        PlacementDeadline.Kind.VISIT: date(2025, 4, 21),
    }
    assert set(placement.deadlines.values_list("reminded_to", flat=True)) == {social_worker.email}


@pytest.mark.django_db
def test_deadlines_follow_reviews_visits_and_the_proceedings(ep_household, social_worker):
    placement = factories.placement(social_worker, ep_household, placed_on=date(2025, 3, 3))
    services.review_record(placement=placement, held_on=date(2025, 3, 28), by=social_worker)
    services.visit_record(placement=placement, visited_on=date(2025, 3, 9), by=social_worker)
    services.proceedings_issue(placement=placement, issued_on=date(2025, 1, 6), by=social_worker)
    deadlines = _deadlines(placement)
    assert deadlines[PlacementDeadline.Kind.REVIEW] == date(2025, 6, 28)
    assert deadlines[PlacementDeadline.Kind.VISIT] == date(2025, 4, 20)
    assert deadlines[PlacementDeadline.Kind.PROCEEDINGS] == date(2025, 7, 7)
    placement.refresh_from_db()
    assert placement.proceedings_target_on == date(2025, 7, 7)

    services.proceedings_extend(
        placement=placement, granted_on=date(2025, 6, 30), weeks=8, by=social_worker
    )
    assert _deadlines(placement)[PlacementDeadline.Kind.PROCEEDINGS] == date(2025, 9, 1)
    placement.refresh_from_db()
    assert placement.proceedings_target_on == date(2025, 7, 7)  # the 26 weeks never move
    assert placement.proceedings_extended_to == date(2025, 9, 1)

    services.proceedings_conclude(placement=placement, on=date(2025, 8, 20), by=social_worker)
    assert PlacementDeadline.Kind.PROCEEDINGS not in _deadlines(placement)


@pytest.mark.django_db
def test_an_extension_is_one_to_eight_weeks(ep_household, social_worker):
    placement = factories.placement(social_worker, ep_household, placed_on=date(2025, 3, 3))
    with pytest.raises(services.TransitionRefused, match="issued"):
        services.proceedings_extend(
            placement=placement, granted_on=date(2025, 6, 30), weeks=4, by=social_worker
        )
    services.proceedings_issue(placement=placement, issued_on=date(2025, 1, 6), by=social_worker)
    for weeks in (0, 9):
        with pytest.raises(services.TransitionRefused, match="1 to 8 weeks"):
            services.proceedings_extend(
                placement=placement, granted_on=date(2025, 6, 30), weeks=weeks, by=social_worker
            )


@pytest.mark.django_db
def test_an_ended_placement_has_no_clocks(ep_household, social_worker):
    placement = factories.placement(social_worker, ep_household, placed_on=date(2025, 3, 3))
    services.placement_record_return_home(
        placement=placement, on=date(2025, 9, 1), by=social_worker, note="Court decision."
    )
    assert placement.deadlines.count() == 0
    assert Placement.objects.get(pk=placement.pk).outcome == Placement.Outcome.RETURNED_HOME

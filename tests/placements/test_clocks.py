"""Every placement clock on dates worked out by hand (never with portal.calendar).

Bank holidays of England used below: Christmas Day Mon 25 and Boxing Day Tue 26 December
2023, New Year's Day Mon 1 January 2024, Good Friday 29 March and Easter Monday 1 April
2024, the early May bank holiday Mon 5 May and the spring bank holiday Mon 26 May 2025,
the summer bank holiday Mon 25 August 2025.
"""

import io
from datetime import date

import pytest
from django.core.management import call_command

from placements import clocks, services
from placements.models import CourtOrder, Placement, PlacementDeadline

from . import factories

# ---------------------------------------------------------------------------
# The first looked-after child review: 20 working days from becoming looked after
# (CPPCR reg 33(1)); the day itself is not counted.
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("entered_care_on", "due"),
    [
        # Mon 18 Dec 2023: 19, 20, 21, 22 Dec (4); skip 25, 26 Dec; 27, 28, 29 Dec (7);
        # skip 1 Jan; 2-5 Jan (11); 8-12 Jan (16); 15, 16, 17, 18 Jan (20): Thu 18 Jan 2024.
        (date(2023, 12, 18), date(2024, 1, 18)),
        # Mon 25 Mar 2024: 26, 27, 28 Mar (3); skip Good Friday 29 Mar and Easter Monday
        # 1 Apr; 2-5 Apr (7); 8-12 Apr (12); 15-19 Apr (17); 22, 23, 24 Apr (20): Wed 24 Apr.
        (date(2024, 3, 25), date(2024, 4, 24)),
        # Tue 29 Apr 2025: 30 Apr, 1, 2 May (3); skip 5 May; 6-9 May (7); 12-16 May (12);
        # 19-23 May (17); skip 26 May; 27, 28, 29 May (20): Thu 29 May 2025.
        (date(2025, 4, 29), date(2025, 5, 29)),
    ],
)
def test_the_first_review_is_due_20_working_days_after_the_child_became_looked_after(
    entered_care_on, due
):
    assert clocks.first_review_due(entered_care_on=entered_care_on) == due
    assert clocks.next_review_due(entered_care_on=entered_care_on, held=[]) == due


def test_the_second_review_within_3_months_of_the_first_then_every_6_months():
    entered = date(2023, 12, 18)
    # First held Tue 16 Jan 2024: three months on is Tue 16 Apr 2024.
    assert clocks.next_review_due(entered_care_on=entered, held=[date(2024, 1, 16)]) == date(
        2024, 4, 16
    )
    # Second held Wed 10 Apr 2024: six months on is Thu 10 Oct 2024.
    held = [date(2024, 4, 10), date(2024, 1, 16)]
    assert clocks.next_review_due(entered_care_on=entered, held=held) == date(2024, 10, 10)
    # A first review on 31 Aug: three months on is the last day of November.
    assert clocks.next_review_due(
        entered_care_on=date(2025, 8, 1), held=[date(2025, 8, 31)]
    ) == date(2025, 11, 30)


# ---------------------------------------------------------------------------
# Social worker visits while fostering (CPPCR reg 28(2)): within a week, then 6-weekly,
# in the first year and after it (an EP placement is not meant to last until 18).
# ---------------------------------------------------------------------------


def test_the_first_visit_is_within_a_week_of_the_placement():
    # Placed Mon 1 Jan 2024 (a bank holiday: visits count calendar days): Mon 8 Jan.
    assert clocks.next_visit_due(placed_on=date(2024, 1, 1), visited=[]) == date(2024, 1, 8)


def test_visits_are_6_weekly_in_the_first_year():
    # Last visit Sun 10 Mar 2024 + 42 days: 21 days left in March, 21 into April: 21 Apr.
    visited = [date(2024, 1, 7), date(2024, 3, 10)]
    assert clocks.next_visit_due(placed_on=date(2024, 1, 1), visited=visited) == date(2024, 4, 21)


def test_visits_are_still_6_weekly_after_the_first_year():
    # Placed Mon 1 Jan 2024; last visit Wed 15 Jan 2025, past the first anniversary:
    # 15 Jan + 42 days = 16 days to 31 Jan, 26 more: Wed 26 Feb 2025 (not 15 April).
    visited = [date(2024, 11, 1), date(2025, 1, 15)]
    assert clocks.next_visit_due(placed_on=date(2024, 1, 1), visited=visited) == date(2025, 2, 26)


# ---------------------------------------------------------------------------
# Placed for adoption (AAR reg 36): calendar weeks and months from the date placed.
# ---------------------------------------------------------------------------


def test_the_first_adoption_review_is_within_4_weeks_then_3_then_6_months():
    start = date(2025, 8, 4)
    # Mon 4 Aug 2025 + 28 days = Mon 1 Sep 2025; the summer bank holiday (25 Aug) does not
    # move a period of weeks.
    assert clocks.adoption_review_due(placed_for_adoption_on=start, held=[]) == date(2025, 9, 1)
    # A review held before the placement for adoption (under CPPCR) does not count.
    assert clocks.adoption_review_due(
        placed_for_adoption_on=start, held=[date(2025, 7, 30)]
    ) == date(2025, 9, 1)
    # First held Fri 29 Aug 2025: + 3 months = Sat 29 Nov 2025; then + 6 months.
    assert clocks.adoption_review_due(
        placed_for_adoption_on=start, held=[date(2025, 8, 29)]
    ) == date(2025, 11, 29)
    held = [date(2025, 8, 29), date(2025, 11, 27)]
    assert clocks.adoption_review_due(placed_for_adoption_on=start, held=held) == date(2026, 5, 27)
    # One held on the day of the placement for adoption belongs to the fostering
    # regime's decision: the first AAR review is still due within 4 weeks.
    assert clocks.adoption_review_due(placed_for_adoption_on=start, held=[start]) == date(
        2025, 9, 1
    )


def test_adoption_visits_are_weekly_until_the_first_review_then_as_each_review_decides():
    start = date(2025, 7, 4)  # Fri 4 Jul 2025
    due = clocks.adoption_visit_due
    # Within a week: Fri 11 Jul. Then weekly: a visit on Thu 10 Jul gives Thu 17 Jul.
    assert due(placed_for_adoption_on=start, visited=[], reviews=[]) == date(2025, 7, 11)
    # A fostering visit before the placement for adoption does not count.
    assert due(placed_for_adoption_on=start, visited=[date(2025, 7, 1)], reviews=[]) == date(
        2025, 7, 11
    )
    # Nor does a visit, or a review, on the day of the placement for adoption itself.
    assert due(placed_for_adoption_on=start, visited=[start], reviews=[(start, 4)]) == date(
        2025, 7, 11
    )
    assert due(placed_for_adoption_on=start, visited=[date(2025, 7, 10)], reviews=[]) == date(
        2025, 7, 17
    )
    # The first review (Thu 31 Jul) set visits every 4 weeks: last visit Thu 24 Jul + 28
    # days = Thu 21 Aug.
    visited = [date(2025, 7, 10), date(2025, 7, 24)]
    reviews = [(date(2025, 7, 31), 4)]
    assert due(placed_for_adoption_on=start, visited=visited, reviews=reviews) == date(2025, 8, 21)
    # A review that recorded no frequency keeps the visits weekly: Thu 31 Jul.
    reviews = [(date(2025, 7, 31), None)]
    assert due(placed_for_adoption_on=start, visited=visited, reviews=reviews) == date(2025, 7, 31)


# ---------------------------------------------------------------------------
# Care proceedings (Children Act 1989 s32)
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("issued_on", "ends"),
    [
        # Week 1 is Mon 1 Jan - Sun 7 Jan 2024; week 26 is Mon 24 - Sun 30 Jun 2024.
        (date(2024, 1, 1), date(2024, 6, 30)),
        # Mon 6 Jan 2025 + 182 days = Mon 7 Jul 2025; the 26th week ends the day before.
        (date(2025, 1, 6), date(2025, 7, 6)),
        # Issued Wed 20 Dec 2023 (Christmas does not stop the weeks): 26th week ends Tue
        # 18 Jun 2024 (20 Dec + 182 days = Wed 19 Jun 2024, less a day).
        (date(2023, 12, 20), date(2024, 6, 18)),
    ],
)
def test_proceedings_end_with_the_26_weeks_beginning_with_the_issue_day(issued_on, ends):
    assert clocks.proceedings_timetable_end(issued_on=issued_on) == ends


def test_an_extension_ends_at_most_8_weeks_after_the_later_of_the_end_and_the_grant():
    end = date(2024, 6, 30)
    # Granted before the end (Thu 20 Jun): 30 Jun + 56 days = 1 Jul + 55 = Sun 25 Aug 2024.
    assert clocks.extension_latest_end(period_end=end, granted_on=date(2024, 6, 20)) == date(
        2024, 8, 25
    )
    # Granted late, Fri 12 Jul 2024: 12 Jul + 56 days = Fri 6 Sep 2024.
    assert clocks.extension_latest_end(period_end=end, granted_on=date(2024, 7, 12)) == date(
        2024, 9, 6
    )


def test_the_adoption_order_application_is_possible_10_weeks_after_placement():
    assert clocks.adoption_application_from(date(2025, 3, 3)) == date(2025, 5, 12)


# ---------------------------------------------------------------------------
# The stored deadlines, through the services
# ---------------------------------------------------------------------------


def _deadlines(placement, child=None):
    """The placement's deadlines by kind: its own and, for a placement of one child (or
    for ``child``), that child's."""
    rows = placement.deadlines.all()
    if child is not None:
        rows = rows.filter(child=child)
    found = {}
    for deadline in rows:
        assert deadline.kind not in found, "name the child: the placement has several"
        found[deadline.kind] = deadline.due_on
    return found


@pytest.mark.django_db
def test_siblings_first_review_follows_each_childs_entry_into_care_and_earlier_placements(
    social_worker, manager
):
    household = factories.approved_household(
        by=social_worker, manager=manager, on=date(2023, 12, 1), surname="Elder"
    )
    older = factories.child(
        social_worker, born=date(2023, 11, 1), entered_care_on=date(2023, 12, 18)
    )
    younger = factories.child(
        social_worker, born=date(2024, 3, 20), entered_care_on=date(2024, 3, 25)
    )
    first = factories.placement(
        social_worker, household, children=[older], placed_on=date(2023, 12, 20)
    )
    # From becoming looked after (Mon 18 Dec 2023), not from the placement: Thu 18 Jan 2024
    # (worked out above), where the placement (Wed 20 Dec) would give Mon 22 Jan.
    assert _deadlines(first)[PlacementDeadline.Kind.REVIEW] == date(2024, 1, 18)
    services.review_record(placement=first, held_on=date(2024, 1, 16), by=social_worker)
    services.placement_end_other(
        placement=first, on=date(2024, 4, 1), by=social_worker, note="Moved to her sister."
    )
    second = factories.placement(
        social_worker, household, children=[older, younger], placed_on=date(2024, 4, 2)
    )
    # The older child's cycle carries on from her review of Tue 16 Jan (3 months: Tue 16
    # Apr); the younger's first is due Wed 24 Apr (above). Each child has their own.
    Kind = PlacementDeadline.Kind
    assert _deadlines(second, older)[Kind.REVIEW] == date(2024, 4, 16)
    assert _deadlines(second, younger)[Kind.REVIEW] == date(2024, 4, 24)
    review = second.deadlines.get(kind=Kind.REVIEW, child=older)
    assert review.label == (
        f"{older.reference}: Confirm with the placing authority: next looked-after child review"
    )
    # A record on a placement of brothers and sisters names the child.
    with pytest.raises(services.TransitionRefused, match="Choose the child"):
        services.review_record(placement=second, held_on=date(2024, 4, 15), by=social_worker)
    for child in (older, younger):
        services.review_record(
            placement=second, child=child, held_on=date(2024, 4, 15), by=social_worker
        )
    # Both reviewed on Mon 15 Apr: the younger's second is due Mon 15 Jul (3 months after
    # her first), the older's third Tue 15 Oct (6 months).
    assert _deadlines(second, younger)[Kind.REVIEW] == date(2024, 7, 15)
    assert _deadlines(second, older)[Kind.REVIEW] == date(2024, 10, 15)
    # Visits run from this placement: within a week of Tue 2 Apr, Tue 9 Apr 2024.
    assert _deadlines(second, older)[Kind.VISIT] == date(2024, 4, 9)
    assert _deadlines(second, younger)[Kind.VISIT] == date(2024, 4, 9)


@pytest.mark.django_db
def test_placed_for_adoption_switches_to_the_adoption_reviews_and_weekly_visits(
    ep_household, social_worker
):
    child = factories.child(social_worker, born=date(2025, 2, 20), entered_care_on=date(2025, 3, 3))
    placement = factories.placement(
        social_worker, ep_household, children=[child], placed_on=date(2025, 3, 3)
    )
    services.review_record(placement=placement, held_on=date(2025, 3, 28), by=social_worker)
    services.visit_record(placement=placement, visited_on=date(2025, 7, 1), by=social_worker)
    services.court_order_record(
        placement=placement,
        children=[child],
        kind=CourtOrder.Kind.PLACEMENT_ORDER,
        made_on=date(2025, 6, 30),
        by=social_worker,
    )
    # While fostering: the CPPCR second review, 3 months after Fri 28 Mar: Sat 28 Jun.
    assert _deadlines(placement)[PlacementDeadline.Kind.REVIEW] == date(2025, 6, 28)
    services.placement_place_for_adoption(
        placement=placement, on=date(2025, 7, 7), notice_on=date(2025, 7, 4), by=social_worker
    )
    placement.refresh_from_db()
    assert placement.adoption_notice_on == date(2025, 7, 4)
    # From the reg 35(5) notice date, Fri 4 Jul 2025: review by Fri 1 Aug (4 weeks), visit
    # by Fri 11 Jul (a week); the fostering visit of 1 Jul does not count.
    deadlines = _deadlines(placement)
    assert deadlines[PlacementDeadline.Kind.REVIEW] == date(2025, 8, 1)
    assert deadlines[PlacementDeadline.Kind.VISIT] == date(2025, 7, 11)
    services.visit_record(placement=placement, visited_on=date(2025, 7, 10), by=social_worker)
    assert _deadlines(placement)[PlacementDeadline.Kind.VISIT] == date(2025, 7, 17)
    services.visit_record(placement=placement, visited_on=date(2025, 7, 24), by=social_worker)
    services.review_record(
        placement=placement, held_on=date(2025, 7, 31), visit_interval_weeks=4, by=social_worker
    )
    deadlines = _deadlines(placement)
    # Second adoption review 3 months after Thu 31 Jul: Fri 31 Oct; visits every 4 weeks
    # from Thu 24 Jul: Thu 21 Aug.
    assert deadlines[PlacementDeadline.Kind.REVIEW] == date(2025, 10, 31)
    assert deadlines[PlacementDeadline.Kind.VISIT] == date(2025, 8, 21)
    with pytest.raises(services.TransitionRefused, match="every 26 weeks"):
        services.review_record(
            placement=placement, held_on=date(2025, 8, 1), visit_interval_weeks=27, by=social_worker
        )


@pytest.mark.django_db
def test_proceedings_issued_1_january_2024_end_on_30_june_and_a_late_extension_counts(
    ep_household, social_worker
):
    child = factories.child(social_worker, born=date(2023, 11, 20))
    placement = factories.placement(
        social_worker, ep_household, children=[child], placed_on=date(2025, 3, 3)
    )
    proceedings = factories.issue(placement, issued_on=date(2024, 1, 1), by=social_worker)
    assert proceedings.target_on == date(2024, 6, 30)
    assert _deadlines(placement)[PlacementDeadline.Kind.PROCEEDINGS] == date(2024, 6, 30)
    # Granted Fri 12 Jul 2024, after the 26 weeks ended: the limit is Fri 6 Sep (above).
    with pytest.raises(services.TransitionRefused) as refused:
        services.proceedings_extend(
            proceedings=proceedings,
            granted_on=date(2024, 7, 12),
            ends_on=date(2024, 9, 7),
            by=social_worker,
        )
    assert refused.value.messages == [
        "An extension can end no later than 6 September 2024: 8 weeks after the later of the "
        "end of the period it extends (30 June 2024) and the day it is granted (12 July 2024) "
        "(Children Act 1989, section 32(8))."
    ]
    assert not proceedings.extensions.exists()
    services.proceedings_extend(
        proceedings=proceedings,
        granted_on=date(2024, 7, 12),
        ends_on=date(2024, 9, 6),
        by=social_worker,
        reason="Expert report late.",
    )
    proceedings.refresh_from_db()
    assert proceedings.target_on == date(2024, 6, 30)  # the 26 weeks never move
    assert proceedings.extended_to == date(2024, 9, 6)
    assert _deadlines(placement)[PlacementDeadline.Kind.PROCEEDINGS] == date(2024, 9, 6)
    # A second extension, granted Mon 2 Sep before the first ends: at most 8 weeks after
    # Fri 6 Sep, i.e. Fri 1 Nov 2024; and it must end after 6 Sep.
    for ends_on, message in (
        (date(2024, 11, 2), "no later than 1 November 2024"),
        (date(2024, 9, 6), "already run to 6 September 2024"),
    ):
        with pytest.raises(services.TransitionRefused, match=message):
            services.proceedings_extend(
                proceedings=proceedings,
                granted_on=date(2024, 9, 2),
                ends_on=ends_on,
                by=social_worker,
            )
    services.proceedings_extend(
        proceedings=proceedings,
        granted_on=date(2024, 9, 2),
        ends_on=date(2024, 11, 1),
        by=social_worker,
    )
    assert _deadlines(placement)[PlacementDeadline.Kind.PROCEEDINGS] == date(2024, 11, 1)
    services.proceedings_conclude(proceedings=proceedings, on=date(2024, 10, 20), by=social_worker)
    assert PlacementDeadline.Kind.PROCEEDINGS not in _deadlines(placement)


@pytest.mark.django_db
def test_an_extension_needs_issued_proceedings(ep_household, social_worker):
    placement = factories.placement(social_worker, ep_household, placed_on=date(2025, 3, 3))
    # Hearings listed before the application is issued: no issue date yet.
    proceedings = services.proceedings_open(
        children=list(placement.children.all()), by=social_worker
    )
    with pytest.raises(services.TransitionRefused, match="issued"):
        services.proceedings_extend(
            proceedings=proceedings,
            granted_on=date(2025, 6, 30),
            ends_on=date(2025, 8, 1),
            by=social_worker,
        )


@pytest.mark.django_db
def test_refreshing_every_placement_puts_a_stale_stored_deadline_right(ep_household, social_worker):
    child = factories.child(
        social_worker, born=date(2025, 4, 20), entered_care_on=date(2025, 4, 29)
    )
    placement = factories.placement(
        social_worker, ep_household, children=[child], placed_on=date(2025, 5, 2)
    )
    # Thu 29 May 2025 (worked out above), stored as the portal once had it (from placement).
    PlacementDeadline.objects.filter(
        placement=placement, kind=PlacementDeadline.Kind.REVIEW
    ).update(due_on=date(2025, 6, 3))
    call_command("placements_deadlines_refresh", stdout=io.StringIO())
    deadline = placement.deadlines.get(kind=PlacementDeadline.Kind.REVIEW)
    assert deadline.due_on == date(2025, 5, 29)
    assert deadline.revision == 2


@pytest.mark.django_db
def test_an_ended_placement_has_no_clocks(ep_household, social_worker):
    placement = factories.placement(social_worker, ep_household, placed_on=date(2025, 3, 3))
    services.placement_record_return_home(
        placement=placement, on=date(2025, 9, 1), by=social_worker, note="Court decision."
    )
    assert placement.deadlines.count() == 0
    assert Placement.objects.get(pk=placement.pk).outcome == Placement.Outcome.RETURNED_HOME

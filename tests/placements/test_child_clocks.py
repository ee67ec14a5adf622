"""A child's statutory clocks (placements/clocks.py) on dates worked out by hand.

Every expected date is a literal counted on a calendar, never computed with
portal.calendar. Bank holidays of England crossed below: Christmas Day Mon 25 and Boxing
Day Tue 26 December 2023, New Year's Day Mon 1 January 2024; Good Friday 29 March and
Easter Monday 1 April 2024; Christmas Day Wed 25 and Boxing Day Thu 26 December 2024,
New Year's Day Wed 1 January 2025.
"""

from datetime import date

from placements.clocks import (
    ChildFacts,
    ProceedingsFacts,
    child_clocks,
    extension_latest_end,
    first_review_due,
    next_review_due,
    proceedings_timetable_end,
)
from placements.models import Duty, PlacementDeadline

Kind = PlacementDeadline.Kind


def _clock(clocks, kind):
    """The one clock of that kind."""
    found = [c for c in clocks if c.kind == kind]
    assert len(found) == 1, f"expected one {kind} clock, got {found}"
    return found[0]


# --- 1. The first looked-after child review ------------------------------------------------


def test_first_review_20_working_days_entry_day_not_counted():
    """CPPCR reg 33(1): first review within 20 working days; the entry day is not counted."""
    # Wed 3 Jul 2024, no bank holiday: Thu 4, Fri 5 (2); 8-12 Jul (7); 15-19 (12);
    # 22-26 (17); Mon 29 (18), Tue 30 (19), Wed 31 Jul (20). Counting 3 Jul would give 30 Jul.
    assert first_review_due(entered_care_on=date(2024, 7, 3)) == date(2024, 7, 31)
    # Sat 6 Jan 2024: Mon 8-Fri 12 (5); 15-19 (10); 22-26 (15); Mon 29 (16), Tue 30 (17),
    # Wed 31 (18), Thu 1 Feb (19), Fri 2 Feb (20).
    assert first_review_due(entered_care_on=date(2024, 1, 6)) == date(2024, 2, 2)


def test_first_review_crossing_christmas_and_new_year_2023():
    """CPPCR reg 33(1): the 20 working days skip the Christmas and New Year bank holidays."""
    # Fri 15 Dec 2023: Mon 18, 19, 20, 21, Fri 22 (5); skip Mon 25 and Tue 26 Dec;
    # Wed 27, 28, Fri 29 (8); skip Mon 1 Jan; Tue 2, 3, 4, Fri 5 (12); Mon 8-Fri 12 (17);
    # Mon 15 (18), Tue 16 (19), Wed 17 Jan 2024 (20).
    assert first_review_due(entered_care_on=date(2023, 12, 15)) == date(2024, 1, 17)


def test_first_review_crossing_christmas_and_new_year_2024():
    """CPPCR reg 33(1): holidays midweek (Wed 25, Thu 26 Dec 2024, Wed 1 Jan 2025)."""
    # Mon 16 Dec 2024: Tue 17, 18, 19, Fri 20 (4); Mon 23 (5), Tue 24 (6); skip Wed 25 and
    # Thu 26; Fri 27 (7); Mon 30 (8), Tue 31 (9); skip Wed 1 Jan; Thu 2 (10), Fri 3 (11);
    # Mon 6-Fri 10 (16); Mon 13 (17), Tue 14 (18), Wed 15 (19), Thu 16 Jan 2025 (20).
    assert first_review_due(entered_care_on=date(2024, 12, 16)) == date(2025, 1, 16)


def test_first_review_crossing_easter_2024():
    """CPPCR reg 33(1): the 20 working days skip Good Friday and Easter Monday 2024."""
    # Mon 18 Mar 2024: Tue 19, 20, 21, Fri 22 (4); Mon 25, 26, 27, Thu 28 (8); skip
    # Fri 29 Mar and Mon 1 Apr; Tue 2, 3, 4, Fri 5 (12); Mon 8-Fri 12 (17); Mon 15 (18),
    # Tue 16 (19), Wed 17 Apr 2024 (20).
    assert first_review_due(entered_care_on=date(2024, 3, 18)) == date(2024, 4, 17)


# --- 2. Later reviews -------------------------------------------------------------------


def test_next_review_second_within_3_months_then_every_6_months():
    """CPPCR reg 33(2): second review within 3 months of the first, then every 6 months."""
    entered = date(2023, 12, 18)
    # No review yet: the first review date (Thu 18 Jan 2024, counted in the Christmas test
    # pattern: 19-22 Dec (4); 27-29 Dec (7); 2-5 Jan (11); 8-12 (16); 15-18 Jan (20)).
    assert next_review_due(entered_care_on=entered, held=[]) == date(2024, 1, 18)
    # First held 18 Jan 2024: second due 3 months on, 18 Apr 2024.
    assert next_review_due(entered_care_on=entered, held=[date(2024, 1, 18)]) == date(2024, 4, 18)
    # Second held 10 Apr 2024: third due 6 months on, 10 Oct 2024 (order given is irrelevant).
    held = [date(2024, 4, 10), date(2024, 1, 18)]
    assert next_review_due(entered_care_on=entered, held=held) == date(2024, 10, 10)


def test_next_review_months_clamp_to_short_month_end():
    """CPPCR reg 33(2): a month on from the 30th or 31st ends on the shorter month's last day."""
    # First held Thu 30 Nov 2023: 3 months on is February 2024 (leap year): 29 Feb 2024.
    assert next_review_due(entered_care_on=date(2023, 11, 1), held=[date(2023, 11, 30)]) == date(
        2024, 2, 29
    )
    # Later review held Sat 31 Aug 2024: 6 months on is February 2025: 28 Feb 2025.
    held = [date(2024, 2, 29), date(2024, 8, 31)]
    assert next_review_due(entered_care_on=date(2023, 11, 1), held=held) == date(2025, 2, 28)


# --- 3. Care proceedings: 26 weeks -----------------------------------------------------------


def test_proceedings_26_weeks_beginning_with_issue_day():
    """Children Act 1989 s32(1)(a)(ii): 26 weeks beginning with the issue day."""
    # Mon 1 Jan 2024: week 1 is Mon 1-Sun 7 Jan; week 26 ends on Sunday 30 Jun 2024
    # (Jan 1 + 181 days: 30 left in Jan, 29 Feb, 31 Mar, 30 Apr, 31 May, 30 Jun = 181).
    assert proceedings_timetable_end(issued_on=date(2024, 1, 1)) == date(2024, 6, 30)


def test_proceedings_26_weeks_issued_midweek():
    """Children Act 1989 s32(1)(a)(ii): the last day is the day before the 26-week weekday."""
    # Wed 15 May 2024: 26 weeks later is Wed 13 Nov 2024 (16 left in May, 30 Jun, 31 Jul,
    # 31 Aug, 30 Sep, 31 Oct = 169, + 13 Nov = 182 days); the 26th week ends Tue 12 Nov.
    assert proceedings_timetable_end(issued_on=date(2024, 5, 15)) == date(2024, 11, 12)


# --- 4. Extensions -------------------------------------------------------------------------


def test_extension_granted_after_period_end_runs_from_grant_day():
    """Children Act 1989 s32(8): 8 weeks after the later of period end and grant day (late)."""
    # Period ended Sun 30 Jun 2024; extension granted late on Mon 15 Jul 2024: 8 weeks
    # (56 days) after 15 Jul: 16 left in Jul, 31 Aug (47), 9 Sep = 56: Mon 9 Sep 2024.
    assert extension_latest_end(period_end=date(2024, 6, 30), granted_on=date(2024, 7, 15)) == date(
        2024, 9, 9
    )


def test_extension_granted_before_period_end_runs_from_period_end():
    """Children Act 1989 s32(8): 8 weeks after the period end when granted before it."""
    # Granted Mon 10 Jun 2024, period ends Sun 30 Jun 2024: 56 days after 30 Jun:
    # 31 Jul (31), 25 Aug (56): Sun 25 Aug 2024.
    assert extension_latest_end(period_end=date(2024, 6, 30), granted_on=date(2024, 6, 10)) == date(
        2024, 8, 25
    )


# --- 5. child_clocks while fostering (CPPCR) -----------------------------------------------


def test_siblings_have_their_own_first_review_dates():
    """CPPCR reg 33(1): the review clock runs from each child's own entry into care."""
    placed_on = date(2024, 1, 9)
    # Fri 15 Dec 2023 -> Wed 17 Jan 2024 (counted in the Christmas 2023 test above).
    older = ChildFacts(pk=1, entered_care_on=date(2023, 12, 15))
    # Mon 8 Jan 2024: Tue 9-Fri 12 (4); 15-19 (9); 22-26 (14); Mon 29-Fri 2 Feb (19);
    # Mon 5 Feb 2024 (20).
    younger = ChildFacts(pk=2, entered_care_on=date(2024, 1, 8))
    older_review = _clock(child_clocks(older, placed_on=placed_on, adoption_from=None), Kind.REVIEW)
    younger_review = _clock(
        child_clocks(younger, placed_on=placed_on, adoption_from=None), Kind.REVIEW
    )
    assert older_review.due_on == date(2024, 1, 17)
    assert younger_review.due_on == date(2024, 2, 5)


def test_review_held_in_an_earlier_placement_counts():
    """CPPCR reg 33(2): the cycle belongs to the child; an earlier placement's review counts."""
    child = ChildFacts(
        pk=1,
        entered_care_on=date(2023, 12, 18),
        reviews=[(date(2024, 1, 18), None)],  # held before this placement began
    )
    clocks = child_clocks(child, placed_on=date(2024, 3, 1), adoption_from=None)
    # Second review within 3 months of 18 Jan 2024: 18 Apr 2024.
    assert _clock(clocks, Kind.REVIEW).due_on == date(2024, 4, 18)


def test_first_visit_within_a_week_of_placement():
    """CPPCR reg 28(2)(a): the first visit within one week of the start of the placement."""
    child = ChildFacts(pk=1, entered_care_on=date(2024, 6, 20))
    clocks = child_clocks(child, placed_on=date(2024, 7, 1), adoption_from=None)
    # Mon 1 Jul 2024 + 7 days: Mon 8 Jul 2024.
    assert _clock(clocks, Kind.VISIT).due_on == date(2024, 7, 8)


def test_visits_six_weekly_in_the_first_year():
    """CPPCR reg 28(2)(b): visits at most every six weeks in the placement's first year."""
    child = ChildFacts(pk=1, entered_care_on=date(2024, 6, 20), visits=[date(2024, 8, 12)])
    clocks = child_clocks(child, placed_on=date(2024, 7, 1), adoption_from=None)
    # Mon 12 Aug 2024 + 42 days: 19 left in Aug, 23 Sep = 42: Mon 23 Sep 2024.
    assert _clock(clocks, Kind.VISIT).due_on == date(2024, 9, 23)


def test_visits_stay_six_weekly_after_the_first_year():
    """CPPCR reg 28(2)(c)(ii): an EP placement is not meant to last to 18, so still 6 weeks."""
    child = ChildFacts(
        pk=1,
        entered_care_on=date(2024, 6, 20),
        visits=[date(2024, 8, 12), date(2025, 9, 1)],
    )
    clocks = child_clocks(child, placed_on=date(2024, 7, 1), adoption_from=None)
    # Last visit Mon 1 Sep 2025, 14 months into the placement: + 42 days: 29 left in Sep,
    # 13 Oct = 42: Mon 13 Oct 2025 (not 3 months on, 1 Dec 2025).
    assert _clock(clocks, Kind.VISIT).due_on == date(2025, 10, 13)


# --- 6. Placed for adoption (AAR reg 36) -----------------------------------------------------


def test_adoption_first_review_4_weeks_after_placement_for_adoption():
    """AAR 2005 reg 36(3)(a): first review within 4 weeks; fostering reviews do not count."""
    child = ChildFacts(
        pk=1,
        entered_care_on=date(2024, 12, 16),
        reviews=[(date(2025, 1, 10), None)],  # a CPPCR review before the regime switch
    )
    clocks = child_clocks(child, placed_on=date(2025, 1, 6), adoption_from=date(2025, 3, 5))
    # Wed 5 Mar 2025 + 28 days: 26 left in Mar, 2 Apr = 28: Wed 2 Apr 2025.
    assert _clock(clocks, Kind.REVIEW).due_on == date(2025, 4, 2)


def test_adoption_first_visit_within_a_week_of_placement_for_adoption():
    """AAR 2005 reg 36(4)(a): a visit within one week of placement for adoption."""
    child = ChildFacts(
        pk=1,
        entered_care_on=date(2024, 12, 16),
        visits=[date(2025, 3, 3)],  # a fostering visit, before the switch
    )
    clocks = child_clocks(child, placed_on=date(2025, 1, 6), adoption_from=date(2025, 3, 5))
    # Wed 5 Mar 2025 + 7 days: Wed 12 Mar 2025 (not 6 weeks after the 3 Mar visit).
    assert _clock(clocks, Kind.VISIT).due_on == date(2025, 3, 12)


def test_adoption_visits_weekly_until_first_review():
    """AAR 2005 reg 36(4)(a): weekly visits until the first adoption review."""
    child = ChildFacts(
        pk=1,
        entered_care_on=date(2024, 12, 16),
        visits=[date(2025, 3, 3), date(2025, 3, 10)],
    )
    clocks = child_clocks(child, placed_on=date(2025, 1, 6), adoption_from=date(2025, 3, 5))
    # Last visit Mon 10 Mar 2025 + 7 days: Mon 17 Mar 2025.
    assert _clock(clocks, Kind.VISIT).due_on == date(2025, 3, 17)


def test_adoption_visits_at_the_frequency_the_review_decided():
    """AAR 2005 reg 36(4)(a): after the first review, visits as the review decided (4 weeks)."""
    child = ChildFacts(
        pk=1,
        entered_care_on=date(2024, 12, 16),
        reviews=[(date(2025, 1, 10), None), (date(2025, 4, 1), 4)],
        visits=[date(2025, 3, 10), date(2025, 3, 17), date(2025, 4, 7)],
    )
    clocks = child_clocks(child, placed_on=date(2025, 1, 6), adoption_from=date(2025, 3, 5))
    # Last visit Mon 7 Apr 2025 + 28 days: 23 left in Apr, 5 May = 28: Mon 5 May 2025.
    assert _clock(clocks, Kind.VISIT).due_on == date(2025, 5, 5)
    # AAR reg 36(3)(b): second adoption review within 3 months of Tue 1 Apr 2025: 1 Jul 2025.
    assert _clock(clocks, Kind.REVIEW).due_on == date(2025, 7, 1)


# --- 7. Health assessments ---------------------------------------------------------------


def test_initial_health_assessment_due_with_the_first_review():
    """CPPCR reg 7 and 2015 guidance: initial health assessment within 20 working days."""
    child = ChildFacts(pk=1, entered_care_on=date(2024, 3, 18), date_of_birth=date(2023, 9, 1))
    clocks = child_clocks(child, placed_on=date(2024, 3, 18), adoption_from=None)
    # Mon 18 Mar 2024 -> Wed 17 Apr 2024 (counted across Easter in the review test above).
    assert _clock(clocks, Kind.INITIAL_HEALTH).due_on == date(2024, 4, 17)
    assert _clock(clocks, Kind.REVIEW).due_on == date(2024, 4, 17)
    assert not [c for c in clocks if c.kind == Kind.REVIEW_HEALTH]


def _health_review_due(date_of_birth, assessed_on):
    child = ChildFacts(
        pk=1,
        entered_care_on=date(2024, 3, 18),
        date_of_birth=date_of_birth,
        health=[("initial", assessed_on)],
    )
    clocks = child_clocks(child, placed_on=date(2024, 3, 18), adoption_from=None)
    assert not [c for c in clocks if c.kind == Kind.INITIAL_HEALTH]
    return _clock(clocks, Kind.REVIEW_HEALTH).due_on


def test_health_review_six_monthly_under_five():
    """CPPCR reg 7: at least once in every six months before the fifth birthday."""
    # Born 10 Jun 2022, assessed 17 Apr 2024 aged 1: due 17 Oct 2024.
    assert _health_review_due(date(2022, 6, 10), date(2024, 4, 17)) == date(2024, 10, 17)


def test_health_review_yearly_from_five():
    """CPPCR reg 7: at least once in every twelve months after the fifth birthday."""
    # Born 1 Feb 2018, assessed 17 Apr 2024 aged 6: due 17 Apr 2025.
    assert _health_review_due(date(2018, 2, 1), date(2024, 4, 17)) == date(2025, 4, 17)
    # Born 17 Apr 2019, assessed on the fifth birthday 17 Apr 2024: due 17 Apr 2025.
    assert _health_review_due(date(2019, 4, 17), date(2024, 4, 17)) == date(2025, 4, 17)


def test_health_review_six_months_when_fifth_birthday_falls_in_between():
    """CPPCR reg 7: aged 4 years 10 months on the day -> six months (protects the child)."""
    # Born 17 Jun 2019, assessed 17 Apr 2024 aged 4 years 10 months; the fifth birthday
    # (17 Jun 2024) falls before a 12-month date, so the next is due 17 Oct 2024.
    assert _health_review_due(date(2019, 6, 17), date(2024, 4, 17)) == date(2024, 10, 17)


# --- 8. Whose duty ---------------------------------------------------------------------


def test_placing_authority_duty_is_a_chase_item():
    """Duty: where the placing authority holds the review duty, the agency chases it."""
    child = ChildFacts(
        pk=1,
        reference="C-101",
        entered_care_on=date(2024, 3, 18),
        reviews_duty=Duty.PLACING_AUTHORITY,
        social_worker=object(),
    )
    review = _clock(
        child_clocks(child, placed_on=date(2024, 3, 18), adoption_from=None), Kind.REVIEW
    )
    assert review.is_chase is True
    assert review.worker is None
    assert review.label.startswith("C-101: Confirm with the placing authority")


def test_agency_duty_goes_to_the_childs_worker():
    """Duty: where this agency holds the review duty, the child's social worker owns it."""
    sentinel = object()
    child = ChildFacts(
        pk=1,
        reference="C-101",
        entered_care_on=date(2024, 3, 18),
        reviews_duty=Duty.AGENCY,
        social_worker=sentinel,
    )
    review = _clock(
        child_clocks(child, placed_on=date(2024, 3, 18), adoption_from=None), Kind.REVIEW
    )
    assert review.is_chase is False
    assert review.worker is sentinel
    assert review.label == "C-101: First looked-after child review"


# --- 9. The proceedings clock --------------------------------------------------------------


def test_proceedings_clock_ends_with_the_extension():
    """Children Act 1989 s32(5): an extension the court granted moves the end date."""
    child = ChildFacts(
        pk=1,
        proceedings=[
            ProceedingsFacts(
                issued_on=date(2024, 1, 1), concluded_on=None, extension_ends=[date(2024, 8, 25)]
            )
        ],
    )
    clocks = child_clocks(child, placed_on=None, adoption_from=None)
    assert _clock(clocks, Kind.PROCEEDINGS).due_on == date(2024, 8, 25)


def test_proceedings_clock_without_extension_is_26_weeks():
    """Children Act 1989 s32(1)(a)(ii): issued Mon 1 Jan 2024, ends Sun 30 Jun 2024."""
    child = ChildFacts(
        pk=1,
        proceedings=[ProceedingsFacts(issued_on=date(2024, 1, 1), concluded_on=None)],
    )
    clocks = child_clocks(child, placed_on=None, adoption_from=None)
    assert _clock(clocks, Kind.PROCEEDINGS).due_on == date(2024, 6, 30)


def test_concluded_proceedings_have_no_clock():
    """Children Act 1989 s32: concluded proceedings have no timetable left to run."""
    child = ChildFacts(
        pk=1,
        proceedings=[ProceedingsFacts(issued_on=date(2024, 1, 1), concluded_on=date(2024, 5, 2))],
    )
    clocks = child_clocks(child, placed_on=None, adoption_from=None)
    assert not [c for c in clocks if c.kind == Kind.PROCEEDINGS]

from datetime import date

import pytest

from portal import calendar


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 12, 25), True),  # Christmas Day
        (date(2026, 12, 28), True),  # Boxing Day falls on a Saturday: substitute Monday
        (date(2026, 4, 3), True),  # Good Friday
        (date(2026, 4, 6), True),  # Easter Monday
        (date(2026, 5, 4), True),  # Early May bank holiday
        (date(2026, 12, 24), False),
        (date(2026, 4, 7), False),
    ],
)
def test_bank_holidays_of_england_and_wales(day, expected):
    assert calendar.is_bank_holiday(day) is expected


def test_scottish_only_holidays_are_working_days_in_england():
    # 2 January is a bank holiday in Scotland, not in England; 2 Jan 2026 is a Friday.
    assert calendar.is_working_day(date(2026, 1, 2))


def test_weekends_are_not_working_days():
    assert not calendar.is_working_day(date(2026, 11, 21))  # Saturday
    assert not calendar.is_working_day(date(2026, 11, 22))  # Sunday
    assert calendar.is_working_day(date(2026, 11, 23))


def test_one_working_day_after_friday_is_monday():
    assert calendar.add_working_days(date(2026, 11, 20), 1) == date(2026, 11, 23)


def test_working_days_skip_christmas_and_boxing_day():
    # Wed 23 Dec 2026 + 1 = Thu 24; + 2 = Tue 29 (25 Fri, 28 Mon substitute Boxing Day).
    assert calendar.add_working_days(date(2026, 12, 23), 1) == date(2026, 12, 24)
    assert calendar.add_working_days(date(2026, 12, 23), 2) == date(2026, 12, 29)
    # Five working days from Christmas Eve: 29, 30, 31 Dec, (1 Jan holiday), 4, 5 Jan.
    assert calendar.add_working_days(date(2026, 12, 24), 5) == date(2027, 1, 5)


def test_working_days_skip_easter():
    # Thu 2 Apr 2026 + 1: Good Friday, weekend and Easter Monday are skipped.
    assert calendar.add_working_days(date(2026, 4, 2), 1) == date(2026, 4, 7)


def test_seven_working_days_after_a_panel_before_easter():
    # Panel on Mon 30 Mar 2026: 31, 1, 2, (3 Good Fri), (6 Easter Mon), 7, 8, 9, 10 -> Fri 10 Apr.
    assert calendar.add_working_days(date(2026, 3, 30), 7) == date(2026, 4, 10)


def test_negative_working_days_go_backwards():
    assert calendar.add_working_days(date(2026, 12, 29), -1) == date(2026, 12, 24)


def test_working_days_between_counts_after_start_up_to_end():
    assert calendar.working_days_between(date(2026, 12, 23), date(2026, 12, 29)) == 2
    assert calendar.working_days_between(date(2026, 12, 29), date(2026, 12, 23)) == -2
    assert calendar.working_days_between(date(2026, 11, 23), date(2026, 11, 23)) == 0


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),  # leap year
        (date(2026, 8, 31), 4, date(2026, 12, 31)),
        (date(2026, 10, 31), 4, date(2027, 2, 28)),
        (date(2026, 11, 15), 2, date(2027, 1, 15)),
        (date(2026, 3, 31), -1, date(2026, 2, 28)),
        (date(2026, 5, 1), 12, date(2027, 5, 1)),
    ],
)
def test_add_months_clamps_to_month_end(start, months, expected):
    assert calendar.add_months(start, months) == expected


def test_add_years_on_29_february():
    assert calendar.add_years(date(2028, 2, 29), 3) == date(2031, 2, 28)


def test_add_weeks():
    assert calendar.add_weeks(date(2026, 11, 23), 26) == date(2027, 5, 24)

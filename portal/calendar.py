"""One calendar for every clock in the portal.

Working days are Monday to Friday, less the bank holidays of England and
Wales (the ``holidays`` package, subdivision ENG). Month arithmetic keeps the
day of the month where it can and falls back to the month's last day, so a
deadline one month after 31 January is 28 (or 29) February.
"""

import calendar as _calendar
from datetime import date, timedelta
from functools import lru_cache

import holidays


@lru_cache(maxsize=64)
def _bank_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year).keys())


def is_bank_holiday(day: date) -> bool:
    return day in _bank_holidays(day.year)


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and not is_bank_holiday(day)


def add_working_days(start: date, days: int) -> date:
    """The date ``days`` working days after ``start`` (before it, if negative).

    ``start`` itself never counts: one working day after a Friday is Monday.
    """
    step = 1 if days >= 0 else -1
    remaining = abs(days)
    current = start
    while remaining:
        current += timedelta(days=step)
        if is_working_day(current):
            remaining -= 1
    return current


def working_days_between(start: date, end: date) -> int:
    """Working days after ``start`` up to and including ``end`` (negative if end is earlier)."""
    if end < start:
        return -working_days_between(end, start)
    count = 0
    current = start
    while current < end:
        current += timedelta(days=1)
        if is_working_day(current):
            count += 1
    return count


def add_months(start: date, months: int) -> date:
    """Calendar months, clamped to the last day of a shorter month."""
    month_index = start.month - 1 + months
    year = start.year + month_index // 12
    month = month_index % 12 + 1
    last_day = _calendar.monthrange(year, month)[1]
    return date(year, month, min(start.day, last_day))


def add_weeks(start: date, weeks: int) -> date:
    return start + timedelta(weeks=weeks)


def add_years(start: date, years: int) -> date:
    return add_months(start, 12 * years)


def days_between(start: date, end: date) -> int:
    return (end - start).days


# The UK financial year runs from 1 April to 31 March; agencies report by it.
FINANCIAL_YEAR_START_MONTH = 4


def financial_year_of(day: date) -> int:
    """The financial year a day falls in, named by the year it starts (2025: April 2025 on)."""
    return day.year if day.month >= FINANCIAL_YEAR_START_MONTH else day.year - 1


def financial_year_bounds(year: int) -> tuple[date, date]:
    """The first day of the financial year and the first day of the next one."""
    return date(year, FINANCIAL_YEAR_START_MONTH, 1), date(year + 1, FINANCIAL_YEAR_START_MONTH, 1)


def financial_year_label(year: int) -> str:
    return f"April {year} to March {year + 1}"

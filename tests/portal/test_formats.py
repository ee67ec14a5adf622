"""Dates and times shown to people, one style everywhere (GOV.UK): "3 June 2025",
"Tuesday 3 June 2025", "3 June 2025 at 2:30pm", in London time."""

import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from django.template import Context, Template, TemplateSyntaxError

from portal import formats

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def test_a_date_has_no_leading_zero_and_the_month_in_full():
    assert formats.day(date(2025, 6, 3)) == "3 June 2025"
    assert formats.day(date(2025, 12, 25)) == "25 December 2025"
    assert formats.day(date(2025, 6, 3), weekday=True) == "Tuesday 3 June 2025"


def test_a_moment_is_shown_on_its_london_day():
    # 23:30 UTC on 2 June is 00:30 on 3 June in London (summer time).
    late = datetime(2025, 6, 2, 23, 30, tzinfo=UTC)
    assert formats.day(late) == "3 June 2025"
    assert formats.day_and_time(late) == "3 June 2025 at 12:30am"


@pytest.mark.parametrize(
    ("hour", "minute", "expected"),
    [(14, 30, "2:30pm"), (19, 0, "7pm"), (12, 0, "midday"), (0, 0, "12am"), (9, 5, "9:05am")],
)
def test_times_are_written_the_gov_uk_way(hour, minute, expected):
    # January: London is on UTC.
    moment = datetime(2025, 1, 15, hour, minute, tzinfo=UTC)
    assert formats.clock(moment) == expected
    assert formats.day_and_time(moment) == f"15 January 2025 at {expected}"


def test_the_template_filters_write_the_same():
    rendered = Template(
        "{{ d|day }} | {{ d|day:'weekday' }} | {{ m|day_and_time }} | {{ none|day }}|"
    ).render(Context({"d": date(2025, 6, 3), "m": datetime(2025, 1, 15, 14, 30, tzinfo=UTC)}))
    assert rendered == "3 June 2025 | Tuesday 3 June 2025 | 15 January 2025 at 2:30pm | |"
    with pytest.raises(TemplateSyntaxError):
        Template("{{ d|day:'short' }}").render(Context({"d": date(2025, 6, 3)}))


def test_no_template_writes_a_date_for_people_its_own_way():
    own_way = re.compile(r"""\|date:["'][^"']*[jDMFNbl]""")  # Y-m-d is for machines
    found = [
        str(path.relative_to(TEMPLATES))
        for path in sorted(TEMPLATES.rglob("*.html")) + sorted(TEMPLATES.rglob("*.txt"))
        if own_way.search(path.read_text())
    ]
    assert found == [], "use |day or |day_and_time (portal.formats)"


def test_a_name_is_first_name_then_last_name_either_may_be_missing():
    assert formats.full_name("Ada", "Okafor") == "Ada Okafor"
    assert formats.full_name("", "Okafor") == "Okafor"
    assert formats.full_name("Ada", "") == "Ada"


def test_a_month_is_written_in_full_with_its_year():
    assert formats.month(date(2025, 6, 3)) == "June 2025"
    # 23:30 UTC on 30 June 2025 is already 1 July in London (summer time).
    assert formats.month(datetime(2025, 6, 30, 23, 30, tzinfo=UTC)) == "July 2025"

"""The rules every date entered in the staff area follows, in one place, with their words.

* ``happened``: a date that records something that happened (a check received, a
  visit made, a child placed) is today or earlier.
* ``in_order``: a date is not before the date it follows (received on or after
  requested; an arrangement ends on or after it starts). The message names both.
* ``born``: a date of birth is not in the future and gives a plausible age.

Each rule returns a list of ``DateProblem`` (the form field the date was entered in,
if any, and a sentence saying what is wrong with the dates as people read them), so
one check can report several problems at once. Services refuse with the sentences;
forms put each one on its field (``add_to_form``). Every rule takes ``today`` so the
day can be fixed; it defaults to today in the portal's time zone.

Ages are counted the way ``portal.calendar`` counts months: a person is ``n`` months
old once ``add_months(born, n)`` has come, so a baby born on 31 January is one month
old on 28 February. Years are counted by birthdays (``birthday``): someone born on
29 February has their birthday on 1 March in a common year (see ``age_in_years``), as
``HouseholdMember.turns_18_on`` does. A baby under a year is aged 0 in years.
"""

from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from portal.calendar import add_months
from portal.formats import day

# A plausibility bound for a date of birth, not a rule of law or policy: anyone older
# has almost certainly had their year mistyped.
OLDEST_PLAUSIBLE_AGE = 120


@dataclass(frozen=True)
class DateProblem:
    """What is wrong with one date: the field it was entered in, and why, in words."""

    field: str | None
    message: str

    def __str__(self) -> str:
        return self.message


def messages(problems: list[DateProblem]) -> list[str]:
    return [problem.message for problem in problems]


def add_to_form(form, problems: list[DateProblem]) -> None:
    """Put each problem on its field (or on the form as a whole), one message per field."""
    for problem in problems:
        field = problem.field if problem.field in form.fields else None
        if field is not None and field in form.errors:
            # The field already has its message; one is enough.
            continue
        if field is None and problem.message in form.non_field_errors():
            continue
        form.add_error(field, problem.message)


def happened(
    value: date | None, *, label: str = "The date", field: str | None = None, today=None
) -> list[DateProblem]:
    """A date recording something that happened: today or earlier."""
    if value is None:
        return []
    today = today or timezone.localdate()
    if value > today:
        return [DateProblem(field, f"{label} cannot be in the future.")]
    return []


def in_order(
    later: date | None,
    earlier: date | None,
    *,
    label: str,
    earlier_label: str,
    field: str | None = None,
) -> list[DateProblem]:
    """``later`` is on or after ``earlier`` (either may be missing: nothing to compare)."""
    if later is None or earlier is None or later >= earlier:
        return []
    return [
        DateProblem(
            field,
            f"{label} ({day(later)}) cannot be before {earlier_label} ({day(earlier)}).",
        )
    ]


def age_in_months(born: date, on: date) -> int:
    """Completed calendar months from ``born`` to ``on`` (negative before the birth)."""
    months = (on.year - born.year) * 12 + (on.month - born.month)
    if add_months(born, months) > on:
        months -= 1
    return months


def birthday(born: date, age: int) -> date:
    """The day someone born on ``born`` attains ``age`` (29 February: 1 March in a
    common year; see ``age_in_years``)."""
    try:
        return born.replace(year=born.year + age)
    except ValueError:
        return date(born.year + age, 3, 1)


def age_in_years(born: date, on: date) -> int:
    """Completed years: a baby under a year is 0.

    Family Law Reform Act 1969 s9: a person attains an age at the commencement of the
    relevant anniversary of their birth. For someone born on 29 February the Act leaves
    the anniversary in a common year unclear; the portal takes the reading that protects
    the child, that it falls on 1 March (born 29 February 2000: 20 on 28 February 2021,
    21 on 1 March 2021), so no one is treated as older than they certainly are.
    """
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def age_words(born: date, on: date) -> str:
    """An age as people say it: "3 weeks old", "5 months old", "2 years old"."""
    months = age_in_months(born, on)
    if months < 1:
        weeks = (on - born).days // 7
        if weeks < 1:
            days = (on - born).days
            return f"{days} day{'s' if days != 1 else ''} old"
        return f"{weeks} week{'s' if weeks != 1 else ''} old"
    years = age_in_years(born, on)
    if years < 1:
        months = min(months, 11)  # born 29 February: a year old only on 1 March
        return f"{months} month{'s' if months != 1 else ''} old"
    return f"{years} year{'s' if years != 1 else ''} old"


def born(
    value: date | None,
    *,
    label: str = "The date of birth",
    field: str | None = None,
    oldest: int = OLDEST_PLAUSIBLE_AGE,
    today=None,
) -> list[DateProblem]:
    """A date of birth: not in the future, and no more than ``oldest`` years ago.

    ``oldest`` is the greatest age in completed years the record allows: 17 for a
    child (a child is under 18), ``OLDEST_PLAUSIBLE_AGE`` for a grown-up.
    """
    if value is None:
        return []
    today = today or timezone.localdate()
    problems = happened(value, label=label, field=field, today=today)
    if problems:
        return problems
    age = age_in_years(value, today)
    if age > oldest:
        return [
            DateProblem(
                field,
                f"{label} ({day(value)}) would make them {age} years old today: "
                f"it must give an age of {oldest} or under. Check the year.",
            )
        ]
    return []

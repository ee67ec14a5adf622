"""The terms of an approval (age range and number of children) and whether children fit.

Pure functions over an approved ``Assessment``: ``carers.selectors.approval_fits`` reads
the approvals and calls them, for whoever places or links a child (``placements``).

The terms are the agency decision's: for foster carers the notice of approval states its
terms, such as the number and age range of children (Fostering Services (England)
Regulations 2011, reg 27(5)); for adopters the decision records the children the panel
recommended them for. Ages are compared in the approval's unit, completed years or completed
months, on the day of placement, inclusive at both ends: "0 to 2 years" takes a newborn
and a child up to the day before their third birthday; "0 to 18 months" a child up to the
day before they are 19 months old; "1 to 1 years" does not take a baby under one.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from portal import dates
from portal.formats import day

from .models import AgesIn, Assessment, Track


def terms_problems(
    *, age_from: int | None, age_to: int | None, number: int | None, ages_in: str
) -> list[str]:
    """What is missing or wrong in the terms an approval is given (decision or variation)."""
    problems = []
    if number is None or number < 1:
        problems.append("Give the number of children the approval is for.")
    if age_from is None or age_to is None:
        problems.append("Give the age range of the approval.")
    elif age_from > age_to:
        problems.append("The youngest age of the approval must not be above the oldest.")
    if ages_in not in AgesIn.values:
        problems.append("Say whether the ages are in years or months.")
    return problems


def age_in(unit: str, born: date, on: date) -> int:
    """Completed months or completed years on ``on``."""
    if unit == AgesIn.MONTHS:
        return dates.age_in_months(born, on)
    return dates.age_in_years(born, on)


def terms_text(approval: Assessment) -> str:
    """The terms as the decision gave them: "1 child aged 0 to 18 months"."""
    number = approval.approved_number_of_children
    children = f"{number} child{'ren' if number != 1 else ''}" if number else "children"
    if approval.approved_age_from is None or approval.approved_age_to is None:
        return children
    unit = AgesIn(approval.approved_ages_in or AgesIn.YEARS).label
    return f"{children} aged {approval.approved_age_from} to {approval.approved_age_to} {unit}"


@dataclass(frozen=True)
class Misfit:
    """One way a placement falls outside one approval's terms, in words.

    ``child`` is the child it concerns (None for the number of children), so a caller can
    set aside misfits an exemption covers.
    """

    track: str
    reason: str
    child: Any = None

    def __str__(self) -> str:
        return self.reason


def misfits(
    *,
    approval: Assessment,
    who: str,
    children: Sequence,
    on: date,
    already_placed: int = 0,
) -> list[Misfit]:
    """How ``children`` (anything with ``date_of_birth`` and a name as ``str``), placed on
    ``on`` with ``already_placed`` others already living there, fall outside ``approval``."""
    as_what = "adopters" if approval.track == Track.ADOPTION else "foster carers"
    terms = f"{who} are approved as {as_what} for {terms_text(approval)}"
    found: list[Misfit] = []
    number = approval.approved_number_of_children
    in_the_home = already_placed + len(children)
    if number and in_the_home > number:
        placed = (
            f"{already_placed} already placed and {len(children)} in this placement"
            if already_placed
            else f"{len(children)} in this placement"
        )
        found.append(Misfit(approval.track, f"{terms}: this would make {in_the_home} ({placed})."))
    low, high = approval.approved_age_from, approval.approved_age_to
    if low is None or high is None:
        return found
    unit = approval.approved_ages_in or AgesIn.YEARS
    for child in children:
        born = child.date_of_birth
        if born is None or born > on:
            continue
        age = age_in(unit, born, on)
        if not low <= age <= high:
            found.append(
                Misfit(
                    approval.track,
                    f"{terms}: {child} is aged {age} {AgesIn(unit).label} on {day(on)} "
                    f"({dates.age_words(born, on)}).",
                    child,
                )
            )
    return found

"""Every clock on a placement, worked out from its dates by ``portal.calendar``.

The numbers here are statutory, each with the rule it comes from; agency policy
(when reminders go, to whom) is read from settings in ``reminders.py``.
"""

from dataclasses import dataclass
from datetime import date

from portal.calendar import add_months, add_weeks, add_working_days, add_years

from .models import Placement, PlacementDeadline

# Looked-after child reviews: the first within 20 working days, the second within three
# months of the first, then at intervals of no more than six months (Care Planning,
# Placement and Case Review (England) Regulations 2010, reg 33). The portal runs the
# first from the day the child came to live with the carers.
FIRST_REVIEW_WORKING_DAYS = 20
SECOND_REVIEW_MONTHS = 3
LATER_REVIEW_MONTHS = 6
# Social worker visits: within a week of the placement, then at intervals of no more than
# six weeks in the first year, then no more than three months (same regulations, reg 28).
FIRST_VISIT_WEEKS = 1
FIRST_YEAR_VISIT_WEEKS = 6
LATER_VISIT_MONTHS = 3
# Care proceedings finish within 26 weeks of issue; the court may extend by up to eight
# weeks at a time (Children Act 1989 s32, as amended by the Children and Families Act 2014).
PROCEEDINGS_WEEKS = 26
EXTENSION_MAX_WEEKS = 8
# Adopters may apply for an adoption order once the child has lived with them for ten
# weeks; time as the child's foster carers counts (Adoption and Children Act 2002, s42(2)).
ADOPTION_APPLICATION_WEEKS = 10


def first_review_due(placed_on: date) -> date:
    return add_working_days(placed_on, FIRST_REVIEW_WORKING_DAYS)


def next_review_due(placed_on: date, held: list[date]) -> date:
    """When the next looked-after child review is due, given the reviews held so far."""
    held = sorted(held)
    if not held:
        return first_review_due(placed_on)
    if len(held) == 1:
        return add_months(held[0], SECOND_REVIEW_MONTHS)
    return add_months(held[-1], LATER_REVIEW_MONTHS)


def next_visit_due(placed_on: date, visited: list[date]) -> date:
    if not visited:
        return add_weeks(placed_on, FIRST_VISIT_WEEKS)
    last = max(visited)
    if last < add_years(placed_on, 1):
        return add_weeks(last, FIRST_YEAR_VISIT_WEEKS)
    return add_months(last, LATER_VISIT_MONTHS)


def proceedings_target(issued_on: date) -> date:
    return add_weeks(issued_on, PROCEEDINGS_WEEKS)


def proceedings_extended_to(issued_on: date, extension_weeks: list[int]) -> date | None:
    """The 26-week date moved on by every extension, or None when there are none."""
    if not extension_weeks:
        return None
    return add_weeks(proceedings_target(issued_on), sum(extension_weeks))


def adoption_application_from(placed_on: date) -> date:
    return add_weeks(placed_on, ADOPTION_APPLICATION_WEEKS)


@dataclass(frozen=True)
class Clock:
    kind: str
    label: str
    due_on: date


@dataclass
class PlacementFacts:
    """What the clocks are computed from, loaded in a fixed number of queries."""

    placement: Placement
    reviews: list[date]
    visits: list[date]
    extension_weeks: list[int]


def placement_clocks(facts: PlacementFacts) -> list[Clock]:
    """The open clocks of a placement: none once it has ended."""
    placement = facts.placement
    if not placement.is_open:
        return []
    Kind = PlacementDeadline.Kind
    clocks = [
        Clock(
            Kind.REVIEW,
            "First looked-after child review"
            if not facts.reviews
            else "Next looked-after child review",
            next_review_due(placement.placed_on, facts.reviews),
        ),
        Clock(
            Kind.VISIT,
            "First social worker visit" if not facts.visits else "Next social worker visit",
            next_visit_due(placement.placed_on, facts.visits),
        ),
    ]
    if placement.proceedings_issued_on and not placement.proceedings_concluded_on:
        extended = proceedings_extended_to(placement.proceedings_issued_on, facts.extension_weeks)
        clocks.append(
            Clock(
                Kind.PROCEEDINGS,
                "Care proceedings to finish (26 weeks, extended)"
                if extended
                else "Care proceedings to finish (26 weeks)",
                extended or proceedings_target(placement.proceedings_issued_on),
            )
        )
    if (
        placement.status == Placement.Status.PLACED_FOR_ADOPTION
        and placement.adoption_application_on is None
    ):
        clocks.append(
            Clock(
                Kind.ADOPTION_APPLICATION,
                "Adoption order application possible from",
                adoption_application_from(placement.placed_on),
            )
        )
    return clocks

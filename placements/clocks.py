"""Every clock on a placement, worked out from its dates by ``portal.calendar``.

The numbers here are statutory, each with the rule it comes from; agency policy
(when reminders go, to whom) is read from settings in ``reminders.py``.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

from portal.calendar import add_months, add_weeks, add_working_days

from .models import Placement, PlacementDeadline

# --- Law: looked-after child reviews while the child is fostered -------------------------
# Care Planning, Placement and Case Review (England) Regulations 2010 (CPPCR), reg 33(1):
# "The responsible authority must first review C's case within 20 working days of the date
# on which C becomes looked after." reg 33(2): "The second review must be carried out not
# more than three months after the first, and subsequent reviews must be carried out at
# intervals of not more than six months." The cycle runs from the child's entry into care,
# not from a placement, so reviews held for the child in an earlier placement count.
FIRST_REVIEW_WORKING_DAYS = 20
SECOND_REVIEW_MONTHS = 3
LATER_REVIEW_MONTHS = 6
# --- Law: social worker visits while the child is fostered -------------------------------
# CPPCR reg 28(2): visits "(a) within one week of the start of any placement, (b) at
# intervals of not more than six weeks for the first year of any placement, and (c)
# thereafter (i) where the placement is intended to last until C is aged 18, at intervals
# of not more than three months, (ii) and in any other case, at intervals of not more than
# six weeks." An Early Permanence fostering placement is never intended to last until the
# child is 18 (it leads to adoption or to a return home), so visits stay 6-weekly.
FIRST_VISIT_WEEKS = 1
VISIT_WEEKS = 6
# --- Law: once the child is placed for adoption ------------------------------------------
# CPPCR reg 3: the 2010 Regulations do not apply to a looked-after child placed for
# adoption under the Adoption and Children Act 2002; the Adoption Agencies Regulations 2005
# (AAR) reg 36 takes over. reg 36(3): a review "(a) not more than 4 weeks after the date on
# which the child is placed for adoption ("the first review"); (b) not more than 3 months
# after the first review; and (c) thereafter not more than 6 months after the date of the
# previous review". reg 36(4)(a): the child and the prospective adopter are visited "within
# one week of the placement and thereafter at least once a week until the first review and
# thereafter at such frequency as the agency decides at each review".
# AAR reg 35(5): where the child already has their home with the prospective adopter, the
# agency notifies them in writing of the date on which the child is placed for adoption.
ADOPTION_FIRST_REVIEW_WEEKS = 4
ADOPTION_SECOND_REVIEW_MONTHS = 3
ADOPTION_LATER_REVIEW_MONTHS = 6
ADOPTION_FIRST_VISIT_WEEKS = 1
ADOPTION_VISIT_WEEKS_UNTIL_FIRST_REVIEW = 1
# Where a review held after placement for adoption recorded no visit frequency, the portal
# keeps the weekly visits the regulation fixes before the first review: the reading that
# protects the child (the law leaves the frequency to each review's decision).
ADOPTION_VISIT_WEEKS_WHEN_NOT_DECIDED = 1
# --- Law: care proceedings ------------------------------------------------------------------
# Children Act 1989 s32(1)(a)(ii): disposing of the application "in any event within
# twenty-six weeks beginning with the day on which the application was issued". The issue
# day is the first of the 26 weeks, so the last day is 26 weeks less one day after it.
# s32(5): the court may extend that period; s32(8): each separate extension ends no more
# than eight weeks after the later of the end of the period being extended and the end of
# the day on which the extension is granted. The court sets the end date; the portal
# stores it and checks it against that limit.
PROCEEDINGS_WEEKS = 26
EXTENSION_MAX_WEEKS = 8
# --- Law: the adoption order application -----------------------------------------------------
# Adopters may apply for an adoption order once the child has lived with them for ten
# weeks; time as the child's foster carers counts (Adoption and Children Act 2002, s42(2)).
ADOPTION_APPLICATION_WEEKS = 10


def first_review_due(*, entered_care_on: date) -> date:
    """The last day for the first CPPCR review: 20 working days after becoming looked after.

    The day the child became looked after is not counted (``add_working_days``).
    """
    return add_working_days(entered_care_on, FIRST_REVIEW_WORKING_DAYS)


def next_review_due(*, entered_care_on: date, held: list[date]) -> date:
    """When the child's next CPPCR review is due, given every review held since entering care."""
    held = sorted(held)
    if not held:
        return first_review_due(entered_care_on=entered_care_on)
    if len(held) == 1:
        return add_months(held[0], SECOND_REVIEW_MONTHS)
    return add_months(held[-1], LATER_REVIEW_MONTHS)


def next_visit_due(*, placed_on: date, visited: list[date]) -> date:
    """CPPCR reg 28(2): within a week of the placement, then at most every six weeks."""
    if not visited:
        return add_weeks(placed_on, FIRST_VISIT_WEEKS)
    return add_weeks(max(visited), VISIT_WEEKS)


def adoption_review_due(*, placed_for_adoption_on: date, held: list[date]) -> date:
    """AAR reg 36(3), counting only reviews held since the child was placed for adoption."""
    held = sorted(d for d in held if d > placed_for_adoption_on)
    if not held:
        return add_weeks(placed_for_adoption_on, ADOPTION_FIRST_REVIEW_WEEKS)
    if len(held) == 1:
        return add_months(held[0], ADOPTION_SECOND_REVIEW_MONTHS)
    return add_months(held[-1], ADOPTION_LATER_REVIEW_MONTHS)


def adoption_visit_due(
    *,
    placed_for_adoption_on: date,
    visited: list[date],
    reviews: list[tuple[date, int | None]],
) -> date:
    """AAR reg 36(4)(a): within a week, weekly until the first review, then as each review
    decides (``reviews`` are (held on, visit interval in weeks or None))."""
    visited = [d for d in visited if d > placed_for_adoption_on]
    if not visited:
        return add_weeks(placed_for_adoption_on, ADOPTION_FIRST_VISIT_WEEKS)
    since = sorted(r for r in reviews if r[0] > placed_for_adoption_on)
    if not since:
        weeks = ADOPTION_VISIT_WEEKS_UNTIL_FIRST_REVIEW
    else:
        weeks = since[-1][1] or ADOPTION_VISIT_WEEKS_WHEN_NOT_DECIDED
    return add_weeks(max(visited), weeks)


def proceedings_timetable_end(*, issued_on: date) -> date:
    """The last day of the 26 weeks beginning with the issue day (s32(1)(a)(ii)).

    Issued Monday 1 January 2024: the 26th week ends on Sunday 30 June 2024.
    """
    return add_weeks(issued_on, PROCEEDINGS_WEEKS) - timedelta(days=1)


def extension_latest_end(*, period_end: date, granted_on: date) -> date:
    """The latest day an extension may end (s32(8)): 8 weeks after the later of the end of
    the period being extended and the day the extension is granted."""
    return add_weeks(max(period_end, granted_on), EXTENSION_MAX_WEEKS)


def proceedings_end(*, issued_on: date, extension_ends: list[date]) -> date:
    """The end of the period allowed now: the 26 weeks, or the latest extension's end."""
    return max([proceedings_timetable_end(issued_on=issued_on), *extension_ends])


def adoption_application_from(placed_on: date) -> date:
    return add_weeks(placed_on, ADOPTION_APPLICATION_WEEKS)


def adoption_regime_start(placement: Placement) -> date | None:
    """The day AAR reg 36 takes over from the CPPCR clocks, or None while fostering.

    The date the child is placed for adoption; where the reg 35(5) written notice carries
    an earlier date, that one (the reading that starts weekly visits and the 4-week review
    sooner).
    """
    if placement.status != Placement.Status.PLACED_FOR_ADOPTION:
        return None
    dates = [d for d in (placement.placed_for_adoption_on, placement.adoption_notice_on) if d]
    return min(dates) if dates else placement.status_changed_on


@dataclass(frozen=True)
class Clock:
    kind: str
    label: str
    due_on: date


@dataclass(frozen=True)
class ChildFacts:
    """One child of the placement: when they became looked after, and every review held
    for them since (in this placement or an earlier one)."""

    pk: int
    entered_care_on: date | None
    reviews: list[date] = field(default_factory=list)


@dataclass
class PlacementFacts:
    """What the clocks are computed from, loaded in a fixed number of queries."""

    placement: Placement
    children: list[ChildFacts]
    # This placement's reviews: (held on, visit interval in weeks the review set, or None).
    reviews: list[tuple[date, int | None]]
    visits: list[date]
    extension_ends: list[date]


def child_review_due(child: ChildFacts, *, placed_on: date) -> date:
    """One child's next CPPCR review. Without a recorded entry into care, the portal counts
    from the placement (the child was looked after by then at the latest)."""
    entered = child.entered_care_on or placed_on
    held = [d for d in child.reviews if d >= entered]
    return next_review_due(entered_care_on=entered, held=held)


def placement_clocks(facts: PlacementFacts) -> list[Clock]:
    """The open clocks of a placement: none once it has ended."""
    placement = facts.placement
    if not placement.is_open:
        return []
    Kind = PlacementDeadline.Kind
    clocks = []
    adoption_from = adoption_regime_start(placement)
    if adoption_from is None:
        # CPPCR: each child's own cycle; the placement's deadline is the earliest of them.
        dues = [(child_review_due(c, placed_on=placement.placed_on), c) for c in facts.children]
        if dues:
            due_on, child = min(dues, key=lambda item: (item[0], item[1].pk))
            first = not [
                d for d in child.reviews if d >= (child.entered_care_on or placement.placed_on)
            ]
            clocks.append(
                Clock(
                    Kind.REVIEW,
                    "First looked-after child review (CPPCR reg 33)"
                    if first
                    else "Next looked-after child review (CPPCR reg 33)",
                    due_on,
                )
            )
        clocks.append(
            Clock(
                Kind.VISIT,
                "First social worker visit (CPPCR reg 28)"
                if not facts.visits
                else "Next social worker visit (CPPCR reg 28)",
                next_visit_due(placed_on=placement.placed_on, visited=facts.visits),
            )
        )
    else:
        held = [d for d, _weeks in facts.reviews if d > adoption_from]
        visited = [d for d in facts.visits if d > adoption_from]
        clocks.append(
            Clock(
                Kind.REVIEW,
                "First review after placement for adoption (AAR reg 36)"
                if not held
                else "Next adoption review (AAR reg 36)",
                adoption_review_due(placed_for_adoption_on=adoption_from, held=held),
            )
        )
        clocks.append(
            Clock(
                Kind.VISIT,
                "First visit after placement for adoption (AAR reg 36)"
                if not visited
                else "Next visit to the child and the adopters (AAR reg 36)",
                adoption_visit_due(
                    placed_for_adoption_on=adoption_from,
                    visited=facts.visits,
                    reviews=facts.reviews,
                ),
            )
        )
    if placement.proceedings_issued_on and not placement.proceedings_concluded_on:
        clocks.append(
            Clock(
                Kind.PROCEEDINGS,
                "Care proceedings to finish (26 weeks, extended)"
                if facts.extension_ends
                else "Care proceedings to finish (26 weeks)",
                proceedings_end(
                    issued_on=placement.proceedings_issued_on,
                    extension_ends=facts.extension_ends,
                ),
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

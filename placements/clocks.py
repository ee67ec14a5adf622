"""Every statutory clock of a child and of a placement, worked out from their dates by
``portal.calendar``.

The clocks belong to the child: reviews held for the child in an earlier placement count,
the regime changes when the child is placed for adoption, and each clock says whose duty
it is (this agency's, or the placing authority's, which the agency chases). The numbers
here are law, each beside the rule it comes from; agency policy (when reminders go) is
read from settings in ``reminders.py``.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

from portal.calendar import add_months, add_weeks, add_working_days, add_years

from .models import Duty, Placement, PlacementDeadline

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
# six weeks." (Since April 2015, SI 2015/495, the 3-monthly case is framed as a
# "long-term foster placement".) An Early Permanence fostering placement is neither: it leads to
# adoption or to a return home, never to the child's 18th birthday, so visits stay
# 6-weekly.
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
# --- Law and statutory guidance: health assessments of a looked-after child ---------------
# CPPCR reg 7: the responsible authority arranges an assessment of the child's state of
# health before the child is first placed or, if that is not reasonably practicable,
# before the child's first review; and has it reviewed "at least once in every period of
# six months before C's fifth birthday, and at least once in every period of twelve months
# after C's fifth birthday". Statutory guidance "Promoting the health and well-being of
# looked-after children" (DfE and DHSC, March 2015): the initial health assessment
# "should take place in time to inform the first statutory review", which "must take
# place within 20 working days from when the child started to be looked after"; the
# portal uses that same day (``first_review_due``). It reads the child's age on the day of
# the last assessment: under five then, the next is due within six months (the reading
# that protects the child when the fifth birthday falls in between).
HEALTH_REVIEW_MONTHS_UNDER_FIVE = 6
HEALTH_REVIEW_MONTHS_FROM_FIVE = 12
HEALTH_REVIEW_AGE_YEARS = 5
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
    # A visit on the day itself belongs to the fostering regime (README: "A review or visit
    # on the day of the placement for adoption"): the first AAR visit is still due.
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


def first_health_assessment_due(*, entered_care_on: date) -> date:
    """The initial health assessment: in time for the first review (the guidance above),
    so by the same day."""
    return first_review_due(entered_care_on=entered_care_on)


def next_health_assessment_due(*, date_of_birth: date | None, last_on: date) -> date:
    """CPPCR reg 7: six-monthly while under five (on the day of the last assessment),
    yearly from five; six-monthly when the date of birth is not recorded."""
    under_five = date_of_birth is None or last_on < add_years(
        date_of_birth, HEALTH_REVIEW_AGE_YEARS
    )
    months = HEALTH_REVIEW_MONTHS_UNDER_FIVE if under_five else HEALTH_REVIEW_MONTHS_FROM_FIVE
    return add_months(last_on, months)


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
    """One statutory date: what, by when, under which rule, and whose duty it is.

    ``child_id`` is empty for the placement's own clock (the adoption application);
    ``worker`` is the person reminded when it is not the carers' social worker.
    """

    kind: str
    label: str
    due_on: date
    child_id: int | None = None
    duty: str = ""
    rule: str = ""
    worker: object = None

    @property
    def worker_id(self) -> int | None:
        return getattr(self.worker, "pk", None)

    @property
    def is_chase(self) -> bool:
        return self.duty == Duty.PLACING_AUTHORITY


@dataclass(frozen=True)
class ProceedingsFacts:
    issued_on: date | None
    concluded_on: date | None
    extension_ends: list[date] = field(default_factory=list)


@dataclass(frozen=True)
class ChildFacts:
    """One child: when they became looked after, every review and health assessment held
    for them since (in any placement), the visits in the current placement, their open
    proceedings and who holds each duty."""

    pk: int
    reference: str = ""
    entered_care_on: date | None = None
    date_of_birth: date | None = None
    # (held on, visit interval in weeks the review set, or None), in any placement.
    reviews: list[tuple[date, int | None]] = field(default_factory=list)
    # Visits to the child in the current placement.
    visits: list[date] = field(default_factory=list)
    # (kind, done on): "initial" or "review".
    health: list[tuple[str, date]] = field(default_factory=list)
    proceedings: list[ProceedingsFacts] = field(default_factory=list)
    # A baby placed for adoption on the parents' written agreement: the day they are six
    # weeks old, by which consent or a placement order must authorise leaving them with
    # the carers (None when not needed or already there).
    authority_by: date | None = None
    reviews_duty: str = Duty.PLACING_AUTHORITY
    visits_duty: str = Duty.PLACING_AUTHORITY
    health_duty: str = Duty.PLACING_AUTHORITY
    social_worker: object = None


@dataclass
class PlacementFacts:
    """What the clocks are computed from, loaded in a fixed number of queries."""

    placement: Placement
    children: list[ChildFacts]


CHASE = "Confirm with the placing authority: "


def _clock(child: ChildFacts, kind: str, label: str, due_on: date, duty: str, rule: str):
    """A child's clock, addressed by who holds the duty: the agency's worker for the child
    where the agency holds it, else a chase item for the carers' social worker."""
    prefix = f"{child.reference}: " if child.reference else ""
    chase = duty == Duty.PLACING_AUTHORITY
    text = f"{CHASE}{label[0].lower()}{label[1:]}" if chase else label
    return Clock(
        kind=kind,
        label=f"{prefix}{text}"[:200],
        due_on=due_on,
        child_id=child.pk,
        duty=duty,
        rule=rule,
        worker=None if chase else child.social_worker,
    )


def child_clocks(
    child: ChildFacts, *, placed_on: date | None, adoption_from: date | None
) -> list[Clock]:
    """A looked-after child's statutory dates now.

    ``placed_on`` is the start of the child's current placement (None when not placed:
    no visit clock); ``adoption_from`` the day AAR reg 36 took over, or None while the
    CPPCR regime applies.
    """
    Kind = PlacementDeadline.Kind
    clocks = []
    entered = child.entered_care_on or placed_on
    review_dates = [d for d, _weeks in child.reviews]
    if adoption_from is None:
        if entered is not None:
            held = [d for d in review_dates if d >= entered]
            clocks.append(
                _clock(
                    child,
                    Kind.REVIEW,
                    "First looked-after child review"
                    if not held
                    else "Next looked-after child review",
                    next_review_due(entered_care_on=entered, held=held),
                    child.reviews_duty,
                    "CPPCR 2010 reg 33: within 20 working days of becoming looked after, "
                    "then within 3 months, then every 6 months",
                )
            )
        if placed_on is not None:
            clocks.append(
                _clock(
                    child,
                    Kind.VISIT,
                    "First visit in this placement" if not child.visits else "Next visit",
                    next_visit_due(placed_on=placed_on, visited=child.visits),
                    child.visits_duty,
                    "CPPCR 2010 reg 28(2): within a week of the placement, then every 6 weeks",
                )
            )
    else:
        held = [d for d in review_dates if d > adoption_from]
        clocks.append(
            _clock(
                child,
                Kind.REVIEW,
                "First adoption review" if not held else "Next adoption review",
                adoption_review_due(placed_for_adoption_on=adoption_from, held=held),
                child.reviews_duty,
                "AAR 2005 reg 36(3): within 4 weeks of placement for adoption, then within "
                "3 months, then every 6 months",
            )
        )
        visited = [d for d in child.visits if d > adoption_from]
        clocks.append(
            _clock(
                child,
                Kind.VISIT,
                "First visit after placement for adoption" if not visited else "Next visit",
                adoption_visit_due(
                    placed_for_adoption_on=adoption_from,
                    visited=child.visits,
                    reviews=child.reviews,
                ),
                child.visits_duty,
                "AAR 2005 reg 36(4): within a week, weekly until the first review, then as "
                "each review decides",
            )
        )
    initial = [d for kind, d in child.health if kind == "initial"]
    if entered is not None and not initial:
        clocks.append(
            _clock(
                child,
                Kind.INITIAL_HEALTH,
                "Initial health assessment",
                first_health_assessment_due(entered_care_on=entered),
                child.health_duty,
                "CPPCR 2010 reg 7; statutory guidance (2015): within 20 working days of "
                "becoming looked after",
            )
        )
    elif child.health:
        clocks.append(
            _clock(
                child,
                Kind.REVIEW_HEALTH,
                "Review health assessment",
                next_health_assessment_due(
                    date_of_birth=child.date_of_birth, last_on=max(d for _k, d in child.health)
                ),
                child.health_duty,
                "CPPCR 2010 reg 7: every 6 months under 5, every 12 months from 5"
                if adoption_from is None
                else "Agency policy once placed for adoption (CPPCR reg 7 no longer applies, "
                "reg 3): every 6 months under 5, every 12 months from 5",
            )
        )
    if child.authority_by is not None:
        clocks.append(
            _clock(
                child,
                Kind.AUTHORITY,
                "Consent to placement or a placement order (the baby is six weeks old)",
                child.authority_by,
                # The agency that placed the baby for adoption holds its adoption reviews
                # (AAR reg 36) and needs the authority: the same holder.
                child.reviews_duty,
                "Adoption and Children Act 2002 s18(1), s19; AAR 2005 reg 35(4): a written "
                "agreement authorises placing only while the baby is under six weeks",
            )
        )
    ends = [
        proceedings_end(issued_on=p.issued_on, extension_ends=p.extension_ends)
        for p in child.proceedings
        if p.issued_on is not None and p.concluded_on is None
    ]
    if ends:
        clocks.append(
            _clock(
                child,
                Kind.PROCEEDINGS,
                "Care proceedings to finish",
                min(ends),
                Duty.PLACING_AUTHORITY,
                "Children Act 1989 s32(1)(a)(ii): 26 weeks beginning with the issue day, "
                "or the end of an extension the court granted (s32(5)-(8))",
            )
        )
    return clocks


def placement_clocks(facts: PlacementFacts) -> list[Clock]:
    """The open clocks of a placement, for each child in it: none once it has ended."""
    placement = facts.placement
    if not placement.is_open:
        return []
    adoption_from = adoption_regime_start(placement)
    clocks = [
        clock
        for child in facts.children
        for clock in child_clocks(child, placed_on=placement.placed_on, adoption_from=adoption_from)
    ]
    if (
        placement.status == Placement.Status.PLACED_FOR_ADOPTION
        and placement.adoption_application_on is None
    ):
        clocks.append(
            Clock(
                PlacementDeadline.Kind.ADOPTION_APPLICATION,
                "Adoption order application possible from",
                adoption_application_from(placement.placed_on),
                rule="Adoption and Children Act 2002 s42(2): the child has had their home "
                "with the carers for 10 weeks",
            )
        )
    return clocks


# --- Agency policy: the clocks of a referral for matching ----------------------------------
# No regulation sets these: each is the agency's own standard (settings ``MATCHING_*``), so
# the number of days is passed in by ``services.matching``.


def referral_acknowledge_by(received_on: date, *, working_days: int) -> date:
    """Acknowledge a referral within ``working_days`` working days of receiving it."""
    return add_working_days(received_on, working_days)


def carers_decision_by(shared_on: date, *, working_days: int) -> date:
    """The carers say yes or no within ``working_days`` working days of hearing about the
    child (for a newborn the agency asks for an answer in a couple of days)."""
    return add_working_days(shared_on, working_days)


def match_agreed_by(needed_by: date, *, days_before: int) -> date:
    """The match is agreed ``days_before`` days before the child needs the carers."""
    return needed_by - timedelta(days=days_before)

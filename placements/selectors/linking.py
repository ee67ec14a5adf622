"""Linking: which approved households fit a referral, and why the others do not.

One page per referral, in a fixed number of queries however many households there are
(the households, their approvals, the children placed with each now, the open links,
the holds, the postcode centres). Each rule
says in words why a household is left out:

- the route: Concurrency needs carers approved both as adopters and as foster carers;
  Fostering for Adoption needs approved adopters (with full foster approval, or a reg 25A
  approval for the named child sought at the match: Care Planning, Placement and Case
  Review (England) Regulations 2010, reg 25A);
- the terms of each approval the placement would rely on: the child's age on the day the
  carers are needed, within each age range, and the number of children, counting those
  already placed with the household (``terms_problems``, the one check);
- on hold for matching; already linked with, or matched to, another child;
- the estimated travel time to the family-time venue over the agency's limit
  (``placements.travel``: an estimate, labelled as one).

Households that fit come first, nearest first, then those who have waited longest since
approval; those left out follow, with every reason.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import NamedTuple

from django.conf import settings
from django.db.models import Count, Q
from django.urls import reverse

from carers.models import AgesIn, Assessment, Household, Track
from carers.terms import age_in
from portal import formats

from ..models import Link, MatchingPause, Placement, PlacementChild, PostcodeDistrict, Referral
from ..services.approvals import terms_of_approval_text
from ..travel import distance_km, district_of, travel_minutes

OPEN_REFERRAL = (Referral.Status.OPEN, Referral.Status.LINKING, Referral.Status.MATCHED)


@lru_cache(maxsize=64)
def _age(unit: str, born: date, on: date) -> int:
    # One child, one day: every household weighed against a referral asks the same.
    return age_in(unit, born, on)


def terms_problems(
    *,
    approvals: Mapping[str, "Assessment | Terms"],
    tracks: Sequence[str],
    born: date | None,
    children: int,
    already_placed: int,
    on: date,
) -> list[str]:
    """What in the terms of each approval the placement relies on rules the household out.

    ``approvals`` maps each track to the household's approved assessment; ``tracks`` are
    the ones the route relies on; ``born`` is the child's date of birth (or expected
    birth); the child's age on ``on`` (the day the carers are needed; 0 for a baby not yet
    born) is counted in each approval's unit, completed years or completed months
    (``carers.terms.age_in``: "0 to 18 months" is not "0 to 18 years"); ``children`` are placed
    together, ``already_placed`` live with the household already. Ages are inclusive at
    both ends ("0 to 2" takes a child until the day before their third birthday).
    """
    problems = []
    for track in tracks:
        approval = approvals.get(track)
        if approval is None:
            continue
        number = approval.approved_number_of_children
        in_the_home = already_placed + children
        if number and in_the_home > number:
            placed = f", {already_placed} already placed" if already_placed else ""
            problems.append(
                f"Number of children: {_terms(track, approval)}; "
                f"this would make {in_the_home}{placed}."
            )
        low, high = approval.approved_age_from, approval.approved_age_to
        if low is None or high is None:
            continue
        unit = approval.approved_ages_in or AgesIn.YEARS
        age = _age(unit, born, on) if born is not None and born < on else 0
        if not low <= age <= high:
            problems.append(
                f"Age: {_terms(track, approval)}; the child would be aged {age} "
                f"{AgesIn(unit).label} on {formats.day(on)}."
            )
    return problems


def _terms(track: str, approval: "Assessment | Terms") -> str:
    # In words only for a problem: most households have none.
    as_what = "adopters" if track == Track.ADOPTION else "foster carers"
    return f"Approved as {as_what} for {terms_of_approval_text(approval)}"


@dataclass(slots=True)
class Candidate:
    """An approved household as the linking page reads it: the fields it shows and the
    rules weigh, read as plain values (a large agency has two thousand approved
    households; building each as a model instance was a quarter of the page's time)."""

    pk: int
    reference: str
    town: str
    postcode: str
    adopter_approved_on: date
    foster_carer_approved_on: date | None
    linked_elsewhere: bool = False
    matched_elsewhere: bool = False
    linked_here: bool = False
    on_hold: bool = False
    already_placed: int = 0
    # Each approved assessment's terms, by track.
    approvals: dict[str, "Terms"] = field(default_factory=dict)
    # The postcode's district, whose centre the travel time is estimated from.
    district: str = ""

    def __str__(self):
        return self.reference or f"Household {self.pk}"

    def get_absolute_url(self):
        return reverse("admin:carers_household_change", args=[self.pk])


@dataclass(slots=True)
class LinkingRow:
    household: Candidate
    left_out_because: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    minutes: int | None = None
    same_district: bool = False
    waited_days: int = 0

    @property
    def fits(self) -> bool:
        return not self.left_out_because

    @property
    def travel(self) -> str:
        if self.minutes is None:
            return "Not known"
        if self.same_district:
            # One centre for both: the estimate can say no more than that (not 0 minutes).
            return "Same postcode district as the venue"
        return f"About {self.minutes} minutes (estimate)"


@dataclass
class LinkingPage:
    referral: Referral
    fitting: list[LinkingRow]
    left_out: list[LinkingRow]
    limit_minutes: int
    venue_known: bool


class Terms(NamedTuple):
    """An approval's terms as linking reads them: the fields ``carers.terms.terms_text``
    reads of the assessment, so the words are the same. A tuple: a large agency's page
    reads four thousand of them."""

    track: str
    approved_number_of_children: int | None
    approved_age_from: int | None
    approved_age_to: int | None
    approved_ages_in: str


# What the linking page reads of each household (``Candidate``, in its order) and of each
# approval's terms.
HOUSEHOLD_FIELDS = (
    "pk",
    "reference",
    "town",
    "postcode",
    "adopter_approved_on",
    "foster_carer_approved_on",
)
TERMS_FIELDS = (
    "approved_number_of_children",
    "approved_age_from",
    "approved_age_to",
    "approved_ages_in",
)


def _households():
    return Household.objects.filter(
        status=Household.Status.APPROVED, adopter_approved_on__isnull=False
    ).order_by("adopter_approved_on", "pk")


def _already_placed(weighed) -> dict[int, int]:
    """How many children live with each household ``weighed`` (a query of their ids) now,
    in one query over the current placements: a count in the households' query ran once
    for each of them."""
    return dict(
        PlacementChild.objects.filter(is_current=True, placement__household__in=weighed)
        .order_by()
        .values("placement__household")
        .annotate(n=Count("pk"))
        .values_list("placement__household", "n")
    )


class _Ties(NamedTuple):
    """Which of the households weighed are linked or matched elsewhere, linked with this
    referral already, or on hold today, by id. Read in two queries (the links that hold
    carers or are this referral's, and the pauses of today), where a condition in the
    households' query ran once for each household."""

    linked_elsewhere: set[int]
    matched_elsewhere: set[int]
    linked_here: set[int]
    on_hold: set[int]


def _ties(referral: Referral, today: date, weighed) -> _Ties:
    ties = _Ties(set(), set(), set(), set())
    holding = (Link.Outcome.OPEN, Link.Outcome.CHOSEN)
    open_now = (Referral.Status.OPEN, Referral.Status.LINKING)
    # This referral's links whatever their outcome; elsewhere, those that hold carers.
    for household_id, referral_id, outcome, status in (
        Link.objects.filter(
            Q(referral=referral)
            | Q(outcome__in=holding, referral__status__in=(*open_now, Referral.Status.MATCHED)),
            household__in=weighed,
        )
        .order_by()
        .values_list("household_id", "referral_id", "outcome", "referral__status")
    ):
        if referral_id == referral.pk:
            ties.linked_here.add(household_id)
        elif outcome in holding and status in open_now:
            ties.linked_elsewhere.add(household_id)
        elif outcome == Link.Outcome.CHOSEN and status == Referral.Status.MATCHED:
            ties.matched_elsewhere.add(household_id)
    ties.on_hold.update(
        MatchingPause.objects.filter(
            Q(ends_on__isnull=True) | Q(ends_on__gte=today),
            starts_on__lte=today,
            household__in=weighed,
        )
        .order_by()
        .values_list("household_id", flat=True)
    )
    return ties


def _born(referral: Referral) -> date | None:
    child = referral.child
    return child.date_of_birth or child.expected_on


@dataclass
class _Weighing:
    """What is the same for every household weighed against one referral, worked out
    once: the child's birth, the venue's centre, and each postcode district's travel
    time (the child's age in each unit is kept by ``_age``)."""

    referral: Referral
    today: date
    centres: Mapping[str, tuple]
    venue_district: str = ""
    venue: tuple | None = None
    born: date | None = None
    limit_minutes: int = 0
    minutes: dict = field(default_factory=dict)

    def __post_init__(self):
        self.venue_district = self.referral.family_time_district.upper()
        self.venue = self.centres.get(self.venue_district)
        self.born = _born(self.referral)
        self.limit_minutes = settings.MATCHING_TRAVEL_LIMIT_MINUTES

    def travel(self, district: str) -> int | None:
        if district not in self.minutes:
            home = self.centres.get(district)
            self.minutes[district] = (
                travel_minutes(
                    distance_km(home, self.venue),
                    road_factor=settings.MATCHING_ROAD_FACTOR,
                    speed_kmh=settings.MATCHING_SPEED_KMH,
                )
                if home is not None and self.venue is not None
                else None
            )
        return self.minutes[district]


ADOPTION_ONLY = (Track.ADOPTION,)
BOTH_TRACKS = (Track.ADOPTION, Track.FOSTERING)


def household_linking(household: Candidate, weighing: _Weighing) -> LinkingRow:
    """One household against the referral: the reasons it is left out, and the notes."""
    referral, today = weighing.referral, weighing.today
    row = LinkingRow(household=household)
    row.waited_days = max((today - household.adopter_approved_on).days, 0)
    fostering = household.foster_carer_approved_on is not None
    if referral.route == Placement.Route.CONCURRENCY and not fostering:
        row.left_out_because.append(
            "Route: Concurrency needs carers approved as foster carers as well as adopters; "
            "these carers are approved as adopters only."
        )
    if referral.route == Placement.Route.FFA and not fostering:
        row.notes.append("Fostering for Adoption: a reg 25A approval for the child is needed.")
    row.left_out_because += terms_problems(
        approvals=household.approvals,
        tracks=BOTH_TRACKS if fostering else ADOPTION_ONLY,
        born=weighing.born,
        children=referral.children_to_place,
        already_placed=household.already_placed,
        on=referral.needed_by,
    )
    if household.on_hold:
        row.left_out_because.append("On hold: the carers are not available for matching now.")
    if household.matched_elsewhere:
        row.left_out_because.append("Already matched with another child.")
    elif household.linked_elsewhere:
        row.left_out_because.append("Already linked with another child.")
    if household.linked_here:
        row.left_out_because.append("Already linked with this referral.")
    district = household.district
    row.same_district = district == weighing.venue_district
    row.minutes = weighing.travel(district)
    if row.minutes is None:
        row.notes.append("Travel time not known: no centre for the postcode district.")
    elif row.minutes > (limit := weighing.limit_minutes):
        row.left_out_because.append(
            f"Travel: about {row.minutes} minutes to family time at "
            f"{referral.family_time_town} (estimate), over the limit of {limit} minutes."
        )
    return row


def _centres(districts) -> dict[str, tuple]:
    return {
        d.district: (d.latitude, d.longitude)
        for d in PostcodeDistrict.objects.filter(district__in=sorted(districts))
    }


def linking_for(
    *, referral: Referral, today: date, household: Household | None = None
) -> LinkingPage:
    """Every approved household against the referral (or only ``household``), in six
    queries however many there are (the households, their approvals, the children placed
    with each now, the links, the holds, the postcode centres), with the referral's child
    read once if it is not already."""
    households = _households()
    if household is not None:
        households = households.filter(pk=household.pk)
    # The households weighed, as a subquery each of the reads below is limited to.
    weighed = households.order_by().values("pk")
    # Each household's approvals, read as their terms alone in one query (a thousand
    # households have two thousand approvals: not two thousand model instances).
    approvals: dict[int, dict[str, Terms]] = {}
    for household_id, track, *terms in (
        Assessment.objects.filter(
            agency_decision=Assessment.Decision.APPROVED,
            household__in=weighed,
        )
        .order_by()
        .values_list("household_id", "track", *TERMS_FIELDS)
    ):
        # One assessment per track per household (a constraint), so in no order: the
        # model's own order would join every household to sort them.
        approvals.setdefault(household_id, {})[track] = Terms(track, *terms)
    placed = _already_placed(weighed)
    ties = _ties(referral, today, weighed)
    candidates = []
    for pk, reference, town, postcode, adopters_on, foster_carers_on in households.values_list(
        *HOUSEHOLD_FIELDS
    ):
        candidates.append(
            Candidate(
                pk=pk,
                reference=reference,
                town=town,
                postcode=postcode,
                adopter_approved_on=adopters_on,
                foster_carer_approved_on=foster_carers_on,
                linked_elsewhere=pk in ties.linked_elsewhere,
                matched_elsewhere=pk in ties.matched_elsewhere,
                linked_here=pk in ties.linked_here,
                on_hold=pk in ties.on_hold,
                already_placed=placed.get(pk, 0),
                approvals=approvals.get(pk, {}),
                district=district_of(postcode),
            )
        )
    centres = _centres({h.district for h in candidates} | {referral.family_time_district.upper()})
    weighing = _Weighing(referral=referral, today=today, centres=centres)
    rows = [household_linking(h, weighing) for h in candidates]

    def order(row: LinkingRow):
        # Nearest first (unknown last), then the longest wait since approval.
        return (
            len(row.left_out_because),
            row.minutes is None,
            row.minutes or 0,
            -row.waited_days,
            row.household.pk,
        )

    rows.sort(key=order)
    return LinkingPage(
        referral=referral,
        fitting=[r for r in rows if r.fits],
        left_out=[r for r in rows if not r.fits],
        limit_minutes=settings.MATCHING_TRAVEL_LIMIT_MINUTES,
        venue_known=referral.family_time_district.upper() in centres,
    )

"""The reviews of the carers' approvals as their placements run: the adopter review clock
(Adoption Agencies Regulations 2005, reg 30D) stops while a child is placed for adoption
and starts again when the placement ends; after any ending, and after an adoption order,
each approval is reviewed within the policy weeks. Dates worked out by hand."""

from datetime import date

import pytest

from carers import services as carers_services
from carers.models import Deadline, FosterCarerReview, Household, Track
from placements import services
from placements.models import CourtOrder, Placement

from . import factories

pytestmark = pytest.mark.django_db

PLACED = date(2025, 3, 3)


def review_deadlines(household) -> dict[str, tuple[date, str]]:
    return {
        d.kind: (d.due_on, d.label)
        for d in Deadline.objects.filter(
            household=household,
            kind__in=[Deadline.Kind.ADOPTER_REVIEW, Deadline.Kind.FOSTER_REVIEW],
        )
    }


def placed_for_adoption(household, by, *, on=date(2025, 6, 2)) -> Placement:
    placement = factories.placement(by, household, placed_on=PLACED)
    services.court_order_record(
        placement=placement,
        children=list(placement.children.all()),
        kind=CourtOrder.Kind.PLACEMENT_ORDER,
        made_on=on,
        by=by,
    )
    return services.placement_place_for_adoption(placement=placement, on=on, by=by, notice_on=on)


def test_the_adopter_review_clock_stops_while_a_child_is_placed_for_adoption(
    ep_household, social_worker
):
    # Approved Thu 2 January 2025: each first review by Fri 2 January 2026 (a year on).
    assert review_deadlines(ep_household) == {
        "adopter_review": (date(2026, 1, 2), "Adopter approval review (reg 30D)"),
        "foster_review": (date(2026, 1, 2), "Foster carer review (goes to panel)"),
    }
    # A Concurrency placement that is still fostering does not stop the adopter clock.
    placement = factories.placement(social_worker, ep_household, placed_on=PLACED)
    assert "adopter_review" in review_deadlines(ep_household)
    services.court_order_record(
        placement=placement,
        children=list(placement.children.all()),
        kind=CourtOrder.Kind.PLACEMENT_ORDER,
        made_on=date(2025, 6, 2),
        by=social_worker,
    )
    # Placed for adoption on Mon 2 June 2025: no adopter review while the child is placed.
    services.placement_place_for_adoption(
        placement=placement, on=date(2025, 6, 2), by=social_worker, notice_on=date(2025, 6, 2)
    )
    ep_household.refresh_from_db()
    assert ep_household.placed_for_adoption_since == date(2025, 6, 2)
    assert review_deadlines(ep_household) == {
        "foster_review": (date(2026, 1, 2), "Foster carer review (goes to panel)")
    }
    # The placement ends (not in an adoption) on Mon 1 September 2025: six weeks on (policy)
    # is Mon 13 October 2025 (1 Sept + 42 days: 29 to 30 Sept, 13 more into October).
    services.placement_end_other(
        placement=placement, on=date(2025, 9, 1), by=social_worker, note="Moved on."
    )
    ep_household.refresh_from_db()
    assert ep_household.placed_for_adoption_since is None
    assert review_deadlines(ep_household) == {
        "adopter_review": (
            date(2025, 10, 13),
            "Adopter approval review (reg 30D): a placement ended",
        ),
        "foster_review": (
            date(2025, 10, 13),
            "Foster carer review (goes to panel): a placement ended",
        ),
    }


def test_an_earlier_yearly_foster_review_is_kept_when_a_fostering_placement_ends(
    ep_household, social_worker, settings
):
    settings.CARERS_REVIEW_AFTER_PLACEMENT_WEEKS = 52
    placement = factories.placement(social_worker, ep_household, placed_on=PLACED)
    # Returned home Mon 1 December 2025: 52 weeks on is Mon 30 November 2026, after the
    # yearly dates (Fri 2 January 2026), which stand.
    services.placement_record_return_home(
        placement=placement, on=date(2025, 12, 1), by=social_worker, note="Court decided."
    )
    assert review_deadlines(ep_household) == {
        "adopter_review": (date(2026, 1, 2), "Adopter approval review (reg 30D)"),
        "foster_review": (date(2026, 1, 2), "Foster carer review (goes to panel)"),
    }


def test_after_an_adoption_order_the_carers_continue_or_resign_each_approval(
    ep_household, social_worker
):
    placement = placed_for_adoption(ep_household, social_worker)
    services.placement_record_adoption_application(
        placement=placement, on=date(2025, 7, 1), by=social_worker
    )
    # The adoption order on Wed 1 October 2025: each approval reviewed by Wed 12 November
    # 2025 (1 Oct + 42 days: 30 to 31 Oct, 12 more into November).
    services.placement_record_adoption_order(
        placement=placement, on=date(2025, 10, 1), by=social_worker
    )
    reviews = {r.track: r for r in ep_household.foster_reviews.filter(completed_on__isnull=True)}
    assert {t: (r.due_on, r.reason) for t, r in reviews.items()} == {
        Track.ADOPTION: (date(2025, 11, 12), FosterCarerReview.Reason.ADOPTION_ORDER),
        Track.FOSTERING: (date(2025, 11, 12), FosterCarerReview.Reason.ADOPTION_ORDER),
    }
    # They resign as adopters and carry on fostering; then resign that too: closed.
    assert (
        carers_services.approval_review_complete(
            review=reviews[Track.ADOPTION],
            on=date(2025, 11, 3),
            by=social_worker,
            outcome=FosterCarerReview.Outcome.RESIGN,
            carers_views="Our family is complete.",
        )
        is None
    )
    ep_household.refresh_from_db()
    assert ep_household.adopter_approved_on is None
    assert ep_household.foster_carer_approved_on == date(2025, 1, 2)
    assert ep_household.status == Household.Status.APPROVED
    assert set(review_deadlines(ep_household)) == {"foster_review"}
    carers_services.approval_review_complete(
        review=reviews[Track.FOSTERING],
        on=date(2025, 11, 3),
        by=social_worker,
        outcome=FosterCarerReview.Outcome.RESIGN,
        carers_views="We are stopping fostering too.",
    )
    ep_household.refresh_from_db()
    assert (ep_household.status, ep_household.closed_on) == (
        Household.Status.CLOSED,
        date(2025, 11, 3),
    )
    assert review_deadlines(ep_household) == {}

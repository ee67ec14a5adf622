"""The fast track to Stage 2, and the outcomes of a review of an approval. Dates by hand."""

from datetime import date

import pytest

from carers import services
from carers.models import Deadline, FastTrackBasis, FosterCarerReview, Household, Stage, Track
from tests.carers import factories as f

pytestmark = pytest.mark.django_db


def refused(call, **kwargs) -> list[str]:
    with pytest.raises(services.TransitionRefused) as refusal:
        call(**kwargs)
    return refusal.value.messages


def accepted(social_worker, on):
    household = f.household(social_worker, roi_received_on=on)
    adoption = household.assessments.get(track=Track.ADOPTION)
    services.assessment_accept_roi(assessment=adoption, on=on, by=social_worker)
    return household, adoption


def test_approved_foster_carers_start_at_stage_2_with_the_four_month_clock(social_worker):
    household, adoption = accepted(social_worker, date(2026, 10, 30))
    # Fri 30 October 2026 + 4 months is "30 February 2027": the last day of February,
    # Sun 28 February 2027 (reg 30B's four months).
    services.assessment_fast_track(
        assessment=adoption,
        on=date(2026, 10, 30),
        by=social_worker,
        basis=FastTrackBasis.APPROVED_FOSTER_CARER,
        since=date(2023, 5, 17),
    )
    adoption.refresh_from_db()
    household.refresh_from_db()
    assert (adoption.stage, adoption.notice_to_proceed_on, adoption.stage_1_started_on) == (
        Stage.STAGE_2,
        date(2026, 10, 30),
        None,
    )
    assert (household.fast_track_basis, household.fast_track_since) == (
        FastTrackBasis.APPROVED_FOSTER_CARER,
        date(2023, 5, 17),
    )
    kinds = {d.kind: d.due_on for d in household.deadlines.all()}
    assert kinds[Deadline.Kind.STAGE_2_DECISION] == date(2027, 2, 28)
    # No Stage 1 to time, no overall target counted from a Stage 1 that never ran.
    assert Deadline.Kind.STAGE_1 not in kinds and Deadline.Kind.APPROVAL not in kinds
    # The fostering assessment may run alongside Stage 2.
    services.assessment_start_form_f(
        assessment=household.assessments.get(track=Track.FOSTERING),
        on=date(2026, 11, 2),
        by=social_worker,
    )


def test_who_may_take_the_fast_track(social_worker):
    household, adoption = accepted(social_worker, date(2026, 11, 2))
    kwargs = {"assessment": adoption, "on": date(2026, 11, 2), "by": social_worker}
    # Adopters approved before the 2005 regulations came in (30 December 2005) start at
    # Stage 1; the basis and its date are required and may not be after the fast track.
    assert refused(
        services.assessment_fast_track,
        **kwargs,
        basis=FastTrackBasis.PREVIOUS_ADOPTER,
        since=date(2005, 12, 29),
    ) == [
        "The fast track is for adopters approved in England or Wales from 30 December 2005: "
        "start at Stage 1 instead."
    ]
    assert refused(
        services.assessment_fast_track,
        **kwargs,
        basis=FastTrackBasis.APPROVED_FOSTER_CARER,
        since=date(2011, 3, 31),
    ) == [
        "The fast track is for foster carers assessed under the Fostering Services (England) "
        "Regulations 2011, approved from 1 April 2011: start at Stage 1 instead."
    ]
    assert refused(services.assessment_fast_track, **kwargs, basis="", since=None) == [
        "Choose the basis of the fast track: approved foster carers or adopted before."
    ]
    assert refused(
        services.assessment_fast_track,
        **kwargs,
        basis=FastTrackBasis.APPROVED_FOSTER_CARER,
        since=date(2026, 11, 3),
    )[-1] == ("That approval must come before the fast track starts.")
    services.assessment_fast_track(
        **kwargs, basis=FastTrackBasis.PREVIOUS_ADOPTER, since=date(2005, 12, 30)
    )
    adoption.refresh_from_db()
    assert adoption.stage == Stage.STAGE_2


@pytest.fixture
def approved(social_worker, manager):
    from tests.placements.factories import approved_household

    return approved_household(by=social_worker, manager=manager, on=date(2025, 1, 2))


def test_a_review_records_the_views_and_the_first_goes_to_panel(approved, social_worker):
    review = approved.foster_reviews.get(track=Track.FOSTERING, completed_on__isnull=True)
    base = {"review": review, "on": date(2025, 12, 1), "by": social_worker}
    assert refused(services.approval_review_complete, **base, outcome="continue") == [
        "Record the views of the foster carers.",
        "The first foster carer review goes to the fostering panel: choose its sitting.",
    ]
    # The first review's recommendation, as an assessment's, only from a quorate sitting.
    sitting = f.panel(sits_on=date(2025, 12, 1), quorate=False)
    members = f.quorum(sitting)
    f.seat(sitting, members[:1], present=False)  # the chair sent apologies: four present
    assert refused(
        services.approval_review_complete,
        **base,
        outcome="continue",
        carers_views="We would like to go on.",
        panel=sitting,
        panel_recommendation=FosterCarerReview.Outcome.CONTINUE,
    ) == [
        "The sitting was not quorate, so it cannot make a recommendation. Record who was "
        "present under Panel sittings. The joint adoption and fostering panel needs at least "
        "5 members present; 4 are.",
    ]
    f.seat(sitting, members[:1], present=True)
    following = services.approval_review_complete(
        **base,
        outcome=FosterCarerReview.Outcome.CONTINUE,
        carers_views="We would like to go on.",
        placing_authority_views="Oakshire: good care.",
        panel=sitting,
        panel_recommendation=FosterCarerReview.Outcome.CONTINUE,
    )
    review.refresh_from_db()
    assert (review.panel, review.outcome, review.placing_authority_views) == (
        sitting,
        "continue",
        "Oakshire: good care.",
    )
    # Mon 1 December 2025 + 12 months: Tue 1 December 2026; later reviews skip the panel.
    assert (following.due_on, following.goes_to_panel) == (date(2026, 12, 1), False)


def test_a_review_varies_the_terms_and_records_who_agreed(approved, manager):
    from auditlog.models import LogEntry

    review = approved.foster_reviews.get(track=Track.ADOPTION, completed_on__isnull=True)
    base = {
        "review": review,
        "on": date(2025, 12, 1),
        "by": manager,
        "outcome": FosterCarerReview.Outcome.VARY,
        "carers_views": "We would like a baby only.",
    }
    assert refused(services.approval_review_complete, **base) == [
        "Give the new terms of approval: the age range and the number of children."
    ]
    services.approval_review_complete(
        **base, terms={"age_from": 0, "age_to": 18, "ages_in": "months", "number": 1}
    )
    adoption = approved.assessments.get(track=Track.ADOPTION)
    assert (
        adoption.approved_age_from,
        adoption.approved_age_to,
        adoption.approved_ages_in,
        adoption.approved_number_of_children,
    ) == (0, 18, "months", 1)
    entry = LogEntry.objects.get_for_object(adoption).order_by("-id").first()
    assert entry.actor == manager
    assert entry.additional_data["action"] == "carers.approval.terms_varied"


def test_a_proposed_termination_leaves_the_approval_standing(approved, social_worker):
    review = approved.foster_reviews.get(track=Track.ADOPTION, completed_on__isnull=True)
    following = services.approval_review_complete(
        review=review,
        on=date(2025, 12, 1),
        by=social_worker,
        outcome=FosterCarerReview.Outcome.TERMINATE,
        carers_views="We disagree.",
    )
    approved.refresh_from_db()
    # The approval ends only through a qualifying determination, not the review itself.
    assert approved.adopter_approved_on == date(2025, 1, 2)
    assert approved.status == Household.Status.APPROVED
    assert following.due_on == date(2026, 12, 1)


# -- through the staff pages ----------------------------------------------------------------


def test_the_fast_track_from_the_household_page(client, social_worker):
    from django.urls import reverse

    client.force_login(social_worker)
    household, adoption = accepted(social_worker, date(2026, 11, 2))
    url = reverse("admin:carers_household_action", args=[household.pk, adoption.pk, "fast_track"])
    page = client.get(url).content.decode()
    assert "Fast track: start at Stage 2" in page and "Approved foster carers" in page
    response = client.post(
        url, {"on": "2026-11-02", "basis": "previous_adopter", "since": "2019-04-01"}
    )
    assert response.status_code == 302
    household.refresh_from_db()
    assert household.fast_track_basis == FastTrackBasis.PREVIOUS_ADOPTER
    # Mon 2 November 2026 + 4 months: Tue 2 March 2027.
    assert household.deadlines.get(kind=Deadline.Kind.STAGE_2_DECISION).due_on == date(2027, 3, 2)


def test_recording_a_review_from_the_household_page(client, approved, social_worker):
    from django.urls import reverse

    client.force_login(social_worker)
    review = approved.foster_reviews.get(track=Track.ADOPTION, completed_on__isnull=True)
    url = reverse("admin:carers_household_review", args=[approved.pk, review.pk])
    page = client.get(url).content.decode()
    assert "Record the adopter approval review" in page
    assert "placing_authority_views" not in page  # foster carer reviews only
    data = {"on": "2025-12-01", "outcome": "vary", "carers_views": "Babies only now."}
    assert "Give the new terms of approval." in client.post(url, data).content.decode()
    response = client.post(
        url, {**data, "age_from": "0", "age_to": "18", "ages_in": "months", "number": "1"}
    )
    assert response.status_code == 302
    review.refresh_from_db()
    assert (review.completed_on, review.outcome) == (date(2025, 12, 1), "vary")
    assert approved.assessments.get(track=Track.ADOPTION).approved_ages_in == "months"
    # Completed: the page is gone.
    assert client.get(url).status_code == 404

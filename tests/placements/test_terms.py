"""The terms of approval at placement, on both tracks, in months or years, with and
without an exemption agreed by a team manager. Ages worked out by hand."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from carers.selectors import approval_fits
from carers.terms import Misfit
from placements import services
from placements.models import Placement, TermsExemption

from . import factories

pytestmark = pytest.mark.django_db

PLACED = date(2025, 8, 11)


@pytest.fixture
def months_household(social_worker, manager):
    """Approved as adopters and foster carers for 1 child aged 0 to 18 months."""
    return factories.approved_household(
        by=social_worker, manager=manager, on=date(2025, 1, 2), children=1, ages=(0, 18)
    )


def months_terms(household):
    household.assessments.update(approved_ages_in="months")


def refused(**kwargs) -> list[str]:
    with pytest.raises(services.TransitionRefused) as error:
        services.placement_start(**kwargs)
    return error.value.messages


def test_an_age_range_in_months_on_both_tracks(months_household, social_worker):
    months_terms(months_household)
    # Born Wed 10 January 2024: on Mon 11 August 2025 19 completed months (18 on 10 July
    # 2025, 19 on 10 August 2025), outside "0 to 18 months" on both approvals.
    older = factories.child(social_worker, born=date(2024, 1, 10))
    who = str(months_household)
    assert refused(
        household=months_household,
        children=[older],
        route=Placement.Route.CONCURRENCY,
        placed_on=PLACED,
        came_from=Placement.CameFrom.HOSPITAL,
        by=social_worker,
    ) == [
        f"{who} are approved as adopters for 1 child aged 0 to 18 months: {older} is aged "
        "19 months on 11 August 2025 (1 year old).",
        f"{who} are approved as foster carers for 1 child aged 0 to 18 months: {older} is "
        "aged 19 months on 11 August 2025 (1 year old).",
    ]
    # Born Mon 12 February 2024: 17 completed months on 11 August 2025 (18 on 12 August).
    younger = factories.child(social_worker, born=date(2024, 2, 12))
    placement = factories.placement(
        social_worker, months_household, children=[younger], placed_on=PLACED
    )
    assert placement.status == Placement.Status.FOSTERING


def test_an_exemption_lets_one_child_be_placed_outside_one_approval(
    months_household, social_worker, manager
):
    months_terms(months_household)
    # Fostering approval widened to 0 to 2 years: only the adopter terms are broken.
    months_household.assessments.filter(track="fostering").update(
        approved_age_to=2, approved_ages_in="years"
    )
    older = factories.child(social_worker, born=date(2024, 1, 10))
    start = {
        "household": months_household,
        "children": [older],
        "route": Placement.Route.CONCURRENCY,
        "placed_on": PLACED,
        "came_from": Placement.CameFrom.HOSPITAL,
        "by": social_worker,
    }
    assert len(refused(**start)) == 1
    # An exemption on the other approval does not help.
    services.terms_exemption_record(
        household=months_household,
        child=older,
        track="fostering",
        agreed_on=date(2025, 8, 1),
        reason="Not needed.",
        by=manager,
    )
    assert len(refused(**start)) == 1
    # A social worker cannot agree one; a team manager can, and the child is placed.
    exemption = {
        "household": months_household,
        "child": older,
        "track": "adoption",
        "agreed_on": PLACED,
        "reason": "Brother of a child the carers adopted; the panel chair agreed.",
    }
    with pytest.raises(services.TransitionRefused) as error:
        services.terms_exemption_record(**exemption, by=social_worker)
    assert error.value.messages == ["Only team managers agree an exemption from the terms."]
    agreed = services.terms_exemption_record(**exemption, by=manager)
    assert (agreed.agreed_by, agreed.agreed_on) == (manager, PLACED)
    # It does not cover a placement before the day it was agreed (19 months on 10 August).
    assert len(refused(**{**start, "placed_on": date(2025, 8, 10)})) == 1
    placement = services.placement_start(**start)
    assert list(placement.children.all()) == [older]


def test_the_number_of_children_on_both_tracks_with_an_exemption(
    months_household, social_worker, manager
):
    born = date(2025, 7, 1)
    twins = [factories.child(social_worker, born=born) for _ in range(2)]
    start = {
        "household": months_household,
        "children": twins,
        "route": Placement.Route.CONCURRENCY,
        "placed_on": PLACED,
        "came_from": Placement.CameFrom.HOSPITAL,
        "by": social_worker,
    }
    who = str(months_household)
    assert refused(**start) == [
        f"{who} are approved as adopters for 1 child aged 0 to 18 years: this would make 2 "
        "(2 in this placement).",
        f"{who} are approved as foster carers for 1 child aged 0 to 18 years: this would "
        "make 2 (2 in this placement).",
    ]
    for track in ("adoption", "fostering"):
        services.terms_exemption_record(
            household=months_household,
            child=twins[1],
            track=track,
            agreed_on=PLACED,
            reason="Twins are placed together.",
            by=manager,
        )
    assert services.placement_start(**start).children.count() == 2


def test_approval_fits_speaks_for_matching_in_one_query(months_household, social_worker):
    months_terms(months_household)
    child = factories.child(social_worker, born=date(2024, 1, 10))
    with CaptureQueriesContext(connection) as context:
        found = approval_fits(household=months_household, children=[child], on=PLACED)
    assert len(context.captured_queries) == 1
    assert [(m.track, m.child) for m in found] == [("adoption", child), ("fostering", child)]
    assert all(isinstance(m, Misfit) and "19 months" in str(m) for m in found)
    assert approval_fits(household=months_household, children=[child], on=date(2025, 7, 9)) == []


def test_the_exemption_list_has_a_query_budget_unchanged_with_ten_times_the_rows(
    months_household, social_worker, manager, client
):
    client.force_login(manager)

    def add(n):
        for _ in range(n):
            services.terms_exemption_record(
                household=months_household,
                child=factories.child(social_worker, born=date(2024, 1, 10)),
                track="adoption",
                agreed_on=PLACED,
                reason="Agreed.",
                by=manager,
            )

    def count():
        with CaptureQueriesContext(connection) as context:
            assert client.get("/admin/placements/termsexemption/").status_code == 200
        return len(context.captured_queries)

    add(2)
    count()
    small = count()
    add(18)
    assert TermsExemption.objects.count() == 20
    assert count() == small


def test_the_household_page_gives_the_terms_with_their_unit(client, months_household, manager):
    from django.urls import reverse

    client.force_login(manager)
    pages = [
        reverse("admin:carers_household_change", args=[months_household.pk]),
        reverse("admin:carers_household_section", args=[months_household.pk, "panels"]),
    ]
    for url in pages:
        assert "<dd>1 child aged 0 to 18 years</dd>" in client.get(url).content.decode(), url
    months_terms(months_household)
    for url in pages:
        page = client.get(url).content.decode()
        # Both approvals (adopters, foster carers), each with its unit.
        assert page.count("<dd>1 child aged 0 to 18 months</dd>") == 2, url
        assert "aged 0 to 18 years" not in page

"""Placements within the terms of approval, and every placement date through portal.dates.

Ages are compared in completed years on the day of placement, inclusive: "0 to 2" takes a
newborn, "1 to 1" does not.
"""

from datetime import date

import pytest
from django.urls import reverse

from placements import services
from placements.models import (
    Child,
    Hearing,
    Placement,
    Proceedings,
    ProceedingsExtension,
    TemporaryApproval,
)

from . import factories
from .helpers import form_data

pytestmark = pytest.mark.django_db

LIST_URL = "/admin/placements/placement/"
APPROVED_ON = date(2025, 1, 2)


def refused(fn, **kwargs) -> list[str]:
    with pytest.raises(services.TransitionRefused) as error:
        fn(**kwargs)
    return error.value.messages


@pytest.fixture
def sw_client(client, social_worker):
    client.force_login(social_worker)
    return client


@pytest.fixture
def one_year_olds(social_worker, manager):
    """Approved as adopters and foster carers for 1 child aged 1 to 1."""
    return factories.approved_household(
        by=social_worker, manager=manager, on=APPROVED_ON, children=1, ages=(1, 1), surname="Ames"
    )


# -- the terms of approval -------------------------------------------------------------------------


def test_a_newborn_is_refused_for_carers_approved_for_a_child_aged_1_to_1(
    one_year_olds, social_worker
):
    newborn = factories.child(social_worker, born=date(2025, 3, 1))
    messages = refused(
        factories.placement,
        by=social_worker,
        household=one_year_olds,
        children=[newborn],
        placed_on=date(2025, 3, 3),
    )
    assert messages == [
        f"{one_year_olds} are approved as adopters for 1 child aged 1 to 1 years: {newborn} is "
        "aged 0 years on 3 March 2025 (2 days old).",
        f"{one_year_olds} are approved as foster carers for 1 child aged 1 to 1 years: {newborn} is "
        "aged 0 years on 3 March 2025 (2 days old).",
    ]
    assert not Placement.objects.exists()


def test_the_record_a_placement_page_names_the_terms_and_saves_nothing(
    one_year_olds, social_worker, sw_client
):
    newborn = factories.child(social_worker, born=date(2025, 3, 1))
    response = sw_client.post(
        f"{LIST_URL}add/",
        {
            "household": one_year_olds.pk,
            "children": [newborn.pk],
            "route": "concurrency",
            "placed_on": "2025-03-03",
            "came_from": "hospital",
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert f"{one_year_olds} are approved as adopters for 1 child aged 1 to 1 years" in html
    assert "is aged 0 years on 3 March 2025 (2 days old)" in html
    assert not Placement.objects.exists()


def test_a_child_aged_1_on_the_day_fits_and_the_range_is_inclusive(one_year_olds, social_worker):
    # Born 3 March 2024: 1 on 3 March 2025, and still 1 on 2 March 2026.
    child = factories.child(social_worker, born=date(2024, 3, 3))
    placement = factories.placement(
        social_worker, one_year_olds, children=[child], placed_on=date(2025, 3, 3)
    )
    assert placement.children.get() == child


def test_the_age_is_taken_on_the_day_of_placement(one_year_olds, social_worker):
    # Born 4 March 2024: still 0 on 3 March 2025, the day before the first birthday.
    child = factories.child(social_worker, born=date(2024, 3, 4))
    messages = refused(
        factories.placement,
        by=social_worker,
        household=one_year_olds,
        children=[child],
        placed_on=date(2025, 3, 3),
    )
    assert f"{child} is aged 0 years on 3 March 2025 (11 months old)." in messages[0]


def test_ffa_under_a_reg_25a_approval_checks_the_adopter_terms_only(social_worker, manager):
    adopters = factories.approved_household(
        by=social_worker,
        manager=manager,
        on=APPROVED_ON,
        fostering=False,
        children=1,
        ages=(1, 1),
        surname="Bell",
    )
    newborn = factories.child(social_worker, born=date(2025, 3, 1))
    services.temporary_approval_grant(
        household=adopters, child=newborn, approved_on=date(2025, 3, 2), by=manager
    )
    messages = refused(
        factories.placement,
        by=social_worker,
        household=adopters,
        children=[newborn],
        route=Placement.Route.FFA,
        placed_on=date(2025, 3, 3),
    )
    assert messages == [
        f"{adopters} are approved as adopters for 1 child aged 1 to 1 years: {newborn} is "
        "aged 0 years on 3 March 2025 (2 days old)."
    ]


def test_children_already_placed_count_towards_the_number(ep_household, social_worker):
    # Approved for 2 children aged 0 to 4.
    first = factories.placement(social_worker, ep_household, placed_on=date(2025, 3, 3))
    second = factories.placement(social_worker, ep_household, placed_on=date(2025, 3, 4))
    third = factories.child(social_worker, born=date(2025, 3, 5))
    messages = refused(
        factories.placement,
        by=social_worker,
        household=ep_household,
        children=[third],
        placed_on=date(2025, 3, 5),
    )
    assert messages[0] == (
        f"{ep_household} are approved as adopters for 2 children aged 0 to 4 years: this would make 3 "
        "(2 already placed and 1 in this placement)."
    )
    services.placement_end_other(
        placement=first, on=date(2025, 3, 5), by=social_worker, note="Moved on."
    )
    factories.placement(social_worker, ep_household, children=[third], placed_on=date(2025, 3, 5))
    assert second.placement_children.get().is_current


# -- children ---------------------------------------------------------------------------------------


def child_form(**changes):
    data = {
        "first_name": "Robin",
        "last_name": "Dates",
        "sex": "female",
        "placing_authority": factories.oakshire().pk,
        "legal_status": "accommodated",
    }
    data.update(changes)
    return data


def test_a_childs_dates_are_refused_in_words_on_the_child_page(sw_client):
    url = "/admin/placements/child/add/"
    response = sw_client.post(url, child_form(date_of_birth="1990-01-01"))
    assert "would make them" in response.content.decode()
    assert "it must give an age of 17 or under" in response.content.decode()
    response = sw_client.post(url, child_form(expected_on="2999-01-01"))
    assert "The expected date of birth (1 January 2999) is more than 10 months away" in (
        response.content.decode()
    )
    response = sw_client.post(
        url, child_form(date_of_birth="2025-02-01", entered_care_on="2025-01-31")
    )
    html = response.content.decode()
    assert (
        "The date the child entered care (31 January 2025) cannot be before the date of birth "
        "(1 February 2025)."
    ) in html
    assert "Constraint" not in html
    assert not Child.objects.exists()


def test_a_placed_childs_birth_cannot_move_after_the_placement(
    ep_household, social_worker, sw_client
):
    child = factories.child(social_worker, born=date(2025, 3, 1))
    factories.placement(social_worker, ep_household, children=[child], placed_on=date(2025, 3, 3))
    url = reverse("admin:placements_child_change", args=[child.pk])
    data = form_data(sw_client.get(url).content.decode(), date_of_birth="2025-03-10")
    response = sw_client.post(url, data)
    assert (
        "The date of birth (10 March 2025) cannot be after the child was placed (3 March 2025)."
    ) in response.content.decode()
    child.refresh_from_db()
    assert child.date_of_birth == date(2025, 3, 1)


# -- the placement page ----------------------------------------------------------------------------


@pytest.fixture
def placement(ep_household, social_worker):
    child = factories.child(social_worker, born=date(2025, 2, 20))
    return factories.placement(
        social_worker, ep_household, children=[child], placed_on=date(2025, 3, 3)
    )


def change_url(placement, section=""):
    """The placement page, or one of its sections (portal/admin_sections.py)."""
    return f"{LIST_URL}{placement.pk}/change/{section + '/' if section else ''}"


PROCEEDINGS_URL = "/admin/placements/proceedings/"


def test_proceedings_cannot_conclude_before_they_were_issued(placement, sw_client):
    child = placement.children.get()
    add_url = f"{PROCEEDINGS_URL}add/?children={child.pk}"
    data = form_data(
        sw_client.get(add_url).content.decode(), issued_on="2025-03-10", concluded_on="2025-03-09"
    )
    assert data["children"] == str(child.pk)
    response = sw_client.post(add_url, data)
    html = response.content.decode()
    assert (
        "The date the proceedings concluded (9 March 2025) cannot be before the date they were "
        "issued (10 March 2025)."
    ) in html
    assert "Constraint" not in html
    assert not Proceedings.objects.exists()


def test_extensions_and_hearings_come_after_the_proceedings_were_issued(
    placement, sw_client, social_worker
):
    proceedings = factories.issue(placement, issued_on=date(2025, 2, 24), by=social_worker)
    url = f"{PROCEEDINGS_URL}{proceedings.pk}/change/"
    data = form_data(
        sw_client.get(url).content.decode(),
        **{
            "extensions-TOTAL_FORMS": "1",
            "extensions-0-granted_on": "2025-02-20",
            # Inside the 8 weeks after the 26 weeks end (23 August 2025): only the grant
            # date is wrong.
            "extensions-0-ends_on": "2025-09-20",
            "hearings-TOTAL_FORMS": "1",
            "hearings-0-held_on": "2025-02-23",
            "hearings-0-kind": "case_management",
        },
    )
    response = sw_client.post(url, data)
    html = response.content.decode()
    assert (
        "The date granted (20 February 2025) cannot be before the date the proceedings were "
        "issued (24 February 2025)."
    ) in html
    assert (
        "The date of the hearing (23 February 2025) cannot be before the date the proceedings "
        "were issued (24 February 2025)."
    ) in html
    assert not ProceedingsExtension.objects.exists() and not Hearing.objects.exists()
    assert refused(
        services.proceedings_extend,
        proceedings=proceedings,
        granted_on=date(2025, 2, 20),
        ends_on=date(2025, 9, 20),
        by=social_worker,
    ) == [
        "The date granted (20 February 2025) cannot be before the date the proceedings were "
        "issued (24 February 2025)."
    ]


def test_records_cannot_come_after_the_placement_ended(placement, social_worker):
    services.placement_end_other(
        placement=placement, on=date(2025, 4, 1), by=social_worker, note="Moved on."
    )
    placement.refresh_from_db()
    assert refused(
        services.visit_record, placement=placement, visited_on=date(2025, 4, 2), by=social_worker
    ) == ["A visit cannot be after the placement ended (1 April 2025)."]


def test_a_court_order_cannot_come_before_the_child_was_born(placement, social_worker):
    child = placement.children.get()
    messages = refused(
        services.court_order_record,
        placement=placement,
        children=[child],
        kind="interim_care_order",
        made_on=date(2025, 2, 19),
        by=social_worker,
    )
    assert messages == [
        f"The order for {child} (19 February 2025) cannot be before their date of birth "
        "(20 February 2025)."
    ]


def test_a_reg_25a_approval_cannot_end_before_it_began(adopters_only, social_worker, manager):
    child = factories.child(social_worker, born=date(2025, 2, 1))
    approval = services.temporary_approval_grant(
        household=adopters_only, child=child, approved_on=date(2025, 3, 1), by=manager
    )
    assert refused(
        services.temporary_approval_end,
        approval=approval,
        on=date(2025, 2, 28),
        reason=TemporaryApproval.EndReason.WITHDRAWN,
        by=manager,
    ) == [
        "The date it ends (28 February 2025) cannot be before the date it was approved "
        "(1 March 2025)."
    ]
    approval.refresh_from_db()
    assert approval.ends_on is None

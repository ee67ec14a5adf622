"""Who may take an EP placement, and for which child: each guard, allowed and refused."""

from datetime import date

import pytest
from django.db import IntegrityError, transaction

from placements import services
from placements.models import Placement, PlacementChild, TemporaryApproval

from . import factories

pytestmark = pytest.mark.django_db

Route = Placement.Route


def refused(fn, **kwargs) -> list[str]:
    with pytest.raises(services.TransitionRefused) as error:
        fn(**kwargs)
    return error.value.messages


def test_concurrency_needs_carers_approved_as_adopters_and_foster_carers(
    ep_household, adopters_only, social_worker
):
    child = factories.child(social_worker, born=date(2025, 3, 1))
    messages = refused(
        factories.placement,
        by=social_worker,
        household=adopters_only,
        children=[child],
        placed_on=date(2025, 3, 3),
    )
    assert any("Concurrency needs carers approved as foster carers" in m for m in messages)
    placement = factories.placement(
        social_worker, ep_household, children=[child], placed_on=date(2025, 3, 3)
    )
    assert placement.route == Route.CONCURRENCY
    assert placement.reference == f"PL{placement.pk:05d}"


def test_no_placement_before_the_adopter_approval(ep_household, social_worker):
    child = factories.child(social_worker, born=date(2024, 12, 1))
    messages = refused(
        factories.placement,
        by=social_worker,
        household=ep_household,
        children=[child],
        placed_on=date(2025, 1, 1),  # approved on 2 January 2025
    )
    assert messages[0].endswith("were not approved as adopters on 1 January 2025.")


def test_ffa_for_adopters_needs_a_reg_25a_approval_for_each_named_child(
    adopters_only, social_worker, manager
):
    first = factories.child(social_worker, born=date(2025, 2, 1))
    second = factories.child(social_worker, born=date(2025, 2, 1))
    kwargs = {
        "by": social_worker,
        "household": adopters_only,
        "children": [first, second],
        "route": Route.FFA,
        "placed_on": date(2025, 3, 3),
    }
    messages = refused(factories.placement, **kwargs)
    assert len([m for m in messages if "no reg 25A temporary approval" in m]) == 2

    services.temporary_approval_grant(
        household=adopters_only, child=first, approved_on=date(2025, 3, 1), by=manager
    )
    messages = refused(factories.placement, **kwargs)
    assert messages == [
        f"{second}: no reg 25A temporary approval with {adopters_only} in force on 3 March "
        "2025, and they are not approved foster carers."
    ]

    services.temporary_approval_grant(
        household=adopters_only, child=second, approved_on=date(2025, 3, 1), by=manager
    )
    placement = factories.placement(**kwargs)
    links = {link.child_id: link.temporary_approval for link in placement.placement_children.all()}
    assert links[first.pk].child == first and links[second.pk].child == second


def test_a_reg_25a_approval_given_after_the_placement_date_does_not_count(
    adopters_only, social_worker, manager
):
    child = factories.child(social_worker, born=date(2025, 2, 1))
    services.temporary_approval_grant(
        household=adopters_only, child=child, approved_on=date(2025, 3, 10), by=manager
    )
    messages = refused(
        factories.placement,
        by=social_worker,
        household=adopters_only,
        children=[child],
        route=Route.FFA,
        placed_on=date(2025, 3, 3),
    )
    assert "no reg 25A temporary approval" in messages[0]


def test_ffa_with_full_foster_approval_needs_no_temporary_approval(ep_household, social_worker):
    placement = factories.placement(
        social_worker, ep_household, route=Route.FFA, placed_on=date(2025, 3, 3)
    )
    assert placement.placement_children.get().temporary_approval is None


def test_a_reg_25a_approval_is_only_for_approved_adopters_not_yet_foster_carers(
    ep_household, adopters_only, social_worker, manager
):
    child = factories.child(social_worker, born=date(2025, 2, 1))
    messages = refused(
        services.temporary_approval_grant,
        household=ep_household,
        child=child,
        approved_on=date(2025, 3, 1),
        by=manager,
    )
    assert messages == [
        f"{ep_household} are already approved foster carers: no temporary approval is needed."
    ]
    messages = refused(
        services.temporary_approval_grant,
        household=adopters_only,
        child=child,
        approved_on=date(2024, 12, 1),
        by=manager,
    )
    assert "were not approved adopters on 1 December 2024" in messages[0]
    services.temporary_approval_grant(
        household=adopters_only, child=child, approved_on=date(2025, 3, 1), by=manager
    )
    messages = refused(
        services.temporary_approval_grant,
        household=adopters_only,
        child=child,
        approved_on=date(2025, 3, 2),
        by=manager,
    )
    assert messages == [f"{child} already has a reg 25A approval with {adopters_only}."]


def test_only_team_managers_record_a_reg_25a_approval(adopters_only, social_worker):
    child = factories.child(social_worker, born=date(2025, 2, 1))
    messages = refused(
        services.temporary_approval_grant,
        household=adopters_only,
        child=child,
        approved_on=date(2025, 3, 1),
        by=social_worker,
    )
    assert messages == ["Only team managers record a reg 25A temporary approval."]


def test_one_open_reg_25a_approval_per_child_and_household_in_the_database(
    adopters_only, social_worker, manager
):
    child = factories.child(social_worker, born=date(2025, 2, 1))
    services.temporary_approval_grant(
        household=adopters_only, child=child, approved_on=date(2025, 3, 1), by=manager
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        TemporaryApproval.objects.create(
            household=adopters_only, child=child, approved_on=date(2025, 3, 2), approved_by=manager
        )


def test_an_unborn_baby_cannot_be_placed(ep_household, social_worker):
    baby = factories.child(social_worker, born=None, expected_on=date(2027, 1, 1))
    messages = refused(
        factories.placement,
        by=social_worker,
        household=ep_household,
        children=[baby],
        placed_on=date(2025, 3, 3),
    )
    assert messages == [f"{baby} is not born yet: add the date of birth first."]


def test_a_child_born_after_the_placement_date_is_refused(ep_household, social_worker):
    child = factories.child(social_worker, born=date(2025, 3, 10))
    messages = refused(
        factories.placement,
        by=social_worker,
        household=ep_household,
        children=[child],
        placed_on=date(2025, 3, 3),
    )
    assert messages == [f"{child} was born after 3 March 2025."]


def test_a_child_is_in_one_placement_at_a_time(ep_household, social_worker):
    child = factories.child(social_worker, born=date(2025, 2, 1))
    first = factories.placement(
        social_worker, ep_household, children=[child], placed_on=date(2025, 3, 3)
    )
    messages = refused(
        factories.placement,
        by=social_worker,
        household=ep_household,
        children=[child],
        placed_on=date(2025, 3, 4),
    )
    assert messages == [f"{child} is already placed ({first})."]
    # The database holds the line too, whatever a caller does.
    second = Placement.objects.create(
        household=ep_household,
        route=Route.CONCURRENCY,
        placed_on=date(2025, 3, 4),
        came_from=Placement.CameFrom.HOSPITAL,
        status_changed_on=date(2025, 3, 4),
        created_by=social_worker,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        PlacementChild.objects.create(placement=second, child=child)
    # Once the first placement ends the child may be placed again.
    services.placement_end_other(
        placement=first, on=date(2025, 4, 1), by=social_worker, note="Moved on."
    )
    again = factories.placement(
        social_worker, ep_household, children=[child], placed_on=date(2025, 4, 1)
    )
    assert again.placement_children.get().is_current


def test_no_more_children_than_the_approval_is_for(social_worker, manager):
    household = factories.approved_household(
        by=social_worker, manager=manager, on=date(2025, 1, 2), children=1, surname="Solo"
    )
    children = [factories.child(social_worker, born=date(2025, 2, 1)) for _ in range(2)]
    messages = refused(
        factories.placement,
        by=social_worker,
        household=household,
        children=children,
        placed_on=date(2025, 3, 3),
    )
    assert messages == [
        f"{household} are approved as adopters for 1 child aged 0 to 4 years: this would make 2 "
        "(2 in this placement).",
        f"{household} are approved as foster carers for 1 child aged 0 to 4 years: this would make 2 "
        "(2 in this placement).",
    ]


def test_a_placement_needs_a_child_a_past_date_and_permission(
    ep_household, social_worker, make_staff
):
    from portal.roles import Role

    messages = refused(
        factories.placement,
        by=social_worker,
        household=ep_household,
        children=[],
        placed_on=date(2999, 1, 1),
    )
    assert "Choose the child, or the brothers and sisters, placed." in messages
    assert "The date cannot be in the future." in messages
    child = factories.child(social_worker, born=date(2025, 2, 1))
    events = make_staff(Role.EVENTS_TEAM)
    messages = refused(
        factories.placement,
        by=events,
        household=ep_household,
        children=[child],
        placed_on=date(2025, 3, 3),
    )
    assert messages == ["You do not have permission to record placements."]


def test_a_child_needs_a_birth_or_expected_date_and_sensible_dates(social_worker):
    from placements.models import Child

    messages = refused(
        services.child_register,
        child=Child(last_name="Nodate", placing_authority=factories.oakshire()),
        by=social_worker,
    )
    assert messages == ["Give the date of birth, or the expected date for an unborn baby."]
    messages = refused(
        services.child_register,
        child=Child(
            last_name="Early",
            date_of_birth=date(2025, 2, 1),
            entered_care_on=date(2025, 1, 1),
            placing_authority=factories.oakshire(),
        ),
        by=social_worker,
    )
    assert messages == [
        "The date the child entered care (1 January 2025) cannot be before the date of birth "
        "(1 February 2025)."
    ]

"""The placements migrations keep what was recorded: the extension end dates (0003),
everything that hung off a placement moving to its children (0006-0009) and family time
moving to the child's plan (0013 onwards)."""

from datetime import date

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def _latest():
    return [
        key
        for key in MigrationExecutor(connection).loader.graph.leaf_nodes()
        if key[0] == "placements"
    ]


# The last migration before family time moved to the child (0013).
BEFORE_FAMILY_TIME = [("placements", "0012_matching_referrals_links_and_the_ep_match")]


def _old_placement(apps, household, by, children, *, placed_on, **fields):
    Placement = apps.get_model("placements", "Placement")
    PlacementChild = apps.get_model("placements", "PlacementChild")
    placement = Placement.objects.create(
        household_id=household.pk,
        route="concurrency",
        placed_on=placed_on,
        came_from="hospital",
        status="fostering",
        status_changed_on=placed_on,
        created_by_id=by.pk,
        **fields,
    )
    for child in children:
        PlacementChild.objects.create(placement=placement, child=child)
    return placement


def _old_child(apps, last_name, *, born, authority="Oakshire", **fields):
    return apps.get_model("placements", "Child").objects.create(
        last_name=last_name,
        date_of_birth=born,
        entered_care_on=born,
        placing_local_authority=authority,
        **fields,
    )


@pytest.mark.django_db(transaction=True)
def test_what_was_recorded_survives_every_placements_migration(ep_household, social_worker):
    """One walk back to 0002 and forward again, with three stories recorded on the way.

    Each walk re-renders every model's historical state, which costs half a minute or
    more, so the stories share one walk rather than taking one each:

    - extensions granted before 0003 keep the end the court set, and the 26 weeks end a
      day earlier (they begin with the issue day);
    - a brother and sister placed together, and a child placed alone, keep everything
      that hung off their placements when it moves to each child (0006-0009) and when
      family time moves to the child's plan (0013 onwards);
    - a child who moved placements keeps one case, one review a day and one arrangement.
    """
    latest = _latest()
    try:
        apps = _migrate([("placements", "0002_constraint_messages")])
        extended = _extensions_before_0003(apps, ep_household, social_worker)
        apps = _migrate([("placements", "0003_proceedings_extension_end_date_set_by_the_court")])
        _check_extensions_after_0003(apps, extended)

        apps = _migrate([("placements", "0005_child_and_placement_notes")])
        siblings = _siblings_before_0006(apps, ep_household, social_worker)
        mover = _mover_before_0006(apps, ep_household, social_worker)
        apps = _migrate(BEFORE_FAMILY_TIME)
        _check_siblings_before_family_time(apps, **siblings)
        _check_mover_before_family_time(apps, mover)

        apps = _migrate(latest)
        _check_siblings_family_time(apps, **siblings)
        _check_mover_family_time(apps, mover)
    finally:
        _migrate(latest)


def _extensions_before_0003(apps, household, by):
    child = _old_child(apps, "Early", born=date(2023, 12, 1))
    # As the portal stored them before: 26 weeks counted as issue day + 182 days.
    old = _old_placement(
        apps,
        household,
        by,
        [child],
        placed_on=date(2025, 3, 3),
        proceedings_issued_on=date(2024, 1, 1),
        proceedings_target_on=date(2024, 7, 1),
    )
    Extension = apps.get_model("placements", "ProceedingsExtension")
    Extension.objects.create(placement=old, granted_on=date(2024, 6, 20), weeks=8)
    Extension.objects.create(placement=old, granted_on=date(2024, 8, 20), weeks=4)
    return old


def _check_extensions_after_0003(apps, old):
    Extension = apps.get_model("placements", "ProceedingsExtension")
    # Old ends: 1 Jul 2024 + 8 weeks = Mon 26 Aug; + 12 weeks = Mon 23 Sep 2024.
    assert list(
        Extension.objects.filter(placement_id=old.pk)
        .order_by("granted_on")
        .values_list("ends_on", flat=True)
    ) == [date(2024, 8, 26), date(2024, 9, 23)]
    migrated = apps.get_model("placements", "Placement").objects.get(pk=old.pk)
    assert migrated.proceedings_target_on == date(2024, 6, 30)
    assert migrated.proceedings_extended_to == date(2024, 9, 23)


def _siblings_before_0006(apps, household, by):
    """A brother and sister placed together, and a child placed alone elsewhere."""
    group = apps.get_model("placements", "SiblingGroup").objects.create(reference="SG1")
    sister = _old_child(apps, "Sister", born=date(2023, 5, 1), sibling_group=group)
    brother = _old_child(apps, "Brother", born=date(2024, 2, 1), sibling_group=group)
    alone = _old_child(apps, "Alone", born=date(2024, 3, 1), authority="Westshire")
    together = _old_placement(
        apps,
        household,
        by,
        [sister, brother],
        placed_on=date(2024, 3, 4),
        court="Oakford Family Court",
        case_number="OK24C01",
        proceedings_issued_on=date(2024, 1, 1),
        proceedings_target_on=date(2024, 6, 30),
        proceedings_extended_to=date(2024, 8, 25),
    )
    single = _old_placement(apps, household, by, [alone], placed_on=date(2024, 3, 11))
    get = apps.get_model
    get("placements", "ProceedingsExtension").objects.create(
        placement=together, granted_on=date(2024, 6, 28), ends_on=date(2024, 8, 25)
    )
    get("placements", "Hearing").objects.create(
        placement=together, held_on=date(2024, 2, 1), kind="case_management"
    )
    for child in (sister, brother):
        get("placements", "CourtOrder").objects.create(
            placement=together,
            child=child,
            kind="interim_care_order",
            made_on=date(2024, 1, 2),
            recorded_by_id=by.pk,
        )
    for placement, on in ((together, date(2024, 3, 20)), (single, date(2024, 3, 25))):
        get("placements", "LookedAfterReview").objects.create(
            placement=placement, held_on=on, visit_interval_weeks=None, note="held"
        )
        get("placements", "SocialWorkerVisit").objects.create(
            placement=placement, visited_on=on, seen_alone=True
        )
        get("placements", "FamilyTimeArrangement").objects.create(
            placement=placement,
            starts_on=on,
            times_per_week=3,
            venue="Family centre",
            supervised=True,
        )
        get("placements", "FamilyTimeSession").objects.create(
            placement=placement, held_on=on, status="took_place"
        )
    return {
        "sister": sister.pk,
        "brother": brother.pk,
        "alone": alone.pk,
        "together": together.pk,
        "single": single.pk,
    }


def _check_siblings_before_family_time(apps, *, sister, brother, alone, together, single):
    """The proceedings become the children's (with the extension, the hearing and the
    orders), each review, visit and family time row becomes one per child, and the
    placing authorities become records."""
    get = apps.get_model
    Child = get("placements", "Child")
    assert Child.objects.get(pk=sister).placing_authority.name == "Oakshire"
    assert Child.objects.get(pk=brother).placing_authority.name == "Oakshire"
    assert Child.objects.get(pk=alone).placing_authority.name == "Westshire"
    # The other stories' children came from Oakshire too: still two authorities.
    assert sorted(get("placements", "LocalAuthority").objects.values_list("name", flat=True)) == [
        "Oakshire",
        "Westshire",
    ]

    proceedings = get("placements", "Proceedings").objects.get(children=sister)
    assert {c.pk for c in proceedings.children.all()} == {sister, brother}
    assert (proceedings.court, proceedings.case_number) == ("Oakford Family Court", "OK24C01")
    assert (proceedings.issued_on, proceedings.target_on, proceedings.extended_to) == (
        date(2024, 1, 1),
        date(2024, 6, 30),
        date(2024, 8, 25),
    )
    assert proceedings.extensions.get().ends_on == date(2024, 8, 25)
    assert proceedings.hearings.get().held_on == date(2024, 2, 1)
    assert get("placements", "CourtOrder").objects.filter(proceedings=proceedings).count() == 2
    assert not get("placements", "Proceedings").objects.filter(children=alone).exists()

    children = (sister, brother, alone)
    for model in ("LookedAfterReview", "SocialWorkerVisit"):
        rows = get("placements", model).objects.filter(child_id__in=children)
        assert sorted((r.child_id, r.placement_id) for r in rows) == sorted(
            [(sister, together), (brother, together), (alone, single)]
        ), model
    assert (
        get("placements", "LookedAfterReview")
        .objects.filter(child_id__in=children, note="held")
        .count()
        == 3
    )
    _one_row_per_child(apps, ("FamilyTimeArrangement", "FamilyTimeSession"), children)


def _one_row_per_child(apps, models, children):
    """Each of ``models`` holds exactly one row for each of ``children``."""
    for model in models:
        by_child = sorted(
            apps.get_model("placements", model)
            .objects.filter(child_id__in=children)
            .values_list("child_id", flat=True)
        )
        assert by_child == sorted(children), model


def _check_siblings_family_time(apps, *, sister, brother, alone, together, single):
    """Family time moves to the child: each arrangement a plan, sessions kept."""
    get = apps.get_model
    children = (sister, brother, alone)
    _one_row_per_child(apps, ("FamilyTimePlan", "FamilyTimeSession"), children)
    plan = get("placements", "FamilyTimePlan").objects.get(child_id=alone)
    assert (plan.version, plan.weekdays, plan.supervision, plan.venue) == (
        1,
        "024",
        "supervised",
        "Family centre",
    )
    session = get("placements", "FamilyTimeSession").objects.get(child_id=alone)
    assert (session.held_on, session.status, session.placement_id, session.plan_id) == (
        date(2024, 3, 25),
        "took_place",
        single,
        None,
    )


def _mover_before_0006(apps, household, by):
    """The same case on both placements; a review and a visit on the moving day recorded
    on both; the first placement's arrangement left open."""
    get = apps.get_model
    child = _old_child(apps, "Mover", born=date(2023, 5, 1))
    case = {
        "court": "Oakford Family Court",
        "case_number": "OK24C09",
        "proceedings_issued_on": date(2024, 1, 1),
    }
    first = _old_placement(apps, household, by, [child], placed_on=date(2024, 2, 1), **case)
    get("placements", "PlacementChild").objects.filter(placement=first).update(is_current=False)
    second = _old_placement(apps, household, by, [child], placed_on=date(2024, 6, 3), **case)
    for placement, note in ((first, "at the old home"), (second, "at the new home")):
        get("placements", "LookedAfterReview").objects.create(
            placement=placement, held_on=date(2024, 6, 3), note=note
        )
        get("placements", "SocialWorkerVisit").objects.create(
            placement=placement, visited_on=date(2024, 6, 3)
        )
    for placement, starts in ((first, date(2024, 2, 2)), (second, date(2024, 6, 4))):
        get("placements", "FamilyTimeArrangement").objects.create(
            placement=placement,
            starts_on=starts,
            times_per_week=2,
            venue="Family centre",
            supervised=True,
        )
    return child.pk


def _check_mover_before_family_time(apps, child):
    """One set of proceedings, one review and one visit on the moving day, and the open
    arrangement ends the day the second one starts."""
    get = apps.get_model
    proceedings = get("placements", "Proceedings").objects.get(children=child)
    assert [c.pk for c in proceedings.children.all()] == [child]
    review = get("placements", "LookedAfterReview").objects.get(child_id=child)
    assert review.note == "at the old home; at the new home"
    assert get("placements", "SocialWorkerVisit").objects.filter(child_id=child).count() == 1
    arrangements = (
        get("placements", "FamilyTimeArrangement")
        .objects.filter(child_id=child)
        .order_by("starts_on")
    )
    assert [(a.starts_on, a.ends_on) for a in arrangements] == [
        (date(2024, 2, 2), date(2024, 6, 4)),
        (date(2024, 6, 4), None),
    ]


def _check_mover_family_time(apps, child):
    """The two arrangements become versions 1 and 2 of the child's plan."""
    plans = (
        apps.get_model("placements", "FamilyTimePlan")
        .objects.filter(child_id=child)
        .order_by("version")
    )
    assert [(p.version, p.starts_on, p.ends_on, p.weekdays) for p in plans] == [
        (1, date(2024, 2, 2), date(2024, 6, 4), "13"),
        (2, date(2024, 6, 4), None, "13"),
    ]

"""The migrations that bring in reviews of both approvals keep what was recorded."""

from datetime import date

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from . import factories


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def _latest():
    return [
        key
        for key in MigrationExecutor(connection).loader.graph.leaf_nodes()
        if key[0] in ("carers", "placements")
    ]


@pytest.mark.django_db(transaction=True)
def test_old_reviews_continued_adopters_get_their_review_and_placements_stop_it(
    ep_household, social_worker
):
    placement = factories.placement(social_worker, ep_household, placed_on=date(2025, 3, 3))
    latest = _latest()
    try:
        apps = _migrate(
            [
                ("carers", "0010_proposed_refusal_and_report_observations"),
                ("placements", "0010_deadline_for_the_authority_at_six_weeks"),
            ]
        )
        Review = apps.get_model("carers", "FosterCarerReview")
        Review.objects.filter(household_id=ep_household.pk).update(completed_on=date(2025, 12, 1))
        Review.objects.create(household_id=ep_household.pk, due_on=date(2026, 12, 1))
        apps.get_model("placements", "Placement").objects.filter(pk=placement.pk).update(
            status="placed_for_adoption", placed_for_adoption_on=date(2025, 6, 2)
        )
        apps = _migrate(latest)
        Review = apps.get_model("carers", "FosterCarerReview")
        rows = Review.objects.filter(household_id=ep_household.pk)
        assert sorted(rows.values_list("track", "due_on", "completed_on", "outcome")) == [
            # Approved Thu 2 January 2025: the first adopter review by Fri 2 January 2026.
            ("adoption", date(2026, 1, 2), None, ""),
            ("fostering", date(2026, 1, 2), date(2025, 12, 1), "continue"),
            ("fostering", date(2026, 12, 1), None, ""),
        ]
        household = apps.get_model("carers", "Household").objects.get(pk=ep_household.pk)
        assert household.placed_for_adoption_since == date(2025, 6, 2)
    finally:
        _migrate(_latest())

"""The extension end-date migration keeps the end each extension had before."""

from datetime import date

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from placements import services

from . import factories

BEFORE = [("placements", "0002_constraint_messages")]
AFTER = [("placements", "0003_proceedings_extension_end_date_set_by_the_court")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_existing_extensions_keep_their_old_end_and_the_26_weeks_end_a_day_earlier(
    ep_household, social_worker
):
    placement = factories.placement(social_worker, ep_household, placed_on=date(2025, 3, 3))
    services.proceedings_issue(placement=placement, issued_on=date(2024, 1, 1), by=social_worker)
    latest = list(MigrationExecutor(connection).loader.graph.leaf_nodes())
    try:
        apps = _migrate(BEFORE)
        Placement = apps.get_model("placements", "Placement")
        Extension = apps.get_model("placements", "ProceedingsExtension")
        old = Placement.objects.get(pk=placement.pk)
        # As the portal stored them before: 26 weeks counted as issue day + 182 days.
        old.proceedings_target_on = date(2024, 7, 1)
        old.save(update_fields=["proceedings_target_on"])
        Extension.objects.create(placement=old, granted_on=date(2024, 6, 20), weeks=8)
        Extension.objects.create(placement=old, granted_on=date(2024, 8, 20), weeks=4)
        apps = _migrate(AFTER)
        Extension = apps.get_model("placements", "ProceedingsExtension")
        # Old ends: 1 Jul 2024 + 8 weeks = Mon 26 Aug; + 12 weeks = Mon 23 Sep 2024.
        assert list(
            Extension.objects.filter(placement_id=placement.pk)
            .order_by("granted_on")
            .values_list("ends_on", flat=True)
        ) == [date(2024, 8, 26), date(2024, 9, 23)]
        migrated = apps.get_model("placements", "Placement").objects.get(pk=placement.pk)
        assert migrated.proceedings_target_on == date(2024, 6, 30)
        assert migrated.proceedings_extended_to == date(2024, 9, 23)
    finally:
        _migrate([key for key in latest if key[0] == "placements"])

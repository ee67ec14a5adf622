"""Two social workers place the same child at the same moment: exactly one placement wins.

On PostgreSQL, with real concurrent transactions in threads. ``placement_start`` locks the
household and the children before it checks them; the one-current-placement constraint
backs it up, and either way the loser gets a plain refusal, never a server error.
"""

import threading
from datetime import date

import pytest
from django.db import connection

from placements import services
from placements.models import Placement, PlacementChild

from . import factories

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_a_child_is_placed_once_when_two_try_at_once(require_postgres, social_worker, manager):
    first = factories.approved_household(by=social_worker, manager=manager, on=date(2025, 1, 2))
    second = factories.approved_household(
        by=social_worker, manager=manager, on=date(2025, 1, 2), surname="Brook"
    )
    child = factories.child(social_worker, born=date(2025, 2, 1))
    attempts = 6
    barrier = threading.Barrier(attempts)
    results: list[str] = []

    def place(household):
        try:
            barrier.wait()
            services.placement_start(
                household=household,
                children=[child],
                route=Placement.Route.CONCURRENCY,
                placed_on=date(2025, 3, 3),
                came_from=Placement.CameFrom.HOSPITAL,
                by=social_worker,
            )
            results.append("placed")
        except services.TransitionRefused as refusal:
            results.append(refusal.messages[0])
        finally:
            connection.close()

    threads = [
        threading.Thread(target=place, args=(first if n % 2 else second,)) for n in range(attempts)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results.count("placed") == 1, results
    assert all(
        r == "placed" or r.startswith(f"{child} is already placed") or "a moment ago" in r
        for r in results
    ), results
    assert PlacementChild.objects.filter(child=child, is_current=True).count() == 1
    assert Placement.objects.count() == 1

"""seed_demo's placements: both routes, every outcome, open clocks; safe to run twice."""

import io

import pytest

from placements import demo
from placements.measures import ep_measures
from placements.models import Child, Placement, PlacementDeadline, TemporaryApproval
from portal.demo import demo_email
from portal.roles import Role

pytestmark = pytest.mark.django_db


def test_the_demo_has_both_routes_every_outcome_and_is_idempotent(make_staff):
    make_staff(Role.SOCIAL_WORKERS, email=demo_email(Role.SOCIAL_WORKERS), first_name="Sam")
    make_staff(Role.TEAM_MANAGERS, email=demo_email(Role.TEAM_MANAGERS), first_name="Morgan")
    out = io.StringIO()
    demo.seed(stdout=out)
    placements = Placement.objects.all()
    assert set(placements.values_list("route", flat=True)) == set(Placement.Route.values)
    assert set(placements.exclude(outcome="").values_list("outcome", flat=True)) == set(
        Placement.Outcome.values
    )
    assert placements.filter(status=Placement.Status.FOSTERING).exists()
    assert placements.filter(status=Placement.Status.PLACED_FOR_ADOPTION).exists()
    assert TemporaryApproval.objects.exists()
    assert PlacementDeadline.objects.filter(kind=PlacementDeadline.Kind.PROCEEDINGS).exists()
    # Children waiting: one born, one not yet born.
    waiting = Child.objects.exclude(placement_links__isnull=False)
    assert waiting.filter(date_of_birth__isnull=True).count() == 1
    assert waiting.filter(date_of_birth__isnull=False).count() == 1
    figures = ep_measures()
    assert figures.placement_to_order[None].count == 3
    counts = (Placement.objects.count(), Child.objects.count())
    demo.seed(stdout=out)
    assert (Placement.objects.count(), Child.objects.count()) == counts
    assert "already there" in out.getvalue()


def test_without_demo_staff_the_demo_adds_nothing():
    out = io.StringIO()
    demo.seed(stdout=out)
    assert not Placement.objects.exists()
    assert "no demo staff" in out.getvalue()

"""The placements panel on the staff home page: what is due on a social worker's
placements, and each caseload's overdue count for team managers."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from placements import selectors
from placements.models import Placement, PlacementDeadline
from portal.models import User
from portal.roles import Role
from tests.carers import factories as carers

pytestmark = pytest.mark.django_db

Kind = PlacementDeadline.Kind


def hand_built_placement(worker, *, n: int) -> Placement:
    """A placement row with no clocks of its own: each test says which deadlines it has."""
    household = carers.household(worker, applicants=1)
    today = timezone.localdate()
    return Placement.objects.create(
        reference=f"PL9{n:04d}",
        household=household,
        route=Placement.Route.CONCURRENCY,
        placed_on=today - timedelta(days=60),
        came_from=Placement.CameFrom.HOSPITAL,
        status_changed_on=today - timedelta(days=60),
        created_by=worker,
    )


def due(placement, kind, days: int, label: str = "") -> PlacementDeadline:
    """A deadline as the engine stores it: the carers' social worker is reminded."""
    return PlacementDeadline.objects.create(
        placement=placement,
        worker=placement.household.social_worker,
        kind=kind,
        label=label or Kind(kind).label,
        due_on=timezone.localdate() + timedelta(days=days),
    )


def test_a_social_worker_sees_overdue_and_next_week_items_with_what_clears_them(make_staff):
    worker = make_staff(Role.SOCIAL_WORKERS)
    other = make_staff(Role.SOCIAL_WORKERS)
    mine = hand_built_placement(worker, n=1)
    theirs = hand_built_placement(other, n=2)
    late_review = due(mine, Kind.REVIEW, -3)
    visit_soon = due(mine, Kind.VISIT, 5)
    due(mine, Kind.PROCEEDINGS, 30)  # beyond the week
    due(mine, Kind.ADOPTION_APPLICATION, -10)  # only says when something is possible
    due(theirs, Kind.REVIEW, -3)

    dashboard = selectors.dashboard_for(user=worker, today=timezone.localdate())

    assert [i.deadline for i in dashboard.overdue] == [late_review]
    assert [i.deadline for i in dashboard.upcoming] == [visit_soon]
    url = reverse("admin:placements_placement_change", args=[mine.pk])
    review = dashboard.overdue[0]
    assert review.placement_url == url
    reviews = reverse("admin:placements_placement_section", args=[mine.pk, "reviews"])
    assert (review.action, review.action_url) == ("Record the review", reviews)
    assert dashboard.upcoming[0].action_url == reviews
    assert dashboard.team_overdue == []


def test_the_home_page_lists_the_rows_with_the_overdue_tag(staff_client):
    client = staff_client(Role.SOCIAL_WORKERS)
    mine = hand_built_placement(client.user, n=1)
    due(mine, Kind.REVIEW, -3, label="Looked-after child review (second)")
    due(mine, Kind.PROCEEDINGS, 2, label="Care proceedings end (26 weeks)")
    html = client.get("/admin/").content.decode()
    assert "My placements: what is due" in html
    assert '<strong class="overdue-tag">Overdue</strong>' in html
    assert "Looked-after child review (second)" in html
    assert "Care proceedings end (26 weeks)" in html
    url = reverse("admin:placements_placement_change", args=[mine.pk])
    assert f'<a href="{url}">PL90001</a>' in html
    court = reverse("admin:placements_placement_section", args=[mine.pk, "court"])
    assert f'href="{court}"' in html
    # No boolean icons anywhere on the home page.
    assert "icon-yes" not in html and "icon-no" not in html


def test_team_managers_see_overdue_counts_per_social_worker_linking_to_their_list(
    staff_client, make_staff
):
    manager = staff_client(Role.TEAM_MANAGERS)
    worker = make_staff(Role.SOCIAL_WORKERS, first_name="Ayo", last_name="Bello")
    for n in (1, 2):
        placement = hand_built_placement(worker, n=n)
        due(placement, Kind.REVIEW, -2)
        due(placement, Kind.VISIT, -1)
    due(hand_built_placement(worker, n=3), Kind.ADOPTION_APPLICATION, -5)

    dashboard = selectors.dashboard_for(user=manager.user, today=timezone.localdate())
    [row] = dashboard.team_overdue
    assert (row["first_name"], row["overdue"], row["placements"]) == ("Ayo", 4, 2)
    changelist = reverse("admin:placements_placement_changelist")
    assert row["url"] == f"{changelist}?caseload={worker.pk}&overdue=yes"

    listed = manager.get(row["url"])
    assert listed.status_code == 200
    assert {p.reference for p in listed.context["cl"].result_list} == {"PL90001", "PL90002"}


@pytest.mark.parametrize("role", [Role.EVENTS_TEAM, Role.RECRUITMENT_TEAM, Role.CONTENT_EDITORS])
def test_staff_who_may_not_see_placements_see_no_panel(staff_client, make_staff, role):
    worker = make_staff(Role.SOCIAL_WORKERS)
    due(hand_built_placement(worker, n=1), Kind.REVIEW, -2)
    client = staff_client(role)
    assert selectors.dashboard_panel(client.user) is None
    html = client.get("/admin/").content.decode()
    assert "placements-dashboard-title" not in html and "PL90001" not in html


@pytest.mark.parametrize("role", [Role.SOCIAL_WORKERS, Role.TEAM_MANAGERS])
def test_the_panel_reads_the_same_number_of_queries_for_3_and_30_placements(make_staff, role):
    user = make_staff(role)

    def count(placements: int, start: int) -> int:
        for n in range(start, start + placements):
            placement = hand_built_placement(user, n=n)
            due(placement, Kind.REVIEW, -2)
            due(placement, Kind.VISIT, 3)
        fresh = User.objects.get(pk=user.pk)  # permissions read afresh each time
        with CaptureQueriesContext(connection) as queries:
            selectors.dashboard_panel(fresh)
        return len(queries)

    # Two to read the user's permissions, one for their items, one for the team's.
    expected = 4 if role == Role.TEAM_MANAGERS else 3
    assert count(3, 1) == expected
    assert count(27, 10) == expected

"""The outbox panel on the team managers' staff home page, and the list it links to."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from portal.models import Notification
from portal.roles import Role

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:portal_notification_changelist")


def row(key: str, **fields) -> Notification:
    return Notification.objects.create(
        key=key,
        to=f"{key.replace(':', '.')}@example.org",
        template="portal/staff_welcome",
        **fields,
    )


def outbox(waiting: int = 1, failed: int = 1, prefix: str = "") -> None:
    now = timezone.now()
    for n in range(failed):
        row(f"{prefix}failed:{n}", failed_at=now - timedelta(hours=1), last_error="X: 550")
    for n in range(waiting):
        row(f"{prefix}waiting:{n}", due_at=now - timedelta(hours=2), attempts=5)
    # Not counted: failed long ago, just due, sent, withdrawn.
    row(f"{prefix}failed-long-ago", failed_at=now - timedelta(days=90))
    row(f"{prefix}just-due", due_at=now - timedelta(minutes=5))
    row(f"{prefix}sent", due_at=now - timedelta(days=1), sent_at=now)
    row(f"{prefix}withdrawn", due_at=now - timedelta(days=1), withdrawn_at=now)


def test_team_managers_see_failed_and_long_waiting_messages_counted(team_manager_client):
    outbox(waiting=2, failed=1)
    html = team_manager_client.get("/admin/").content.decode()
    assert "Email outbox" in html
    assert f'<a href="{CHANGELIST}?delivery=failed"><strong>1</strong> failed</a>' in html
    assert f'<a href="{CHANGELIST}?delivery=waiting"><strong>2</strong> not yet sent</a>' in html
    # Counts only: no recipient, key or error on the home page.
    assert "@example.org" not in html
    assert "waiting:0" not in html
    assert "550" not in html


def test_the_panel_says_so_when_nothing_needs_attention(team_manager_client):
    outbox(waiting=0, failed=0)
    html = team_manager_client.get("/admin/").content.decode()
    assert "None failed" in html and "None waiting" in html
    assert "?delivery=" not in html


def test_the_panel_links_to_exactly_the_rows_it_counts(team_manager_client):
    outbox(waiting=2, failed=1)
    for delivery, expected in (
        ("failed", {"failed:0"}),
        ("waiting", {"waiting:0", "waiting:1"}),
    ):
        response = team_manager_client.get(f"{CHANGELIST}?delivery={delivery}")
        assert response.status_code == 200
        shown = {n.key for n in response.context["cl"].result_list}
        assert shown == expected, delivery
        assert "@example.org" not in response.content.decode()


@pytest.mark.parametrize(
    "role",
    [Role.SOCIAL_WORKERS, Role.EVENTS_TEAM, Role.RECRUITMENT_TEAM, Role.CONTENT_EDITORS],
)
def test_other_roles_do_not_see_the_outbox_panel(staff_client, role):
    outbox()
    html = staff_client(role).get("/admin/").content.decode()
    assert "outbox-dashboard" not in html
    assert "Email outbox" not in html


def test_the_panel_query_count_does_not_grow_with_the_outbox(team_manager_client):
    outbox(waiting=3, failed=3)
    team_manager_client.get("/admin/")
    with CaptureQueriesContext(connection) as first:
        team_manager_client.get("/admin/")
    outbox(waiting=30, failed=30, prefix="more-")
    with CaptureQueriesContext(connection) as second:
        response = team_manager_client.get("/admin/")
    assert "<strong>33</strong> failed" in response.content.decode()
    assert len(first) == len(second)
    outbox_queries = [q for q in second.captured_queries if "portal_notification" in q["sql"]]
    assert len(outbox_queries) == 2

"""``portal.demo``: the demo staff accounts, named once, found by role."""

import io

import pytest

from portal.demo import DEMO_STAFF, demo_email, demo_staff
from portal.roles import Role

pytestmark = pytest.mark.django_db


def test_each_role_has_one_demo_account():
    assert sorted(role for *_, role in DEMO_STAFF) == sorted(Role.ALL)
    assert demo_email(Role.SOCIAL_WORKERS) == "social.worker@oakway.example"
    assert demo_email(Role.TEAM_MANAGERS) == "manager@oakway.example"


def test_demo_staff_are_found_in_the_order_asked_only_when_all_exist(make_staff):
    out = io.StringIO()
    worker = make_staff(Role.SOCIAL_WORKERS, email=demo_email(Role.SOCIAL_WORKERS))

    found = demo_staff(Role.SOCIAL_WORKERS, Role.TEAM_MANAGERS, stdout=out, missing="None yet.")
    assert found is None
    assert out.getvalue() == "None yet."

    manager = make_staff(Role.TEAM_MANAGERS, email=demo_email(Role.TEAM_MANAGERS))

    found = demo_staff(Role.TEAM_MANAGERS, Role.SOCIAL_WORKERS, stdout=out, missing="None yet.")
    assert found == [manager, worker]
    assert out.getvalue() == "None yet."

import pytest

from portal.roles import Role


@pytest.fixture
def social_worker(make_staff):
    return make_staff(Role.SOCIAL_WORKERS, first_name="Sam", last_name="Worker")


@pytest.fixture
def manager(make_staff):
    return make_staff(Role.TEAM_MANAGERS, first_name="Morgan", last_name="Manager")

from datetime import date

import pytest

from portal.roles import Role

from . import factories


@pytest.fixture
def social_worker(make_staff):
    return make_staff(Role.SOCIAL_WORKERS, first_name="Sam", last_name="Worker")


@pytest.fixture
def manager(make_staff):
    return make_staff(Role.TEAM_MANAGERS, first_name="Morgan", last_name="Manager")


@pytest.fixture
def ep_household(social_worker, manager):
    """Approved as adopters and foster carers on 2 January 2025."""
    return factories.approved_household(by=social_worker, manager=manager, on=date(2025, 1, 2))


@pytest.fixture
def adopters_only(social_worker, manager):
    """Approved adopters (2 January 2025), not foster carers: FfA needs a reg 25A approval."""
    return factories.approved_household(
        by=social_worker, manager=manager, on=date(2025, 1, 2), fostering=False, surname="Brook"
    )

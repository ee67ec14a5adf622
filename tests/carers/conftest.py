import pytest

from portal.roles import Role


@pytest.fixture
def social_worker(make_staff):
    return make_staff(Role.SOCIAL_WORKERS, first_name="Sam", last_name="Worker")


@pytest.fixture
def manager(make_staff):
    return make_staff(Role.TEAM_MANAGERS, first_name="Morgan", last_name="Manager")


@pytest.fixture(autouse=True)
def _private_storage(settings, tmp_path):
    settings.PRIVATE_STORAGE_ROOT = tmp_path / "private"
    settings.PDF_CACHE_DIR = tmp_path / "pdf-cache"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Staff are made in almost every test here; a slow hash would dominate the run."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

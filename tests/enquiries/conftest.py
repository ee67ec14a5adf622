import pytest

from .events.factories import BookingFactory, InformationEventFactory


@pytest.fixture(autouse=True)
def _locmem_email(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def event(db):
    return InformationEventFactory()


@pytest.fixture
def make_event(db):
    return InformationEventFactory


@pytest.fixture
def make_booking(db):
    return BookingFactory

import pytest

from .factories import FAQFactory, PageFactory, ServedPostcodeAreaFactory, StoryFactory


@pytest.fixture(autouse=True)
def _emails_kept(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def make_page(db):
    return PageFactory


@pytest.fixture
def make_faq(db):
    return FAQFactory


@pytest.fixture
def make_story(db):
    return StoryFactory


@pytest.fixture
def served_areas(db):
    return [
        ServedPostcodeAreaFactory(code="LS", name="Leeds", travel_note="About 30 minutes away."),
        ServedPostcodeAreaFactory(
            code="HD9", name="Holmfirth", travel_note="About an hour from our office."
        ),
    ]


@pytest.fixture
def editor_client(staff_client):
    from portal.roles import Role

    return staff_client(Role.CONTENT_EDITORS)

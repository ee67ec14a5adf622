"""Requests the database could not store, or too large to take, are refused before any view.

Run on PostgreSQL, which refuses NUL in text: without the refusal these were server errors.
"""

import logging

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tests.enquiries.events.factories import InformationEventFactory

pytestmark = pytest.mark.django_db

REFUSED = "cannot be used"


@pytest.fixture
def superuser_client(client, make_staff):
    client.force_login(make_staff(superuser=True))
    return client


def booking(**overrides):
    data = {
        "name": "Jo Bloggs",
        "email": "jo@example.com",
        "places": "1",
        "heard_about": "",
        "access_needs": "",
        "phone": "",
        "website": "",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize(
    "url",
    [
        "/bookings/%00abc/",
        "/bookings/abc%00/calendar.ics",
        "/bookings/abc%01def/",
        "/admin/carers/household/?q=%00",
        "/admin/carers/household/?status=%00",
        "/admin/autocomplete/?term=%00&app_label=placements&model_name=child&field_name=sibling_group",
        "/admin/carers/document/file/private/%00.pdf",
        "/admin/enquiries/enquiry/?q=a%00b",
    ],
)
def test_nul_in_a_path_or_query_is_refused_in_words(require_postgres, superuser_client, url):
    response = superuser_client.get(url)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/plain")
    assert REFUSED in response.content.decode()


def test_nul_in_a_form_value_is_refused_and_nothing_is_saved(require_postgres, client):
    from enquiries.models import Booking

    event = InformationEventFactory()
    response = client.post(event.get_absolute_url(), booking(name="Jo\x00Bloggs"))
    assert response.status_code == 400
    assert REFUSED in response.content.decode()
    assert not Booking.objects.exists()


def test_nul_in_an_uploaded_form_is_refused(require_postgres, superuser_client):
    response = superuser_client.post(
        "/admin/carers/household/add/",
        {"title": "a\x00b", "file": SimpleUploadedFile("a.pdf", b"%PDF-1.4")},
    )
    assert response.status_code == 400


def test_tabs_and_line_breaks_in_forms_and_searches_are_kept(require_postgres, superuser_client):
    assert superuser_client.get("/admin/carers/household/?q=a%09b").status_code == 200
    event = InformationEventFactory()
    response = Client().post(event.get_absolute_url(), booking(access_needs="Step-free\r\nplease"))
    assert response.status_code == 302


def test_a_body_larger_than_any_page_takes_is_refused_unread(client, settings):
    settings.REQUEST_BODY_MAX_BYTES = 1000
    event = InformationEventFactory()
    response = client.post(event.get_absolute_url(), booking(access_needs="x" * 2000), follow=False)
    assert response.status_code == 413
    page = response.content.decode()
    assert "<h1" in page and "What you sent is too large" in page
    assert "Back" in page and "still has what you entered" in page
    assert client.post(event.get_absolute_url(), booking()).status_code == 302


def test_a_household_save_too_large_gets_a_page_saying_the_limit(client):
    """Declared just over the limit (3 documents of 20 MB and 2 MB of form): the page
    says what one save can carry, and that Back finds the form as it was."""
    limit = (3 * 20 + 2) * 1024 * 1024
    response = client.post(
        "/admin/carers/household/1/change/", {"title": "x"}, CONTENT_LENGTH=str(limit + 1)
    )
    assert response.status_code == 413
    page = " ".join(response.content.decode().split())
    assert "at most 62 MB: up to 3 new documents of 20 MB each" in page
    assert "Use your browser&#x27;s Back button" in page or "Use your browser's Back" in page


def test_a_refusal_is_logged_on_one_line(superuser_client, make_staff, caplog):
    from portal.roles import Role

    superuser_client.force_login(make_staff(Role.EVENTS_TEAM))
    with caplog.at_level(logging.WARNING, logger="django.request"):
        assert superuser_client.get("/admin/carers/household/").status_code == 403
    (record,) = [r for r in caplog.records if r.name == "django.request"]
    assert record.getMessage() == "Forbidden (Permission denied): /admin/carers/household/"
    # What the console handler prints: one line, no traceback.
    handler = logging.getLogger().handlers[0]
    assert record.exc_info is None
    assert "\n" not in handler.format(record)

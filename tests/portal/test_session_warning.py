"""The warning before a staff session ends: the expiry staff pages count to, and the
"Stay signed in" endpoint that extends the session."""

import re
import time

import pytest
from django.test import Client

from portal.roles import Role

pytestmark = pytest.mark.django_db

URL = "/admin/session/extend/"


def expires_in(html: str) -> int:
    return int(re.search(r'data-expires-in="(\d+)"', html).group(1))


def test_every_staff_page_carries_the_expiry_from_the_server(client, make_staff, settings):
    settings.STAFF_SESSION_IDLE_SECONDS = 600
    settings.STAFF_SESSION_WARNING_SECONDS = 120
    client.force_login(make_staff(Role.EVENTS_TEAM))
    html = client.get("/admin/").content.decode()
    assert 598 <= expires_in(html) <= 600
    assert 'data-warn-before="120"' in html
    assert 'src="/static/js/session-warning.js"' in html


def test_the_expiry_is_the_longest_a_session_may_last_when_that_comes_first(
    client, make_staff, settings
):
    settings.STAFF_SESSION_IDLE_SECONDS = 600
    settings.STAFF_SESSION_MAX_SECONDS = 1000
    client.force_login(make_staff(Role.SOCIAL_WORKERS))
    session = client.session
    session["session_started"] = int(time.time()) - 900
    session.save()
    assert expires_in(client.get("/admin/").content.decode()) <= 100


def test_public_pages_carry_no_session_script(client, make_staff):
    client.force_login(make_staff(Role.SOCIAL_WORKERS))
    assert "session-warning.js" not in client.get("/faqs/").content.decode()


def idle_for(client, make_staff, seconds: int):
    """A social worker signed in, last seen ``seconds`` ago."""
    client.force_login(make_staff(Role.SOCIAL_WORKERS))
    session = client.session
    session["session_last_seen"] = int(time.time()) - seconds
    session.save()


def test_staff_extend_the_session_and_learn_its_new_length(client, make_staff, settings):
    settings.STAFF_SESSION_IDLE_SECONDS = 600
    idle_for(client, make_staff, 500)
    response = client.post(URL)
    assert response.status_code == 200
    assert 598 <= response.json()["expires_in"] <= 600
    assert client.session["session_last_seen"] >= int(time.time()) - 2


def test_an_ended_session_cannot_be_extended(client, make_staff, settings):
    settings.STAFF_SESSION_IDLE_SECONDS = 600
    idle_for(client, make_staff, 700)
    response = client.post(URL)
    assert response.status_code == 302 and "login" in response["Location"]
    assert "_auth_user_id" not in client.session


def test_anonymous_visitors_are_refused(client):
    assert client.post(URL).status_code == 403
    assert client.post(CARERS_URL).status_code == 403


# -- the carers' sessions: their own limits, the same warning on the pages of their area ----

CARERS_URL = "/accounts/session/extend/"


@pytest.fixture
def carer(client, make_staff):
    """An applicant signed in to their own area."""
    from carers.services import applicant_invite
    from tests.carers import factories

    household = factories.household(make_staff(Role.SOCIAL_WORKERS))
    applicant = household.applicants.get(position=1)
    applicant_invite(applicant=applicant, by=household.social_worker)
    applicant.refresh_from_db()
    client.force_login(applicant.account)
    return applicant.account


def test_a_carers_pages_carry_their_own_expiry_and_the_govuk_warning(client, carer, settings):
    settings.CARERS_SESSION_IDLE_SECONDS = 900
    settings.STAFF_SESSION_IDLE_SECONDS = 60
    settings.CARERS_SESSION_WARNING_SECONDS = 180
    html = client.get("/my/").content.decode()
    assert 898 <= expires_in(html) <= 900
    assert 'data-warn-before="180"' in html and 'data-look="govuk"' in html
    assert 'src="/static/js/session-warning.js"' in html
    assert f'data-extend-url="{CARERS_URL}"' in html


def test_an_idle_carer_is_signed_out_and_sent_to_sign_in_again(client, carer, settings):
    settings.CARERS_SESSION_IDLE_SECONDS = 600
    settings.STAFF_SESSION_IDLE_SECONDS = 60
    session = client.session
    session["session_last_seen"] = int(time.time()) - 300  # idle past the staff's limit
    session.save()
    assert client.get("/my/").status_code == 200
    session = client.session
    session["session_last_seen"] = int(time.time()) - 700
    session.save()
    response = client.get("/my/documents/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/my/documents/"
    assert "_auth_user_id" not in client.session


def test_a_carer_extends_their_session_until_its_longest(client, carer, settings):
    settings.CARERS_SESSION_IDLE_SECONDS = 600
    settings.CARERS_SESSION_MAX_SECONDS = 1000
    session = client.session
    session["session_last_seen"] = int(time.time()) - 500
    session.save()
    response = client.post(CARERS_URL)
    assert response.status_code == 200
    assert 598 <= response.json()["expires_in"] <= 600
    session = client.session
    session["session_started"] = int(time.time()) - 900
    session.save()
    assert client.post(CARERS_URL).json()["expires_in"] <= 100
    session = client.session
    session["session_started"] = int(time.time()) - 1100
    session.save()
    ended = client.post(CARERS_URL)
    assert ended.status_code == 403 and "_auth_user_id" not in client.session


def test_only_a_post_extends(client, make_staff):
    client.force_login(make_staff(Role.SOCIAL_WORKERS))
    assert client.get(URL).status_code == 405


def test_the_csrf_token_is_needed(make_staff):
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_staff(Role.SOCIAL_WORKERS))
    assert client.post(URL).status_code == 403
    html = client.get("/admin/").content.decode()
    token = re.search(r'data-csrf="([^"]+)"', html).group(1)
    response = client.post(URL, HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 200
    assert response.json()["expires_in"] > 0


def test_an_idle_carer_on_a_public_page_carries_on_as_a_visitor(client, carer, settings):
    settings.CARERS_SESSION_IDLE_SECONDS = 600
    session = client.session
    session["session_last_seen"] = int(time.time()) - 700
    session.save()
    page = client.get("/faqs/")
    assert page.status_code == 200
    assert "_auth_user_id" not in client.session
    # Their own area then asks them to sign in again.
    assert client.get("/my/")["Location"].startswith("/accounts/login/")


def test_an_idle_staff_member_is_sent_to_sign_in_from_any_page(client, make_staff, settings):
    settings.STAFF_SESSION_IDLE_SECONDS = 600
    idle_for(client, make_staff, 700)
    response = client.get("/faqs/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/faqs/"


def test_a_session_from_before_the_upgrade_keeps_its_start(client, make_staff, settings):
    """Sessions signed in under the earlier keys keep counting from their own start."""
    settings.STAFF_SESSION_MAX_SECONDS = 1000
    client.force_login(make_staff(Role.SOCIAL_WORKERS))
    session = client.session
    session["staff_session_started"] = int(time.time()) - 1100
    session["staff_last_seen"] = int(time.time()) - 10
    session.save()
    response = client.get("/admin/")
    assert response.status_code == 302 and "login" in response["Location"]
    assert "_auth_user_id" not in client.session

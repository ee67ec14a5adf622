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
    assert 'src="/static/js/staff-session.js"' in html


def test_the_expiry_is_the_longest_a_session_may_last_when_that_comes_first(
    client, make_staff, settings
):
    settings.STAFF_SESSION_IDLE_SECONDS = 600
    settings.STAFF_SESSION_MAX_SECONDS = 1000
    client.force_login(make_staff(Role.SOCIAL_WORKERS))
    session = client.session
    session["staff_session_started"] = int(time.time()) - 900
    session.save()
    assert expires_in(client.get("/admin/").content.decode()) <= 100


def test_public_pages_carry_no_session_script(client, make_staff):
    client.force_login(make_staff(Role.SOCIAL_WORKERS))
    assert "staff-session.js" not in client.get("/faqs/").content.decode()


def idle_for(client, make_staff, seconds: int):
    """A social worker signed in, last seen ``seconds`` ago."""
    client.force_login(make_staff(Role.SOCIAL_WORKERS))
    session = client.session
    session["staff_last_seen"] = int(time.time()) - seconds
    session.save()


def test_staff_extend_the_session_and_learn_its_new_length(client, make_staff, settings):
    settings.STAFF_SESSION_IDLE_SECONDS = 600
    idle_for(client, make_staff, 500)
    response = client.post(URL)
    assert response.status_code == 200
    assert 598 <= response.json()["expires_in"] <= 600
    assert client.session["staff_last_seen"] >= int(time.time()) - 2


def test_an_ended_session_cannot_be_extended(client, make_staff, settings):
    settings.STAFF_SESSION_IDLE_SECONDS = 600
    idle_for(client, make_staff, 700)
    response = client.post(URL)
    assert response.status_code == 302 and "login" in response["Location"]
    assert "_auth_user_id" not in client.session


def test_anonymous_visitors_and_non_staff_are_refused(client, django_user_model):
    assert client.post(URL).status_code == 403
    user = django_user_model.objects.create_user(email="carer@example.com", password="x" * 20)
    client.force_login(user)
    assert client.post(URL).status_code == 403


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

"""Sign-in by email, verified sign-up, and MFA enforced for staff."""

import pytest
from allauth.mfa.models import Authenticator
from django.core import mail

from portal.models import Notification, User
from portal.roles import Role

pytestmark = pytest.mark.django_db


def test_staff_without_mfa_are_sent_to_set_it_up_before_any_page(client, make_staff):
    user = make_staff(Role.TEAM_MANAGERS, mfa=False)
    client.force_login(user)
    paths = ("/admin/", "/admin/portal/notification/", "/", "/early-permanence/", "/events/")
    for path in paths:
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith("/accounts/2fa/totp/activate/"), path
    # Setting it up and signing out stay open.
    setup = client.get("/accounts/2fa/totp/activate/")
    assert setup.status_code == 302
    assert setup["Location"].startswith("/accounts/reauthenticate/")
    assert client.get(setup["Location"]).status_code == 200
    assert client.post("/accounts/logout/").status_code == 302
    assert "_auth_user_id" not in client.session


def test_staff_without_an_authenticator_cannot_sign_in_with_a_password_alone(client, make_staff):
    user = make_staff(Role.SOCIAL_WORKERS, mfa=False)
    response = client.post(
        "/accounts/login/",
        {"login": user.email, "password": "correct-horse-battery-staple"},
        follow=True,
    )
    assert "_auth_user_id" not in client.session
    assert "Ask an administrator to send you a new invitation" in response.content.decode()
    # Not a way round it either: the admin's own login goes to the same sign-in.
    assert client.get("/admin/").status_code == 302
    assert "_auth_user_id" not in client.session


def test_draft_previews_need_mfa_as_well_as_the_permission(rf, make_staff, settings):
    from django.contrib.auth.models import AnonymousUser

    from content.views import can_preview

    editor = make_staff(Role.CONTENT_EDITORS, mfa=False)
    request = rf.get("/")
    request.user = editor
    assert not can_preview(request, "page")
    request.user = make_staff(Role.CONTENT_EDITORS)
    assert can_preview(request, "page")
    request.user = make_staff(Role.EVENTS_TEAM)
    assert not can_preview(request, "page")
    request.user = AnonymousUser()
    assert not can_preview(request, "page")
    # Demo editors keep previewing without MFA only while DEBUG is on.
    demo = make_staff(Role.CONTENT_EDITORS, mfa=False, is_demo_account=True)
    request.user = demo
    settings.DEBUG = True
    assert can_preview(request, "page")
    settings.DEBUG = False
    assert not can_preview(request, "page")


def test_staff_with_mfa_reach_the_admin(client, make_staff):
    client.force_login(make_staff(Role.TEAM_MANAGERS))
    response = client.get("/admin/")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


def test_demo_staff_skip_mfa_only_while_debug_is_on(client, make_staff, settings):
    user = make_staff(Role.TEAM_MANAGERS, mfa=False, is_demo_account=True)
    client.force_login(user)
    settings.DEBUG = True
    assert client.get("/admin/").status_code == 200
    settings.DEBUG = False
    assert client.get("/admin/").status_code == 302


def test_admin_login_goes_through_allauth(client):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_login_with_mfa_asks_for_the_code(client, make_staff):
    user = make_staff(Role.SOCIAL_WORKERS)
    assert Authenticator.objects.filter(user=user).exists()
    response = client.post(
        "/accounts/login/",
        {"login": user.email, "password": "correct-horse-battery-staple"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/authenticate/"
    # Not signed in until the code is given.
    assert client.get("/admin/").status_code == 302


def test_public_sign_up_is_closed(client, django_capture_on_commit_callbacks):
    page = client.get("/accounts/signup/")
    assert page.status_code == 200
    assert "You cannot create an account here" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/accounts/signup/",
            {
                "email": "new.person@example.com",
                "password1": "a-long-and-unusual-passphrase",
                "password2": "a-long-and-unusual-passphrase",
            },
        )
    assert response.status_code == 200
    assert "You cannot create an account here" in response.content.decode()
    assert not User.objects.filter(email="new.person@example.com").exists()
    assert not Notification.objects.exists()
    assert len(mail.outbox) == 0
    assert "_auth_user_id" not in client.session


def test_the_sign_in_page_says_who_it_is_for_and_offers_no_sign_up(client):
    html = client.get("/accounts/login/").content.decode()
    assert "staff area" in html
    assert "you do not need an account" in html
    assert "/accounts/signup/" not in html
    assert "sign up" not in html.lower()


def test_usernames_are_not_used():
    user = User.objects.create_user(email="Mixed.Case@Example.com", password="x")
    assert user.email == "mixed.case@example.com"
    assert not hasattr(user, "username") or user.username is None


def test_staff_sessions_end_after_idle_time(client, make_staff, settings):
    client.force_login(make_staff(Role.TEAM_MANAGERS))
    assert client.get("/admin/").status_code == 200
    session = client.session
    session["session_last_seen"] -= settings.STAFF_SESSION_IDLE_SECONDS + 1
    session.save()
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert "_auth_user_id" not in client.session


def test_staff_sessions_end_after_twelve_hours_in_all(client, make_staff, settings):
    client.force_login(make_staff(Role.TEAM_MANAGERS))
    client.get("/admin/")
    session = client.session
    session["session_started"] -= settings.STAFF_SESSION_MAX_SECONDS + 1
    session.save()
    assert client.get("/admin/").status_code == 302


def test_staff_sign_in_with_password_and_authenticator_code_reaches_the_admin(client, make_staff):
    import time

    from allauth.mfa.totp.internal.auth import (
        TOTP,
        format_hotp_value,
        generate_totp_secret,
        hotp_value,
    )

    user = make_staff(Role.TEAM_MANAGERS, mfa=False)
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    client.post(
        "/accounts/login/?next=/admin/",
        {"login": user.email, "password": "correct-horse-battery-staple"},
    )
    wrong = client.post("/accounts/2fa/authenticate/", {"code": "000000"})
    assert wrong.status_code == 200
    assert "_auth_user_id" not in client.session
    code = format_hotp_value(hotp_value(secret, int(time.time()) // 30))
    response = client.post("/accounts/2fa/authenticate/", {"code": code})
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_a_code_from_the_step_before_is_accepted_in_tests(monkeypatch):
    """Tests compute a code from the clock and post it a moment later; a 30-second step
    ending in between must not fail them (tests/conftest.py)."""
    import time

    from allauth.mfa.totp.internal import auth

    secret = auth.generate_totp_secret()
    start = 1_800_000_000 - 1  # the last second of a step
    code = auth.format_hotp_value(auth.hotp_value(secret, start // 30))
    monkeypatch.setattr(time, "time", lambda: start + 2)  # the next step has begun
    assert auth.validate_totp_code(secret, code)
    assert not auth.validate_totp_code(
        secret, auth.format_hotp_value(auth.hotp_value(secret, start // 30 - 2))
    )

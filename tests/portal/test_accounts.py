"""Sign-in by email, verified sign-up, and MFA enforced for staff."""

import pytest
from allauth.mfa.models import Authenticator
from django.core import mail

from portal.models import User
from portal.roles import Role

pytestmark = pytest.mark.django_db


def test_staff_without_mfa_are_sent_to_set_it_up_before_any_admin_page(client, make_staff):
    user = make_staff(Role.TEAM_MANAGERS, mfa=False)
    client.force_login(user)
    for path in ("/admin/", "/admin/portal/notification/"):
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/2fa/totp/activate/")


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


def test_public_sign_up_needs_a_verified_email(client, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    response = client.post(
        "/accounts/signup/",
        {
            "email": "new.person@example.com",
            "password1": "a-long-and-unusual-passphrase",
            "password2": "a-long-and-unusual-passphrase",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    user = User.objects.get(email="new.person@example.com")
    assert not user.is_staff
    assert not user.emailaddress_set.get().verified
    assert len(mail.outbox) == 1
    # Unverified: signing in sends another verification, not a session.
    client.logout()
    client.post(
        "/accounts/login/",
        {"login": "new.person@example.com", "password": "a-long-and-unusual-passphrase"},
    )
    assert "_auth_user_id" not in client.session


def test_usernames_are_not_used():
    user = User.objects.create_user(email="Mixed.Case@Example.com", password="x")
    assert user.email == "mixed.case@example.com"
    assert not hasattr(user, "username") or user.username is None


def test_staff_sessions_end_after_idle_time(client, make_staff, settings):
    client.force_login(make_staff(Role.TEAM_MANAGERS))
    assert client.get("/admin/").status_code == 200
    session = client.session
    session["staff_last_seen"] -= settings.STAFF_SESSION_IDLE_SECONDS + 1
    session.save()
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert "_auth_user_id" not in client.session


def test_staff_sessions_end_after_twelve_hours_in_all(client, make_staff, settings):
    client.force_login(make_staff(Role.TEAM_MANAGERS))
    client.get("/admin/")
    session = client.session
    session["staff_session_started"] -= settings.STAFF_SESSION_MAX_SECONDS + 1
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

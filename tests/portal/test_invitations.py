"""Staff invitations: the only way a staff account gets its password and authenticator."""

import re
import time
from datetime import timedelta

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.utils import timezone

from portal.invitations import staff_invitation_send
from portal.models import Notification, StaffInvitation, User
from portal.roles import Role

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-long-and-unusual-passphrase"


def _invitation_path(notification: Notification) -> str:
    return notification.context["invitation_path"]


def test_a_superuser_invites_staff_from_the_users_admin(client, make_staff):
    client.force_login(make_staff(superuser=True))
    response = client.post(
        "/admin/portal/user/add/",
        {
            "email": "new.worker@oakway.example",
            "first_name": "New",
            "last_name": "Worker",
            "is_staff": "on",
            "groups": [],
        },
    )
    assert response.status_code == 302
    user = User.objects.get(email="new.worker@oakway.example")
    assert user.is_staff
    assert not user.has_usable_password()
    [notification] = Notification.objects.filter(template="portal/staff_invitation")
    assert notification.to == user.email
    assert re.fullmatch(r"/accounts/invitation/[\w-]{40,}/", _invitation_path(notification))
    # Only a hash of the token is kept.
    token = _invitation_path(notification).split("/")[-2]
    assert not StaffInvitation.objects.filter(token_hash=token).exists()
    assert StaffInvitation.objects.get(user=user).is_usable()


def test_the_invitation_sets_a_password_then_asks_for_an_authenticator_first(client, make_staff):
    user = make_staff(Role.SOCIAL_WORKERS, mfa=False)
    staff_invitation_send(user=user, by=None)
    path = _invitation_path(Notification.objects.get(template="portal/staff_invitation"))

    opened = client.get(path)
    # The token leaves the address bar (and the Referer of anything the page loads).
    assert opened.status_code == 302
    assert opened["Location"] == "/accounts/invitation/"
    form = client.get("/accounts/invitation/")
    assert form.status_code == 200
    assert "Choose a password" in form.content.decode()

    weak = client.post(
        "/accounts/invitation/", {"new_password1": "short", "new_password2": "short"}
    )
    assert weak.status_code == 200
    assert "govuk-error-summary" in weak.content.decode()
    assert "_auth_user_id" not in client.session

    done = client.post(
        "/accounts/invitation/", {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert done.status_code == 302
    assert done["Location"] == "/accounts/2fa/totp/activate/"
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert user.emailaddress_set.get().verified
    # Straight to the authenticator, without typing the new password again ...
    setup = client.get("/accounts/2fa/totp/activate/")
    assert setup.status_code == 200
    # ... and nothing else before it.
    for other in ("/admin/", "/", "/accounts/email/"):
        assert client.get(other)["Location"].startswith("/accounts/2fa/totp/activate/")

    secret = setup.context["form"].secret
    code = format_hotp_value(hotp_value(secret, int(time.time()) // 30))
    activated = client.post("/accounts/2fa/totp/activate/", {"code": code})
    assert activated.status_code == 302
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    assert client.get("/admin/").status_code == 200

    # The link worked once.
    client.logout()
    assert client.get(path).status_code == 404


def test_an_invitation_to_an_account_with_an_authenticator_still_asks_for_its_code(
    client, make_staff
):
    """A new invitation to an existing account sets the password, nothing more: whoever
    holds the link still needs a code from the account's authenticator to get in."""
    user = make_staff(Role.SOCIAL_WORKERS, superuser=True)
    staff_invitation_send(user=user, by=None)
    path = _invitation_path(Notification.objects.get(template="portal/staff_invitation"))
    client.get(path)
    done = client.post(
        "/accounts/invitation/", {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert done.status_code == 302
    assert done["Location"] == "/accounts/login/"
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert "_auth_user_id" not in client.session
    assert client.get("/admin/").status_code == 302
    assert client.get("/accounts/2fa/totp/activate/").status_code == 302

    # Signing in with the new password goes on to the code, as any sign-in does.
    signed = client.post("/accounts/login/", {"login": user.email, "password": NEW_PASSWORD})
    assert signed["Location"] == "/accounts/2fa/authenticate/"
    assert "_auth_user_id" not in client.session
    assert client.get("/admin/").status_code == 302
    # The link worked once.
    assert client.get(path).status_code == 404


def test_an_expired_or_replaced_invitation_cannot_be_used(client, make_staff):
    user = make_staff(Role.SOCIAL_WORKERS, mfa=False)
    staff_invitation_send(user=user, by=None)
    first = _invitation_path(Notification.objects.get(template="portal/staff_invitation"))
    staff_invitation_send(user=user, by=None)
    second = _invitation_path(
        Notification.objects.filter(template="portal/staff_invitation").latest("id")
    )
    replaced = client.get(first)
    assert replaced.status_code == 404
    assert "This invitation link cannot be used" in replaced.content.decode()
    StaffInvitation.objects.filter(user=user).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    assert client.get(second).status_code == 404
    # Nor can the form be reached with a token stashed before it expired.
    session = client.session
    session["staff_invitation_token"] = second.split("/")[-2]
    session.save()
    posted = client.post(
        "/accounts/invitation/", {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert posted.status_code == 404
    user.refresh_from_db()
    assert not user.check_password(NEW_PASSWORD)
    # A NUL never reaches the view: the request is refused before it (400, in words).
    assert client.get("/accounts/invitation/\x00/").status_code == 400


def test_only_superusers_send_invitations(client, make_staff):
    invitee = make_staff(Role.SOCIAL_WORKERS, mfa=False)
    client.force_login(make_staff(Role.TEAM_MANAGERS))
    response = client.post(
        "/admin/portal/user/",
        {"action": "send_invitation", "_selected_action": [invitee.pk]},
    )
    assert response.status_code == 403
    assert not StaffInvitation.objects.exists()
    client.force_login(make_staff(superuser=True))
    response = client.post(
        "/admin/portal/user/",
        {"action": "send_invitation", "_selected_action": [invitee.pk]},
    )
    assert response.status_code == 302
    assert StaffInvitation.objects.filter(user=invitee).count() == 1


def test_the_first_superuser_is_invited_from_the_command_line():
    from io import StringIO

    from django.core.management import CommandError, call_command

    out = StringIO()
    call_command("invite_staff", "first.admin@oakway.example", "--superuser", stdout=out)
    user = User.objects.get(email="first.admin@oakway.example")
    assert user.is_staff and user.is_superuser and not user.has_usable_password()
    assert Notification.objects.filter(to=user.email, template="portal/staff_invitation").exists()
    assert "first.admin" not in out.getvalue()  # the console shows no address
    with pytest.raises(CommandError):
        call_command("invite_staff", "not an address")

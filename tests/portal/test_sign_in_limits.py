"""Failed sign-ins: limited per address and per account, without locking out the holder."""

import logging
import time

import pytest
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
)
from django.core import mail
from django.test import Client

from portal.adapter import KNOWN_BROWSER_COOKIE
from portal.models import Notification
from portal.roles import Role

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery-staple"


def _sign_in(client, email, password):
    return client.post("/accounts/login/", {"login": email, "password": password})


def test_wrong_passwords_from_elsewhere_do_not_lock_out_a_browser_that_signed_in_before(
    make_staff, settings, django_capture_on_commit_callbacks, caplog
):
    settings.SIGN_IN_ACCOUNT_FAILURE_LIMIT = 5
    worker = make_staff(Role.SOCIAL_WORKERS, mfa=False)
    secret = generate_totp_secret()
    TOTP.activate(worker, secret)
    manager = make_staff(Role.TEAM_MANAGERS)
    own = Client(REMOTE_ADDR="192.0.2.10")
    assert _sign_in(own, worker.email, PASSWORD)["Location"] == "/accounts/2fa/authenticate/"
    assert KNOWN_BROWSER_COOKIE not in own.cookies  # only a completed sign-in is remembered
    code = format_hotp_value(hotp_value(secret, int(time.time()) // 30))
    assert own.post("/accounts/2fa/authenticate/", {"code": code}).status_code == 302
    assert KNOWN_BROWSER_COOKIE in own.cookies
    own.post("/accounts/logout/")
    assert "_auth_user_id" not in own.session

    # Someone who knows the address tries passwords from several addresses.
    attempts = []
    with caplog.at_level(logging.INFO), django_capture_on_commit_callbacks(execute=True):
        for n in range(7):
            attacker = Client(REMOTE_ADDR=f"198.51.100.{n + 1}")
            attempts.append(_sign_in(attacker, worker.email, "wrong-password"))
    paused = ["sign-in is paused" in r.content.decode() for r in attempts]
    assert paused == [False] * 5 + [True] * 2
    # Even the right password from a new browser waits ...
    stranger = Client(REMOTE_ADDR="198.51.100.99")
    _sign_in(stranger, worker.email, PASSWORD)
    assert "account_authentication_methods" not in stranger.session
    # ... but the holder's own browser goes on to the authenticator code.
    mine = _sign_in(own, worker.email, PASSWORD)
    assert mine.status_code == 302
    assert mine["Location"] == "/accounts/2fa/authenticate/"

    # The holder and the team managers are told once, through the outbox.
    alerts = Notification.objects.filter(key__startswith=f"sign-in-paused:{worker.pk}:")
    assert sorted(alerts.values_list("to", flat=True)) == sorted([worker.email, manager.email])
    assert {m.to[0] for m in mail.outbox} == {worker.email, manager.email}
    assert worker.email not in caplog.text
    assert "198.51.100" not in caplog.text


def test_a_browser_that_signed_in_before_gets_far_more_tries(make_staff, settings):
    settings.SIGN_IN_ACCOUNT_FAILURE_LIMIT = 2
    settings.SIGN_IN_KNOWN_BROWSER_FACTOR = 3
    user = make_staff(Role.EVENTS_TEAM, is_demo_account=True, mfa=False)
    settings.DEBUG = True  # a demo account signs in with its password alone
    own = Client(REMOTE_ADDR="192.0.2.20")
    assert _sign_in(own, user.email, PASSWORD).status_code == 302
    assert KNOWN_BROWSER_COOKIE in own.cookies
    own.post("/accounts/logout/")
    pages = [_sign_in(own, user.email, "wrong") for _ in range(7)]
    paused = ["sign-in is paused" in p.content.decode() for p in pages]
    assert paused == [False] * 6 + [True]


def test_the_per_address_limit_still_applies_across_accounts(make_staff):
    users = [make_staff(Role.EVENTS_TEAM) for _ in range(4)]
    client = Client(REMOTE_ADDR="203.0.113.5")
    pages = [_sign_in(client, users[n % 4].email, "wrong") for n in range(11)]
    # No account has reached its own limit (at most 3 of 5): the address has.
    paused = ["sign-in is paused" in p.content.decode() for p in pages]
    assert paused == [False] * 10 + [True]


def test_the_sign_in_paused_alert_goes_out_at_most_once_a_day_per_account(
    make_staff, settings, monkeypatch
):
    """Anyone who knows a staff address can pause its sign-in again each period; the
    holder and the team managers are not emailed each time."""
    settings.SIGN_IN_ACCOUNT_FAILURE_LIMIT = 2
    period = settings.SIGN_IN_ACCOUNT_FAILURE_PERIOD_SECONDS
    worker = make_staff(Role.SOCIAL_WORKERS)
    manager = make_staff(Role.TEAM_MANAGERS)
    noon = time.mktime(time.localtime()[:3] + (12, 0, 0, 0, 0, -1))
    pauses = 0
    for window in range(4):  # four periods of the same day
        monkeypatch.setattr(time, "time", lambda window=window: noon + window * period)
        pages = [
            _sign_in(Client(REMOTE_ADDR=f"198.51.100.{n + 1}"), worker.email, "wrong")
            for n in range(3)
        ]
        pauses += "sign-in is paused" in pages[-1].content.decode()
    assert pauses == 4
    alerts = Notification.objects.filter(key__startswith=f"sign-in-paused:{worker.pk}:")
    assert sorted(alerts.values_list("to", flat=True)) == sorted([worker.email, manager.email])

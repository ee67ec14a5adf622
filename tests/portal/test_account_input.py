"""Hostile and random input to the sign-up and sign-in forms: a clear answer, never a 500."""

import pytest
from django.core.cache import cache
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portal.models import User

pytestmark = pytest.mark.django_db

hostile = st.one_of(
    st.text(max_size=400),
    st.sampled_from(
        [
            "",
            " ",
            "<script>alert(1)</script>",
            "' OR 1=1 --",
            "\x00",
            "a" * 5000,
            "ünïcödé@exämple.com",
            "@",
            "a@b",
            "🙂" * 50,
        ]
    ),
)


def refused_as_unstorable(response, *values: str) -> bool:
    """NUL is refused before any form sees it (portal.middleware), in words, with a 400."""
    return (
        response.status_code == 400
        and "cannot be used" in response.content.decode()
        and any("\x00" in v for v in values)
    )


HYPOTHESIS = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@HYPOTHESIS
@given(email=hostile, password1=hostile, password2=hostile)
def test_sign_up_is_refused_in_words_for_any_input(email, password1, password2):
    cache.clear()  # each example starts below the rate limits
    before = User.objects.count()
    response = Client(REMOTE_ADDR="198.51.100.7").post(
        "/accounts/signup/", {"email": email, "password1": password1, "password2": password2}
    )
    if refused_as_unstorable(response, email, password1, password2):
        assert User.objects.count() == before
        return
    # Sign-up is closed: the page says so, and nobody is ever created.
    assert response.status_code == 200
    assert "You cannot create an account here" in response.content.decode()
    assert User.objects.count() == before


@HYPOTHESIS
@given(login=hostile, password=hostile)
def test_sign_in_never_fails_badly(login, password):
    cache.clear()
    response = Client(REMOTE_ADDR="198.51.100.8").post(
        "/accounts/login/", {"login": login, "password": password}
    )
    if refused_as_unstorable(response, login, password):
        return
    assert response.status_code == 200
    assert "govuk-error-summary" in response.content.decode()


def test_repeated_failed_sign_ins_are_rate_limited(client):
    User.objects.create_user(email="jo@example.com", password="the-right-passphrase")
    pages = [
        client.post("/accounts/login/", {"login": "jo@example.com", "password": "wrong"})
        for _ in range(6)
    ]
    assert "sign-in is paused" not in pages[0].content.decode()
    assert "sign-in is paused" in pages[-1].content.decode()
    # Even the right password is refused until the window has passed.
    right = client.post(
        "/accounts/login/", {"login": "jo@example.com", "password": "the-right-passphrase"}
    )
    assert "_auth_user_id" not in client.session
    assert right.status_code == 200


def test_changing_email_asks_for_the_password_again(client):
    from allauth.account.models import EmailAddress

    user = User.objects.create_user(email="jo@example.com", password="a-long-passphrase-1")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    client.force_login(user)
    response = client.post("/accounts/email/", {"action_add": "", "email": "new@example.com"})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/reauthenticate/")
    assert not EmailAddress.objects.filter(email="new@example.com").exists()

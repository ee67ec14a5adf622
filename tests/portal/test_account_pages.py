"""Account pages use the portal's layout and GOV.UK form markup."""

import pytest

from portal.roles import Role

pytestmark = pytest.mark.django_db


def test_sign_in_page_uses_the_portal_layout(client):
    html = client.get("/accounts/login/").content.decode()
    assert '<h1 class="govuk-heading-l">' in html
    assert "govuk-input" in html
    assert 'class="govuk-button"' in html
    assert "govuk-header" in html or "govuk-service-navigation" in html


def test_sign_in_errors_show_a_govuk_error_summary(client):
    response = client.post("/accounts/login/", {"login": "nobody@example.com", "password": "x"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "govuk-error-summary" in html
    assert "alert-danger" not in html


def test_authenticator_setup_page_renders_for_staff(client, make_staff):
    user = make_staff(Role.SOCIAL_WORKERS, mfa=False)
    client.post(
        "/accounts/login/", {"login": user.email, "password": "correct-horse-battery-staple"}
    )
    response = client.get("/admin/", follow=True)
    # Setting up MFA is sensitive, so the password is asked for again first.
    assert response.redirect_chain[-1][0].startswith("/accounts/reauthenticate/")
    client.post(response.redirect_chain[-1][0], {"password": "correct-horse-battery-staple"})
    response = client.get("/accounts/2fa/totp/activate/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Authenticator" in html
    assert "govuk-input" in html

"""Sign-in in Chromium: who it is for, its error state in GOV.UK style, closed sign-up and
a staff invitation, each with zero axe violations, zero HTML_CodeSniffer errors and zero Nu HTML
Checker errors."""

import pytest

from portal.invitations import staff_invitation_send
from portal.models import Notification
from portal.roles import Role

from .harness import assert_accessible, axe_check, html_check, htmlcs_check, page_problems

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# A browser's own link colour, the one an unstyled link keeps.
DEFAULT_LINK_BLUE = "rgb(0, 0, 238)"


def _style(page, selector, prop):
    return page.eval_on_selector(selector, f"el => getComputedStyle(el).{prop}")


def test_sign_in_with_errors_looks_and_reads_like_a_govuk_error_page(page, live_server):
    assert_accessible(page, "/accounts/login/", live_server)
    assert page.title().startswith("Sign in")
    assert page.get_by_role("heading", level=1).inner_text() == "Sign in"
    assert "you do not need an account" in page.locator("main").inner_text()
    # Labels, not placeholders; sentence case on the button.
    assert page.get_by_label("Email address").get_attribute("placeholder") is None
    assert page.get_by_label("Password").get_attribute("placeholder") is None
    page.get_by_label("Email address").fill("nobody@example.com")
    page.get_by_label("Password").fill("not-the-password")
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Sign in", exact=True).click()
    response = navigation.value
    assert response.status == 200
    assert page.title().startswith("Error: Sign in")
    assert page.locator(".govuk-error-summary").count() == 1
    assert page.evaluate("() => document.activeElement.closest('.govuk-error-summary') !== null")

    # The password box is in error: the error colour on its border, as on the message.
    error_colour = _style(page, ".govuk-error-message", "color")
    assert _style(page, "#id_password", "borderTopColor") == error_colour
    assert _style(page, "#id_login", "borderTopColor") != error_colour
    # Every link on the page is a GOV.UK link, not the browser's default blue.
    links = page.locator("main a")
    assert links.count() >= 3
    for n in range(links.count()):
        link = links.nth(n)
        assert link.evaluate("el => getComputedStyle(el).color") != DEFAULT_LINK_BLUE, (
            link.inner_text()
        )
    problems = page_problems(page)
    assert not problems, problems
    violations = axe_check(page)
    assert not violations, violations
    htmlcs_errors = htmlcs_check(page)
    assert not htmlcs_errors, htmlcs_errors
    html_errors = html_check(response.text())
    assert not html_errors, html_errors


def test_closed_sign_up_and_an_invitation_pass_every_check(page, live_server, make_staff):
    assert_accessible(page, "/accounts/signup/", live_server)
    assert page.get_by_role("heading", level=1).inner_text() == "You cannot create an account here"

    user = make_staff(Role.EVENTS_TEAM, mfa=False)
    staff_invitation_send(user=user, by=None)
    path = Notification.objects.get(template="portal/staff_invitation").context["invitation_path"]
    assert_accessible(page, path, live_server)
    assert page.url.endswith("/accounts/invitation/")
    page.get_by_label("New password", exact=True).fill("short")
    page.get_by_label("New password confirmation").fill("short")
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Set password and continue").click()
    response = navigation.value
    assert page.title().startswith("Error: Choose a password")
    error_colour = _style(page, ".govuk-error-message", "color")
    assert _style(page, "#id_new_password2", "borderTopColor") == error_colour
    violations = axe_check(page)
    assert not violations, violations
    htmlcs_errors = htmlcs_check(page)
    assert not htmlcs_errors, htmlcs_errors
    html_errors = html_check(response.text())
    assert not html_errors, html_errors

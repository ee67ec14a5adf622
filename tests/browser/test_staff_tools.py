"""The staff header's search box and the warning before a staff session ends, in Chromium:
the results page passes axe and HTML_CodeSniffer; the warning appears, "Stay signed in"
extends the session, and what was typed survives the session ending and signing in again."""

import time

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
)
from playwright.sync_api import expect

from portal.roles import Role
from tests.carers import factories as carer_factories
from tests.enquiries.enquiries.factories import EnquiryFactory
from tests.placements import factories as placement_factories

from .harness import axe_check, htmlcs_check, page_problems
from .test_carers_journey import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NO_SIDEWAYS_SCROLL = "() => document.documentElement.scrollWidth <= window.innerWidth"


def accessible(page, context=None):
    violations = axe_check(page, context=context)
    assert not violations, violations
    errors = htmlcs_check(page, context=context)
    assert not errors, errors


@pytest.mark.parametrize(("width", "theme"), [(1280, "light"), (320, "light"), (1280, "dark")])
def test_the_search_box_and_its_results_are_accessible(page, live_server, make_staff, width, theme):
    worker = make_staff(Role.SOCIAL_WORKERS, first_name="Sam", last_name="Worker")
    for _ in range(6):
        household = carer_factories.household(worker, applicants=1)
        household.applicants.update(first_name="Alex", last_name="Quillon")
    # Allocated to the worker: only their own caseload shows in their search.
    placement_factories.child(
        worker, first_name="Willow", last_name="Quillon", social_worker=worker
    )
    EnquiryFactory(first_name="Jo", last_name="Quillon")
    page.set_viewport_size({"width": width, "height": 900})
    # The admin follows the browser's colour scheme until someone picks a theme.
    page.emulate_media(color_scheme=theme)
    sign_in(page, live_server, worker)
    page.goto(f"{live_server.url}/admin/")
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert (background == "rgb(255, 255, 255)") == (theme == "light"), background
    accessible(page, "#header")
    page.get_by_role("searchbox", name="Search records").fill("quillon")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url("**/admin/search/?q=quillon")
    expect(page.get_by_role("heading", name="Carer households (6)")).to_be_visible()
    expect(page.get_by_role("heading", name="Children (1)")).to_be_visible()
    expect(page.get_by_role("link", name="See all 6 in the carer households list")).to_be_visible()
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    assert not page_problems(page)
    accessible(page, "#content-main")
    # Too short, and nothing found: said in words, still accessible.
    for term, words in (("q", "Enter at least 2"), ("Zebedee", "Nothing found for")):
        page.get_by_label("Name, reference, postcode or email").fill(term)
        page.get_by_role("button", name="Search").click()
        # Wait for the new page to load: the old one is still there for a moment.
        page.wait_for_url(f"**/admin/search/?q={term}")
        expect(page.get_by_text(words)).to_be_visible()
        accessible(page, "#content-main")
    # The "see all" link leads to the list, filtered by the same words.
    page.get_by_label("Name, reference, postcode or email").fill("quillon")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name="See all 6 in the carer households list").click()
    page.wait_for_url("**/admin/carers/household/?q=quillon")


def test_the_warning_appears_stay_signed_in_extends_and_typed_text_survives(
    page, live_server, make_staff, settings
):
    settings.STAFF_SESSION_IDLE_SECONDS = 12
    settings.STAFF_SESSION_WARNING_SECONDS = 6
    worker = make_staff(Role.SOCIAL_WORKERS, mfa=False, first_name="Sam", last_name="Worker")
    secret = generate_totp_secret()
    TOTP.activate(worker, secret)
    assert Authenticator.objects.filter(user=worker).exists()
    household = carer_factories.household(worker, applicants=1)
    address = f"/admin/carers/household/{household.pk}/notes/add/"
    sign_in(page, live_server, worker)
    page.goto(f"{live_server.url}{address}")
    note = page.locator("#content-main textarea").first
    assert not page_problems(page), list(page_problems(page))
    note.fill("Visited the family; the garden gate is now fixed.")

    # The warning: an alert dialog, with the focus on its button.
    dialog = page.get_by_role("alertdialog", name="You will be signed out soon")
    dialog.wait_for(timeout=30_000)
    assert page.evaluate("document.activeElement.textContent") == "Stay signed in"
    assert not page_problems(page), list(page_problems(page))
    accessible(page, "#staff-session-dialog")
    # The checkers just injected apply inline styles, which the policy refuses: from here
    # on only what comes after counts.
    checked = len(page_problems(page))
    dialog.get_by_role("button", name="Stay signed in").click()
    dialog.wait_for(state="hidden")
    assert "You are still signed in" in page.locator(".staff-session-status").inner_text()
    # Focus goes back where it was.
    assert page.evaluate("document.activeElement.tagName") == "TEXTAREA"

    # The session ends: what was typed is kept, and the dialog offers to sign in again.
    ended = page.get_by_role("alertdialog", name="You have been signed out")
    ended.wait_for(timeout=60_000)
    assert "kept in this browser tab" in ended.inner_text()
    assert not page_problems(page)[checked:]
    ended.get_by_role("link", name="Sign in again").click()
    page.wait_for_url("**/accounts/login/**")
    page.fill("input[name=login]", worker.email)
    page.fill("input[name=password]", "correct-horse-battery-staple")
    page.locator("#content-main [type=submit], main [type=submit]").first.click()
    page.wait_for_url("**/accounts/2fa/authenticate/**")
    page.fill("input[name=code]", format_hotp_value(hotp_value(secret, int(time.time()) // 30)))
    page.locator("main [type=submit], #content-main [type=submit]").first.click()
    page.wait_for_url(f"**{address}")
    assert note.input_value() == "Visited the family; the garden gate is now fixed."
    assert page.get_by_text(
        "What you typed before you were signed out has been put back"
    ).is_visible()
    assert not page_problems(page)[checked:]
    # Put back once only.
    page.reload()
    assert note.input_value() == ""

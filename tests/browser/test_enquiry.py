"""An enquiry in Chromium, from the home page to "Enquiry sent", error states included.

Every page on the way, and every page that shows errors, has zero axe violations, zero
HTML_CodeSniffer errors and zero Nu HTML Checker errors.
"""

import pytest

from enquiries.models import Enquiry

from .harness import assert_accessible, axe_check, html_check, htmlcs_check, page_problems

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def checked(page, response, *, status=200, errors=False):
    """The page now shown passes every check; with ``errors`` it shows a GOV.UK summary."""
    assert response is not None
    assert response.status == status, f"{page.url}: HTTP {response.status}"
    assert page.locator("h1").count() == 1
    summary = page.locator(".govuk-error-summary")
    if errors:
        assert summary.count() == 1
        assert page.title().startswith("Error: ")
        # GOV.UK Frontend moves focus to the summary so screen readers announce it.
        assert page.evaluate(
            "() => document.activeElement.closest('.govuk-error-summary') !== null"
        )
    else:
        assert summary.count() == 0
    problems = page_problems(page)
    assert not problems, problems
    violations = axe_check(page)
    assert not violations, violations
    htmlcs_errors = htmlcs_check(page)
    assert not htmlcs_errors, htmlcs_errors
    html_errors = html_check(response.text())
    assert not html_errors, html_errors


def submit(page, button="Continue"):
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name=button).click()
    return navigation.value


def test_a_newcomer_enquires_from_the_home_page(page, live_server):
    assert_accessible(page, "/", live_server)
    with page.expect_navigation() as navigation:
        page.locator("header a[href='/enquire/']").first.click()
    checked(page, navigation.value)
    assert page.get_by_role("heading", level=1).inner_text() == "Make an enquiry"

    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Start now").click()
    checked(page, navigation.value)

    # Step 1: about you, first with nothing filled in.
    checked(page, submit(page), errors=True)
    page.get_by_role("link", name="Enter your first name").click()
    assert page.evaluate("() => document.activeElement.id") == "id_first_name"
    page.get_by_label("First name").fill("Philippa")
    page.get_by_label("Last name").fill("Ng")
    page.get_by_label("Email address").fill("philippa@example")
    page.get_by_label("Postcode").fill("ok1 2ab")
    page.get_by_label("Yes", exact=True).check()  # 21 or over
    checked(page, submit(page), errors=True)  # the email address is not complete
    page.get_by_label("Email address").fill("philippa.ng@example.com")
    checked(page, submit(page))

    # Step 2: how to contact you.
    page.get_by_label("Phone", exact=True).check()
    page.get_by_label("Early evening (5pm to 7pm)").check()
    checked(page, submit(page), errors=True)  # a phone call needs a number
    page.get_by_label("Phone number").fill("01632 960 001")
    checked(page, submit(page))

    # Step 3: the household; the partner's name and the ages are revealed by their answers.
    checked(page, submit(page), errors=True)
    page.get_by_label("With a partner").check()
    page.get_by_label("Your partner’s full name").fill("Sam Ng")
    page.get_by_label("Yes").check()
    page.get_by_label("How old are they?").fill("3, 7")
    checked(page, submit(page))

    # Step 4: what interests them.
    checked(page, submit(page), errors=True)
    page.get_by_label("Concurrent Planning").check()
    page.get_by_label("How did you hear about us? (optional)").select_option("event")
    page.get_by_label("Is there anything you would like to ask us? (optional)").fill(
        "How often is family time?"
    )
    page.get_by_label("Is there anything personal you would like us to know? (optional)").fill(
        "We finished IVF treatment last year."
    )
    # Details like these are kept only with consent, asked beside them.
    checked(page, submit(page), errors=True)
    page.get_by_label("I agree that you may keep the personal details I shared").check()
    checked(page, submit(page))

    # Check your answers, then send: the privacy notice must be acknowledged.
    assert "Philippa Ng" in page.locator(".govuk-summary-list").inner_text()
    checked(page, submit(page, "Send enquiry"), errors=True)
    page.get_by_label("I have read the privacy notice").check()
    checked(page, submit(page, "Send enquiry"))
    assert page.get_by_role("heading", level=1).inner_text() == "Enquiry sent"

    enquiry = Enquiry.objects.get()
    assert (enquiry.first_name, enquiry.partner_name, enquiry.children_ages) == (
        "Philippa",
        "Sam Ng",
        [3, 7],
    )
    assert enquiry.contacts.get().question == "How often is family time?"
    assert enquiry.contacts.get().sensitive_details == "We finished IVF treatment last year."

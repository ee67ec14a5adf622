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


def test_an_enquirer_registers_their_interest_from_the_emailed_link(page, live_server):
    from django.contrib.auth import get_user_model

    from enquiries.services import registration as registration_services
    from tests.enquiries.enquiries.factories import EnquiryFactory

    staff = get_user_model().objects.create_user(email="rafi@oakway.example", is_staff=True)
    enquiry = EnquiryFactory(
        first_name="Philippa",
        last_name="Ng",
        household=Enquiry.Household.COUPLE,
        partner_name="Sam Ng",
        children_ages=[7],
    )
    Enquiry.objects.filter(pk=enquiry.pk).update(status=Enquiry.Status.INITIAL_VISIT_DONE)
    enquiry.refresh_from_db()
    token = registration_services.registration_link_send(enquiry=enquiry, by=staff)
    url = f"{live_server.url}/register-interest/{token}/"

    # Phone-first: the form fits 320 CSS pixels with no sideways scrolling.
    page.set_viewport_size({"width": 320, "height": 640})
    checked(page, page.goto(url))
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 320
    page.set_viewport_size({"width": 1024, "height": 768})

    # Sent with gaps: the summary's links reach the boxes, and nothing typed is lost.
    page.get_by_label("Town or city").fill("Oakway")
    checked(page, submit(page, "Send your Registration of Interest"), errors=True)
    page.get_by_role("link", name="Enter your date of birth").click()
    assert page.evaluate("() => document.activeElement.id") == "id_date_of_birth_0"
    assert page.get_by_label("Town or city").input_value() == "Oakway"

    about_you = page.get_by_role("group", name="Your date of birth")
    about_you.get_by_label("Day").fill("27")
    about_you.get_by_label("Month").fill("3")
    checked(page, submit(page, "Save for later"))
    assert "Your answers are saved" in page.locator(".govuk-notification-banner").inner_text()

    about_you = page.get_by_role("group", name="Your date of birth")
    about_you.get_by_label("Year").fill("1985")
    page.get_by_label("First name").first.fill("Sam")
    page.get_by_label("Last name", exact=True).first.fill("Ng")
    partner = page.get_by_role("group", name="Their date of birth").first
    partner.get_by_label("Day").fill("14")
    partner.get_by_label("Month").fill("10")
    partner.get_by_label("Year").fill("1983")
    page.get_by_label("Address line 1").fill("4 Orchard Row")
    page.get_by_label("Postcode").fill("ok1 2ab")
    page.get_by_role("textbox", name="Local council").fill("Oakway City Council")
    page.get_by_role("group", name="Do you have pets at home?").get_by_label("No").check()
    child = page.get_by_role("group", name="Child 1 living with you (aged 7 when you enquired)")
    child.get_by_label("First name").fill("Ada")
    child.get_by_label("Who they are to you").fill("Daughter")
    born = child.get_by_role("group", name="Their date of birth")
    born.get_by_label("Day").fill("2")
    born.get_by_label("Month").fill("5")
    born.get_by_label("Year").fill("2019")
    page.get_by_label("Why do you want to care for a child through Early Permanence?").fill(
        "We have room in our lives for a baby who needs it."
    )
    page.get_by_label("I confirm that what I have told you is true", exact=False).check()
    checked(page, submit(page, "Send your Registration of Interest"))
    assert page.get_by_role("heading", level=1).inner_text() == "Registration of Interest sent"
    assert "4 Orchard Row, Oakway, OK1 2AB" in page.locator(".govuk-summary-list").inner_text()

    enquiry.refresh_from_db()
    assert enquiry.status == Enquiry.Status.ROI_RECEIVED

    # A link that no longer works says so, in a page that passes the same checks.
    checked(page, page.goto(f"{live_server.url}/register-interest/not-a-token/"), status=404)
    assert page.get_by_role("heading", level=1).inner_text() == "This link does not work"

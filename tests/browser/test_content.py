"""Public content and the eligibility checker in Chromium: axe-core, HTML_CodeSniffer and the Nu checker."""

import pytest
from playwright.sync_api import expect

from content.models import Story
from tests.content.factories import ServedPostcodeAreaFactory

from .harness import assert_accessible, axe_check, html_check, htmlcs_check

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize(
    "url_path",
    [
        "/early-permanence/",
        "/early-permanence/what-is-early-permanence/",
        "/early-permanence/how-it-differs/",
        "/early-permanence/birth-parents/",
        "/faqs/",
        "/stories/",
        "/stories/when-a-child-goes-home/",
        "/eligibility/",
    ],
)
def test_content_pages_are_accessible_and_valid(page, live_server, url_path):
    assert_accessible(page, url_path, live_server)


def test_the_home_page_leads_to_the_content(page, live_server):
    assert_accessible(page, "/", live_server)
    page.locator(".govuk-service-navigation").get_by_role("link", name="Birth parents").click()
    assert page.locator("h1").inner_text() == "For birth parents"
    page.get_by_role("link", name="Family time with your child").first.click()
    assert page.locator("h1").inner_text() == "Family time with your child"


def test_a_faq_opens_to_its_answer(page, live_server):
    assert_accessible(page, "/faqs/", live_server)
    question = page.get_by_text("Can I apply if I am single?")
    answer = page.get_by_text("Single applicants are welcome.")
    assert not answer.is_visible()
    question.click()
    expect(answer).to_be_visible()
    assert not axe_check(page)
    assert not htmlcs_check(page), htmlcs_check(page)


def test_every_step_of_the_checker_and_its_errors_are_accessible(page, live_server):
    ServedPostcodeAreaFactory(code="LS", name="Leeds", travel_note="About 30 minutes away.")
    assert_accessible(page, "/eligibility/", live_server)
    page.get_by_role("button", name="Start now").click()

    steps = [
        ("Are you 21 or over?", lambda: page.get_by_label("Yes").check()),
        ("Have you lived in the UK for at least a year?", lambda: page.get_by_label("Yes").check()),
        (
            "What is the first part of your postcode?",
            lambda: page.get_by_label("What is the first part of your postcode?").fill("LS6"),
        ),
        ("Could you, or one of you, be at home", lambda: page.get_by_label("Not sure yet").check()),
        ("Would you apply on your own", lambda: page.get_by_label("On my own").check()),
        ("Do any children live in your home?", lambda: page.get_by_label("No").check()),
    ]
    for heading, fill in steps:
        assert heading in page.locator("h1").inner_text()
        _assert_page_ok(page, page.url)

        # The error state: continue without answering.
        with page.expect_navigation() as navigation:
            page.get_by_role("button", name="Continue").click()
        assert page.title().startswith("Error: ")
        summary = page.locator(".govuk-error-summary")
        expect(summary).to_be_visible()
        assert not axe_check(page), axe_check(page)
        assert not htmlcs_check(page), htmlcs_check(page)
        errors = html_check(navigation.value.text())
        assert not errors, errors

        fill()
        page.get_by_role("button", name="Continue").click()

    assert "Let’s talk about your situation" in page.locator("h1").inner_text()
    _assert_page_ok(page, page.url)
    assert page.get_by_role("button", name="Book an information event").count() == 1


def test_the_checker_result_when_all_is_clear(page, live_server):
    answers = ["Yes", "Yes", None, "Yes", "With a partner", "Yes"]
    page.goto(f"{live_server.url}/eligibility/age/")
    for label in answers:
        if label is None:
            continue  # no served areas: the postcode question is skipped
        page.get_by_label(label, exact=True).check()
        page.get_by_role("button", name="Continue").click()
    assert (
        page.locator(".govuk-panel__title").inner_text() == "You could be an Early Permanence carer"
    )
    _assert_page_ok(page, page.url)


def _assert_page_ok(page, url):
    response = page.request.get(url)
    assert response.status == 200
    assert not axe_check(page), axe_check(page)
    assert not htmlcs_check(page), htmlcs_check(page)
    errors = html_check(response.text())
    assert not errors, errors


def test_a_story_is_listed(page, live_server):
    story = Story.objects.get(slug="a-single-carer")
    page.goto(f"{live_server.url}/stories/")
    page.get_by_role("link", name=story.title).click()
    assert page.locator("h1").inner_text() == story.title
    expect(page.get_by_text("This story is illustrative.")).to_be_visible()

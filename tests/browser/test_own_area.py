"""The carers' own area in Chromium: every page passes axe-core, HTML_CodeSniffer and the Nu
checker at 1280 and 320 CSS pixels, with no sideways scrolling on a phone; the staff page
that invites the applicants passes both engines too."""

import re
from datetime import date, timedelta

import pytest
from allauth.mfa.models import Authenticator
from django.utils import timezone
from playwright.sync_api import expect

from carers import services
from carers.models import Applicant, Stage, SupportNetworkMember
from enquiries.models import InformationEvent
from portal.roles import Role
from tests.carers import factories as f
from tests.enquiries.events.factories import InformationEventFactory
from tests.placements import factories as placement_factories

from .harness import assert_accessible, axe_check, html_check, htmlcs_check, page_problems
from .test_carers_journey import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NO_SIDEWAYS_SCROLL = "() => document.documentElement.scrollWidth <= window.innerWidth"


@pytest.fixture
def social_worker(make_staff):
    return make_staff(Role.SOCIAL_WORKERS, first_name="Sam", last_name="Worker")


@pytest.fixture
def manager(make_staff):
    return make_staff(Role.TEAM_MANAGERS, first_name="Morgan", last_name="Manager")


def _applicant(household, by):
    applicant = household.applicants.get(position=1)
    services.applicant_invite(applicant=applicant, by=by)
    applicant.refresh_from_db()
    return applicant


@pytest.mark.parametrize("width", [1280, 320])
def test_every_page_of_the_own_area_is_accessible(page, live_server, social_worker, width):
    household = f.household(social_worker)
    f.to_stage(household, Stage.STAGE_1, social_worker)
    f.ensure_training_catalogue()
    services.training_records_sync(household=household)
    applicant = _applicant(household, social_worker)
    asked = services.document_request_create(
        household=household,
        title="Your completed reference form",
        note="Both pages, signed.",
        due_on=timezone.localdate() + timedelta(days=10),
        by=social_worker,
    )
    event = InformationEventFactory(
        title="Preparation training, day 1", topic=InformationEvent.Topic.PREPARATION, places=4
    )
    services.event_offer(household=household, event=event, by=social_worker)
    # A session for family and friends, with the support network to invite.
    family = InformationEventFactory(
        title="Family and friends evening",
        topic=InformationEvent.Topic.FAMILY_AND_FRIENDS,
        places=10,
    )
    services.event_offer(household=household, event=family, by=social_worker)
    SupportNetworkMember.objects.create(
        household=household, name="Gwen Ashby", relationship="Grandmother", email="gwen@example.com"
    )
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, live_server, applicant.account)
    pages = {"/my/": "Your journey", "/my/letters/": "Your letters"}
    pages["/my/training/"] = "Training and groups"
    pages["/my/two-step-sign-in/"] = "Two-step sign-in"
    pages["/my/documents/"] = "Documents to send"
    pages["/my/support/"] = "Support"
    pages["/my/book/"] = "Communication book"
    pages["/my/emails/"] = "Emails from us"
    pages["/my/forms/health-consent/"] = "Health consent form"
    pages["/my/forms/support-network/"] = "Your support network"
    pages[f"/my/documents/{asked.pk}/"] = "Your completed reference form"
    for path, heading in pages.items():
        assert_accessible(page, path, live_server)
        assert page.get_by_role("heading", level=1).inner_text() == heading
        assert page.evaluate(NO_SIDEWAYS_SCROLL), path
    # A place booked for both applicants: the page says so, and still passes.
    page.goto(f"{live_server.url}/my/training/")
    main = page.locator("main").inner_text()
    assert "Preparation training, day 1" in main, main
    page.locator(f"#event-{event.pk}").get_by_label("Both of us").check()
    page.locator(f"#event-{event.pk} form[action$='/book/'] button").click()
    page.wait_for_url("**/my/training/")
    assert "You are booked on" in page.locator(".govuk-notification-banner").inner_text()
    assert "Booked" in page.locator("main").inner_text()
    assert not axe_check(page), axe_check(page)
    assert not htmlcs_check(page), htmlcs_check(page)
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    assert_accessible(page, f"/my/training/{event.pk}/cancel/", live_server)
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    # Gran is invited from the same page, which still passes.
    page.goto(f"{live_server.url}/my/training/")
    page.get_by_label("Gwen Ashby (Grandmother)").check()
    page.get_by_role("button", name="Invite them").click()
    page.wait_for_url("**/my/training/**")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Gwen Ashby is invited")
    assert "Gwen Ashby: invited, with a place" in page.locator("main").inner_text()
    assert not axe_check(page), axe_check(page)
    assert not htmlcs_check(page), htmlcs_check(page)
    assert not html_check(page.content()), html_check(page.content())
    page.goto(f"{live_server.url}/my/documents/{asked.pk}/")
    # Sent with no file: the error summary leads, takes the focus, and the page still passes.
    page.get_by_role("button", name="Send the file").click()
    page.wait_for_load_state()
    assert page.title().startswith("Error: ")
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    assert "Choose the file to send" in page.locator(".govuk-error-summary").inner_text()
    assert not page_problems(page)
    assert not axe_check(page), axe_check(page)
    assert not htmlcs_check(page), htmlcs_check(page)
    assert not html_check(page.content()), html_check(page.content())
    # A file that is not what its name says: refused in words.
    page.set_input_files(
        "input[type=file]",
        files=[{"name": "form.pdf", "mimeType": "application/pdf", "buffer": b"<html></html>"}],
    )
    page.get_by_role("button", name="Send the file").click()
    page.wait_for_load_state()
    assert "This file is not a PDF" in page.locator(".govuk-error-summary").inner_text()
    # A real one is sent, and the journey no longer asks for it.
    page.set_input_files(
        "input[type=file]",
        files=[{"name": "form.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.7\n"}],
    )
    page.get_by_role("button", name="Send the file").click()
    page.wait_for_url("**/my/documents/")
    assert "is sent" in page.locator(".govuk-notification-banner").inner_text()
    page.goto(f"{live_server.url}/my/")
    main = page.locator("main").inner_text()
    assert "You are in Stage 1" in main
    assert "Your completed reference form" not in main
    # The health consent sent unfinished: the error summary leads, and the page passes.
    page.goto(f"{live_server.url}/my/forms/health-consent/")
    page.get_by_label("Your GP practice").fill("Oakford Surgery")
    page.get_by_role("button", name="Send the form").click()
    expect(page).to_have_title(re.compile("^Error: "))
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    assert not axe_check(page), axe_check(page)
    assert not htmlcs_check(page), htmlcs_check(page)
    assert not html_check(page.content()), html_check(page.content())
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    assert page.get_by_label("Your GP practice").input_value() == "Oakford Surgery"


def test_the_support_network_form_grows_a_person_at_a_time_on_a_phone(
    page, live_server, social_worker
):
    household = f.household(social_worker)
    applicant = _applicant(household, social_worker)
    page.set_viewport_size({"width": 320, "height": 800})
    sign_in(page, live_server, applicant.account)
    page.goto(f"{live_server.url}/my/forms/support-network/")
    first = page.locator("#person-1")
    first.get_by_label("Their full name").fill("Priya Shah")
    first.get_by_label("Who they are to you").fill("Friend")
    page.get_by_role("button", name="Add another person").click()
    # The new person is announced (the banner takes the focus), and nothing typed is lost.
    banner = page.locator(".govuk-notification-banner")
    expect(banner).to_contain_text("Person 2 is added at the end")
    expect(banner).to_be_focused()
    second = page.locator("#person-2")
    expect(second.get_by_role("heading", name="Person 2")).to_be_visible()
    expect(page.locator("#person-1").get_by_label("Who they are to you")).to_have_value("Friend")
    second.get_by_label("Their full name").fill("Tom Reid")
    # Enter in a box saves (the form's first button), never removes anyone.
    second.get_by_label("Their email address").fill("tom@")
    second.get_by_label("Their email address").press("Enter")
    expect(banner).to_contain_text("Your answers are saved")
    expect(page.locator("#person-2").get_by_label("Their full name")).to_have_value("Tom Reid")
    expect(page.locator("#person-1").get_by_label("Their full name")).to_have_value("Priya Shah")
    # Sent with gaps: the error summary leads, takes the focus, and the page passes.
    page.get_by_role("button", name="Send to your social worker").click()
    expect(page).to_have_title(re.compile("^Error: "))
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    for message in (
        "Enter a phone number or an email address for Priya Shah",
        "Enter who Tom Reid is to you",
        "Enter Tom Reid's email address in the right format",
    ):
        expect(summary).to_contain_text(message)
    assert not page_problems(page)
    assert not axe_check(page), axe_check(page)
    assert not htmlcs_check(page), htmlcs_check(page)
    assert not html_check(page.content()), html_check(page.content())
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    # The summary's link leads to the box.
    summary.get_by_role("link", name="Enter who Tom Reid is to you").click()
    expect(page.locator("#person-2").get_by_label("Who they are to you")).to_be_focused()
    page.locator("#person-2").get_by_label("Who they are to you").fill("Neighbour")
    page.locator("#person-2").get_by_label("Their email address").fill("tom@example.com")
    page.locator("#person-1").get_by_label("Their phone number").fill("07700 900001")
    page.get_by_role("button", name="Send to your social worker").click()
    expect(page.locator(".govuk-panel")).to_contain_text("Sent on")
    assert "Neighbour; tom@example.com" in page.locator("main").inner_text()
    assert not axe_check(page), axe_check(page)
    assert not htmlcs_check(page), htmlcs_check(page)
    assert not html_check(page.content()), html_check(page.content())
    assert sorted(household.support_network.values_list("name", flat=True)) == [
        "Priya Shah",
        "Tom Reid",
    ]


def test_the_two_step_page_a_placed_carer_must_pass_and_a_closed_household_are_accessible(
    page, live_server, social_worker, manager
):
    household = placement_factories.approved_household(
        by=social_worker, manager=manager, on=date(2025, 1, 2)
    )
    placement_factories.placement(social_worker, household, placed_on=date(2025, 2, 3))
    applicant = _applicant(household, social_worker)
    sign_in(page, live_server, applicant.account)
    page.goto(f"{live_server.url}/my/")
    page.wait_for_url("**/my/two-step-sign-in/")
    assert_accessible(page, "/my/two-step-sign-in/", live_server)
    assert "Set up two-step sign-in before you go on" in page.locator("main").inner_text()

    # With two-step sign-in: the week's family time and the note after a session.
    Authenticator.objects.create(
        user=applicant.account, type=Authenticator.Type.TOTP, data={"secret": "x"}
    )
    child = household.placements.get().children.get()
    today = timezone.localdate()
    monday = today - timedelta(days=today.weekday())
    placement_factories.family_time_plan(
        social_worker,
        child,
        starts_on=monday - timedelta(days=7),
        today=monday - timedelta(days=7),
        withhold_surname=True,
        handover="never_meet",
    )
    past = child.family_time_sessions.get(held_on=monday - timedelta(days=7))
    for width in (1280, 320):
        page.set_viewport_size({"width": width, "height": 900})
        assert_accessible(page, "/my/family-time/", live_server)
        assert page.evaluate(NO_SIDEWAYS_SCROLL)
        assert_accessible(page, f"/my/family-time/{past.pk}/", live_server)
        assert page.evaluate(NO_SIDEWAYS_SCROLL)
        assert_accessible(page, "/my/book/", live_server)
        assert page.evaluate(NO_SIDEWAYS_SCROLL)
    # Words that give the carers away: refused in an error summary that takes the focus.
    page.get_by_label("Your entry for the birth family").fill("Love from the Rivers family")
    page.get_by_role("button", name="Send your entry").click()
    expect(page).to_have_title(re.compile("^Error: "))
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    assert "It names your surname" in page.locator(".govuk-error-summary").inner_text()
    assert not axe_check(page), axe_check(page)
    assert not htmlcs_check(page), htmlcs_check(page)
    assert not html_check(page.content()), html_check(page.content())
    page.get_by_label("Your entry for the birth family").fill("She smiled at the dog.")
    page.get_by_role("button", name="Send your entry").click()
    page.wait_for_url("**/my/book/")
    assert "Waiting for your social worker" in page.locator("main").inner_text()
    assert not axe_check(page), axe_check(page)
    page.goto(f"{live_server.url}/my/family-time/{past.pk}/")
    page.get_by_label("Miles you drove for this session (optional)").fill("lots")
    page.get_by_role("button", name="Save").click()
    page.wait_for_load_state()
    assert page.title().startswith("Error: ")
    assert "Enter the miles as a number" in page.locator(".govuk-error-summary").inner_text()
    assert not axe_check(page), axe_check(page)
    assert not htmlcs_check(page), htmlcs_check(page)
    page.get_by_label("Miles you drove for this session (optional)").fill("")
    page.get_by_label("How was the child after the session? (optional)").fill("Settled well.")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url("**/my/family-time/?week=*")
    assert "Settled well." in page.locator("main").inner_text()

    closed = f.household(social_worker, applicants=1)
    Applicant.objects.filter(household=closed).update(email="closed@example.com")
    closed_applicant = _applicant(closed, social_worker)
    services.household_close(
        household=closed, on=timezone.localdate(), reason="Withdrew", by=social_worker
    )
    sign_in(page, live_server, closed_applicant.account)
    assert_accessible(page, "/my/letters/", live_server)
    # An account with nothing here gets a page that says so, accessible too.
    sign_in(page, live_server, manager)
    assert_accessible(page, "/my/", live_server, status=403)


def test_the_staff_page_that_invites_the_applicants_is_accessible(page, live_server, social_worker):
    household = f.household(social_worker)
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, live_server, social_worker)
    page.goto(f"{live_server.url}/admin/carers/household/{household.pk}/own-area/")
    page.get_by_role("button", name="Invite Alex Rivers").click()
    page.wait_for_load_state()
    assert "is invited" in page.locator(".messagelist").inner_text()
    assert not page_problems(page)
    assert not axe_check(page, context="#content"), axe_check(page, context="#content")
    assert not htmlcs_check(page, context="#content"), htmlcs_check(page, context="#content")
    page.get_by_role("link", name="Offer training or a group").click()
    page.wait_for_load_state()
    assert not axe_check(page, context="#content"), axe_check(page, context="#content")
    assert not htmlcs_check(page, context="#content"), htmlcs_check(page, context="#content")
    page.goto(f"{live_server.url}/admin/carers/household/{household.pk}/own-area/")
    page.get_by_role("link", name="Ask for a document").click()
    page.wait_for_load_state()
    assert not axe_check(page, context="#content"), axe_check(page, context="#content")
    page.get_by_label("What are you asking for?").fill("Your payslips")
    page.get_by_role("button", name="Ask for it").click()
    page.wait_for_load_state()
    assert "Your payslips" in page.locator("#content-main").inner_text()
    assert not axe_check(page, context="#content"), axe_check(page, context="#content")
    assert not htmlcs_check(page, context="#content"), htmlcs_check(page, context="#content")


def test_a_carer_is_warned_before_their_session_ends_and_can_stay_signed_in(
    page, live_server, social_worker, settings
):
    """WCAG 2.2.1: the carers' idle timeout warns first and lets them extend it."""
    settings.CARERS_SESSION_IDLE_SECONDS = 12
    settings.CARERS_SESSION_WARNING_SECONDS = 6
    household = f.household(social_worker)
    applicant = _applicant(household, social_worker)
    page.set_viewport_size({"width": 320, "height": 700})
    sign_in(page, live_server, applicant.account)
    page.goto(f"{live_server.url}/my/")
    assert not page_problems(page), page_problems(page)
    dialog = page.get_by_role("alertdialog", name="You will be signed out soon")
    dialog.wait_for(timeout=30_000)
    assert page.evaluate("document.activeElement.textContent") == "Stay signed in"
    assert "govuk-button" in dialog.get_by_role("button").get_attribute("class")
    assert not axe_check(page, context="#my-session-dialog")
    assert not htmlcs_check(page, context="#my-session-dialog")
    dialog.get_by_role("button", name="Stay signed in").click()
    dialog.wait_for(state="hidden")
    expect(page.locator("[role=status].govuk-visually-hidden")).to_contain_text(
        "You are still signed in"
    )
    # Left alone, the session ends, and the dialog offers to sign in again.
    ended = page.get_by_role("alertdialog", name="You have been signed out")
    ended.wait_for(timeout=60_000)
    ended.get_by_role("link", name="Sign in again").click()
    page.wait_for_url("**/accounts/login/?next=%2Fmy%2F")

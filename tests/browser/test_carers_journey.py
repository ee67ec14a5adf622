"""A social worker takes a household from Registration of Interest to approval, in Chromium.

Everything happens in the staff area as staff use it: the add form, the inlines for
checks, training and documents, and the buttons of each track; a team manager records
the agency decisions.
"""

import pytest
from django.test import Client
from django.utils import timezone

from carers.models import Household, PanelSitting
from portal.roles import Role
from tests.carers.factories import ensure_training_catalogue, quorum

from .harness import axe_check, htmlcs_check, page_problems

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, live_server, user):
    """A real session for ``user`` (who has MFA set up), handed to the browser as its cookie."""
    client = Client()
    client.force_login(user)
    page.context.clear_cookies()
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def section(page, label):
    """Open a section of the household page by its link."""
    page.locator("nav.case-sections").get_by_role("link", name=label, exact=True).click()
    page.wait_for_load_state()
    assert page.locator("nav.case-sections [aria-current=page]").inner_text() == label


def stage(page, track):
    return page.locator(f".carers-stage[data-track='{track}']").inner_text()


def press(page, label):
    """Press a next-step button on the household page, then confirm its form."""
    page.get_by_role("link", name=label, exact=True).first.click()
    page.locator("input[type=submit].default").click()
    page.wait_for_load_state()
    errors = page.locator(".errornote")
    assert errors.count() == 0, errors.first.inner_text()


def save_and_continue(page):
    page.locator("input[name=_continue]").click()
    page.wait_for_load_state()
    assert page.locator(".errornote").count() == 0, page.locator(".errornote").first.inner_text()


def test_a_social_worker_takes_a_household_from_roi_to_approval(page, live_server, make_staff):
    today = timezone.localdate().isoformat()
    ensure_training_catalogue()
    worker = make_staff(Role.SOCIAL_WORKERS, first_name="Sam", last_name="Worker")
    manager = make_staff(Role.TEAM_MANAGERS, first_name="Morgan", last_name="Manager")
    quorum(PanelSitting.objects.create(sits_on=timezone.localdate(), kind=PanelSitting.Kind.JOINT))
    sign_in(page, live_server, worker)

    # The Registration of Interest arrives: the household is added.
    page.goto(f"{live_server.url}/admin/carers/household/add/")
    page.select_option("select[name=social_worker]", str(worker.pk))
    page.fill("input[name=roi_received_on]", today)
    page.fill("input[name=address_line_1]", "21 Hawthorn Road")
    page.fill("input[name=town]", "Oakford")
    page.fill("input[name=postcode]", "ok1 7hr")
    page.fill("input[name=local_authority]", "Oakshire")
    page.fill("input[name=applicants-0-first_name]", "Lee")
    page.fill("input[name=applicants-0-last_name]", "Morgan")
    page.fill("input[name=applicants-0-date_of_birth]", "1986-04-12")
    save_and_continue(page)
    household = Household.objects.get(address_line_1="21 Hawthorn Road")
    assert stage(page, "adoption") == "Registration of Interest received"
    assert "Decide on the Registration of Interest" in page.locator(".carers-panel").inner_text()

    press(page, "Accept the Registration of Interest")
    press(page, "Start Stage 1")
    assert stage(page, "adoption") == "Stage 1"
    # The Stage 1 decision is not possible yet, and the page says why.
    blocked = page.locator(".carers-track").first.inner_text()
    assert "Personal references for Lee Morgan: 0 of 3 received." in blocked
    press(page, "Record the Stage 1 plan")

    # The checks and references come in; the preparation training is done. Each has its
    # own section of the page, reached by its link.
    section(page, "Checks")
    total = int(page.locator("input[name=checks-TOTAL_FORMS]").input_value())
    assert total == 8
    for n in range(total):
        page.fill(f"input[name=checks-{n}-requested_on]", today)
        page.fill(f"input[name=checks-{n}-received_on]", today)
        page.select_option(f"select[name=checks-{n}-outcome]", "satisfactory")
        if page.locator(f"select[name=checks-{n}-kind]").input_value() == "personal_reference":
            page.fill(f"input[name=checks-{n}-referee_name]", f"Referee {n}")
    save_and_continue(page)
    section(page, "Training")
    for n in range(int(page.locator("input[name=training-TOTAL_FORMS]").input_value())):
        page.fill(f"input[name=training-{n}-completed_on]", today)
    save_and_continue(page)
    section(page, "Overview and next steps")

    press(page, "Stage 1 decision: go on to Stage 2")
    press(page, "Notice to proceed: start Stage 2")
    press(page, "Start the fostering assessment (Form F)")
    assert stage(page, "adoption") == "Stage 2"
    assert stage(page, "fostering") == "Fostering assessment (Form F)"

    # The PAR and the Form F are uploaded to private storage, one a save.
    section(page, "Documents")
    # (The final panel minutes come later; uploaded here with the reports, for brevity.)
    for kind, name in [
        ("par", "par.pdf"),
        ("form_f", "form-f.pdf"),
        ("panel_minutes", "minutes.pdf"),
    ]:
        n = int(page.locator("input[name=documents-INITIAL_FORMS]").input_value())
        page.select_option(f"select[name=documents-{n}-kind]", kind)
        page.fill(f"input[name=documents-{n}-title]", name)
        page.set_input_files(
            f"input[name=documents-{n}-file]",
            files=[{"name": name, "mimeType": "application/pdf", "buffer": b"%PDF-1.4 demo"}],
        )
        save_and_continue(page)
    assert household.documents.count() == 3
    assert sorted(page.locator(".case-files__list a").all_inner_texts()) == [
        "form-f.pdf",
        "minutes.pdf",
        "par.pdf",
    ]
    section(page, "Overview and next steps")

    # Both tracks go to today's joint panel, which recommends approval.
    # The report goes to the applicants first, and their observations come back.
    for track in ("adoption", "fostering"):
        for step in (
            "Record the report sent to the applicants",
            "Record the applicants' observations on the report",
        ):
            page.locator(f".carers-track:has([data-track='{track}'])").get_by_role(
                "link", name=step
            ).click()
            page.locator("input[type=submit].default").click()
            page.wait_for_load_state()
        page.locator(f".carers-track:has([data-track='{track}'])").get_by_role(
            "link", name="Book for panel"
        ).click()
        page.select_option("select[name=panel]", index=1)
        page.locator("input[type=submit].default").click()
        page.wait_for_load_state()
        page.locator(f".carers-track:has([data-track='{track}'])").get_by_role(
            "link", name="Record the panel's recommendation"
        ).click()
        # A next-step form: every field and group named (HTML_CodeSniffer).
        htmlcs_errors = htmlcs_check(page, context="#content-main")
        assert not htmlcs_errors, htmlcs_errors
        page.get_by_label("Suitable to be approved", exact=True).check()
        page.locator("input[type=submit].default").click()
        page.wait_for_load_state()
        assert stage(page, track) == "Awaiting agency decision"
        # The final minutes come; the decision is made from them.
        page.locator(f".carers-track:has([data-track='{track}'])").get_by_role(
            "link", name="Record the final panel minutes"
        ).click()
        page.select_option("select[name=minutes]", index=1)
        page.locator("input[type=submit].default").click()
        page.wait_for_load_state()
    panel_text = page.locator(".carers-panel").inner_text()
    assert "Only the agency decision maker for adoption records this decision." in panel_text
    assert "Agency decision after adoption panel" in panel_text

    # The team manager, as agency decision maker, approves both.
    sign_in(page, live_server, manager)
    page.goto(f"{live_server.url}/admin/carers/household/{household.pk}/change/")
    for track in ("adoption", "fostering"):
        page.locator(f".carers-track:has([data-track='{track}'])").get_by_role(
            "link", name="Record the agency decision"
        ).click()
        page.get_by_label("Approved", exact=True).check()
        page.fill("input[name=approved_age_from]", "0")
        page.fill("input[name=approved_age_to]", "2")
        page.fill("input[name=approved_number_of_children]", "1")
        page.locator("input[type=submit].default").click()
        page.wait_for_load_state()
        assert stage(page, track) == "Approved"

    household.refresh_from_db()
    assert household.is_approved_for_early_permanence
    panel_text = page.locator(".carers-panel").inner_text()
    assert "Foster carer review (goes to panel)" in panel_text
    assert "Training, Support and Development Standards: Lee Morgan" in panel_text

    # Back on the staff home page, the social worker sees what comes next.
    sign_in(page, live_server, worker)
    page.goto(f"{live_server.url}/admin/")
    assert "My carer households: what is due" in page.locator(".carers-dashboard").inner_text()
    # No console errors (CSP) or failed requests on any page so far; then our own markup
    # (the dashboard and the assessment panel) passes axe. axe's probing adds console noise,
    # so it comes last.
    assert not page_problems(page)
    assert not axe_check(page, context=".carers-dashboard")
    htmlcs_errors = htmlcs_check(page, context=".carers-dashboard")
    assert not htmlcs_errors, htmlcs_errors
    page.goto(f"{live_server.url}/admin/carers/household/{household.pk}/change/")
    assert not axe_check(page, context=".carers-panel")
    htmlcs_errors = htmlcs_check(page, context=".carers-panel")
    assert not htmlcs_errors, htmlcs_errors

"""A team manager's caseload pages and the panel move, in Chromium: each state of each form
(empty, refused, the counts before confirming) passes axe and HTML_CodeSniffer at 1280 and
320 pixels, and the move really happens from the browser."""

from datetime import timedelta

import pytest
from django.utils import timezone

from carers.models import Household
from portal.roles import Role
from tests.carers import factories as f
from tests.carers.test_panel_move import _jointly_booked

from .harness import axe_check, htmlcs_check, page_problems
from .test_carers_journey import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


_checked: dict = {}


def _accessible(page, what):
    # What went wrong since the last checks: HTML_CodeSniffer's own inline styles are
    # refused by the CSP, so problems are read before it runs.
    problems = list(page_problems(page))[_checked.get(page, 0) :]
    assert not problems, (what, problems)
    for width in (1280, 320):
        page.set_viewport_size({"width": width, "height": 900})
        violations = axe_check(page, context="#content-main")
        assert not violations, (what, width, violations)
        errors = htmlcs_check(page, context="#content-main")
        assert not errors, (what, width, errors)
    page.set_viewport_size({"width": 1280, "height": 900})
    _checked[page] = len(page_problems(page))


def test_a_manager_moves_a_caseload_and_a_panel_booking_in_the_browser(
    page, live_server, make_staff
):
    worker = make_staff(Role.SOCIAL_WORKERS, first_name="Sam", last_name="Worker")
    make_staff(Role.SOCIAL_WORKERS, first_name="Nia", last_name="Newcomer")
    manager = make_staff(Role.TEAM_MANAGERS, first_name="Morgan", last_name="Manager")
    household = _jointly_booked(worker)
    later = f.panel(sits_on=timezone.localdate() + timedelta(days=14))
    sign_in(page, live_server, manager)

    page.goto(f"{live_server.url}/admin/")
    page.click("text=Move a caseload")
    _accessible(page, "move a caseload: empty")
    page.click("#content-main [type=submit]")
    assert page.locator(".staff-error-summary").count() == 1
    _accessible(page, "move a caseload: errors")
    page.select_option("#id_from_worker", label="Sam Worker")
    page.select_option("#id_to", label="Nia Newcomer")
    page.fill("#id_reason", "Sam leaves the team.")
    page.click("#content-main [type=submit]")
    assert "Sam Worker has 1 carer household" in page.inner_text("#content-main")
    _accessible(page, "move a caseload: what will move")
    page.click("#content-main [type=submit]")
    assert "Moved to Nia Newcomer" in page.inner_text(".messagelist")
    assert Household.objects.get(pk=household.pk).social_worker.first_name == "Nia"

    page.goto(f"{live_server.url}/admin/carers/household/{household.pk}/change/")
    page.click("#content-main >> text=Reallocate")
    _accessible(page, "reallocate")

    page.goto(f"{live_server.url}/admin/carers/household/{household.pk}/change/")
    page.click("text=Move to another sitting")
    _accessible(page, "move to another sitting")
    page.select_option("#id_to", value=str(later.pk))
    page.fill("#id_note", "The chair is away.")
    page.click("#content-main [type=submit]")
    assert "Booked for the" in page.inner_text(".messagelist")
    assert {a.panel_id for a in household.assessments.all()} == {later.pk}

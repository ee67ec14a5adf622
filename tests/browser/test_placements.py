"""Placements in Chromium: a social worker moves a placement on with the buttons; a team
manager reads the EP measures. The pages' own parts are checked with axe-core and
HTML_CodeSniffer."""

from datetime import date

import pytest
from django.test import Client

from placements.models import Placement
from portal.roles import Role
from tests.placements import factories

from .harness import axe_check, htmlcs_check, page_problems

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, live_server, user):
    client = Client()
    client.force_login(user)
    page.context.clear_cookies()
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def test_a_placement_moves_on_by_its_buttons_and_the_measures_read_well(
    page, live_server, make_staff
):
    worker = make_staff(Role.SOCIAL_WORKERS, first_name="Sam")
    manager = make_staff(Role.TEAM_MANAGERS, first_name="Morgan")
    household = factories.approved_household(by=worker, manager=manager, on=date(2025, 1, 2))
    child = factories.child(
        worker, first_name="Willow", last_name="Hartington", born=date(2025, 2, 1)
    )
    placement = factories.placement(worker, household, children=[child], placed_on=date(2025, 3, 3))
    factories.issue(placement, issued_on=date(2025, 2, 24), by=worker)

    sign_in(page, live_server, worker)
    page.goto(f"{live_server.url}/admin/placements/placement/")
    assert "W.H." in page.locator("#result_list").inner_text()
    assert "Hartington" not in page.content()
    page.get_by_role("link", name=placement.reference).click()
    assert "Fostering while the court decides" in page.locator(".placements-status").inner_text()
    page.get_by_role("link", name="Record a court order").click()
    page.fill("input[name=on]", "2025-06-02")
    page.get_by_label("Placement order").check()
    page.locator("input[type=submit].default").click()
    page.get_by_role("link", name="Placed for adoption (placement order made)").click()
    page.fill("input[name=on]", "2025-06-03")
    page.fill("input[name=notice_on]", "2025-06-03")
    page.locator("input[type=submit].default").click()
    assert "Placed for adoption" in page.locator(".placements-status").inner_text()
    assert Placement.objects.get(pk=placement.pk).status == Placement.Status.PLACED_FOR_ADOPTION
    # No console errors (CSP) or failed requests on any page so far; then our own markup
    # passes axe (axe's probing adds console noise, so it comes last).
    assert not page_problems(page)
    assert not axe_check(page, context=".placements-panel")
    htmlcs_errors = htmlcs_check(page, context=".placements-panel")
    assert not htmlcs_errors, htmlcs_errors
    page.get_by_role("link", name="Record a court order").click()
    assert not axe_check(page, context="#content-main")
    htmlcs_errors = htmlcs_check(page, context="#content-main")
    assert not htmlcs_errors, htmlcs_errors
    # The one staff form page with errors: the summary links to the field, and what
    # the field's aria-describedby names (its error) is on the page.
    page.fill("input[name=on]", "")
    page.locator("input[type=submit].default").click()
    summary = page.locator(".staff-error-summary")
    assert "Not done: there is a problem" in summary.inner_text()
    target = summary.get_by_role("link").first.get_attribute("href")
    field = page.locator(target)
    assert field.get_attribute("name") == "on"
    for described_by in field.get_attribute("aria-describedby").split():
        assert page.locator(f"#{described_by}").count() == 1
    assert not axe_check(page, context="#content-main")
    htmlcs_errors = htmlcs_check(page, context="#content-main")
    assert not htmlcs_errors, htmlcs_errors

    sign_in(page, live_server, manager)
    page.goto(f"{live_server.url}/admin/placements/placement/measures/")
    assert page.locator("svg.placements-chart[role=img]").count() == 1
    cell = "tr[data-route=concurrency] td[data-result=placed_for_adoption]"
    assert page.locator(cell).inner_text() == "1"
    assert not axe_check(page, context="#content-main")
    htmlcs_errors = htmlcs_check(page, context="#content-main")
    assert not htmlcs_errors, htmlcs_errors

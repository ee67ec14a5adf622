"""Every section of a household's, a placement's and a child's page, in Chromium: nothing
scrolls sideways at 1280, 1024 or 320 CSS pixels, and axe and HTML_CodeSniffer find
nothing on any section."""

from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from carers.admin.households import HouseholdAdmin
from placements import services
from placements.admin.children import ChildAdmin
from placements.admin.placements import PlacementAdmin
from portal import casenotes
from portal.roles import Role
from tests.placements import factories

from .harness import axe_check, htmlcs_check, page_problems
from .test_carers_journey import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NO_SIDEWAYS_SCROLL = "() => document.documentElement.scrollWidth <= window.innerWidth"
WIDTHS = (1280, 1024, 320)
CHECKED_WIDTHS = (1280, 320)  # axe and HTML_CodeSniffer: the widest and the narrowest


def section_urls(model_admin, app_model: str, pk: int) -> list[str]:
    first = reverse(f"admin:{app_model}_change", args=[pk])
    return [first] + [
        reverse(f"admin:{app_model}_section", args=[pk, section.name])
        for section in model_admin.sections[1:]
    ]


def test_every_section_of_a_case_fits_the_screen_and_is_accessible(page, live_server, make_staff):
    worker = make_staff(Role.SOCIAL_WORKERS, first_name="Sam", last_name="Worker")
    manager = make_staff(Role.TEAM_MANAGERS, first_name="Morgan", last_name="Manager")
    household = factories.approved_household(by=worker, manager=manager, on=date(2025, 1, 2))
    child = factories.child(
        worker, first_name="Willow", last_name="Hartington", born=date(2025, 2, 1)
    )
    placement = factories.placement(worker, household, children=[child], placed_on=date(2025, 3, 3))
    factories.issue(placement, issued_on=date(2025, 2, 24), by=worker)
    services.hearing_record(
        proceedings=factories.proceedings_of(placement),
        held_on=date(2025, 3, 20),
        kind="case_management",
        by=worker,
    )
    factories.family_time_plan(worker, child, starts_on=date(2025, 3, 4))
    services.review_record(placement=placement, held_on=date(2025, 3, 28), by=worker)
    for case in (household, placement, child):
        casenotes.note_add(
            case=case,
            kind="call",
            happened_on=timezone.localdate(),
            text="Spoke about the next visit, which is arranged for a weekday morning.",
            by=worker,
        )
    pages = (
        section_urls(HouseholdAdmin, "carers_household", household.pk)
        + section_urls(PlacementAdmin, "placements_placement", placement.pk)
        + section_urls(ChildAdmin, "placements_child", child.pk)
    )
    assert len(pages) == 7 + 5 + 8

    sign_in(page, live_server, worker)
    problems = {}
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        for url in pages:
            response = page.goto(f"{live_server.url}{url}")
            assert response.status == 200, url
            assert page.locator("nav.case-sections [aria-current=page]").count() == 1, url
            if not page.evaluate(NO_SIDEWAYS_SCROLL):
                wide = page.evaluate("() => document.documentElement.scrollWidth")
                problems[(url, width)] = f"scrolls sideways: {wide} px wide"
    assert not problems, problems
    # No console errors (CSP) or failed requests; then axe and HTML_CodeSniffer, whose
    # probing adds console noise of its own.
    assert not page_problems(page)
    for width in CHECKED_WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        for url in pages:
            page.goto(f"{live_server.url}{url}")
            found = axe_check(page, context="#content") + htmlcs_check(page, context="#content")
            if found:
                problems[(url, width)] = found
    assert not problems, "\n".join(f"{key}: {found!r}" for key, found in problems.items())

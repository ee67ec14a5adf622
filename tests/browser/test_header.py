"""The header's menu on a phone: folded from the first paint, so the page never jumps when
the scripts start; and never folded away for good when they fail."""

import time

import pytest
from playwright.sync_api import expect

from .harness import page_problems, watch_page

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
# Collects every layout shift from the start of the page, as Lighthouse counts them.
LAYOUT_SHIFTS = """
window.__layoutShifts = [];
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    if (!entry.hadRecentInput) window.__layoutShifts.push(entry.value);
  }
}).observe({ type: "layout-shift", buffered: true });
"""


@pytest.fixture
def phone(browser, live_server):
    context = browser.new_context(
        base_url=live_server.url,
        locale="en-GB",
        viewport=PHONE,
        is_mobile=True,
        has_touch=True,
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    watch_page(page)
    yield page
    context.close()


def late_module(page, *, fail: bool = False):
    """Hold back portal.mjs until the page has been painted, as on a slow phone network."""

    def handle(route):
        if fail:
            route.abort()
            return
        time.sleep(0.6)  # long enough for a first paint without it
        route.continue_()

    page.route("**/js/portal.mjs", handle)


def menu_links(page):
    return page.locator(".govuk-service-navigation__list")


def test_the_menu_is_folded_from_the_first_paint_and_opens(phone):
    phone.add_init_script(LAYOUT_SHIFTS)
    late_module(phone)
    phone.goto("/")
    assert phone.locator("body[data-portal-started]").count() == 1
    shifts = phone.evaluate("window.__layoutShifts")
    assert sum(shifts) < 0.01, f"layout shifts while loading: {shifts}"

    toggle = phone.get_by_role("button", name="Menu")
    expect(toggle).to_be_visible()
    assert not menu_links(phone).is_visible()
    toggle.click()
    expect(menu_links(phone)).to_be_visible()
    assert toggle.get_attribute("aria-expanded") == "true"
    assert not page_problems(phone)


def test_without_the_module_the_links_come_back(phone):
    late_module(phone, fail=True)
    phone.goto("/")
    assert "govuk-frontend-supported" not in phone.locator("body").get_attribute("class")
    expect(menu_links(phone)).to_be_visible()
    expect(phone.locator(".govuk-service-navigation__link").first).to_be_visible()


def test_on_a_wide_screen_the_links_show_before_and_after_the_scripts(page):
    page.add_init_script(LAYOUT_SHIFTS)
    late_module(page)
    page.goto("/")
    expect(menu_links(page)).to_be_visible()
    assert not page.get_by_role("button", name="Menu").is_visible()
    assert sum(page.evaluate("window.__layoutShifts")) < 0.01

"""The home page and the pages every visitor can reach from the footer, in Chromium."""

import pytest

from .harness import assert_accessible

pytestmark = pytest.mark.browser


def test_home_page_is_accessible_and_valid(page, live_server):
    assert_accessible(page, "/", live_server)

    assert page.locator("h1").count() == 1
    home_link = page.locator(".govuk-generic-header__homepage-link")
    assert home_link.get_attribute("href") == "/"
    assert page.locator("#main-content").count() == 1


@pytest.mark.parametrize("url_path", ["/accessibility/", "/privacy/"])
def test_footer_pages_are_accessible_and_valid(page, live_server, url_path):
    assert_accessible(page, url_path, live_server)

    footer_link = page.locator(f".govuk-footer a[href='{url_path}']")
    assert footer_link.count() == 1


def test_missing_page_is_an_accessible_404(page, live_server):
    assert_accessible(page, "/no-such-page/", live_server, status=404)

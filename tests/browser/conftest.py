"""Fixtures for browser tests: Debian's Chromium driven by Playwright against `live_server`.

    import pytest
    from tests.browser.harness import assert_accessible, axe_check, html_check

    pytestmark = pytest.mark.browser

    def test_events_page(page, live_server):
        assert_accessible(page, "/events/", live_server)

Fixtures:
- `browser` (package): Chromium from /usr/bin/chromium, headless; started at
  the first browser test and stopped after the last one.
- `page`: a fresh browser context and page per test, `base_url` set to the
  live server (so `page.goto("/events/")` works), en-GB locale, London time;
  failed requests and console errors are recorded for `page_problems(page)`.

Helpers live in `tests/browser/harness.py`: `assert_accessible`, `axe_check`,
`htmlcs_check`, `html_check`, `page_problems`, `require`.
"""

import os

import pytest

from .harness import CHROMIUM, CHROMIUM_ARGS, require, stop_nu_checker, watch_page


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    """Serve and link static files by their plain names.

    With DEBUG off the project uses whitenoise's manifest storage, which needs
    `collectstatic` before `{% static %}` can resolve a name; the live server
    serves straight from STATICFILES_DIRS through the staticfiles finders.
    """
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(scope="package", autouse=True)
def _allow_async_unsafe():
    """Let the ORM run while Playwright's event loop is alive, for browser tests only.

    Playwright's sync API keeps an event loop running in the main thread, which
    trips Django's async-safety check on every ORM call made by a test or by
    pytest-django's database fixtures. The test code is synchronous, so the
    check is a false alarm here. The variable is removed again afterwards: set
    for the whole process it would leak into subprocesses (`check --deploy`
    reports it as async.E001).
    """
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="package")
def browser(_allow_async_unsafe):
    """Headless Chromium for the browser tests (Playwright cannot download its own here).

    Package-scoped so that Playwright, and its event loop, stop before the
    rest of the suite runs.
    """
    require(CHROMIUM.exists(), f"{CHROMIUM} is missing: apt-get install -y chromium")
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()
    finally:
        playwright.stop()


@pytest.fixture
def page(browser, live_server):
    """A new page in its own browser context (no cookies shared between tests)."""
    context = browser.new_context(
        base_url=live_server.url,
        locale="en-GB",
        timezone_id="Europe/London",
        viewport={"width": 1280, "height": 900},
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    watch_page(page)
    yield page
    context.close()


@pytest.fixture(scope="package", autouse=True)
def _nu_checker_service():
    """Stop the shared Nu HTML Checker service after the browser tests (it uses ~300 MB)."""
    yield
    stop_nu_checker()

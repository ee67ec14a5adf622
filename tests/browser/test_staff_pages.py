"""Every staff page, in Chromium, in both admin themes and at 1280, 1024 and 320 CSS pixels.

The pages come from the admin site itself, through ``tests/test_access.py``'s
``admin_urls`` (every URL pattern of ``admin.site``: each registered ModelAdmin's list,
add and change pages, and every page an app adds with ``get_urls``, filled in with the
ids of one record of each kind). A new admin page is walked as soon as it is registered;
a new URL pattern that ``admin_urls`` cannot fill in fails the access test.

The walk runs once per theme (the admin's theme is kept in localStorage and applied as
each page loads), each in two halves of the pages, so four tests that ``make test``'s
processes share. Each page is opened as a superuser and checked; then,
when it has a form, it is sent empty (an add page) or with a required field emptied (or
an impossible date) and checked again in its error state, which must lead with an error
summary that is announced (``role="alert"``) and focused. The home page is walked for
every role, and a social worker walks their own home page, placement and household
(with overdue items) and the lists and records they may see. Each page state is a
subtest, so the report names every page, theme and width that fails and what axe and
HTML_CodeSniffer found there.

In the light theme, checked at 1280 and 320: zero axe violations and zero
HTML_CodeSniffer errors on the whole page. At 1280, 1024 and 320 the page itself never
scrolls sideways (a wide table scrolls inside its own box, or stacks); at 320 no heading,
label or table header is broken inside a word (one letter a line). The dark theme changes
colours only, never the layout or the markup, so there each page state is checked at
1280 alone: by axe's colour rules (contrast, and links told apart from the text around
them) and by HTML_CodeSniffer whole, contrast included.
"""

import os
import time
from dataclasses import dataclass, field

import pytest

from placements.models import Placement
from portal.roles import Role
from tests import test_access as access

from .harness import COLOUR_RULES, axe_check, htmlcs_check, page_problems
from .test_carers_journey import sign_in
from .test_staff_home import casework

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# One record of each kind (and a social worker and a team manager), as the access test has.
records = access.records

THEMES = ("light", "dark")
# Checked by axe and HTML_CodeSniffer at these widths; the layout at every width of LAYOUT.
WIDTHS = (1280, 320)
LAYOUT = (1280, 1024, 320)
# The dark theme's colours, by both engines, at one width (axe's colour rules only).
DARK_WIDTHS = (1280,)

# Admin URLs that are not pages a person reads: sign in and out (the public sign-in pages
# are walked by test_accounts.py), Django's translation catalogue, autocomplete answers,
# redirects to the public site, the admin's 404, and a list searched (the same page as
# the list). Files (PDF, CSV, downloads) are left out by their content type.
NOT_PAGES = ("login", "logout", "jsi18n", "autocomplete:", "view_on_site:", "catch_all", ":search")

# The pages are walked in this many parts per theme, each a test of its own.
PARTS = 2
# At least this many page states are walked in each part of each theme (pages, each in its
# error state where it has a form); the walk grows with every admin page added.
AT_LEAST = 160

# Walk only the pages whose key contains this (STAFF_WALK_ONLY=carers.household), while
# working on them; the whole walk runs otherwise.
ONLY = os.environ.get("STAFF_WALK_ONLY", "")

NO_SIDEWAYS_SCROLL = "() => document.documentElement.scrollWidth <= window.innerWidth"

# What sticks out past the window's right edge (outside boxes that scroll on their own):
# named in the report when a page scrolls sideways.
STICKING_OUT = """() => {
  const out = [];
  for (const el of document.querySelectorAll('body *')) {
    if (el.closest('.scroll-box, .enquiry-funnel__figure')) continue;
    const box = el.getBoundingClientRect();
    if (box.width && box.right > window.innerWidth + 1) {
      out.push(`${el.tagName.toLowerCase()}.${el.className} ends at ${Math.round(box.right)}px`);
    }
  }
  return out.slice(-3);
}"""

# Headings and table headers whose words were broken across lines (the admin's home page
# squeezes its table headers to one letter a line when the window is narrow).
BROKEN_WORDS = """
() => [...document.querySelectorAll('h1, h2, h3, th, caption, legend, label')]
  .filter((element) => element.offsetParent !== null)
  .flatMap((element) => [...element.childNodes]
    .filter((node) => node.nodeType === Node.TEXT_NODE && node.textContent.trim())
    .filter((node) => {
      const words = node.textContent.trim().split(/\\s+/).length;
      const range = document.createRange();
      range.selectNodeContents(node);
      const lines = new Set([...range.getClientRects()].map((rect) => Math.round(rect.top)));
      return lines.size > words;
    })
    .map(() => `${element.tagName.toLowerCase()}: ${element.textContent.trim().slice(0, 60)}`))
"""

# The admin's theme.js reads the theme from localStorage as each page loads (switching
# it on a loaded page leaves some controls in the old colours).
SET_THEME = "(theme) => localStorage.setItem('theme', theme)"

# The error state's summary: the first thing in the content, announced and focused.
ERROR_SUMMARY = """
() => {
  const summary = document.querySelector('#content-main .errornote, #content .errornote');
  if (summary === null) return 'no error summary';
  if (summary.getAttribute('role') !== 'alert') return 'the error summary has no role="alert"';
  if (!summary.contains(document.activeElement)) {
    return `focus is on ${document.activeElement.outerHTML.slice(0, 80)}, not the summary`;
  }
  const form = summary.closest('form') || document.querySelector('#content-main form');
  const first = form && form.querySelector('.errorlist, .errors');
  if (first && (summary.compareDocumentPosition(first) & Node.DOCUMENT_POSITION_PRECEDING)) {
    return 'a field error comes before the error summary';
  }
  return '';
}
"""

# The form to send in its error state: an add page as it opens (empty), any other form
# with a required field emptied, else an impossible date.
BREAK_FORM = """
(empty) => {
  const form = [...document.querySelectorAll('#content-main form')]
    .find((f) => f.method === 'post' && f.querySelector('[type=submit]'));
  if (!form) return false;
  const visible = (el) => el.offsetParent !== null && !el.disabled && !el.readOnly;
  const required = [...form.querySelectorAll('input[required], textarea[required]')]
    .filter((el) => visible(el) && !['checkbox', 'radio', 'file', 'hidden'].includes(el.type));
  const date = [...form.querySelectorAll('input.vDateField, input[type=date]')].filter(visible);
  const choice = [...form.querySelectorAll('select[required]')]
    .filter((el) => visible(el) && el.querySelector('option[value=""]'));
  if (empty) {
    // sent as it opened
  } else if (required.length) {
    required[0].value = '';
  } else if (date.length && date[0].type !== 'date') {
    date[0].value = '31/02/2025';
  } else if (choice.length) {
    choice[0].value = '';
  } else {
    return false;
  }
  form.setAttribute('novalidate', '');
  (form.querySelector('[name=_save]') || form.querySelector('[type=submit].default')
    || form.querySelector('[type=submit]')).setAttribute('data-walk-submit', '');
  return true;
}
"""


@dataclass
class Walk:
    """What the walk saw in one theme: page states checked, and findings per state."""

    theme: str
    states: list[str] = field(default_factory=list)
    axe: dict[str, int] = field(default_factory=dict)
    htmlcs: dict[str, int] = field(default_factory=dict)
    sideways: list[str] = field(default_factory=list)

    def summary(self) -> str:
        failing = sorted({*self.axe, *self.htmlcs})
        lines = [
            f"{len(self.states)} page states, {len(failing)} with findings: "
            f"{sum(self.axe.values())} axe violations (elements), "
            f"{sum(self.htmlcs.values())} HTML_CodeSniffer errors"
        ]
        lines += [
            f"  {state}: axe {self.axe.get(state, 0)}, htmlcs {self.htmlcs.get(state, 0)}"
            for state in failing
        ]
        lines += [f"  {state}: scrolls sideways" for state in self.sideways]
        return "\n".join(lines)


def layout_problems(page, walk: Walk, state: str, width: int) -> list[str]:
    """What is wrong with the layout at this width: sideways scrolling, broken words."""
    problems = []
    if not page.evaluate(NO_SIDEWAYS_SCROLL):
        walk.sideways.append(state)
        problems.append(f"the page scrolls sideways: {page.evaluate(STICKING_OUT)}")
    if width == 320:
        problems += [f"broken inside a word: {w}" for w in page.evaluate(BROKEN_WORDS)]
    return problems


def check_state(page, subtests, walk: Walk, label: str) -> None:
    """The page as it is now, at each width: one subtest each."""
    walk.states.append(label)
    dark = walk.theme == "dark"
    for width in DARK_WIDTHS if dark else LAYOUT:
        page.set_viewport_size({"width": width, "height": 900})
        state = f"{label} [{width}px]"
        with subtests.test(msg=state):
            checked = dark or width in WIDTHS
            if not checked:
                violations = []
            else:
                violations = axe_check(page, only_rules=COLOUR_RULES if dark else ())
            errors = htmlcs_check(page) if checked else []
            if violations:
                walk.axe[state] = sum(len(v["nodes"]) for v in violations)
            if errors:
                walk.htmlcs[state] = len(errors)
            # The dark theme's layout is the light theme's, checked there.
            layout = [] if dark else layout_problems(page, walk, state, width)
            assert not violations, violations
            assert not errors, errors
            assert not layout, layout
    page.set_viewport_size({"width": 1280, "height": 900})


def walk_page(
    page, subtests, walk: Walk, key: str, url: str, *, error_state: bool, empty: bool = False
) -> None:
    """Open one page and check it; then, when it has a form, its error state (``empty``:
    sent as it opened, else with a required field emptied or an impossible date)."""
    seen = len(page_problems(page))
    try:
        response = page.goto(url)
    except Exception as error:  # Playwright's Error, imported only with the browser
        if "Download is starting" in str(error):
            return  # a file (PDF, CSV, an upload), not a page
        raise
    assert response is not None, url
    if "text/html" not in response.headers.get("content-type", ""):
        return
    if response.status == 403:
        return  # refused to everyone (a log's add page): the access test checks who sees what
    assert response.status == 200, f"{key}: HTTP {response.status} for {url}"
    # Chromium's own PDF viewer (after a PDF) may cancel its load: not the page's request.
    problems = [p for p in page_problems(page)[seen:] if "chrome-extension://" not in p]
    with subtests.test(msg=f"{key} loads"):
        assert not problems, f"problems loading {url}: {problems}"
    check_state(page, subtests, walk, key)
    if not error_state or not page.evaluate(BREAK_FORM, empty):
        return
    with page.expect_navigation():
        page.locator("[data-walk-submit]").click()
    if page.locator("#content-main .errornote, #content .errornote").count() == 0:
        return  # nothing required and no date: the form was sent and did its work
    with subtests.test(msg=f"{key} with errors: the error summary"):
        assert not page.evaluate(ERROR_SUMMARY), page.evaluate(ERROR_SUMMARY)
    check_state(page, subtests, walk, f"{key} with errors")


def has_form(key: str) -> bool:
    """Pages whose error state is walked: add and change pages and the apps' own pages."""
    kind = key.partition(":")[2]
    return kind in ("add", "change") or ":" not in key or "_action:" in key or "_move:" in key


@pytest.mark.parametrize("part", range(PARTS), ids=lambda part: f"part {part + 1} of {PARTS}")
@pytest.mark.parametrize("theme", THEMES)
def test_every_staff_page_passes_axe_and_htmlcs_in_both_themes_and_widths(
    page, live_server, make_staff, records, subtests, theme, part
):
    started = time.monotonic()
    walk = Walk(theme)
    urls = [
        (key, url)
        for key, url in access.admin_urls(records)
        if not any(word in key or key.startswith(word) for word in NOT_PAGES)
        and not key.endswith((":delete", ":history", ":object"))
        and ONLY in key
    ][part::PARTS]
    superuser = make_staff(superuser=True, first_name="Sam", last_name="Super")
    roles = {role: make_staff(role, first_name="Robin", last_name="Role") for role in Role.ALL}
    worker = make_staff(Role.SOCIAL_WORKERS, first_name="Sasha", last_name="Worker")
    casework(worker)  # overdue rows and "Overdue" tags on their home page and records
    own = Placement.objects.get(created_by=worker)
    own_pages = {
        "their home page": "/admin/",
        "their placement": f"/admin/placements/placement/{own.pk}/change/",
        "their household": f"/admin/carers/household/{own.household_id}/change/",
    }
    sign_in(page, live_server, superuser)
    page.goto("/admin/")
    page.evaluate(SET_THEME, theme)
    for key, url in urls:
        walk_page(
            page,
            subtests,
            walk,
            f"{key} ({theme})",
            url,
            error_state=has_form(key),
            empty=key.endswith(":add"),
        )

    # Each role's home page (in the first part), and a social worker's own records (in the
    # second) and the lists and records of this part they may see.
    for role, user in roles.items() if part == 0 else ():
        sign_in(page, live_server, user)
        label = f"home page of {role} ({theme})"
        walk_page(page, subtests, walk, label, "/admin/", error_state=False)
    sign_in(page, live_server, worker)
    for key, url in own_pages.items() if part == PARTS - 1 else ():
        walk_page(page, subtests, walk, f"{key} (social worker, {theme})", url, error_state=False)
    for key, url in urls:
        model, _, kind = key.partition(":")
        if kind in ("changelist", "change") and access._can_view(Role.SOCIAL_WORKERS, model):
            label = f"{key} (social worker, {theme})"
            walk_page(page, subtests, walk, label, url, error_state=False)

    print(f"\n{walk.summary()}\nwalked in {time.monotonic() - started:.0f} s")
    assert len(walk.states) >= (AT_LEAST if not ONLY else 1), walk.summary()

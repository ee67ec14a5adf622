"""Helpers for browser tests: Chromium through Playwright, axe-core, HTML_CodeSniffer and Nu.

The fixtures in `tests/browser/conftest.py` hand out a Playwright `page` whose
`base_url` is the live server. On top of it:

- `assert_accessible(page, "/events/", live_server)`: open a page and check
  it in one call (status, stylesheet and JavaScript loaded, one h1, no
  failed requests or console errors, zero axe violations, zero HTML_CodeSniffer
  errors, zero Nu errors).
- `axe_check(page)`: run axe-core (WCAG 2.0/2.1/2.2 A and AA) on the page as
  it is now, e.g. after submitting a form with errors.
- `htmlcs_check(page)`: run HTML_CodeSniffer (WCAG2AA) on the page as it is
  now and return its errors. The two engines apply different WCAG techniques
  (HTMLCS fails a fieldset without a legend, which axe passes), so a page is
  checked with both.
- `html_check(html)`: Nu HTML Checker errors in an HTML document.
- `require(condition, reason)` (from `tests/requirements.py`): skip when a
  tool is missing, fail instead when CI=true.

axe, HTMLCS and Nu return `Findings`: a list whose repr is a readable report, so
`assert not axe_check(page)` fails with the rule, help text and elements.
"""

from __future__ import annotations

import atexit
import json
import shutil
import socket
import subprocess
import time
import urllib.request
import weakref
from pathlib import Path

from tests.requirements import require

__all__ = [
    "assert_accessible",
    "axe_check",
    "html_check",
    "htmlcs_check",
    "page_problems",
    "require",
    "Findings",
]

REPO_ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE_JS = REPO_ROOT / "node_modules" / "axe-core" / "axe.min.js"
HTMLCS_JS = REPO_ROOT / "node_modules" / "html_codesniffer" / "build" / "HTMLCS.js"
VNU_JAR = REPO_ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def require_java() -> None:
    require(shutil.which("java"), "java is not installed (needed by the Nu HTML Checker)")
    require(VNU_JAR.is_file(), f"{VNU_JAR.relative_to(REPO_ROOT)} is missing: run `npm ci`")


class Findings(list):
    """Problems found on a page; falsy when there are none, readable when printed."""

    def __init__(self, title: str, items=(), lines=None):
        super().__init__(items)
        self.title = title
        self._lines = lines or (lambda item: [str(item)])

    def __repr__(self) -> str:
        if not self:
            return f"{self.title}: none"
        out = [f"{self.title}: {len(self)}"]
        for item in self:
            first, *rest = self._lines(item)
            out.append(f"- {first}")
            out.extend(f"    {line}" for line in rest)
        return "\n".join(out)

    __str__ = __repr__


# -- axe-core ---------------------------------------------------------------

_AXE_RUN = """
async ([context, options]) => {
  const results = await window.axe.run(context || document, options);
  // GOV.UK Frontend's radios and checkboxes set aria-expanded on the input
  // that reveals a conditional question. ARIA does not allow it there, but
  // GOV.UK keep it on purpose because screen readers announce it
  // (alphagov/govuk-frontend#979, a documented known issue), so that one
  // finding is dropped; anything else about those inputs still fails.
  const isGovukReveal = (node) => {
    const element = document.querySelector(node.target.join(' '));
    return element !== null
      && element.matches('.govuk-radios__input[aria-controls], .govuk-checkboxes__input[aria-controls]')
      && node.any.concat(node.all, node.none)
        .every((check) => check.id !== 'aria-allowed-attr' || /aria-expanded/.test(check.message))
      && !/aria-(?!expanded)[a-z]+=/.test(node.failureSummary);
  };
  return results.violations
    .map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      helpUrl: v.helpUrl,
      nodes: v.nodes
        .filter((n) => v.id !== 'aria-allowed-attr' || !isGovukReveal(n))
        .map((n) => ({target: n.target, html: n.html, summary: n.failureSummary})),
    }))
    .filter((v) => v.nodes.length > 0);
}
"""


def _axe_lines(violation: dict) -> list[str]:
    lines = [f"{violation['id']} ({violation['impact']}): {violation['help']}"]
    for node in violation["nodes"][:3]:
        lines.append(f"at {' '.join(map(str, node['target']))}: {node['html'][:200]}")
        if violation["id"] == "color-contrast" and node.get("summary"):
            # "Element has insufficient color contrast of 3.9 (foreground color: ...)"
            lines.append(f"  {node['summary'].splitlines()[-1].strip()[:200]}")
    if len(violation["nodes"]) > 3:
        lines.append(f"... and {len(violation['nodes']) - 3} more elements")
    return lines


def axe_check(
    page,
    *,
    context: str | None = None,
    disable_rules: tuple[str, ...] = (),
    only_rules: tuple[str, ...] = (),
) -> Findings:
    """Run axe-core on the page as it is now and return its WCAG A/AA violations.

    `context` is an optional CSS selector to check part of the page;
    `disable_rules` switches named axe rules off (say why where you do);
    `only_rules` runs just those rules (``COLOUR_RULES`` where only colours changed).
    axe is injected through the DevTools protocol, which the page's Content
    Security Policy does not block.
    """
    require(AXE_JS.is_file(), f"{AXE_JS.relative_to(REPO_ROOT)} is missing: run `npm ci`")
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(_axe_source())
    run_only = (
        {"type": "rule", "values": list(only_rules)}
        if only_rules
        else {"type": "tag", "values": WCAG_TAGS}
    )
    options = {
        "runOnly": run_only,
        "resultTypes": ["violations"],
        "rules": {rule: {"enabled": False} for rule in disable_rules},
    }
    violations = page.evaluate(_AXE_RUN, [context, options])
    return Findings(f"axe violations on {page.url}", violations, _axe_lines)


# The axe rules whose outcome depends on colour alone: text contrast (1.4.3) and links
# told from the text around them (1.4.1). Every other rule reads the markup, the names
# and the layout, which a change of colours leaves as they were.
COLOUR_RULES = ("color-contrast", "link-in-text-block")

_axe_cache: dict[str, str] = {}


def _axe_source() -> str:
    if "source" not in _axe_cache:
        _axe_cache["source"] = AXE_JS.read_text(encoding="utf-8")
    return _axe_cache["source"]


# -- HTML_CodeSniffer -------------------------------------------------------

# HTMLCS message codes that are wrong about markup used on purpose, each with the
# reason it is wrong. A message is dropped only when its code is listed here; keep
# the list short and say why beside every entry.
HTMLCS_ALLOWED: dict[str, str] = {}

# HTMLCS message codes that are wrong only where an element passes a check (a JavaScript
# predicate on the element), each with the reason; elsewhere the code still fails.
HTMLCS_ALLOWED_WHERE: dict[str, tuple[str, str]] = {
    # Both: Django's admin (5.1 on) names each fieldset by its heading, <fieldset
    # aria-labelledby="x-heading"> with <h2 id="x-heading">. That is a name (accname 1.2;
    # WCAG techniques ARIA16 and ARIA17) and axe accepts it; HTMLCS counts only a
    # <legend>. Dropped only where every id named exists and holds text.
    "WCAG2AA.Principle1.Guideline1_3.1_3_1.H71.NoLegend": (
        "labelledByText",
        "a fieldset named by its heading through aria-labelledby",
    ),
    "WCAG2AA.Principle4.Guideline4_1.4_1_2.H91.Fieldset.Name": (
        "labelledByText",
        "a fieldset named by its heading through aria-labelledby",
    ),
    # A form with nothing a person can change or send (a record they may only view, a
    # list with no actions) is a container, not a form to submit: Django's admin wraps
    # every record and list in one. Dropped only where the form has no visible control.
    "WCAG2AA.Principle3.Guideline3_2.3_2_2.H32.2": ("noControls", "a form with nothing to send"),
}

_HTMLCS_RUN = """
([context, allowed, allowedWhere]) => new Promise((resolve, reject) => {
  const checks = {
    labelledByText: (element) => {
      const ids = (element.getAttribute('aria-labelledby') || '').split(/\\s+/).filter(Boolean);
      return ids.length > 0 && ids.every((id) => {
        const label = document.getElementById(id);
        return label !== null && label.textContent.trim() !== '';
      });
    },
  };
  checks.noControls = (form) => ![...form.elements].some(
    (control) => control.matches('input, select, textarea, button')
      && control.type !== 'hidden' && !control.disabled && control.offsetParent !== null);
  const excused = (m) => m.code in allowedWhere && m.element instanceof Element
    && checks[allowedWhere[m.code]](m.element);
  const root = context ? document.querySelector(context) : document;
  if (root === null) {
    reject(new Error(`no element matches ${context}`));
    return;
  }
  window.HTMLCS.process('WCAG2AA', root, () => {
    resolve(window.HTMLCS.getMessages()
      .filter((m) => m.type === window.HTMLCS.ERROR && !allowed.includes(m.code) && !excused(m))
      .map((m) => ({
        code: m.code,
        message: m.msg,
        html: m.element && m.element.outerHTML ? m.element.outerHTML.slice(0, 300) : String(m.element),
      })));
  }, () => reject(new Error('HTML_CodeSniffer could not run')), 'en');
})
"""


def _htmlcs_lines(error: dict) -> list[str]:
    return [f"{error['code']}: {error['message']}", f"at: {error['html'][:200]}"]


def htmlcs_check(page, *, context: str | None = None) -> Findings:
    """Run HTML_CodeSniffer (WCAG2AA) on the page as it is now and return its errors.

    Notices and warnings (things for a person to judge) are left out; every
    error counts unless its code is in `HTMLCS_ALLOWED`, or in `HTMLCS_ALLOWED_WHERE`
    and the element passes that entry's check. `context` is an
    optional CSS selector to check part of the page. Like axe, HTMLCS is
    injected through the DevTools protocol, past the Content Security Policy.
    """
    require(HTMLCS_JS.is_file(), f"{HTMLCS_JS.relative_to(REPO_ROOT)} is missing: run `npm ci`")
    if not page.evaluate("() => typeof window.HTMLCS === 'object'"):
        page.evaluate(_htmlcs_source())
    where = {code: check for code, (check, _reason) in HTMLCS_ALLOWED_WHERE.items()}
    errors = page.evaluate(_HTMLCS_RUN, [context, list(HTMLCS_ALLOWED), where])
    return Findings(f"HTML_CodeSniffer errors on {page.url}", errors, _htmlcs_lines)


_htmlcs_cache: dict[str, str] = {}


def _htmlcs_source() -> str:
    if "source" not in _htmlcs_cache:
        _htmlcs_cache["source"] = HTMLCS_JS.read_text(encoding="utf-8")
    return _htmlcs_cache["source"]


# -- Nu HTML Checker --------------------------------------------------------


def _nu_lines(message: dict) -> list[str]:
    where = f"line {message.get('lastLine', '?')}"
    lines = [f"{where}: {message.get('message', '')}"]
    if message.get("extract"):
        lines.append(f"near: {message['extract'].strip()}")
    return lines


class NuChecker:
    """The Nu HTML Checker as a local HTTP service on loopback.

    Starting the JVM costs seconds, checking a page afterwards milliseconds,
    so one checker serves the whole test session (one per xdist worker). If
    the service does not come up, the command-line checker is used instead.
    """

    START_TIMEOUT = 90

    def __init__(self) -> None:
        self.process: subprocess.Popen | None = None
        self.url: str | None = None
        self.server_failed = False

    def check(self, html: str) -> list[dict]:
        if not self.server_failed and self.url is None:
            self._start()
        if self.url is not None:
            return self._check_with_server(html)
        return self._check_with_cli(html)

    def _start(self) -> None:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        self.process = subprocess.Popen(
            [
                "java",
                "-Dnu.validator.servlet.bind-address=127.0.0.1",
                "-cp",
                str(VNU_JAR),
                "nu.validator.servlet.Main",
                str(port),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        url = f"http://127.0.0.1:{port}/"
        deadline = time.monotonic() + self.START_TIMEOUT
        while time.monotonic() < deadline and self.process.poll() is None:
            try:
                with urllib.request.urlopen(url, timeout=2):
                    self.url = url
                    return
            except OSError:
                time.sleep(0.2)
        self.stop()
        self.server_failed = True

    def _check_with_server(self, html: str) -> list[dict]:
        request = urllib.request.Request(
            f"{self.url}?out=json",
            data=html.encode("utf-8"),
            headers={"Content-Type": "text/html; charset=utf-8"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=60) as response:
            return json.load(response)["messages"]

    def _check_with_cli(self, html: str) -> list[dict]:
        result = subprocess.run(
            [
                "java",
                "-jar",
                str(VNU_JAR),
                "--format",
                "json",
                "--stdout",
                "--exit-zero-always",
                "-",
            ],
            input=html.encode("utf-8"),
            capture_output=True,
            timeout=120,
            check=False,
        )
        return json.loads(result.stdout)["messages"]

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.process = None
        self.url = None


_nu_checker = NuChecker()
atexit.register(_nu_checker.stop)


def stop_nu_checker() -> None:
    """Stop the shared Nu checker service (the conftest does this at session end)."""
    _nu_checker.stop()


def html_check(html: str) -> Findings:
    """Nu HTML Checker errors in `html`, a whole document; info messages and warnings are ignored.

    Prefer the raw body the server sent (`page.goto(...).text()`, or a Django
    test client response) over `page.content()`, which is the browser's
    re-serialised DOM after scripts ran.
    """
    require_java()
    messages = _nu_checker.check(html)
    broken = [m for m in messages if m.get("type") == "non-document-error"]
    if broken:
        raise RuntimeError(f"The Nu HTML Checker could not check the document: {broken}")
    errors = [m for m in messages if m.get("type") == "error"]
    return Findings("Nu HTML Checker errors", errors, _nu_lines)


# -- problems seen while a page loads ---------------------------------------

_page_problems: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def watch_page(page) -> list[str]:
    """Record failed subresource requests, uncaught exceptions and console errors of `page`.

    The page fixture calls this; `page_problems(page)` reads what was recorded.
    """
    problems: list[str] = []
    _page_problems[page] = problems

    def on_response(response):
        if response.status >= 400 and response.request.resource_type != "document":
            problems.append(f"HTTP {response.status} for {response.url}")

    def on_console(message):
        # Chromium also logs every failed load, the page's own 404 included;
        # failed subresources are caught by on_response instead.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            problems.append(f"console error: {message.text}")

    page.on("response", on_response)
    page.on("requestfailed", lambda r: problems.append(f"request failed: {r.url} ({r.failure})"))
    page.on("pageerror", lambda error: problems.append(f"uncaught exception: {error}"))
    page.on("console", on_console)
    return problems


def page_problems(page) -> Findings:
    """What went wrong loading the page so far (see `watch_page`)."""
    return Findings(f"problems loading {page.url}", _page_problems.get(page, []))


# -- all checks in one ------------------------------------------------------

_FRONT_END_STATE = """
() => ({
  govukFrontendCss: getComputedStyle(document.documentElement)
    .getPropertyValue('--govuk-frontend-version').trim(),
  portalJs: document.body.classList.contains('govuk-frontend-supported'),
  h1Count: document.querySelectorAll('h1').length,
})
"""


def assert_accessible(page, url_path: str, live_server, *, status: int = 200):
    """Open `url_path` on the live server and check everything a public page must pass.

    Checks: the HTTP status; a title; the stylesheet and the JavaScript
    module loaded and ran; exactly one h1; no failed requests, uncaught
    exceptions or console errors (CSP violations show up there); zero axe
    violations; zero HTML_CodeSniffer errors; zero Nu errors in the body the
    server sent. Returns the Playwright response so the test can go on from there.
    """
    response = page.goto(f"{live_server.url}{url_path}")
    assert response is not None, f"no response for {url_path}"
    assert response.status == status, f"{url_path}: HTTP {response.status}, expected {status}"
    title = page.title()
    assert title and not title.startswith("–"), f"{url_path}: page title is {title!r}"
    state = page.evaluate(_FRONT_END_STATE)
    assert state["govukFrontendCss"], f"{url_path}: portal.css did not load"
    assert state["portalJs"], f"{url_path}: static/js/portal.mjs did not run"
    assert state["h1Count"] == 1, f"{url_path}: {state['h1Count']} h1 elements, expected 1"
    problems = page_problems(page)
    assert not problems, problems
    violations = axe_check(page)
    assert not violations, violations
    htmlcs_errors = htmlcs_check(page)
    assert not htmlcs_errors, htmlcs_errors
    errors = html_check(response.text())
    assert not errors, errors
    return response

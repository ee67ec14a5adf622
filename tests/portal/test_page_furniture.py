"""One of each piece of form furniture: one error summary template, and the honeypot in one
place in every form (first, right after the CSRF token)."""

import re
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
ERROR_SUMMARY = TEMPLATES / "gds/layout/error_summary.html"


def _templates():
    return sorted(TEMPLATES.rglob("*.html"))


def test_one_template_writes_the_error_summary():
    writers = [path for path in _templates() if "govuk-error-summary" in path.read_text()]
    assert writers == [ERROR_SUMMARY]


def test_the_honeypot_is_the_first_thing_in_every_form_that_has_one():
    with_honeypot = [path for path in _templates() if "includes/honeypot.html" in path.read_text()]
    assert len(with_honeypot) >= 4
    first = re.compile(r'{% csrf_token %}\s*{% include "includes/honeypot.html" %}')
    elsewhere = [
        str(p.relative_to(TEMPLATES)) for p in with_honeypot if not first.search(p.read_text())
    ]
    assert elsewhere == []

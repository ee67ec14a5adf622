"""portal/pdf.py: the one WeasyPrint helper. Tagged PDFs with metadata, cached by content."""

import json
import os
import re
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest

from portal import pdf
from tests.pdf_checks import (
    Structure,
    assert_accessible_pdf,
    pdf_accessibility_problems,
    pdfinfo,
)

BASE = "pdf/base.html"
TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


@pytest.fixture
def renders(monkeypatch):
    """Counts real renderings (the slow part) while letting them happen."""
    calls = []
    real = pdf.html_to_pdf

    def counting(html):
        calls.append(html)
        return real(html)

    monkeypatch.setattr(pdf, "html_to_pdf", counting)
    return calls


def test_a_pdf_is_tagged_with_title_author_and_language(tmp_path):
    data = pdf.render_pdf(
        template=BASE, context={}, title="Panel papers – test", author="Oakway Adoption"
    )
    assert data.startswith(b"%PDF-")
    path = tmp_path / "out.pdf"
    path.write_bytes(data)
    info = pdfinfo(path)
    assert info["Tagged"] == "yes"
    assert info["Title"] == "Panel papers – test"
    assert info["Author"] == "Oakway Adoption"
    from pypdf import PdfReader

    root = PdfReader(path).trailer["/Root"]
    assert root["/Lang"] == "en-GB"
    assert root["/MarkInfo"]["/Marked"]
    assert_accessible_pdf(data, title="Panel papers – test")


TABLES = """<!DOCTYPE html>
<html lang="en-GB"><head><meta charset="utf-8"><title>Tables</title>
<style>@page { @top-left { content: "Running head" }
               @bottom-right { content: "Page " counter(page) " of " counter(pages) } }</style>
</head><body><h1>Tables</h1>
<table><tbody><tr><th scope="row">Our reference</th><td>PL00001</td></tr></tbody></table>
<table><thead><tr><th scope="col">Check</th><th>Outcome</th></tr></thead>
<tbody><tr><td>DBS</td><td>Clear</td></tr></tbody></table>
</body></html>"""


def test_weasyprint_alone_leaves_running_heads_untagged_and_headers_without_scope():
    """Why ``complete_tagging`` exists: the checks fail on WeasyPrint's own output."""
    untreated = pdf.html_to_document(TABLES).write_pdf(pdf_variant=pdf.PDF_VARIANT)
    problems = "\n".join(pdf_accessibility_problems(untreated, title="Tables"))
    assert "'Running head' is neither tagged" in problems
    assert "'Page 1 of 1' is neither tagged" in problems
    assert "table header 'Our reference' has no scope" in problems
    assert "table header 'Check' has no scope" in problems


def test_running_heads_and_page_numbers_are_artifacts_and_headers_keep_their_scope():
    data = pdf.html_to_pdf(TABLES)
    assert_accessible_pdf(data, title="Tables")
    structure = Structure(data)
    artifacts = {piece.text for piece in structure.content if piece.tag == "/Artifact"}
    assert {"Running head", "Page 1 of 1"} <= artifacts
    assert structure.table_header_scopes() == [
        ("Our reference", "/Row"),
        ("Check", "/Column"),
        ("Outcome", "/Column"),  # no scope attribute: a header in a row of headers
    ]


def test_the_checks_catch_skipped_heading_levels_and_leader_dots():
    html = TABLES.replace("</body>", "<h3>Skipped</h3><p>Contents ........ 3</p></body>")
    problems = "\n".join(pdf_accessibility_problems(pdf.html_to_pdf(html), title="Tables"))
    assert "heading level skipped: H3 'Skipped' after H1" in problems
    assert re.search(r"leader dots read as text after '[^']*Contents '", problems)


def test_pdf_templates_use_no_description_lists_or_leaders():
    """WeasyPrint tags each <dt> and <dd> as a separate list item, so a label and its value
    come apart; ``leader()`` dots are text a screen reader reads out. Label and value pairs
    go in a table with row headers (``<th scope="row">``); contents pages show the page
    number without leaders."""
    pdf_templates = [
        path
        for path in TEMPLATES.rglob("*.html")
        if '{% extends "pdf/base.html" %}' in path.read_text()
    ]
    assert len(pdf_templates) >= 3
    for path in [TEMPLATES / BASE, *pdf_templates]:
        html = re.sub(r"{#.*?#}|{% comment %}.*?{% endcomment %}", "", path.read_text(), flags=re.S)
        assert "<dl" not in html, path
        assert "leader(" not in html, path


def test_the_same_html_renders_once(renders):
    first = pdf.pdf_file(template=BASE, context={}, title="Cached once")
    again = pdf.pdf_file(template=BASE, context={}, title="Cached once")
    assert (first.built, again.built) == (True, False)
    assert first.digest == again.digest and again.path.is_file()
    assert len(renders) == 1


def test_different_html_gets_its_own_file(renders):
    one = pdf.pdf_file(template=BASE, context={}, title="Version one")
    two = pdf.pdf_file(template=BASE, context={}, title="Version two")
    assert one.digest != two.digest
    assert one.path.is_file() and two.path.is_file()
    assert len(renders) == 2


def test_documents_with_personal_details_are_never_cached(settings, renders):
    pdf.render_pdf(template=BASE, context={}, title="For Jo", cache=False)
    assert len(renders) == 1
    assert not Path(settings.PDF_CACHE_DIR).exists() or not any(
        Path(settings.PDF_CACHE_DIR).rglob("*.pdf")
    )


def test_the_cache_is_shared_with_other_processes(settings):
    """The worker and the web server are separate processes: one builds, the other reuses."""
    built_here = pdf.pdf_file(template=BASE, context={}, title="Across processes")
    script = (
        "import django, json; django.setup();"
        "from portal.pdf import pdf_file;"
        "f = pdf_file(template='pdf/base.html', context={}, title='Across processes');"
        "print(json.dumps({'built': f.built, 'digest': f.digest}))"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "PDF_CACHE_DIR": str(settings.PDF_CACHE_DIR),
        "SITE_URL": settings.SITE_URL,
    }
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, check=True
    )
    other = json.loads(result.stdout.strip().splitlines()[-1])
    assert other == {"built": False, "digest": built_here.digest}


def test_pdfs_cannot_fetch_from_the_network():
    with pytest.raises(ValueError, match="only use the portal's static files"):
        pdf._fetch_static_only("http://169.254.169.254/latest/meta-data/")
    with pytest.raises(ValueError):
        pdf._fetch_static_only("file:///etc/passwd")
    found = pdf._fetch_static_only("http://testserver/static/images/favicon.svg")
    found["file_obj"].close()


def test_pruning_keeps_the_current_and_recent_files(settings):
    folder = pdf.pdf_cache_dir("test")
    folder.mkdir(parents=True)
    old, current, recent = (folder / f"{name}.pdf" for name in ("old", "current", "recent"))
    for path in (old, current, recent):
        path.write_bytes(b"%PDF")
    two_days_ago = time.time() - 2 * 86400
    os.utime(old, (two_days_ago, two_days_ago))
    os.utime(current, (two_days_ago, two_days_ago))
    removed = pdf.pdf_cache_prune(namespace="test", keep={"current"}, older_than=timedelta(days=1))
    assert removed == 1
    assert not old.exists() and current.exists() and recent.exists()


PRELOAD_CHECK = """
import sys
{setup}
assert "weasyprint" not in sys.modules, "loaded before the process starts"
{start}
assert {{"weasyprint", "pikepdf"}} <= set(sys.modules), "not loaded at start"
"""


@pytest.mark.parametrize(
    "setup, start",
    [
        (
            "import portal.celery\nfrom celery.signals import worker_init",
            "worker_init.send(sender=None)",
        ),
        (
            "import runpy\nconf = runpy.run_path('gunicorn.conf.py')",
            "conf['when_ready'](None)",
        ),
    ],
    ids=["celery worker", "gunicorn master"],
)
def test_the_processes_that_render_load_the_renderer_when_they_start(setup, start):
    """portal.pdf.preload: the Celery worker and gunicorn's master load WeasyPrint before
    they fork, so the first PDF after a publish does not pay for the import."""
    import subprocess
    import sys

    from django.conf import settings

    code = PRELOAD_CHECK.format(setup=setup, start=start)
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr

"""portal/pdf.py: the one WeasyPrint helper. Tagged PDFs with metadata, cached by content."""

import json
import os
import shutil
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest

from portal import pdf
from tests.requirements import require

BASE = "pdf/base.html"


@pytest.fixture(autouse=True)
def _cache_dir(settings, tmp_path):
    settings.PDF_CACHE_DIR = tmp_path / "pdf"


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


def pdfinfo(path: Path) -> dict:
    require(
        shutil.which("pdfinfo") is not None, "pdfinfo is missing: apt-get install poppler-utils"
    )
    out = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return {k.strip(): v.strip() for k, _, v in (line.partition(":") for line in out.splitlines())}


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

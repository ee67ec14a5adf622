"""The one way the portal makes PDFs: WeasyPrint, from a template, tagged, cached.

    from portal.pdf import render_pdf
    data = render_pdf(template="content/information_pack.html", context={...},
                      title="Information pack", author="Oakway Adoption and Fostering")

Templates extend ``pdf/base.html``: it carries the print CSS (A4 pages, running heads,
page numbers, a named ``cover`` page without them) and the metadata WeasyPrint writes
into the PDF (title, author, language). Every PDF is tagged (``pdf/ua-1``) so screen
readers can follow its headings, lists and tables.

Rendering is the slow part (seconds), the HTML is cheap, so PDFs are cached as files
named after a hash of the HTML they are made from, under ``settings.PDF_CACHE_DIR``.
The folder is on disk (a volume shared by the web process and the worker in
production), so a PDF built by the worker is reused by the web process and the other
way round; the same HTML never renders twice, and changed HTML never gets a stale PDF.
Documents with personal details should pass ``cache=False``: they are built when
needed and never kept.
"""

import hashlib
import logging
import os
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from importlib.metadata import version
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)

PDF_VARIANT = "pdf/ua-1"
# Part of every cache key: a new WeasyPrint, or a change to how this module renders,
# must not reuse PDFs made the old way. Bump the suffix when rendering options change.
RENDERER = f"weasyprint-{version('weasyprint')}/{PDF_VARIANT}/1"


@dataclass(frozen=True)
class PDFFile:
    """A rendered PDF in the cache folder."""

    path: Path
    digest: str
    built: bool  # rendered by this call rather than found in the cache
    seconds: float = 0.0  # how long rendering took, when built

    @property
    def modified(self) -> datetime:
        return datetime.fromtimestamp(self.path.stat().st_mtime, tz=UTC)

    @property
    def size(self) -> int:
        return self.path.stat().st_size

    def read(self) -> bytes:
        return self.path.read_bytes()


def pdf_cache_dir(namespace: str = "documents") -> Path:
    return Path(settings.PDF_CACHE_DIR) / namespace


def render_html(*, template: str, context: dict, title: str, author: str | None, lang: str) -> str:
    return render_to_string(
        template,
        {
            **context,
            "pdf_title": title,
            "pdf_author": author or settings.AGENCY_NAME,
            "pdf_lang": lang,
            "agency_name": settings.AGENCY_NAME,
            "agency_email": settings.AGENCY_EMAIL,
            "agency_phone": settings.AGENCY_PHONE,
            "site_url": settings.SITE_URL,
        },
    )


def html_digest(html: str) -> str:
    return hashlib.sha256(f"{RENDERER}\n{settings.SITE_URL}\n{html}".encode()).hexdigest()


def _fetch_static_only(url: str, timeout: int = 10, ssl_context=None):
    """Let a PDF use the portal's own static files and data: URLs, and nothing else.

    A template can never make the renderer fetch from the network (slow, and a way to
    reach internal services), whatever ends up in its HTML.
    """
    import weasyprint

    if url.startswith("data:"):
        return weasyprint.default_url_fetcher(url, timeout=timeout, ssl_context=ssl_context)
    path = urlsplit(url).path
    if path.startswith(settings.STATIC_URL):
        found = finders.find(path.removeprefix(settings.STATIC_URL))
        if found:
            return {"file_obj": open(found, "rb"), "filename": found}  # noqa: SIM115 - WeasyPrint closes it
    raise ValueError(f"PDFs may only use the portal's static files, not {url}")


def html_to_document(html: str):
    """Lay HTML out in pages (WeasyPrint's ``Document``: ``.pages``, ``.write_pdf()``)."""
    import weasyprint  # imported when first needed: it is large, and most requests never are

    return weasyprint.HTML(
        string=html, base_url=f"{settings.SITE_URL}/", url_fetcher=_fetch_static_only
    ).render(pdf_variant=PDF_VARIANT)


def html_to_pdf(html: str) -> bytes:
    """Render HTML to tagged PDF bytes. Slow: seconds for a long document."""
    return html_to_document(html).write_pdf(pdf_variant=PDF_VARIANT)


def pdf_file(
    *,
    template: str,
    context: dict,
    title: str,
    author: str | None = None,
    lang: str = "en-GB",
    namespace: str = "documents",
) -> PDFFile:
    """The PDF for this template and context: from the cache, or rendered and cached."""
    html = render_html(template=template, context=context, title=title, author=author, lang=lang)
    digest = html_digest(html)
    folder = pdf_cache_dir(namespace)
    path = folder / f"{digest}.pdf"
    if path.is_file():
        return PDFFile(path=path, digest=digest, built=False)
    started = time.perf_counter()
    data = html_to_pdf(html)
    seconds = time.perf_counter() - started
    folder.mkdir(parents=True, exist_ok=True)
    # Write aside, then rename: a reader in another process sees the whole file or none,
    # and two processes building the same PDF at once both end with the same file.
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".building-", suffix=".pdf")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    logger.info(
        "Rendered PDF %s/%s in %.2f s (%d bytes)", namespace, digest[:12], seconds, len(data)
    )
    return PDFFile(path=path, digest=digest, built=True, seconds=seconds)


def render_pdf(
    *,
    template: str,
    context: dict,
    title: str,
    author: str | None = None,
    lang: str = "en-GB",
    cache: bool = True,
    namespace: str = "documents",
) -> bytes:
    """PDF bytes for a template. ``cache=False`` for documents with personal details."""
    if not cache:
        html = render_html(
            template=template, context=context, title=title, author=author, lang=lang
        )
        return html_to_pdf(html)
    return pdf_file(
        template=template,
        context=context,
        title=title,
        author=author,
        lang=lang,
        namespace=namespace,
    ).read()


def pdf_cache_prune(*, namespace: str, keep: set[str], older_than: timedelta) -> int:
    """Delete cached PDFs of a namespace not in ``keep`` and older than ``older_than``.

    The age margin keeps a file another process may still be serving.
    """
    folder = pdf_cache_dir(namespace)
    if not folder.is_dir():
        return 0
    cutoff = time.time() - older_than.total_seconds()
    removed = 0
    for path in folder.glob("*.pdf"):
        if path.stem in keep:
            continue
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
                removed += 1
        except FileNotFoundError:
            continue
    return removed

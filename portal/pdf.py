"""The one way the portal makes PDFs: WeasyPrint, from a template, tagged, cached.

    from portal.pdf import render_pdf
    data = render_pdf(template="content/information_pack.html", context={...},
                      title="Information pack", author="Oakway Adoption and Fostering")

Templates extend ``pdf/base.html``: it carries the print CSS (A4 pages, running heads,
page numbers, a named ``cover`` page without them) and the metadata WeasyPrint writes
into the PDF (title, author, language). Every PDF is tagged (``pdf/ua-1``) so screen
readers can follow its headings, lists and tables; ``complete_tagging`` finishes what
WeasyPrint leaves undone (running heads and page numbers as artifacts, table header
scope). ``tests/pdf_checks.py`` holds the checks every PDF must pass.

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
from io import BytesIO
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)

PDF_VARIANT = "pdf/ua-1"
# Part of every cache key: a new WeasyPrint, or a change to how this module renders,
# must not reuse PDFs made the old way. Bump the suffix when rendering options change.
RENDERER = f"weasyprint-{version('weasyprint')}/{PDF_VARIANT}/2"


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


def preload() -> None:
    """Import the renderer now, in a process that will render (the Celery worker before
    it forks its pool, gunicorn's master before it forks the web workers), so the first
    PDF after a publish costs the rendering alone, not half a second of imports as well.
    Forked children share the loaded code; a process that never renders never calls this.
    """
    import pikepdf  # noqa: F401 - loaded for complete_tagging
    import weasyprint  # noqa: F401


def html_to_document(html: str):
    """Lay HTML out in pages (WeasyPrint's ``Document``: ``.pages``, ``.write_pdf()``)."""
    import weasyprint  # imported when first needed: it is large, and most requests never are

    return weasyprint.HTML(
        string=html, base_url=f"{settings.SITE_URL}/", url_fetcher=_fetch_static_only
    ).render(pdf_variant=PDF_VARIANT)


def document_to_pdf(document) -> bytes:
    """A laid-out document as tagged PDF bytes, with WeasyPrint's tagging completed."""
    return complete_tagging(document.write_pdf(pdf_variant=PDF_VARIANT))


def html_to_pdf(html: str) -> bytes:
    """Render HTML to tagged PDF bytes. Slow: seconds for a long document."""
    return document_to_pdf(html_to_document(html))


def complete_tagging(data: bytes) -> bytes:
    """Finish the two things WeasyPrint's PDF/UA tagging leaves undone (checked up to 70).

    1. Running heads and page numbers (the ``@page`` margin boxes) are marked content
       with an MCID, and WeasyPrint builds structure elements for them but leaves those
       out of the structure tree (its comment: an artifact there is only allowed in
       PDF 2.0). So they are neither tagged nor artifacts, and a screen reader meets
       "Page 3 of 20" in the middle of the text. Here every marked-content sequence
       whose structure element is not reachable from the tree becomes a pagination
       artifact, and leaves the parent tree.
    2. Header cells get IDs and data cells name them in ``/Headers``, but a ``TH``
       never gets the ``/Scope`` its ``<th scope>`` had. A header that the data cells
       of its own row name is a row header (``scope="row"``); any other, a column header.

    Reads and writes the PDF with pikepdf (QPDF): about 0.2 s for the 20-page information
    pack, which takes 1.5 to 2.5 s to render.
    """
    import pikepdf

    with pikepdf.open(BytesIO(data)) as pdf:
        tree = pdf.Root.get("/StructTreeRoot")
        if tree is None:
            return data
        elements = list(_structure_elements(tree.get("/K")))
        in_tree = {element.objgen for element in elements}

        parents = pikepdf.NumberTree(tree.ParentTree)
        begin_marked = pikepdf.Operator("BDC")
        pagination = [pikepdf.Name.Artifact, pikepdf.Dictionary(Type=pikepdf.Name.Pagination)]
        for page in pdf.pages:
            key = page.obj.get("/StructParents")
            if key is None or key not in parents:
                continue
            by_mcid = parents[key]
            loose = {
                mcid
                for mcid, element in enumerate(by_mcid)
                if isinstance(element, pikepdf.Dictionary) and element.objgen not in in_tree
            }
            if not loose:
                continue
            for mcid in loose:
                by_mcid[mcid] = None
            page.contents_coalesce()
            operations = [
                (pagination, operator)
                if operator == begin_marked
                and isinstance(operands[1], pikepdf.Dictionary)
                and operands[1].get("/MCID") in loose
                else (operands, operator)
                for operands, operator in pikepdf.parse_content_stream(page)
            ]
            page.obj.Contents = pdf.make_stream(pikepdf.unparse_content_stream(operations))

        for element in elements:
            if element.get("/S") != "/TH" or not isinstance(element.get("/A"), pikepdf.Dictionary):
                continue
            header_id = element.get("/ID")
            row = element.get("/P")
            names_it = any(
                header_id in cell.A.get("/Headers", [])
                for cell in _structure_elements(row.get("/K") if row is not None else None)
                if cell.get("/S") == "/TD" and isinstance(cell.get("/A"), pikepdf.Dictionary)
            )
            element.A.Scope = pikepdf.Name.Row if names_it else pikepdf.Name.Column

        out = BytesIO()
        pdf.save(out)
        return out.getvalue()


def _structure_elements(kids):
    """The structure elements under ``kids`` (an element's ``/K``), depth first."""
    import pikepdf

    if isinstance(kids, pikepdf.Array):
        for kid in kids:
            yield from _structure_elements(kid)
    elif isinstance(kids, pikepdf.Dictionary) and "/S" in kids:
        yield kids
        yield from _structure_elements(kids.get("/K"))


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

"""Markdown written by content editors: rendered by ``portal.markdown`` (sanitised with
nh3), and the links of a rendered page as they must read in the printed pack."""

import re

from django.utils.safestring import SafeString, mark_safe

from portal.markdown import ALLOWED_ATTRIBUTES, ALLOWED_TAGS, GOVUK_CLASSES, render_markdown

__all__ = ["ALLOWED_ATTRIBUTES", "ALLOWED_TAGS", "GOVUK_CLASSES", "pack_links", "render_markdown"]

PAGE_LINK = re.compile(r'href="/early-permanence/([a-z0-9-]+)/"')
SITE_LINK = re.compile(r'<a ([^>]*)href="(/[^"]*)"([^>]*)>(.*?)</a>', re.DOTALL)


def pack_links(html: str, *, in_pack: set[str], site_url: str) -> SafeString:
    """Links in a page's HTML as they must read in the printed pack.

    A link to a page that is in the pack goes to that page in the PDF; any other link to
    the site gets its full address, printed after the link text, so a reader of the
    printed pack can still find a page the pack leaves out.
    """
    html = PAGE_LINK.sub(
        lambda m: f'href="#page-{m.group(1)}"' if m.group(1) in in_pack else m.group(0), html
    )

    def absolute(match: re.Match) -> str:
        before, path, after, text = match.groups()
        address = f"{site_url.rstrip('/')}{path}"
        return f'<a {before}href="{address}"{after}>{text}</a> ({address})'

    return mark_safe(SITE_LINK.sub(absolute, html))  # noqa: S308 - input is cleaned HTML

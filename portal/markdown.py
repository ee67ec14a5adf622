"""Markdown written by staff, rendered to HTML that is safe to put on a page or in a PDF.

Markdown lets raw HTML through, so every rendering is cleaned by nh3 (ammonia) with an
allow-list: no scripts or styles, no event handlers, no ``javascript:`` or ``data:``
links, no images or embeds. Allowed tags then get their GOV.UK classes, set by the
sanitiser itself so an editor cannot smuggle classes or attributes in. The public pages
and the letter templates (``portal.letters``) both render through ``render_markdown``.
"""

import markdown
import nh3
from django.utils.safestring import SafeString, mark_safe
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

GOVUK_CLASSES = {
    "p": "govuk-body",
    "a": "govuk-link",
    "ul": "govuk-list govuk-list--bullet",
    "ol": "govuk-list govuk-list--number",
    "h2": "govuk-heading-m",
    "h3": "govuk-heading-s",
    "h4": "govuk-heading-s",
    "h5": "govuk-heading-s",
    "h6": "govuk-heading-s",
    "blockquote": "govuk-inset-text",
    "hr": "govuk-section-break govuk-section-break--l govuk-section-break--visible",
    "table": "govuk-table",
    "thead": "govuk-table__head",
    "tbody": "govuk-table__body",
    "tr": "govuk-table__row",
    "th": "govuk-table__header",
    "td": "govuk-table__cell",
}
ALLOWED_TAGS = set(GOVUK_CLASSES) | {"strong", "em", "br", "code", "abbr", "li"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "th": {"scope"}}
URL_SCHEMES = {"http", "https", "mailto", "tel"}


class _HeadingLevels(Treeprocessor):
    """Fit the body's headings under the page's own: '#' and '##' become ``top``, and so on.

    On a web page the title is the only h1, so body headings start at h2; in the
    information pack a page inside a section is an h2, so its headings start at h3.
    A heading never goes more than one level below the one before it ('##' then '####'
    becomes h2 then h3): a skipped level leaves a screen reader's outline with a gap.
    """

    def __init__(self, md, top: int):
        super().__init__(md)
        self.top = top

    def run(self, root):
        previous = self.top - 1  # the heading of the page or section the body sits under
        for element in root.iter():
            if element.tag in {"h1", "h2", "h3", "h4", "h5", "h6"}:
                level = max(int(element.tag[1]), 2) - 2 + self.top
                previous = min(level, previous + 1, 6)
                element.tag = f"h{previous}"


class _HeadingLevelsExtension(Extension):
    def __init__(self, top: int):
        super().__init__()
        self.top = top

    def extendMarkdown(self, md):  # noqa: N802 - Markdown's API
        md.treeprocessors.register(_HeadingLevels(md, self.top), "content_heading_levels", 5)


def render_markdown(text: str, *, top_heading: int = 2, line_breaks: bool = False) -> SafeString:
    """Markdown to sanitised HTML with GOV.UK classes; body headings start at ``top_heading``.

    With ``line_breaks`` a new line inside a paragraph is kept (a letter's address block and
    signature), where Markdown would join the lines.
    """
    extensions = ["sane_lists", "tables", "abbr", _HeadingLevelsExtension(top_heading)]
    if line_breaks:
        extensions.append("nl2br")
    html = markdown.markdown(text or "", extensions=extensions, output_format="html")
    cleaned = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        clean_content_tags={"script", "style", "iframe", "object", "template", "textarea"},
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel=None,
        set_tag_attribute_values={tag: {"class": css} for tag, css in GOVUK_CLASSES.items()},
    )
    return mark_safe(cleaned)  # noqa: S308 - the output of an allow-list sanitiser

"""Template helpers for public content: `{% load content_tags %}`."""

from django import template
from django.conf import settings

from content.markdown import pack_links as _pack_links
from content.markdown import render_markdown

register = template.Library()

ANSWER_LABELS = {
    "age": {"yes": "Yes", "no": "No"},
    "residence": {"yes": "Yes", "no": "No"},
    "at_home": {"yes": "Yes", "not-sure": "Not sure yet", "no": "No"},
    "applying": {"alone": "On my own", "partner": "With a partner"},
    "children": {"yes": "Yes", "no": "No"},
}


@register.filter
def markdown(text):
    """Editors' Markdown as sanitised HTML with GOV.UK classes."""
    return render_markdown(text)


@register.filter
def markdown_from(text, top_heading):
    """Like ``markdown``, with the body's headings starting at h<top_heading>."""
    return render_markdown(text, top_heading=int(top_heading))


@register.filter
def pack_links(html, in_pack):
    """Rendered page HTML with its links as they must read in the printed pack."""
    return _pack_links(html, in_pack=set(in_pack or ()), site_url=settings.SITE_URL)


@register.simple_tag
def answer_label(key, value, area=None):
    """How an eligibility answer reads on the result page."""
    if key == "area":
        if area is not None:
            return f"In our area ({area.name})"
        return "Outside our area" if value == "outside" else "Not asked"
    return ANSWER_LABELS.get(key, {}).get(value, value)

"""Template tags for the portal's page furniture: `{% load portal_tags %}`.

- `nav_active`: is a navigation link the current page, in the current section, or neither?
- `service_navigation`: the header's navigation items, each marked with `nav_active`.
- `breadcrumbs`: a GOV.UK breadcrumbs trail from text/URL pairs.
- `error_anchor`: where an error summary link for a field should point.
- `govuk_links`: give bare links in a piece of HTML the `govuk-link` class.
- `without_placeholders`: a form whose boxes are labelled, not placeholdered.
- `needs_input_error_class`: does a field in error need `govuk-input--error` added?
"""

import re

from django import forms, template
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

register = template.Library()

# The header's service navigation, in order. Sections are matched by URL prefix.
SERVICE_NAVIGATION = (
    ("/early-permanence/", "Early Permanence"),
    ("/early-permanence/birth-parents/", "Birth parents"),
    ("/faqs/", "FAQs"),
    ("/stories/", "Stories"),
    ("/eligibility/", "Can I apply?"),
    ("/events/", "Events"),
    ("/enquire/", "Enquire"),
)


@register.simple_tag
def nav_active(path, href, *, siblings=None):
    """Return the `aria-current` value of the link `href` when the page is `path`.

    `"page"` when the link is the page itself, `"true"` when the page is inside
    the link's section, `""` otherwise. A section is a URL prefix; where two
    links share a prefix (`/early-permanence/` and
    `/early-permanence/birth-parents/`), only the longest matching one is
    current, so `siblings` defaults to the service navigation's links.

        {% nav_active request.path "/events/" as current %}
        <a href="/events/"{% if current %} aria-current="{{ current }}"{% endif %}>
    """
    path = path or ""
    if path == href:
        return "page"
    if not path.startswith(href):
        return ""
    hrefs = siblings if siblings is not None else [h for h, _ in SERVICE_NAVIGATION]
    longer_match = any(len(other) > len(href) and path.startswith(other) for other in hrefs)
    return "" if longer_match else "true"


@register.simple_tag(takes_context=True)
def service_navigation(context):
    """The header's navigation links as dicts: `href`, `text` and `current` (see nav_active)."""
    request = context.get("request")
    path = getattr(request, "path", "")
    return [
        {"href": href, "text": text, "current": nav_active(path, href)}
        for href, text in SERVICE_NAVIGATION
    ]


@register.inclusion_tag("includes/breadcrumbs.html")
def breadcrumbs(*pairs):
    """Render GOV.UK breadcrumbs from alternating text and URL arguments.

        {% block before_content %}
          {% breadcrumbs "Home" "/" "Early Permanence" "/early-permanence/" %}
        {% endblock %}

    GOV.UK guidance leaves the current page out of the trail.
    """
    if len(pairs) % 2:
        raise template.TemplateSyntaxError("breadcrumbs takes text and URL pairs")
    return {"crumbs": [{"text": pairs[i], "href": pairs[i + 1]} for i in range(0, len(pairs), 2)]}


@register.filter
def error_anchor(bound_field, field_id):
    """The id an error summary link should target for `field_id` of `bound_field`.

    GOV.UK error summaries link to the first control of a group: the first
    radio or checkbox (the gds templates number them from 1) or the first box
    of a date. Ids of sub-fields (`id_born_1`) are already controls.
    """
    if field_id != bound_field.auto_id:
        return field_id
    widget = bound_field.field.widget
    if isinstance(widget, forms.RadioSelect):  # also CheckboxSelectMultiple
        return f"id_{bound_field.html_name}_1"
    if isinstance(widget, forms.MultiWidget):
        return f"{bound_field.auto_id}_0"
    return field_id


# The widgets crispy-forms-gds already marks in error; every other text-like input needs it.
_MARKED_BY_CRISPY_GDS = ("Select", "TextInput", "Textarea")


@register.filter
def needs_input_error_class(bound_field) -> bool:
    """True for a text-like input in error that crispy-forms-gds would leave unmarked.

    The package adds `govuk-input--error` for `TextInput` only, so email, password,
    number, telephone and URL inputs lost the red border of an answer in error.
    """
    if not bound_field.errors:
        return False
    widget = bound_field.field.widget
    return (
        isinstance(widget, forms.widgets.Input)
        and not isinstance(widget, forms.CheckboxInput | forms.FileInput | forms.HiddenInput)
        and type(widget).__name__ not in _MARKED_BY_CRISPY_GDS
    )


_BARE_LINK = re.compile(r"<a (?![^>]*\bclass=)")


@register.filter(is_safe=True)
def govuk_links(html):
    """Add `class="govuk-link"` to every `<a>` without a class (text from allauth's templates)."""
    escaped = conditional_escape(html)  # a no-op for template output, which is already safe
    return mark_safe(_BARE_LINK.sub('<a class="govuk-link" ', escaped))  # noqa: S308


@register.filter
def without_placeholders(form):
    """The form with its placeholders taken out: GOV.UK forms label every box instead."""
    for field in form.fields.values():
        field.widget.attrs.pop("placeholder", None)
    return form

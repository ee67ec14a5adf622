"""Template tags for information events: `{% load enquiries_tags %}`."""

import re

from django import template
from django.template.defaultfilters import linebreaksbr
from django.utils.html import format_html, format_html_join

from portal.formats import clock, day

from .. import formats

register = template.Library()


@register.simple_tag
def event_when(event):
    """Tuesday 3 March 2026, 7pm to 8:30pm (London time)."""
    return formats.event_when(event)


@register.simple_tag
def event_day(event):
    return day(event.starts_at, weekday=True)


@register.simple_tag
def event_deadline(event):
    """When booking closes, e.g. "at 5pm on Monday 2 March 2026"."""
    deadline = event.booking_deadline
    return f"at {clock(deadline)} on {day(deadline, weekday=True)}"


@register.simple_tag
def places_tag(event, now=None):
    """A tag saying how many places are left, or that the event has a waiting list."""
    if not event.is_open_for_booking(now):
        return format_html(
            '<strong class="govuk-tag govuk-tag--grey">{}</strong>', "Booking closed"
        )
    left = event.places_left
    if left <= 0:
        return format_html(
            '<strong class="govuk-tag govuk-tag--orange">{}</strong>', "Waiting list"
        )
    noun = "place" if left == 1 else "places"
    return format_html('<strong class="govuk-tag govuk-tag--green">{} {} left</strong>', left, noun)


STATUS_COLOURS = {
    "confirmed": "green",
    "waiting": "orange",
    "cancelled": "grey",
    "attended": "turquoise",
    "no_show": "grey",
}


@register.simple_tag
def booking_status_tag(booking):
    colour = STATUS_COLOURS.get(booking.status, "grey")
    return format_html(
        '<strong class="govuk-tag govuk-tag--{}">{}</strong>', colour, booking.get_status_display()
    )


@register.filter
def govuk_paragraphs(text):
    """Staff-written text as GOV.UK body paragraphs (a blank line starts a new one)."""
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", str(text or "")) if p.strip()]
    return format_html_join(
        "\n",
        '<p class="govuk-body">{}</p>',
        ((linebreaksbr(paragraph),) for paragraph in paragraphs),
    )

"""Dates in templates as ``portal.formats`` writes them; loaded in every template
(``TEMPLATES`` builtins): ``{{ when|day }}``, ``{{ when|day:"weekday" }}``,
``{{ when|day_and_time }}``. An empty value shows as nothing, like Django's ``date``."""

from django import template

from portal import formats

register = template.Library()


@register.filter(name="day")
def day_filter(value, style: str = "") -> str:
    if not value:
        return ""
    if style not in ("", "weekday"):
        raise template.TemplateSyntaxError(f'day takes "weekday" or nothing, not {style!r}.')
    return formats.day(value, weekday=style == "weekday")


@register.filter(name="day_and_time")
def day_and_time_filter(value) -> str:
    return formats.day_and_time(value) if value else ""

"""How event dates and times are written for people: UK style, London time."""

import re
from datetime import datetime

from django.utils import timezone


def clock(moment: datetime) -> str:
    """7pm, 7:30pm, midday (GOV.UK style)."""
    local = timezone.localtime(moment)
    if local.hour == 12 and local.minute == 0:
        return "midday"
    hour = local.hour % 12 or 12
    suffix = "am" if local.hour < 12 else "pm"
    return f"{hour}{suffix}" if local.minute == 0 else f"{hour}:{local.minute:02d}{suffix}"


def day(moment: datetime) -> str:
    """Tuesday 3 March 2026."""
    local = timezone.localtime(moment)
    return f"{local:%A} {local.day} {local:%B %Y}"


def event_when(event) -> str:
    """Tuesday 3 March 2026, 7pm to 8:30pm."""
    return f"{day(event.starts_at)}, {clock(event.starts_at)} to {clock(event.ends_at)}"


def staff_date(moment: datetime) -> str:
    """3 June 2025, 7pm: how the staff area writes a moment."""
    local = timezone.localtime(moment)
    return f"{local.day} {local:%B %Y}, {clock(moment)}"


def natural_key(text: str) -> tuple:
    """Sort "Person 2" before "Person 10": numbers by value, words without case."""
    return tuple(
        (0, int(part), "") if part.isdigit() else (1, 0, part.casefold())
        for part in re.split(r"(\d+)", text)
        if part
    )

"""How event dates and times are written for people: UK style, London time."""

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

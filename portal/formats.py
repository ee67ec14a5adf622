"""Dates, times and names as people read them: one style everywhere, the GOV.UK style guide's.

- a date: "3 June 2025" (no leading zero, the month in full);
- with the day of the week, where it helps: "Tuesday 3 June 2025";
- with a time: "3 June 2025 at 2:30pm"; times "7pm", "7:30pm", "midday";
- moments (datetimes) are shown in the portal's time zone (Europe/London);
- a person's name: first name then last name, "Ada Okafor" (either may be missing).

In templates the filters ``day``, ``day:"weekday"`` and ``day_and_time`` (always loaded,
``portal.templatetags.portal_formats``) do the same. Dates meant for machines (CSV
exports, form inputs, file names) keep their own formats.
"""

from datetime import date, datetime

from django.utils import timezone


def _local_date(value: date | datetime) -> date:
    if isinstance(value, datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value


def day(value: date | datetime, *, weekday: bool = False) -> str:
    """3 June 2025; with ``weekday``, Tuesday 3 June 2025."""
    value = _local_date(value)
    text = f"{value.day} {value:%B %Y}"
    return f"{value:%A} {text}" if weekday else text


def clock(moment: datetime) -> str:
    """7pm, 7:30pm, midday."""
    local = timezone.localtime(moment) if timezone.is_aware(moment) else moment
    if local.hour == 12 and local.minute == 0:
        return "midday"
    hour = local.hour % 12 or 12
    suffix = "am" if local.hour < 12 else "pm"
    return f"{hour}{suffix}" if local.minute == 0 else f"{hour}:{local.minute:02d}{suffix}"


def month(value: date | datetime) -> str:
    """June 2025 (where the day is not shown, such as a child's month of birth in a list)."""
    return f"{_local_date(value):%B %Y}"


def day_and_time(moment: datetime) -> str:
    """3 June 2025 at 2:30pm."""
    return f"{day(moment)} at {clock(moment)}"


def full_name(first_name: str, last_name: str) -> str:
    """Ada Okafor; just the one name where the other is missing (a baby not yet named)."""
    return f"{first_name} {last_name}".strip()

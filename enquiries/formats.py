"""How an event's date and times are written for people (``portal.formats``), and a
natural sort key."""

import re

from portal.formats import clock, day


def event_when(event) -> str:
    """Tuesday 3 March 2026, 7pm to 8:30pm."""
    starts = day(event.starts_at, weekday=True)
    return f"{starts}, {clock(event.starts_at)} to {clock(event.ends_at)}"


def natural_key(text: str) -> tuple:
    """Sort "Person 2" before "Person 10": numbers by value, words without case."""
    return tuple(
        (0, int(part), "") if part.isdigit() else (1, 0, part.casefold())
        for part in re.split(r"(\d+)", text)
        if part
    )

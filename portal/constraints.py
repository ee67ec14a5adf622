"""Database constraints the apps' models share, built in one place.

``dates_in_order``: a date is not before the date it follows (received on or after
requested; an arrangement ends on or after it starts). A missing date has nothing to
compare, so the row is allowed; ``portal.dates.in_order`` is the same rule in words for
forms and services, and the constraint is the database's last word on it.
"""

from collections.abc import Sequence

from django.db import models
from django.db.models import F, Q


def dates_in_order(
    later: str,
    earlier: str,
    *,
    name: str,
    message: str | None = None,
    nullable: Sequence[str] | None = None,
) -> models.CheckConstraint:
    """A check that the column ``later`` is on or after the column ``earlier``.

    ``nullable`` names the columns that may be empty (by default both), each allowing
    the row when it is; a column that is never null needs no such test. Their order is
    the order of the terms in the condition, so a constraint already in a migration is
    rebuilt exactly. ``message`` is what a model's validation says when the dates are out
    of order (Django's default without one).
    """
    nullable = (later, earlier) if nullable is None else nullable
    condition = Q()
    for column in nullable:
        condition |= Q(**{f"{column}__isnull": True})
    condition |= Q(**{f"{later}__gte": F(earlier)})
    return models.CheckConstraint(condition=condition, name=name, violation_error_message=message)

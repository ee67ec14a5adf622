"""Aggregates the reports share, worked out by the database in a fixed number of queries
however many rows they cover: whole days between two dates, and medians.

Medians use PostgreSQL's ``percentile_cont(0.5)``, which interpolates between the middle
two of an even count as ``statistics.median`` does and leaves out NULLs. On SQLite (a
laptop) the same medians come from window functions: the middle one or two rows of each
group, averaged by the database. No median is worked out by looping over rows in Python.
"""

from django.db import NotSupportedError, connection
from django.db.models import (
    Aggregate,
    Avg,
    Count,
    F,
    FloatField,
    Func,
    IntegerField,
    QuerySet,
    Window,
)
from django.db.models.functions import RowNumber


class DaysBetween(Func):
    """Whole days from ``start`` to ``end`` (two dates), as an integer in the database."""

    output_field = IntegerField()

    def __init__(self, start, end, **extra):
        super().__init__(end, start, **extra)

    def as_sql(self, compiler, connection, **extra):
        # PostgreSQL: date - date is a whole number of days.
        return super().as_sql(
            compiler, connection, template="(%(expressions)s)", arg_joiner=" - ", **extra
        )

    def as_sqlite(self, compiler, connection, **extra):
        return super().as_sql(
            compiler,
            connection,
            template="CAST(julianday(%(expressions)s) AS INTEGER)",
            arg_joiner=") - julianday(",
            **extra,
        )


class Median(Aggregate):
    """The median (PostgreSQL's ``percentile_cont(0.5)``)."""

    function = "PERCENTILE_CONT"
    name = "Median"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()

    def as_sql(self, compiler, connection, **extra):
        if connection.vendor != "postgresql":
            raise NotSupportedError("Median needs PostgreSQL; use medians_by() elsewhere.")
        return super().as_sql(compiler, connection, **extra)


def medians_by(
    queryset: QuerySet, *, group: str, values: dict[str, Func]
) -> dict[str | None, dict[str, float | None]]:
    """The median of each expression in ``values``, per value of ``group`` and overall (None).

    One query per grouping on PostgreSQL; on SQLite one per expression and grouping.
    """
    result: dict[str | None, dict[str, float | None]] = {}
    if connection.vendor == "postgresql":
        grouped = (
            queryset.order_by()
            .values(group)
            .annotate(**{name: Median(expr) for name, expr in values.items()})
        )
        for row in grouped:
            result[row[group]] = {name: row[name] for name in values}
        result[None] = queryset.order_by().aggregate(
            **{name: Median(expr) for name, expr in values.items()}
        )
        return result
    for name, expr in values.items():
        for row_group, median in _middle_averaged(queryset, expr, group):
            result.setdefault(row_group, {})[name] = median
        result.setdefault(None, {})[name] = _middle_averaged(queryset, expr)[0][1]
    return result


def _middle_averaged(queryset: QuerySet, expr: Func, group: str | None = None) -> list:
    """SQLite's median of ``expr``: the middle row of an odd count, the average of the
    middle two of an even one, per value of ``group`` or over all (one query). Pairs
    of (group value, median); one pair, (None, median or None), without a group."""
    partition = [F(group)] if group else None
    middle = (
        queryset.order_by()
        .annotate(
            _value=expr,
            _position=Window(
                RowNumber(), partition_by=partition, order_by=[F("_value").asc(), F("pk").asc()]
            ),
            _total=Window(Count("pk"), partition_by=partition),
        )
        .filter(_position__gte=F("_total") / 2.0, _position__lte=F("_total") / 2.0 + 1)
        .values("pk")
    )
    rows = queryset.model.objects.filter(pk__in=middle).order_by()
    if group:
        return [
            (row[group], row["_median"]) for row in rows.values(group).annotate(_median=Avg(expr))
        ]
    return [(None, rows.aggregate(_median=Avg(expr))["_median"])]


def medians(queryset: QuerySet, values: dict[str, Func]) -> dict[str, float | None]:
    """The median of each expression in ``values`` over ``queryset``, each over the rows
    where it is not NULL (None when there are none). One query on PostgreSQL; on SQLite
    one per expression."""
    if connection.vendor == "postgresql":
        # Each under an alias of its own: a name may be a field's.
        found = queryset.order_by().aggregate(
            **{f"median_{n}": Median(expr) for n, expr in enumerate(values.values())}
        )
        return {name: found[f"median_{n}"] for n, name in enumerate(values)}
    return {
        name: _middle_averaged(queryset.alias(_present=expr).filter(_present__isnull=False), expr)[
            0
        ][1]
        for name, expr in values.items()
    }

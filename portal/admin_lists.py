"""Lists over tables that only grow: audit entries, the outbox, family time, bookings.

Django's changelist costs little per row shown, but some of its furniture reads the whole
table on every opening: it counts every row twice (the page's count and the "of N"
total), its date drill-down (``date_hierarchy``) finds the years by scanning every date,
and a filter built from the values in use (``AllValuesFieldListFilter``,
``RelatedOnlyFieldListFilter``, auditlog's resource types) reads every row to list them.
After ten years those are most of the page's time (``make bench``'s staff table). Here:

- ``EstimatedCountPaginator``: an unfiltered list of a large table takes PostgreSQL's
  own estimate of its rows (``pg_class.reltuples``, kept by autovacuum) rather than
  counting them, and says "about" beside it; a filtered or searched list is counted.
- ``LargeTableAdmin``: that paginator, and no second count of the whole table.
- Date filters (``admin.DateFieldListFilter``: today, the past 7 days, this month, this
  year) replace the date drill-down on these lists; they cost one indexed range.
"""

from django.core.paginator import Paginator
from django.db import connections, router
from django.utils.functional import cached_property

# A table the planner thinks smaller than this is counted exactly: counting it is cheap.
ESTIMATE_FROM = 50_000


def estimated_rows(model) -> int | None:
    """PostgreSQL's estimate of the rows in ``model``'s table, or None where there is
    none (another database, or a table never analysed)."""
    connection = connections[router.db_for_read(model)]
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reltuples::bigint FROM pg_class WHERE oid = to_regclass(%s)",
            [connection.ops.quote_name(model._meta.db_table)],
        )
        row = cursor.fetchone()
    return row[0] if row and row[0] >= 0 else None


class EstimatedCountPaginator(Paginator):
    """Counts a filtered list; takes the table's estimate for the whole of a large one."""

    estimated = False

    @cached_property
    def count(self):
        query = getattr(self.object_list, "query", None)
        if query is not None and not query.where and not query.distinct:
            estimate = estimated_rows(self.object_list.model)
            if estimate is not None and estimate >= ESTIMATE_FROM:
                self.estimated = True
                return estimate
        return super().count


class LargeTableAdmin:
    """For the ModelAdmin of a table that grows with the agency's history."""

    paginator = EstimatedCountPaginator
    # The "of N" beside a filtered count would count the whole table again.
    show_full_result_count = False

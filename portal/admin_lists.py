"""Lists over tables that only grow: audit entries, the outbox, family time, bookings, enquiries.

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
- The tick box of each row is written directly: Django's admin renders a form widget
  through the template engine for every row, about half of a 100-row page's time.
"""

from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.views.main import ChangeList
from django.core.paginator import Paginator
from django.db import connections, router
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.text import smart_split, unescape_string_literal
from django.utils.translation import gettext as _


def search_words(search_term: str) -> list[str]:
    """The words of a list's search as Django's admin splits them ("a quoted phrase" is
    one word), for a list that searches them its own way."""
    words = []
    for bit in smart_split(search_term):
        if bit.startswith(('"', "'")) and bit[0] == bit[-1]:
            bit = unescape_string_literal(bit)
        if bit:
            words.append(bit)
    return words


# A table the planner thinks smaller than this is counted exactly: counting it is cheap.
ESTIMATE_FROM = 50_000


def estimated_rows(model) -> tuple[int, bool] | None:
    """How many rows ``model``'s table holds, in one query: PostgreSQL's estimate when it
    has one of at least ``ESTIMATE_FROM`` rows, else an exact count (the count runs only
    then). With whether it is the estimate. None on another database."""
    connection = connections[router.db_for_read(model)]
    if connection.vendor != "postgresql":
        return None
    table = connection.ops.quote_name(model._meta.db_table)
    # A table never analysed has reltuples -1: counted.
    sql = (
        "SELECT CASE WHEN reltuples >= %s THEN reltuples::bigint "  # noqa: S608 - the table is the model's own name, quoted
        f"ELSE (SELECT COUNT(*) FROM {table}) END, reltuples >= %s "
        "FROM pg_class WHERE oid = to_regclass(%s)"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [ESTIMATE_FROM, ESTIMATE_FROM, table])
        row = cursor.fetchone()
    return (row[0], row[1]) if row else None


class EstimatedCountPaginator(Paginator):
    """Counts a filtered list; takes the table's estimate for the whole of a large one.
    One query either way, so a page makes as many queries whatever the table's size."""

    estimated = False

    @cached_property
    def count(self):
        query = getattr(self.object_list, "query", None)
        if query is not None and not query.where and not query.distinct:
            rows = estimated_rows(self.object_list.model)
            if rows is not None:
                count, self.estimated = rows
                return count
        return super().count


class LargeTableChangeList(ChangeList):
    def get_results(self, request):
        super().get_results(request)
        if self.full_result_count is None and not (self.has_active_filters or self.query):
            # Unfiltered, the page's count is the whole table's: without this the search
            # box offers "N results (Show all)" on a list that already shows all.
            self.full_result_count = self.result_count


class LargeTableAdmin:
    """For the ModelAdmin of a table that grows with the agency's history."""

    paginator = EstimatedCountPaginator
    # The "of N" beside a filtered count would count the whole table again.
    show_full_result_count = False

    def get_changelist(self, request, **kwargs):
        return LargeTableChangeList

    def action_checkbox(self, obj):
        """The row's tick box, the same markup as Django's own (a test compares them),
        without rendering a widget template for each row. So an override of Django's
        ``checkbox.html`` or ``attrs.html`` templates does not reach these lists; every
        key here is a number, never empty (Django leaves ``value`` out for an empty one)."""
        label = format_html(_("Select this object for an action - {}"), str(obj))
        return format_html(
            '<input type="checkbox" name="{}" value="{}" class="action-select" aria-label="{}">',
            ACTION_CHECKBOX_NAME,
            str(obj.pk),
            label,
        )

"""CSV downloads of records: one way to write them, and a log of each.

Every CSV view of the apps answers with ``csv_export``: the file begins with a line
saying it holds personal data (one cell, so a spreadsheet opens it as the first row),
then the column titles and the rows, each cell defused against formulas; and one
``ExportLog`` row records who downloaded which export, when, how many rows and with
which filter. The log never holds the rows, a name or the words of a search.

Each app chooses its columns for the task the export serves and says in a comment why
each one is there, and why what is left out is left out.
"""

import csv
from collections.abc import Iterable, Mapping, Sequence

from django.http import HttpRequest, HttpResponse

from .models import ExportLog

NOTICE = (
    "# This file holds personal data. Keep it securely, share it only with those who "
    "need it, and delete it when done."
)

# Parts of an admin list's address that are not a filter: the page, the order, the
# popup markers. A search's words (``q``) may be a name: the log keeps only that there
# was one.
_NOT_FILTERS = ("p", "o", "_popup", "_to_field", "e")
SEARCH = "q"


def csv_safe(value) -> str:
    """Stop a spreadsheet from running a cell as a formula (CSV injection)."""
    text = "" if value is None else str(value)
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + text
    return text


def list_filters(request: HttpRequest, *, selected: int) -> dict:
    """The filter of an admin list action, for the log: the list's filters (not a search's
    words), and how many records were ticked or whether all matching ones were chosen."""
    filters = {
        key: request.GET.getlist(key) if len(request.GET.getlist(key)) > 1 else value
        for key, value in request.GET.items()
        if key not in _NOT_FILTERS and key != SEARCH
    }
    if request.GET.get(SEARCH, "").strip():
        filters["search"] = "yes (the words are not kept)"
    if request.POST.get("select_across") == "1":
        filters["selected"] = "all matching"
    else:
        filters["selected"] = selected
    return filters


def csv_export(
    request: HttpRequest,
    *,
    export: str,
    filename: str,
    columns: Sequence[str],
    rows: Iterable[Sequence],
    filters: Mapping,
) -> HttpResponse:
    """The CSV download of ``rows`` under ``columns``, logged as ``export``."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    writer = csv.writer(response)
    writer.writerow([NOTICE])
    writer.writerow(columns)
    count = 0
    for row in rows:
        writer.writerow([csv_safe(value) for value in row])
        count += 1
    ExportLog.objects.create(export=export, by=request.user, rows=count, filters=dict(filters))
    return response

"""The audit log's list (auditlog's own admin) made to hold a million entries.

auditlog's list finds its record types by reading every entry, drills down by date by
reading every entry's date, counts every entry twice and searches inside every entry's
changes: after ten years that was a second a page and seven seconds a search
(``make bench``). Here the record types come from what is audited (the registry), the
dates are filters (today, this week, this month, this year), a large unfiltered list
shows the database's estimate of its size (``portal.admin_lists``), and the search looks
in the record's name and reference, through a trigram index on PostgreSQL
(``portal/migrations/0012_audit_search_index.py``). One record's own trail is its
History page, which reads that record's entries only.
"""

from auditlog.admin import LogEntryAdmin as AuditlogLogEntryAdmin
from auditlog.filters import CIDFilter
from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType

from .admin_lists import LargeTableAdmin


class AuditedTypeFilter(admin.SimpleListFilter):
    """The kinds of record the portal audits, read from the registry, not the entries."""

    title = "record type"
    parameter_name = "resource_type"

    def lookups(self, request, model_admin):
        types = ContentType.objects.get_for_models(*auditlog.get_models())
        return sorted(
            (
                (str(kind.pk), model._meta.verbose_name.capitalize())
                for model, kind in types.items()
            ),
            key=lambda choice: choice[1],
        )

    def queryset(self, request, queryset):
        value = self.value()
        return queryset.filter(content_type_id=int(value)) if (value or "").isdigit() else queryset


admin.site.unregister(LogEntry)


@admin.register(LogEntry)
class LogEntryAdmin(LargeTableAdmin, AuditlogLogEntryAdmin):
    date_hierarchy = None
    list_filter = ["action", AuditedTypeFilter, ("timestamp", admin.DateFieldListFilter), CIDFilter]
    search_fields = ["object_repr"]
    search_help_text = "Search by the record's name or reference (e.g. HH00012)."

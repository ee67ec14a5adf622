"""The audit log's list (auditlog's own admin) made to hold a million entries.

auditlog's list finds its record types by reading every entry, drills down by date by
reading every entry's date, counts every entry twice and searches inside every entry's
changes: after ten years that was a second a page and seven seconds a search
(``make bench``). Here the record types come from the portal's apps and the registry, the
dates are filters (today, this week, this month, this year), who did it is a filter of
the staff, a large unfiltered list shows the database's estimate of its size
(``portal.admin_lists``), and the search looks in the record's label (its reference, or
its kind and number: the audit log names no one), through a trigram index on PostgreSQL
(``portal/migrations/0012_audit_search_index.py``). One record's own trail is its
History page, which reads that record's entries only.
"""

from pathlib import Path

from auditlog.admin import LogEntryAdmin as AuditlogLogEntryAdmin
from auditlog.filters import CIDFilter
from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType

from .admin_lists import LargeTableAdmin
from .models import User


def own_models():
    """The models of the portal's own apps (those in its source tree, whatever they are
    called): their records are audited by auditlog's registry or by
    ``portal.audit.record`` (decisions, letters, templates)."""
    base = Path(settings.BASE_DIR).resolve()
    for config in apps.get_app_configs():
        path = Path(config.path).resolve()
        if base in path.parents and "site-packages" not in path.parts:
            yield from config.get_models()


class AuditedTypeFilter(admin.SimpleListFilter):
    """The kinds of record the portal audits, from the apps and the registry, not read
    from a million entries."""

    title = "record type"
    parameter_name = "resource_type"

    def lookups(self, request, model_admin):
        models = {*auditlog.get_models(), *own_models()}
        types = ContentType.objects.get_for_models(*models)
        return sorted(
            (
                (str(kind.pk), model._meta.verbose_name.capitalize())
                for model, kind in types.items()
            ),
            key=lambda choice: (choice[1], choice[0]),
        )

    def queryset(self, request, queryset):
        value = self.value()
        return queryset.filter(content_type_id=int(value)) if (value or "").isdigit() else queryset


class ActorFilter(admin.SimpleListFilter):
    """Who did it: the staff (a few dozen), not read from the entries."""

    title = "by"
    parameter_name = "actor"

    def lookups(self, request, model_admin):
        staff = User.objects.filter(is_staff=True).order_by("last_name", "first_name", "pk")
        return [(str(user.pk), user.get_full_name() or user.email) for user in staff]

    def queryset(self, request, queryset):
        value = self.value()
        return queryset.filter(actor_id=int(value)) if (value or "").isdigit() else queryset


admin.site.unregister(LogEntry)


@admin.register(LogEntry)
class LogEntryAdmin(LargeTableAdmin, AuditlogLogEntryAdmin):
    date_hierarchy = None
    list_filter = [
        "action",
        AuditedTypeFilter,
        ActorFilter,
        ("timestamp", admin.DateFieldListFilter),
        CIDFilter,
    ]
    search_fields = ["object_repr"]
    search_help_text = (
        "Search by the record's reference, or its kind and number (e.g. HH00012, "
        "Applicant 4). To see what one person did, choose them under “By”."
    )

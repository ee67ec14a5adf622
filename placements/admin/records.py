"""Deadlines across every placement."""

from django.contrib import admin

from portal.admin_access import AccessAdmin
from portal.admin_filters import OverdueColumn, ReadOnly

from ..models import PlacementDeadline
from .filters import CaseloadFilter, OverdueFilter

# ---------------------------------------------------------------------------
# Deadlines across every placement
# ---------------------------------------------------------------------------


@admin.register(PlacementDeadline)
class PlacementDeadlineAdmin(AccessAdmin, ReadOnly, OverdueColumn, admin.ModelAdmin):
    """Every open clock of each child in a placement, with whose duty it is and who is
    reminded. Read-only: deadlines follow the facts."""

    list_display = ("due_on", "label", "placement", "is_overdue", "duty", "worker_display")
    list_filter = (CaseloadFilter, OverdueFilter, "kind", "duty")
    list_select_related = ("placement", "child", "worker")
    search_fields = ("placement__reference", "child__reference")
    date_hierarchy = "due_on"
    fields = readonly_fields = ("placement", "child", "kind", "label", "due_on", "duty", "worker")

    @admin.display(description="reminded")
    def worker_display(self, obj):
        return obj.worker or "the placements team"

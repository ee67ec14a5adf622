"""Family time sessions and deadlines across every placement."""

from django.contrib import admin

from portal.admin_filters import OverdueColumn, ReadOnly

from ..models import FamilyTimeSession, PlacementDeadline
from .filters import CaseloadFilter, OverdueFilter

# ---------------------------------------------------------------------------
# Family time sessions and deadlines across every placement
# ---------------------------------------------------------------------------


@admin.register(FamilyTimeSession)
class FamilyTimeSessionAdmin(admin.ModelAdmin):
    """Every family time session, to see attendance and cancellations across placements."""

    list_display = ("held_on", "placement", "status")
    list_filter = ("status", CaseloadFilter)
    list_select_related = ("placement",)
    search_fields = ("placement__reference",)
    date_hierarchy = "held_on"
    fields = readonly_fields = ("placement", "held_on", "status", "note")

    def has_add_permission(self, request):
        # Sessions are recorded on the placement page, where they belong.
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PlacementDeadline)
class PlacementDeadlineAdmin(ReadOnly, OverdueColumn, admin.ModelAdmin):
    """Every open clock on a placement. Read-only: deadlines follow the facts."""

    list_display = ("due_on", "label", "placement", "is_overdue", "social_worker")
    list_filter = (CaseloadFilter, OverdueFilter, "kind")
    list_select_related = (
        "placement",
        "placement__household",
        "placement__household__social_worker",
    )
    search_fields = ("placement__reference",)
    date_hierarchy = "due_on"
    fields = readonly_fields = ("placement", "kind", "label", "due_on")

    @admin.display(description="carers' social worker")
    def social_worker(self, obj):
        return obj.placement.household.social_worker or "—"

"""The staff pages for children and sibling groups."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from portal import formats
from portal.admin_caseloads import ReallocateAdmin
from portal.admin_notes import CaseNoteInline, CaseNotesAdmin
from portal.admin_sections import CaseSectionsAdmin, Section

from .. import services
from ..forms import ChildForm
from ..models import (
    Child,
    ChildNote,
    CourtOrder,
    PlacementChild,
    SiblingGroup,
    TemporaryApproval,
)
from .common import ReadOnlyCards, ReadOnlyInline, _child_link, _log_access

# ---------------------------------------------------------------------------
# Children
# ---------------------------------------------------------------------------


class ChildPlacementInline(ReadOnlyCards):
    model = PlacementChild
    fk_name = "child"
    verbose_name = "placement"
    verbose_name_plural = "placements"
    fields = readonly_fields = ("placement_link", "route", "placed_on", "status", "is_current")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("placement", "placement__household")

    @admin.display(description="placement")
    def placement_link(self, obj):
        url = reverse("admin:placements_placement_change", args=[obj.placement_id])
        return format_html(
            '<a href="{}">{}</a> with {}', url, obj.placement, obj.placement.household
        )

    @admin.display(description="route")
    def route(self, obj):
        return obj.placement.get_route_display()

    @admin.display(description="placed on")
    def placed_on(self, obj):
        return obj.placement.placed_on

    @admin.display(description="status")
    def status(self, obj):
        placement = obj.placement
        if placement.outcome:
            return f"{placement.get_outcome_display()} ({formats.day(placement.outcome_on)})"
        return placement.get_status_display()


class ChildOrderInline(ReadOnlyCards):
    model = CourtOrder
    fk_name = "child"
    verbose_name_plural = "court orders"
    fields = readonly_fields = ("kind", "made_on", "placement", "recorded_by")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("placement", "recorded_by")


class ChildApprovalInline(ReadOnlyCards):
    model = TemporaryApproval
    fk_name = "child"
    verbose_name_plural = "reg 25A temporary approvals"
    fields = readonly_fields = ("household", "approved_on", "ends_on", "end_reason")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("household")


class ChildNoteInline(CaseNoteInline):
    model = ChildNote


@admin.register(Child)
class ChildAdmin(CaseSectionsAdmin, ReallocateAdmin, CaseNotesAdmin, admin.ModelAdmin):
    form = ChildForm
    view_on_site = False
    change_form_template = "admin/case_page.html"
    list_display = (
        "reference",
        "initials_display",
        "born",
        "legal_status",
        "placing_local_authority",
        "sibling_group",
    )
    list_display_links = ("reference", "initials_display")
    list_filter = ("legal_status", "sex")
    list_select_related = ("sibling_group",)
    list_per_page = 50
    search_fields = ("reference", "first_name", "last_name", "placing_local_authority")
    search_help_text = "Search by reference (C00012), name or placing local authority."
    inlines = (ChildPlacementInline, ChildOrderInline, ChildApprovalInline, ChildNoteInline)
    sections = (
        Section("overview", "The child and placements", (ChildPlacementInline,), details=True),
        Section(
            "legal",
            "Court orders and approvals",
            (ChildOrderInline, ChildApprovalInline),
            saves=False,
        ),
        Section("notes", "Notes", (ChildNoteInline,), saves=False),
    )

    def get_readonly_fields(self, request, obj=None):
        readonly = ["reference", "created_at"]
        if obj is not None:
            # The legal status follows the court orders recorded on the placement.
            readonly.append("legal_status")
        return readonly

    def get_fields(self, request, obj=None):
        fields = [
            "first_name",
            "last_name",
            "date_of_birth",
            "expected_on",
            "sex",
            "entered_care_on",
            "placing_local_authority",
            "sibling_group",
            "legal_status",
        ]
        return ["reference", *fields] if obj else fields

    @admin.display(description="child", ordering="last_name")
    def initials_display(self, obj):
        return obj.initials

    @admin.display(description="born", ordering="date_of_birth")
    def born(self, obj):
        if obj.date_of_birth:
            return formats.month(obj.date_of_birth)
        return f"expected {formats.month(obj.expected_on)}" if obj.expected_on else "—"

    def get_search_results(self, request, queryset, search_term):
        queryset, duplicates = super().get_search_results(request, queryset, search_term)
        # Choosing the children of a new placement: only those not placed now.
        if (
            request.GET.get("model_name") == "placement"
            and request.GET.get("field_name") == "children"
        ):
            queryset = queryset.exclude(placement_links__is_current=True)
        return queryset, duplicates

    def save_model(self, request, obj, form, change):
        if change and not self.details_shown(request, obj):
            return
        if change:
            services.child_update(child=obj, by=request.user)
        else:
            services.child_register(child=obj, by=request.user)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        if request.method == "GET" and response.status_code == 200:
            child = response.context_data.get("original")
            if child is not None:
                _log_access(request, child, "placements.child.viewed")
        return response

    def has_delete_permission(self, request, obj=None):
        # Adoption records are kept for a century: children are never deleted here.
        return request.user.is_superuser


class SiblingInline(ReadOnlyInline):
    model = Child
    fields = readonly_fields = ("child_link", "born", "legal_status")
    verbose_name_plural = "children in the group"

    @admin.display(description="child")
    def child_link(self, obj):
        return _child_link(obj)

    @admin.display(description="born")
    def born(self, obj):
        return formats.month(obj.date_of_birth) if obj.date_of_birth else "not yet born"


@admin.register(SiblingGroup)
class SiblingGroupAdmin(admin.ModelAdmin):
    list_display = ("reference", "notes", "created_at")
    search_fields = ("reference",)
    fields = ("reference", "notes")
    readonly_fields = ("reference",)
    inlines = (SiblingInline,)

    def save_model(self, request, obj, form, change):
        if change:
            services.sibling_group_update(group=obj, notes=obj.notes, by=request.user)
        else:
            created = services.sibling_group_create(by=request.user, notes=obj.notes)
            obj.pk, obj.reference = created.pk, created.reference

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

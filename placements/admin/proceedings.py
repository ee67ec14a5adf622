"""The staff page for care proceedings: the court, the case number, the dates, the children
they are about (one child, or brothers and sisters heard together), the extensions the
court granted and the hearings. Every save goes through the court services, which work
out the 26-week date and move the children's clocks."""

from django.contrib import admin
from django.utils.html import format_html_join

from portal import formats
from portal.admin_access import AccessAdmin
from portal.admin_saves import RefusedOnSave, SavesThroughServices
from portal.admin_sections import CaseFields
from portal.admin_versions import CaseWithdrawals

from .. import clocks, services
from ..forms import ExtensionForm, HearingForm, ProceedingsForm
from ..models import Child, CourtOrder, Hearing, Proceedings, ProceedingsExtension
from .common import PlacementRecordInline, ReadOnlyCards, _log_access, save_records


class ExtensionInline(PlacementRecordInline):
    model = ProceedingsExtension
    form = ExtensionForm
    fields = ("granted_on", "ends_on", "reason")


class HearingInline(PlacementRecordInline):
    model = Hearing
    form = HearingForm
    fields = ("held_on", "kind", "outcome_note")


class ProceedingsOrderInline(ReadOnlyCards):
    model = CourtOrder
    fk_name = "proceedings"
    fields = readonly_fields = ("child", "kind", "made_on")
    verbose_name_plural = "orders made (recorded on the placement with “Record a court order”)"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("child")


@admin.register(Proceedings)
class ProceedingsAdmin(
    AccessAdmin, CaseWithdrawals, SavesThroughServices, CaseFields, admin.ModelAdmin
):
    withdrawals = {
        "placements.proceedingsextension": services.placement_record_withdraw,
        "placements.hearing": services.placement_record_withdraw,
    }
    form = ProceedingsForm
    view_on_site = False
    list_display = ("__str__", "children_display", "court", "target_on", "ends", "concluded_on")
    list_filter = (("concluded_on", admin.EmptyFieldListFilter),)
    list_per_page = 50
    search_fields = ("case_number", "court", "children__reference")
    search_help_text = "Search by case number, court or a child's reference (C00012)."
    readonly_fields = ("target_on", "extended_to", "timetable")
    autocomplete_fields = ("children",)
    inlines = (ExtensionInline, HearingInline, ProceedingsOrderInline)
    fieldsets = (
        (None, {"fields": ("children", "court", "case_number")}),
        (
            "Dates",
            {"fields": ("issued_on", "target_on", "extended_to", "timetable", "concluded_on")},
        ),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("children")

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        wanted = [pk for pk in request.GET.get("children", "").split(",") if pk.isdigit()]
        if wanted:
            initial["children"] = list(Child.objects.filter(pk__in=wanted))
        return initial

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

    @admin.display(description="children")
    def children_display(self, obj):
        return ", ".join(str(child) for child in obj.children.all()) or "—"

    @admin.display(description="ends (with extensions)")
    def ends(self, obj):
        return formats.day(obj.ends_on) if obj.ends_on else "—"

    @admin.display(description="what the dates mean")
    def timetable(self, obj):
        if obj is None or obj.issued_on is None:
            return "The 26 weeks begin on the day the application is issued."
        end = clocks.proceedings_timetable_end(issued_on=obj.issued_on)
        parts = [
            f"26 weeks beginning with the issue day ({formats.day(obj.issued_on)}) end on "
            f"{formats.day(end, weekday=True)} (Children Act 1989, section 32(1)(a)(ii))."
        ]
        if obj.extended_to:
            parts.append(f"Extended by the court to {formats.day(obj.extended_to, weekday=True)}.")
        return format_html_join(" ", "{}", ((p,) for p in parts))

    def save_model(self, request, obj, form, change):
        children = list(form.cleaned_data.get("children") or [])
        try:
            if change:
                services.proceedings_save(proceedings=obj, by=request.user, children=children)
            else:
                created = services.proceedings_open(
                    children=children,
                    by=request.user,
                    issued_on=obj.issued_on,
                    court=obj.court,
                    case_number=obj.case_number,
                    concluded_on=obj.concluded_on,
                )
                obj.pk = created.pk
                obj.target_on, obj.created_by = created.target_on, created.created_by
        except services.TransitionRefused as refusal:
            raise RefusedOnSave.on_main_form(refusal.messages) from refusal

    def save_related(self, request, form, formsets, change):
        # The children were set by the service; the records go through theirs.
        refused = {}
        for formset in formsets:
            refused.update(save_records(formset, by=request.user))
        if refused:
            raise RefusedOnSave(refused)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        proceedings = getattr(response, "context_data", {}).get("original")
        if request.method == "GET" and response.status_code == 200 and proceedings:
            _log_access(
                request,
                proceedings,
                "placements.proceedings.viewed",
                children=[c.reference for c in proceedings.children.all()],
            )
        return response

"""Panel sittings and their agenda, the training catalogue, and every open deadline."""

from django.contrib import admin
from django.contrib.humanize.templatetags.humanize import intcomma
from django.db.models import Count
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import ngettext

from portal.admin_access import AccessAdmin
from portal.admin_filters import OverdueColumn, ReadOnly
from portal.admin_saves import RefusedOnSave, SavesThroughServices

from .. import services
from ..forms import TrainingCourseForm
from ..models import (
    Assessment,
    Deadline,
    PanelAttendance,
    PanelSitting,
    TrainingCourse,
    TrainingRecord,
)
from ..quorum import sitting_quorum_problems
from ..services import panels as panel_services
from .filters import CaseloadFilter, OverdueFilter
from .panels import AttendanceInline, PanelPapersAdmin, attendance_frozen, save_attendance

# ---------------------------------------------------------------------------
# Panels, training catalogue, deadlines
# ---------------------------------------------------------------------------


class AgendaInline(ReadOnly, admin.TabularInline):
    model = Assessment
    fk_name = "panel"
    extra = 0
    verbose_name = "household on the agenda"
    verbose_name_plural = "agenda"
    fields = readonly_fields = (
        "household_link",
        "track",
        "stage",
        "panel_recommendation",
        "agency_decision",
    )

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("household")

    @admin.display(description="household")
    def household_link(self, obj):
        url = reverse("admin:carers_household_change", args=[obj.household_id])
        return format_html('<a href="{}">{}</a>', url, obj.household)


@admin.register(PanelSitting)
class PanelSittingAdmin(PanelPapersAdmin, SavesThroughServices, admin.ModelAdmin):
    list_display = ("sits_on", "part", "kind", "venue", "agenda_size", "places")
    list_filter = ("kind",)
    date_hierarchy = "sits_on"
    search_fields = ("venue",)
    fields = ("sits_on", "part", "kind", "venue", "places", "notes", "quorum")
    readonly_fields = ("quorum",)
    inlines = (AttendanceInline, AgendaInline)

    @admin.display(description="quorum")
    def quorum(self, obj):
        if obj is None or obj.pk is None:
            return "Put members on the sitting, save, then mark who was present."
        problems = sitting_quorum_problems(obj)
        if not problems:
            quorum = "Quorate: the members present meet the quorum."
        else:
            quorum = "Not quorate: " + " ".join(problems)
        # With the quorum, why the members may no longer change (when they may not).
        return " ".join([quorum, *panel_services.sitting_attendance_frozen(sitting=obj)])

    def save_related(self, request, form, formsets, change):
        form.save_m2m()
        refused = {}
        for formset in formsets:
            if formset.model is PanelAttendance:
                # Frozen members are shown, not offered (``AttendanceInline``): nothing
                # of theirs in a POST is saved.
                if attendance_frozen(request, form.instance):
                    formset.new_objects = formset.changed_objects = []
                    formset.deleted_objects = []
                else:
                    refused.update(save_attendance(formset, by=request.user))
            else:
                self.save_formset(request, form, formset, change=change)
        if refused:
            raise RefusedOnSave(refused)

    def get_queryset(self, request):
        # An annotated (GROUP BY) query drops Meta.ordering: the autocomplete pages it as is.
        return (
            super()
            .get_queryset(request)
            .annotate(agenda_count=Count("agenda__household", distinct=True))
            .order_by("-sits_on", "kind", "id")
        )

    def save_model(self, request, obj, form, change):
        try:
            services.panel_sitting_save(sitting=obj, by=request.user)
        except services.TransitionRefused as refusal:
            raise RefusedOnSave.on_main_form(refusal.messages) from refusal

    @admin.display(description="households on the agenda", ordering="agenda_count")
    def agenda_size(self, obj):
        return obj.agenda_count


@admin.register(TrainingCourse)
class TrainingCourseAdmin(admin.ModelAdmin):
    form = TrainingCourseForm
    list_display = (
        "name",
        "due_from",
        "due_within_months",
        "complete_before",
        "is_mandatory",
        "is_active",
    )
    list_filter = ("is_mandatory", "is_active", "due_from")
    search_fields = ("name",)

    def save_model(self, request, obj, form, change):
        services.training_course_save(course=obj, by=request.user)

    def get_deleted_objects(self, objs, request):
        """A course applicants have records on cannot be deleted (their training history
        keeps it): the page says how many records, rather than listing every one, which
        after some years is thousands of lines and as many queries."""
        in_use = TrainingRecord.objects.filter(course__in=objs).count()
        if not in_use:
            return super().get_deleted_objects(objs, request)
        protected = [
            ngettext(
                "%(count)s applicant's training record (to stop offering the course, "
                "untick “Is active” instead)",
                "%(count)s applicants' training records (to stop offering the course, "
                "untick “Is active” instead)",
                in_use,
            )
            % {"count": intcomma(in_use)}
        ]
        return [], {}, set(), protected


@admin.register(Deadline)
class DeadlineAdmin(AccessAdmin, ReadOnly, OverdueColumn, admin.ModelAdmin):
    """Every open clock, for overseeing timescales. Read-only: deadlines follow the facts."""

    list_display = ("due_on", "label", "household", "kind", "is_overdue", "social_worker")
    list_filter = (CaseloadFilter, OverdueFilter, "kind")
    list_select_related = ("household", "household__social_worker")
    search_fields = ("household__reference", "label")
    date_hierarchy = "due_on"
    fields = readonly_fields = ("household", "kind", "label", "due_on")

    @admin.display(description="social worker", ordering="household__social_worker__last_name")
    def social_worker(self, obj):
        return obj.household.social_worker or "—"

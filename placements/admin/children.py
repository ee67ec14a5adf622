"""The staff pages for children and sibling groups.

The child is at the centre: the child's page holds the statutory dates with their rules
and whose duty each is, the legal timeline and the authority to place (consent or a
placement order), reviews and visits across every placement, health assessments, family
time (``family_time``), the people around the child, the documents on the child and the notes; a section a page
(``portal.admin_sections``)."""

from django.contrib import admin
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from portal import caseloads, formats
from portal.admin_access import AccessAdmin
from portal.admin_caseloads import ReallocateAdmin
from portal.admin_notes import CaseNoteInline, CaseNotesAdmin
from portal.admin_saves import RefusedOnSave, SavesThroughServices
from portal.admin_sections import CaseFields, CaseSectionsAdmin, Section
from portal.admin_versions import CaseWithdrawals
from portal.casenotes import note_withdraw

from .. import clocks, selectors, services
from ..access import SEALED_PERMISSION
from ..forms import ChildForm, ConsentForm, HealthAssessmentForm, PlacementRecordForm
from ..models import (
    Child,
    ChildDocument,
    ChildNote,
    ChildProfessional,
    CourtOrder,
    HealthAssessment,
    LookedAfterReview,
    ParentConsent,
    PlacementChild,
    Proceedings,
    SiblingGroup,
    SocialWorkerVisit,
    TemporaryApproval,
)
from .common import (
    PlacementRecordInline,
    ReadOnlyCards,
    ReadOnlyInline,
    _child_link,
    _log_access,
    save_records,
)
from .documents import ChildDocumentInline, save_child_documents
from .family_time import FAMILY_TIME_INLINES, family_time_panel, with_add_texts

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
        return formats.day(obj.placement.placed_on)

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
    fields = readonly_fields = ("kind", "made_on", "proceedings", "placement", "recorded_by")

    def get_queryset(self, request):
        return (
            super().get_queryset(request).select_related("placement", "proceedings", "recorded_by")
        )


class ChildApprovalInline(ReadOnlyCards):
    model = TemporaryApproval
    fk_name = "child"
    verbose_name_plural = "reg 25A temporary approvals"
    fields = readonly_fields = ("household", "approved_on", "ends_on", "end_reason")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("household")


class ChildNoteInline(CaseNoteInline):
    model = ChildNote


class ChildProceedingsInline(ReadOnlyCards):
    model = Proceedings.children.through
    fk_name = "child"
    verbose_name = "proceedings"
    verbose_name_plural = "proceedings (each opens its own page)"
    fields = readonly_fields = ("proceedings_link", "ends", "concluded")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("proceedings")

    @admin.display(description="proceedings")
    def proceedings_link(self, obj):
        url = reverse("admin:placements_proceedings_change", args=[obj.proceedings_id])
        return format_html('<a href="{}">{}</a>', url, obj.proceedings)

    @admin.display(description="to finish by")
    def ends(self, obj):
        end = obj.proceedings.ends_on
        return formats.day(end, weekday=True) if end else "—"

    @admin.display(description="concluded")
    def concluded(self, obj):
        on = obj.proceedings.concluded_on
        return formats.day(on) if on else "Not yet"


class ConsentInline(PlacementRecordInline):
    model = ParentConsent
    form = ConsentForm
    fields = (
        "parent",
        "has_parental_responsibility",
        "counselling_offered_on",
        "to_placement",
        "to_adoption_order",
        "cafcass_officer",
        "witnessed_on",
        "agreed_in_writing_on",
        "withdrawn_on",
    )
    verbose_name_plural = "parents' consent and written agreement"

    def has_delete_permission(self, request, obj=None):
        # Consent is evidence: a withdrawal is recorded with its date, never deleted.
        return False


class HealthAssessmentInline(PlacementRecordInline):
    model = HealthAssessment
    form = HealthAssessmentForm
    fields = ("kind", "done_on", "note")
    verbose_name_plural = "health assessments"


class ChildReviewInline(ReadOnlyCards):
    model = LookedAfterReview
    fk_name = "child"
    fields = readonly_fields = ("held_on", "placement", "visit_interval_weeks")
    verbose_name_plural = "reviews of the child's case (recorded on the placement page)"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("placement")


class ChildVisitInline(ReadOnlyCards):
    model = SocialWorkerVisit
    fk_name = "child"
    fields = readonly_fields = ("visited_on", "placement", "seen_alone")
    verbose_name_plural = "visits to the child (recorded on the placement page)"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("placement")


class ChildProfessionalInline(CaseFields, admin.TabularInline):
    model = ChildProfessional
    template = "admin/edit_inline/case_stacked.html"
    extra = 0
    fields = ("professional", "since", "until")
    autocomplete_fields = ("professional",)
    # The section's own heading is "People around the child": the list says who they are.
    verbose_name_plural = "professionals working with the child"

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("professional", "professional__local_authority")
        )


@admin.register(Child)
class ChildAdmin(
    AccessAdmin,
    CaseSectionsAdmin,
    CaseWithdrawals,
    ReallocateAdmin,
    CaseNotesAdmin,
    SavesThroughServices,
    admin.ModelAdmin,
):
    withdrawals = {
        "placements.healthassessment": services.placement_record_withdraw,
        "placements.childdocument": lambda record, **given: services.child_document_withdraw(
            document=record, **given
        ),
        "placements.childnote": lambda record, **given: note_withdraw(note=record, **given),
        "placements.familytimesession": lambda record, **given: (
            services.family_time_session_withdraw(session=record, **given)
        ),
        "placements.communicationbookentry": lambda record, **given: services.book_entry_withdraw(
            entry=record, **given
        ),
    }
    form = ChildForm
    view_on_site = False
    change_form_template = "admin/placements/child/change_form.html"
    list_display = (
        "reference",
        "initials_display",
        "born",
        "legal_status",
        "placing_authority",
        "sibling_group",
    )
    list_display_links = ("reference", "initials_display")
    list_filter = ("legal_status", "sex", "placing_authority")
    list_select_related = ("sibling_group", "placing_authority")
    list_per_page = 50
    search_fields = ("reference", "first_name", "last_name", "placing_authority__name")
    search_help_text = "Search by reference (C00012), name or placing local authority."
    inlines = (
        ChildPlacementInline,
        ChildProceedingsInline,
        ConsentInline,
        ChildOrderInline,
        ChildApprovalInline,
        ChildReviewInline,
        ChildVisitInline,
        HealthAssessmentInline,
        *FAMILY_TIME_INLINES,
        ChildProfessionalInline,
        ChildDocumentInline,
        ChildNoteInline,
    )
    sections = (
        Section("overview", "The child and statutory dates", (ChildPlacementInline,), details=True),
        Section(
            "legal",
            "Legal timeline and authority to place",
            (ChildProceedingsInline, ConsentInline, ChildOrderInline, ChildApprovalInline),
            fields=(
                "entered_care_on",
                "looked_after_basis",
                "pre_proceedings_on",
                "should_be_placed_on",
            ),
        ),
        Section(
            "reviews", "Reviews and visits", (ChildReviewInline, ChildVisitInline), saves=False
        ),
        Section("health", "Health", (HealthAssessmentInline,)),
        Section("family-time", "Family time", FAMILY_TIME_INLINES),
        Section(
            "people",
            "People around the child",
            (ChildProfessionalInline,),
            fields=("social_worker", "reviews_duty", "visits_duty", "health_duty"),
        ),
        Section("documents", "Documents", (ChildDocumentInline,)),
        Section("notes", "Notes", (ChildNoteInline,), saves=False),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("placing_authority", "social_worker")

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        # A child registered by a social worker is theirs until someone else is chosen:
        # otherwise the child would be outside their caseload (portal.access).
        if caseloads.social_workers().filter(pk=request.user.pk).exists():
            initial.setdefault("social_worker", request.user.pk)
        return initial

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "social_worker":
            # A short list of colleagues; social workers may not browse user accounts.
            kwargs["queryset"] = caseloads.social_workers()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

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
            "placing_authority",
            "sibling_group",
            "legal_status",
        ]
        if obj is None:
            # A new child: everything the clocks need, on one page.
            return [
                *fields[:5],
                "entered_care_on",
                "looked_after_basis",
                *fields[5:7],
                "social_worker",
                "reviews_duty",
                "visits_duty",
                "health_duty",
            ]
        if obj.sealed_on is not None:
            # One identity on a sealed record, never both: the child's adoptive name (the
            # name post-adoption work uses); the birth name stays in the record for
            # disclosure (AAR 2005 reg 42) but off the page.
            fields[:2] = ["adoptive_first_name", "adoptive_last_name"]
        return ["reference", *fields]

    @admin.display(description="child", ordering="last_name")
    def initials_display(self, obj):
        return obj.initials

    @admin.display(description="born", ordering="date_of_birth")
    def born(self, obj):
        if obj.sealed_on:
            return "—"
        if obj.date_of_birth:
            return formats.month(obj.date_of_birth)
        return f"expected {formats.month(obj.expected_on)}" if obj.expected_on else "—"

    def get_search_results(self, request, queryset, search_term):
        queryset, duplicates = super().get_search_results(request, queryset, search_term)
        if search_term and not request.user.has_perm(SEALED_PERMISSION):
            # A birth name must not lead to a sealed record's reference.
            queryset = queryset.filter(sealed_on__isnull=True)
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
        try:
            if change:
                services.child_update(child=obj, by=request.user)
            else:
                services.child_register(child=obj, by=request.user)
        except services.TransitionRefused as refusal:
            raise RefusedOnSave.on_main_form(refusal.messages) from refusal

    def save_related(self, request, form, formsets, change):
        form.save_m2m()
        refused = {}
        for formset in formsets:
            if issubclass(formset.form, PlacementRecordForm):
                refused.update(save_records(formset, by=request.user))
            elif formset.model is ChildDocument:
                save_child_documents(request, form.instance, formset)
            else:
                self.save_formset(request, form, formset, change)
        if refused:
            raise RefusedOnSave(refused)

    def get_inline_formsets(self, request, formsets, inline_instances, obj=None):
        found = super().get_inline_formsets(request, formsets, inline_instances, obj)
        return with_add_texts(found)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = extra_context or {}
        child = self.get_object(request, object_id)
        if child is not None and self.has_view_or_change_permission(request, child):
            section = self.current_section(request, child)
            if section.name == "overview":
                extra_context["child_panel"] = self._overview_panel(child)
            elif section.name == "family-time":
                extra_context["child_panel"] = family_time_panel(child)
            elif section.name == "legal":
                extra_context["child_panel"] = {
                    "add_proceedings_url": reverse("admin:placements_proceedings_add")
                    + f"?children={child.pk}",
                }
        response = super().change_view(request, object_id, form_url, extra_context)
        if request.method == "GET" and response.status_code == 200:
            shown = response.context_data.get("original")
            if shown is not None:
                _log_access(request, shown, "placements.child.viewed")
        return response

    def _overview_panel(self, child: Child) -> dict:
        today = timezone.localdate()
        child = Child.objects.prefetch_related("consents").get(pk=child.pk)
        return {
            "today": today,
            "clocks": [
                (clock, _on_the_childs_page(clock.label, child))
                for clock in sorted(selectors.child_clocks_now(child=child), key=lambda c: c.due_on)
            ],
            "authority": services.authority_to_place(child=child, on=today),
            "timeline": selectors.legal_timeline(children=[child]),
        }

    def has_delete_permission(self, request, obj=None):
        # Adoption records are kept for a century: children are never deleted here.
        return request.user.is_superuser


def _on_the_childs_page(label: str, child: Child) -> str:
    """A clock's label without the child's reference (the page is the child's) and without
    "Confirm with the placing authority" (the "whose duty" column says so)."""
    label = label.removeprefix(f"{child.reference}: ")
    if label.startswith(clocks.CHASE):
        label = label.removeprefix(clocks.CHASE)
        label = label[:1].upper() + label[1:]
    return label


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
class SiblingGroupAdmin(AccessAdmin, admin.ModelAdmin):
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

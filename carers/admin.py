"""The staff area for carer households: made so the next thing to do is obvious.

Stages are never edited as fields: the change page shows each track's allowed
moves as buttons, with what blocks them; each button opens a small form that
calls the service for that move.
"""

import contextlib
from pathlib import PurePath

from auditlog.models import LogEntry
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from enquiries.admin.enquiries import register_enquiry_action
from portal.admin_saves import RefusedOnSave, SavesThroughServices
from portal.staffpages import form_page, offered_page

from . import selectors, services
from .forms import (
    ApplicantInlineForm,
    CloseHouseholdForm,
    DocumentInlineForm,
    DocumentInlineFormSet,
    EnquiryConversionForm,
    HouseholdForm,
    HouseholdMemberInlineForm,
    ReviewCompleteForm,
    StatutoryCheckInlineForm,
    TrainingCourseForm,
    TrainingRecordInlineForm,
    action_form_class,
)
from .models import (
    ADOPTION_STAGES,
    FOSTERING_STAGES,
    Applicant,
    Assessment,
    Deadline,
    Document,
    FosterCarerReview,
    Household,
    HouseholdMember,
    PanelSitting,
    Stage,
    StageChange,
    StatutoryCheck,
    SupportNetworkMember,
    Track,
    TrainingCourse,
    TrainingRecord,
)

# ---------------------------------------------------------------------------
# Filters
# ---------------------------------------------------------------------------


class CaseloadFilter(admin.SimpleListFilter):
    title = "caseload"
    parameter_name = "caseload"

    def lookups(self, request, model_admin):
        return [("mine", "My caseload"), ("unassigned", "No social worker")]

    def queryset(self, request, queryset):
        prefix = "" if queryset.model is Household else "household__"
        if self.value() == "mine":
            return queryset.filter(**{f"{prefix}social_worker": request.user})
        if self.value() == "unassigned":
            return queryset.filter(**{f"{prefix}social_worker__isnull": True})
        return queryset


class OverdueFilter(admin.SimpleListFilter):
    title = "overdue"
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("yes", "Something overdue"), ("no", "Nothing overdue")]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        if queryset.model is Deadline:
            if self.value() == "yes":
                return queryset.filter(due_on__lt=today)
            if self.value() == "no":
                return queryset.filter(due_on__gte=today)
            return queryset
        if self.value() in ("yes", "no"):
            return selectors.households_overdue(
                queryset, today=today, overdue=self.value() == "yes"
            )
        return queryset


class StageFilter(admin.SimpleListFilter):
    title = "stage"
    parameter_name = "stage"

    def lookups(self, request, model_admin):
        adoption = [(f"adoption:{s.value}", f"Adoption: {s.label}") for s in ADOPTION_STAGES]
        fostering = [(f"fostering:{s.value}", f"Fostering: {s.label}") for s in FOSTERING_STAGES]
        return adoption + fostering

    def queryset(self, request, queryset):
        value = self.value() or ""
        track, _, stage = value.partition(":")
        if track in Track.values and stage in Stage.values:
            return queryset.filter(assessments__track=track, assessments__stage=stage)
        return queryset


# ---------------------------------------------------------------------------
# Inlines
# ---------------------------------------------------------------------------


class HouseholdChildInline(admin.TabularInline):
    """Inlines whose person choices are limited to the household on the page."""

    extra = 0

    def get_formset(self, request, obj=None, **kwargs):
        request._carers_household = obj
        return super().get_formset(request, obj, **kwargs)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        household = getattr(request, "_carers_household", None)
        related = {
            "applicant": Applicant,
            "member": HouseholdMember,
            "check_record": StatutoryCheck,
        }
        if db_field.name in related:
            model = related[db_field.name]
            queryset = (
                model.objects.filter(household=household) if household else model.objects.none()
            )
            if model is StatutoryCheck:
                # A check's label names its person.
                queryset = queryset.select_related("applicant", "member")
            kwargs["queryset"] = queryset
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if field is not None:
            # One query per page for each list of choices, not one per row.
            cache = request.__dict__.setdefault("_carers_choices", {})
            key = (self.model._meta.label, db_field.name)
            if key not in cache:
                cache[key] = list(field.choices)
            field.choices = cache[key]
        return field


class ApplicantInline(HouseholdChildInline):
    model = Applicant
    form = ApplicantInlineForm
    min_num = 1
    max_num = 2
    fields = (
        "position",
        "first_name",
        "last_name",
        "date_of_birth",
        "email",
        "phone",
        "occupation",
        "has_employer",
        "has_former_partners",
        "has_lived_abroad",
    )


class HouseholdMemberInline(HouseholdChildInline):
    model = HouseholdMember
    form = HouseholdMemberInlineForm
    fields = ("first_name", "last_name", "relationship", "date_of_birth")


class SupportNetworkInline(HouseholdChildInline):
    model = SupportNetworkMember
    fields = ("name", "relationship", "phone", "email", "notes")


class StatutoryCheckInline(HouseholdChildInline):
    model = StatutoryCheck
    form = StatutoryCheckInlineForm
    fields = (
        "kind",
        "applicant",
        "member",
        "referee_name",
        "referee_is_relative",
        "requested_on",
        "received_on",
        "outcome",
        "expires_on",
        "certificate_number",
        "notes",
    )

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("applicant", "member")


class TrainingRecordInline(HouseholdChildInline):
    model = TrainingRecord
    form = TrainingRecordInlineForm
    extra = 0
    fields = ("applicant", "course", "due_on", "booked_for", "completed_on")
    readonly_fields = ("due_on",)
    verbose_name_plural = "training"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("applicant", "course")


class DocumentInline(HouseholdChildInline):
    model = Document
    form = DocumentInlineForm
    formset = DocumentInlineFormSet
    fields = ("kind", "title", "file", "check_record", "uploaded_at", "uploaded_by")
    readonly_fields = ("uploaded_at", "uploaded_by")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("uploaded_by", "check_record")

    def has_change_permission(self, request, obj=None):
        # Documents are evidence: replace one by uploading a new one, never by editing it.
        return False


class FosterCarerReviewInline(admin.TabularInline):
    model = FosterCarerReview
    extra = 0
    fields = ("due_on", "goes_to_panel", "completed_on", "record")
    readonly_fields = ("due_on", "goes_to_panel", "completed_on", "record")
    verbose_name_plural = "foster carer reviews"

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="")
    def record(self, obj):
        if obj.pk and obj.completed_on is None:
            url = reverse("admin:carers_household_review", args=[obj.household_id, obj.pk])
            return format_html('<a class="button" href="{}">Record this review</a>', url)
        return ""


# ---------------------------------------------------------------------------
# Households
# ---------------------------------------------------------------------------


@admin.register(Household)
class HouseholdAdmin(SavesThroughServices, admin.ModelAdmin):
    form = HouseholdForm
    change_form_template = "admin/carers/household/change_form.html"
    list_display = (
        "reference",
        "applicant_names_display",
        "adoption_stage",
        "fostering_stage",
        "days_in_stage",
        "next_deadline",
        "overdue",
        "social_worker",
    )
    list_display_links = ("reference", "applicant_names_display")
    list_filter = (CaseloadFilter, OverdueFilter, StageFilter, "status")
    list_select_related = ("social_worker",)
    list_per_page = 50
    search_fields = ("reference", "applicants__first_name", "applicants__last_name", "postcode")
    search_help_text = "Search by reference (EP00042), an applicant's name or the postcode."
    readonly_fields = (
        "reference",
        "status",
        "adopter_approved_on",
        "foster_carer_approved_on",
        "closed_on",
        "closed_reason",
    )
    inlines = (
        ApplicantInline,
        HouseholdMemberInline,
        SupportNetworkInline,
        StatutoryCheckInline,
        TrainingRecordInline,
        DocumentInline,
        FosterCarerReviewInline,
    )

    def get_fieldsets(self, request, obj=None):
        main = ["social_worker", "has_pets"]
        if obj is None:
            main.append("roi_received_on")
        else:
            main = ["reference", "status", *main]
        fieldsets = [
            (None, {"fields": main}),
            (
                "Address",
                {
                    "fields": (
                        "address_line_1",
                        "address_line_2",
                        "town",
                        "postcode",
                        "local_authority",
                    )
                },
            ),
        ]
        if obj is not None:
            fieldsets.append(
                (
                    "Approval",
                    {
                        "fields": (
                            "adopter_approved_on",
                            "foster_carer_approved_on",
                            "closed_on",
                            "closed_reason",
                        )
                    },
                )
            )
        return fieldsets

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        return selectors.households_with_deadlines(queryset, today=timezone.localdate())

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        with contextlib.suppress(ValidationError):
            # "sw1a1aa" finds "SW1A 1AA".
            term = services.postcode_normalise(term)
        return super().get_search_results(request, queryset, term)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "social_worker":
            # A short list of colleagues; social workers may not browse user accounts.
            kwargs["queryset"] = selectors.social_worker_choices()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_delete_permission(self, request, obj=None):
        # Carer records are kept for their retention period: households are closed, not deleted.
        return request.user.is_superuser

    # -- list columns -------------------------------------------------------

    @admin.display(description="applicants")
    def applicant_names_display(self, obj):
        return obj.applicant_names() or "—"

    def _stage(self, obj, track):
        assessment = obj.assessment(track)
        return assessment.get_stage_display() if assessment else "—"

    @admin.display(description="adoption")
    def adoption_stage(self, obj):
        return self._stage(obj, Track.ADOPTION)

    @admin.display(description="fostering")
    def fostering_stage(self, obj):
        return self._stage(obj, Track.FOSTERING)

    @admin.display(description="days in stage")
    def days_in_stage(self, obj):
        today = timezone.localdate()
        open_tracks = [a for a in obj.assessments.all() if a.is_open]
        if not open_tracks:
            return "—"
        return max(a.days_in_stage(today) for a in open_tracks)

    @admin.display(description="next deadline", ordering="next_deadline_on")
    def next_deadline(self, obj):
        if obj.next_deadline_on is None:
            return "—"
        return format_html(
            '{}<br><span class="quiet">{}</span>',
            services.day(obj.next_deadline_on),
            obj.next_deadline_label,
        )

    @admin.display(description="overdue", ordering="overdue_count")
    def overdue(self, obj):
        if obj.overdue_count:
            return format_html(
                '<strong class="carers-overdue">{} overdue</strong>', obj.overdue_count
            )
        return "—"

    # -- saving goes through the services ---------------------------------

    def save_model(self, request, obj, form, change):
        if change:
            try:
                services.household_update(household=obj, by=request.user)
            except ValidationError as refusal:
                raise RefusedOnSave.on_main_form(refusal.messages) from refusal
        else:
            services.household_register(
                household=obj,
                by=request.user,
                roi_received_on=form.cleaned_data.get("roi_received_on"),
            )

    def save_formset(self, request, form, formset, change):
        if formset.model is not Document:
            return super().save_formset(request, form, formset, change)
        for deleted in formset.deleted_forms:
            if deleted.instance.pk and self.has_delete_permission_for_documents(request):
                services.document_delete(document=deleted.instance, by=request.user)
        for document_form in formset.extra_forms:
            if not document_form.has_changed() or document_form in formset.deleted_forms:
                continue
            data = document_form.cleaned_data
            services.document_upload(
                household=form.instance,
                kind=data["kind"],
                title=data.get("title", ""),
                file=data["file"],
                check_record=data.get("check_record"),
                by=request.user,
            )
        formset.new_objects = []
        formset.changed_objects = []
        formset.deleted_objects = [f.instance for f in formset.deleted_forms]

    def has_delete_permission_for_documents(self, request):
        return request.user.has_perm("carers.delete_document")

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        services.household_after_edit(household=form.instance, by=request.user)

    # -- the assessment panel, the buttons and their forms -----------------

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path(
                "<int:pk>/assessment/<int:assessment_pk>/<slug:action_name>/",
                wrap(self.action_view),
                name="carers_household_action",
            ),
            path("<int:pk>/close/", wrap(self.close_view), name="carers_household_close"),
            path(
                "<int:pk>/review/<int:review_pk>/",
                wrap(self.review_view),
                name="carers_household_review",
            ),
            path(
                "<int:pk>/panel-paper.pdf",
                wrap(self.panel_paper_view),
                name="carers_household_panel_paper",
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = extra_context or {}
        household = self.get_object(request, object_id)
        if household is not None and self.has_view_or_change_permission(request, household):
            extra_context["assessment_panel"] = self._assessment_panel(request, household)
        return super().change_view(request, object_id, form_url, extra_context)

    def _assessment_panel(self, request, household):
        today = timezone.localdate()
        facts = selectors.household_facts(household=household)
        applicants = selectors.household_applicants(household=household)
        tracks = []
        for assessment in facts.assessments:
            offered = services.actions_for(
                assessment=assessment,
                facts=facts,
                applicants=applicants,
                user=request.user,
                on=today,
            )
            tracks.append(
                {
                    "assessment": assessment,
                    "days_in_stage": assessment.days_in_stage(today),
                    "actions": [
                        {
                            "offered": item,
                            "url": reverse(
                                "admin:carers_household_action",
                                args=[household.pk, assessment.pk, item.action.name],
                            ),
                        }
                        for item in offered
                    ],
                }
            )
        deadlines = list(household.deadlines.order_by("due_on", "id"))
        changes = list(
            StageChange.objects.filter(assessment__household=household)
            .select_related("assessment", "recorded_by")
            .order_by("-recorded_at", "-id")[:100]
        )
        return {
            "household": household,
            "tracks": tracks,
            "deadlines": deadlines,
            "overdue": [d for d in deadlines if d.due_on < today],
            "changes": changes,
            "today": today,
            "can_change": request.user.has_perm("carers.change_assessment"),
            "close_url": reverse("admin:carers_household_close", args=[household.pk]),
            "panel_paper_url": reverse("admin:carers_household_panel_paper", args=[household.pk]),
        }

    def _household_or_404(self, request, pk):
        household = get_object_or_404(Household.objects.select_related("social_worker"), pk=pk)
        if not self.has_view_permission(request, household):
            raise PermissionDenied
        return household

    def action_view(self, request, pk, assessment_pk, action_name):
        household = self._household_or_404(request, pk)
        assessment = get_object_or_404(
            Assessment.objects.select_related("panel"), pk=assessment_pk, household=household
        )
        action = services.ACTIONS.get(action_name)
        if action is None:
            raise Http404("No such action")
        offered = services.action_offered(
            assessment=assessment,
            name=action_name,
            facts=selectors.household_facts(household=household),
            applicants=selectors.household_applicants(household=household),
            user=request.user,
            on=timezone.localdate(),
        )
        form_class = action_form_class(action_name)
        return offered_page(
            request,
            offered=offered,
            not_possible="This action is not possible now.",
            **self._page(request, household, title=f"{action.label}: {household}"),
            form=form_class(request.POST or None, action=action, assessment=assessment),
            perform=lambda form: services.TRANSITION_SERVICES[action_name](
                assessment=assessment, by=request.user, **form.service_kwargs()
            ),
            success=lambda moved: (
                f"{household}: {action.label} – done. "
                f"{moved.get_track_display()} is now at “{moved.get_stage_display()}”."
            ),
            state=f"{assessment.get_track_display()} assessment, now at "
            f"“{assessment.get_stage_display()}”.",
        )

    def _page(self, request, household, *, title):
        """What every form page of a household shares."""
        return {
            "admin_site": self.admin_site,
            "opts": self.opts,
            "title": title,
            "crumbs": [(str(household), self._change_url(household))],
            "back_url": self._change_url(household),
        }

    def _change_url(self, household):
        return reverse("admin:carers_household_change", args=[household.pk])

    def close_view(self, request, pk):
        household = self._household_or_404(request, pk)
        if not request.user.has_perm("carers.change_assessment"):
            raise PermissionDenied
        return form_page(
            request,
            **self._page(request, household, title=f"Close household {household}"),
            form=CloseHouseholdForm(request.POST or None),
            perform=lambda form: services.household_close(
                household=household, by=request.user, **form.cleaned_data
            ),
            success=f"{household} is closed.",
            submit="Close the household",
            warning="Check before you confirm: open assessments are withdrawn.",
        )

    def review_view(self, request, pk, review_pk):
        household = self._household_or_404(request, pk)
        if not request.user.has_perm("carers.change_fostercarerreview"):
            raise PermissionDenied
        review = get_object_or_404(FosterCarerReview, pk=review_pk, household=household)
        return form_page(
            request,
            **self._page(request, household, title=f"Record the foster carer review: {household}"),
            form=ReviewCompleteForm(request.POST or None),
            perform=lambda form: services.foster_review_complete(
                review=review, by=request.user, **form.cleaned_data
            ),
            success="The foster carer review is recorded.",
            submit="Record the review",
        )

    def panel_paper_view(self, request, pk):
        household = self._household_or_404(request, pk)
        from .panel_paper import panel_paper_pdf

        response = HttpResponse(
            panel_paper_pdf(household=household), content_type="application/pdf"
        )
        response["Content-Disposition"] = (
            f'inline; filename="panel-paper-{household.reference}.pdf"'
        )
        LogEntry.objects.log_create(
            household,
            force_log=True,
            action=LogEntry.Action.ACCESS,
            actor=request.user,
            additional_data={"action": "carers.household.panel_paper_viewed"},
        )
        return response


# ---------------------------------------------------------------------------
# Documents: listed, and downloaded only through a permission check
# ---------------------------------------------------------------------------


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    list_display = ("title", "kind", "household", "uploaded_at", "uploaded_by", "download")
    list_filter = ("kind",)
    list_select_related = ("household", "uploaded_by")
    search_fields = ("title", "household__reference")
    fields = readonly_fields = (
        "household",
        "kind",
        "title",
        "download",
        "check_record",
        "uploaded_at",
        "uploaded_by",
    )

    def has_add_permission(self, request):
        # Documents are uploaded on the household page, where they belong.
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def delete_model(self, request, obj):
        services.document_delete(document=obj, by=request.user)

    def delete_queryset(self, request, queryset):
        for document in queryset:
            services.document_delete(document=document, by=request.user)

    @admin.display(description="file")
    def download(self, obj):
        return format_html('<a href="{}">Download</a>', obj.get_absolute_url())

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path(
                "<int:pk>/download/",
                wrap(self.download_view),
                name="carers_document_download",
            ),
            path(
                "file/<path:name>",
                wrap(self.file_view),
                name="carers_document_file",
            ),
            *super().get_urls(),
        ]

    def download_view(self, request, pk):
        return self._send(request, get_object_or_404(Document, pk=pk))

    def file_view(self, request, name):
        return self._send(request, get_object_or_404(Document, file=name))

    def _send(self, request, document: Document):
        if not request.user.has_perm("carers.view_document"):
            raise PermissionDenied
        try:
            handle = document.file.open("rb")
        except FileNotFoundError as missing:
            raise Http404("The file is missing from storage") from missing
        suffix = PurePath(document.file.name).suffix
        reference = document.household.reference or document.household_id
        response = FileResponse(
            handle,
            as_attachment=True,
            filename=f"{reference}-{document.kind}-{document.pk}{suffix}",
        )
        response["X-Content-Type-Options"] = "nosniff"
        LogEntry.objects.log_create(
            document,
            force_log=True,
            action=LogEntry.Action.ACCESS,
            actor=request.user,
            additional_data={"action": "carers.document.downloaded"},
        )
        return response


# ---------------------------------------------------------------------------
# Panels, training catalogue, deadlines
# ---------------------------------------------------------------------------


class AgendaInline(admin.TabularInline):
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

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="household")
    def household_link(self, obj):
        url = reverse("admin:carers_household_change", args=[obj.household_id])
        return format_html('<a href="{}">{}</a>', url, obj.household)


@admin.register(PanelSitting)
class PanelSittingAdmin(admin.ModelAdmin):
    list_display = ("sits_on", "kind", "venue", "agenda_size")
    list_filter = ("kind",)
    date_hierarchy = "sits_on"
    search_fields = ("venue",)
    inlines = (AgendaInline,)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(agenda_count=Count("agenda"))

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


@admin.register(Deadline)
class DeadlineAdmin(admin.ModelAdmin):
    """Every open clock, for overseeing timescales. Read-only: deadlines follow the facts."""

    list_display = ("due_on", "label", "household", "kind", "is_overdue", "social_worker")
    list_filter = (CaseloadFilter, OverdueFilter, "kind")
    list_select_related = ("household", "household__social_worker")
    search_fields = ("household__reference", "label")
    date_hierarchy = "due_on"
    fields = readonly_fields = ("household", "kind", "label", "due_on")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="overdue", boolean=True)
    def is_overdue(self, obj):
        return obj.is_overdue()

    @admin.display(description="social worker", ordering="household__social_worker__last_name")
    def social_worker(self, obj):
        return obj.household.social_worker or "—"


# ---------------------------------------------------------------------------
# Converting an enquiry: an action offered on the enquiries' admin
# ---------------------------------------------------------------------------


def may_convert_enquiries(request) -> bool:
    """Only those who open households and run assessments convert an enquiry."""
    return request.user.has_perm("carers.add_household") and request.user.has_perm(
        "carers.change_assessment"
    )


# Offered only to those who may use it (``may_convert_enquiries``, registered below).
@admin.action(description="Convert to a carer household (accept the Registration of Interest)")
def convert_to_household(modeladmin, request, queryset):
    """Carers may read enquiries, never the other way round, so carers adds this action."""
    from enquiries.models import Enquiry

    if not may_convert_enquiries(request):
        modeladmin.message_user(
            request, "Only social workers and team managers convert enquiries.", messages.ERROR
        )
        return None
    chosen = list(queryset.order_by("pk")[:2])
    if len(chosen) != 1:
        modeladmin.message_user(request, "Choose one enquiry to convert.", messages.ERROR)
        return None
    enquiry = chosen[0]
    if enquiry.status != Enquiry.Status.ROI_RECEIVED:
        modeladmin.message_user(
            request,
            f"{enquiry} is at “{enquiry.get_status_display()}”: only an enquiry at "
            "“Registration of Interest received” can be converted.",
            messages.ERROR,
        )
        return None
    submitted = "convert" in request.POST
    form = EnquiryConversionForm(request.POST if submitted else None, enquiry=enquiry)

    change_url = reverse("admin:enquiries_enquiry_change", args=[enquiry.pk])
    partner = f" and {enquiry.partner_name}" if enquiry.partner_name else ""
    children = form.child_count
    listed = (
        f" The enquiry listed {children} child{'ren' if children != 1 else ''} living at "
        "home: each becomes a household member. Complete their details below."
        if children
        else ""
    )
    return form_page(
        request,
        admin_site=modeladmin.admin_site,
        opts=modeladmin.model._meta,
        title=f"Convert {enquiry} to a carer household",
        crumbs=[(str(enquiry), change_url)],
        back_url=change_url,
        form=form,
        perform=lambda form: services.household_create_from_enquiry(
            enquiry=enquiry, by=request.user, **form.service_kwargs()
        ),
        success=lambda household: (
            f"{enquiry} is now carer household {household.reference}; Stage 1 has started."
        ),
        success_url=lambda household: reverse("admin:carers_household_change", args=[household.pk]),
        submit="Create the household and start Stage 1",
        intro=f"The household is made from the enquiry ({enquiry.first_name} "
        f"{enquiry.last_name}{partner}), the Registration of Interest is accepted and Stage 1 "
        "starts. Add what the enquiry form does not ask." + listed,
        submitted=submitted,
        hidden={
            "action": "convert_to_household",
            admin.helpers.ACTION_CHECKBOX_NAME: enquiry.pk,
            "convert": "yes",
        },
    )


register_enquiry_action(convert_to_household, allowed=may_convert_enquiries)

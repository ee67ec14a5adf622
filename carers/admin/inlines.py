"""The household page's inlines: people, checks, training, documents, reviews and notes.

Each is a stacked card (or a read-only list of cards), never a wide table, so every
section of the page fits the screen; dates use the staff area's one date box.
"""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from portal.admin_documents import CaseDocumentsInline
from portal.admin_notes import CaseNoteInline
from portal.admin_sections import CaseFields

from ..forms import (
    ApplicantInlineForm,
    DocumentInlineForm,
    DocumentInlineFormSet,
    HouseholdMemberInlineForm,
    StatutoryCheckInlineForm,
    TrainingRecordInlineForm,
)
from ..models import (
    Applicant,
    Document,
    FosterCarerReview,
    HouseholdMember,
    HouseholdNote,
    StatutoryCheck,
    SupportNetworkMember,
    TrainingRecord,
)

# ---------------------------------------------------------------------------
# Inlines
# ---------------------------------------------------------------------------


class HouseholdChildInline(CaseFields, admin.StackedInline):
    """Inlines whose person choices are limited to the household on the page."""

    extra = 0
    template = "admin/edit_inline/case_stacked.html"

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


class DocumentInline(CaseDocumentsInline, HouseholdChildInline):
    """The household's documents (``portal.admin_documents``); one may be for a check."""

    model = Document
    form = DocumentInlineForm
    formset = DocumentInlineFormSet
    template = "admin/carers/edit_inline/documents.html"
    fields = ("kind", "title", "file", "check_record")

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("check_record__applicant", "check_record__member")
        )


class FosterCarerReviewInline(admin.TabularInline):
    model = FosterCarerReview
    template = "admin/edit_inline/case_cards.html"
    extra = 0
    fields = ("track", "reason", "due_on", "goes_to_panel", "completed_on", "outcome", "record")
    readonly_fields = fields
    verbose_name_plural = "reviews of the approvals"

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


class HouseholdNoteInline(CaseNoteInline):
    model = HouseholdNote

"""The household list and page: the assessment panel, its buttons and their forms.

Stages are never edited as fields: the change page shows each track's allowed
moves as buttons, with what blocks them; each button opens a small form that
calls the service for that move. The page is in sections (``portal.admin_sections``):
overview and next steps, people, checks, training, documents, panels and decisions,
and the timeline; each saves only what it shows.
"""

import contextlib

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import timezone

from portal import audit
from portal.admin_access import AccessAdmin
from portal.admin_caseloads import ReallocateAdmin
from portal.admin_documents import save_documents
from portal.admin_filters import CaseListColumns
from portal.admin_notes import CaseNotesAdmin
from portal.admin_saves import RefusedOnSave, SavesThroughServices
from portal.admin_sections import CaseSectionsAdmin, Section
from portal.admin_versions import CaseWithdrawals
from portal.casenotes import note_withdraw
from portal.staffpages import form_page, offered_page

from .. import selectors, services
from ..forms import CloseHouseholdForm, HouseholdForm, ReviewCompleteForm, action_form_class
from ..models import (
    Assessment,
    Document,
    FosterCarerReview,
    Household,
    StageChange,
    StatutoryCheck,
    Track,
)
from . import determinations as determinations_view
from .filters import CaseloadFilter, OverdueFilter, StageFilter
from .inlines import (
    ApplicantInline,
    DocumentInline,
    FosterCarerReviewInline,
    HouseholdMemberInline,
    HouseholdNoteInline,
    StatutoryCheckInline,
    SupportNetworkInline,
    TrainingRecordInline,
)
from .letters import HouseholdLettersAdmin, letters_after_move
from .own_area import HouseholdOwnAreaAdmin
from .panels import PanelMoveAdmin

# ---------------------------------------------------------------------------
# Households
# ---------------------------------------------------------------------------


@admin.register(Household)
class HouseholdAdmin(
    AccessAdmin,
    CaseSectionsAdmin,
    HouseholdLettersAdmin,
    HouseholdOwnAreaAdmin,
    PanelMoveAdmin,
    ReallocateAdmin,
    CaseWithdrawals,
    CaseNotesAdmin,
    SavesThroughServices,
    CaseListColumns,
    admin.ModelAdmin,
):
    withdrawals = {
        "carers.document": lambda record, **given: services.document_withdraw(
            document=record, **given
        ),
        "carers.householdnote": lambda record, **given: note_withdraw(note=record, **given),
    }
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
        "fast_track_basis",
        "fast_track_since",
        "placed_for_adoption_since",
    )
    inlines = (
        ApplicantInline,
        HouseholdMemberInline,
        SupportNetworkInline,
        StatutoryCheckInline,
        TrainingRecordInline,
        DocumentInline,
        FosterCarerReviewInline,
        HouseholdNoteInline,
    )
    sections = (
        Section("overview", "Overview and next steps", details=True),
        Section("people", "People", (ApplicantInline, HouseholdMemberInline, SupportNetworkInline)),
        Section("checks", "Checks", (StatutoryCheckInline,)),
        Section("training", "Training", (TrainingRecordInline,)),
        Section("documents", "Documents", (DocumentInline,)),
        Section("panels", "Panels and decisions", (FosterCarerReviewInline,), saves=False),
        Section("timeline", "Timeline", (HouseholdNoteInline,), saves=False),
    )

    def get_fieldsets(self, request, obj=None):
        if not self.details_shown(request, obj):
            return []
        main = ["social_worker", "has_pets"]
        if obj is None:
            main.append("roi_received_on")
        else:
            main = ["reference", "status", "social_worker_name", "has_pets"]
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
                            "placed_for_adoption_since",
                            "closed_on",
                            "closed_reason",
                        )
                    },
                )
            )
            if obj.fast_track_basis:
                fieldsets.append(
                    ("Fast track", {"fields": ("fast_track_basis", "fast_track_since")})
                )
        return fieldsets

    def get_readonly_fields(self, request, obj=None):
        readonly = super().get_readonly_fields(request, obj)
        if obj is not None:
            # Once the household exists, its social worker changes only through *Reallocate*
            # (team managers, with a reason, deadlines and reminders following); shown in
            # words, not as a link to a user account social workers may not open.
            readonly = (*readonly, "social_worker_name")
        return readonly

    @admin.display(description="social worker")
    def social_worker_name(self, obj):
        worker = obj.social_worker
        if worker is None:
            return "None yet: a team manager allocates one with Reallocate"
        return f"{worker.get_full_name() or worker.email} (gets the reminders)"

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

    # -- saving goes through the services ---------------------------------

    def save_model(self, request, obj, form, change):
        if change and not self.details_shown(request, obj):
            return
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
        save_documents(
            formset,
            add=lambda data: services.document_upload(
                household=form.instance,
                kind=data["kind"],
                title=data.get("title", ""),
                file=data["file"],
                check_record=data.get("check_record"),
                by=request.user,
            ),
        )

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
                "<int:pk>/checks/today/",
                wrap(self.check_today_view),
                name="carers_household_check_today",
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
            section = self.current_section(request, household)
            build = {
                "overview": self._assessment_panel,
                "panels": self._panels_panel,
                "timeline": self._timeline_panel,
                "checks": self._checks_panel,
            }.get(section.name)
            if build is not None:
                extra_context["section_panel"] = build(request, household)
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
        return {
            "household": household,
            "tracks": tracks,
            "deadlines": deadlines,
            "overdue": [d for d in deadlines if d.due_on < today],
            "today": today,
            "can_change": request.user.has_perm("carers.change_assessment"),
            "close_url": reverse("admin:carers_household_close", args=[household.pk]),
            "panel_paper_url": reverse("admin:carers_household_panel_paper", args=[household.pk]),
            "letters_url": reverse("admin:carers_household_letters", args=[household.pk]),
            "own_area_url": reverse("admin:carers_household_own_area", args=[household.pk]),
        }

    def _panels_panel(self, request, household):
        assessments = Assessment.objects.filter(household=household).select_related(
            "panel", "agency_decision_by", "determination", "determination__reasons"
        )
        return {
            "household": household,
            "assessments": [
                determinations_view.track_outcome(a) for a in assessments.order_by("track")
            ],
        }

    def _timeline_panel(self, request, household):
        changes = (
            StageChange.objects.filter(assessment__household=household)
            .select_related("assessment", "recorded_by")
            .order_by("-recorded_at", "-id")[:100]
        )
        return {"household": household, "changes": list(changes)}

    def _checks_panel(self, request, household):
        if not request.user.has_perm("carers.change_statutorycheck"):
            return {"household": household}
        waiting = (
            household.checks.filter(received_on__isnull=True)
            .select_related("applicant", "member")
            .order_by("kind", "id")
        )
        return {
            "household": household,
            "check_today_url": reverse("admin:carers_household_check_today", args=[household.pk]),
            "checks_waiting": [
                (check, "received", "Received today")
                if check.requested_on
                else (check, "requested", "Requested today")
                for check in waiting
            ],
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
            not_possible=services.action_not_possible(assessment=assessment, name=action_name),
            **self._page(request, household, title=f"{action.label}: {household}"),
            form=form_class(request.POST or None, action=action, assessment=assessment),
            perform=lambda form: services.TRANSITION_SERVICES[action_name](
                assessment=assessment, by=request.user, **form.service_kwargs()
            ),
            success=lambda moved: (
                f"{household}: {action.label} – done. "
                f"{moved.get_track_display()} is now at “{moved.get_stage_display()}”."
                + letters_after_move(before=assessment, after=moved)
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
        review = get_object_or_404(
            FosterCarerReview, pk=review_pk, household=household, completed_on__isnull=True
        )
        what = str(review).split(" due ")[0]
        return form_page(
            request,
            **self._page(request, household, title=f"Record the {what.lower()}: {household}"),
            form=ReviewCompleteForm(request.POST or None, review=review),
            perform=lambda form: services.approval_review_complete(
                review=review, by=request.user, **form.service_kwargs()
            ),
            success=f"The {what.lower()} is recorded.",
            submit="Record the review",
        )

    def check_today_view(self, request, pk):
        """The "Requested today" and "Received today" buttons of the checks section."""
        household = self._household_or_404(request, pk)
        if request.method != "POST":
            return redirect(self.section_url(household.pk, self.section_named("checks")))
        if not request.user.has_perm("carers.change_statutorycheck"):
            raise PermissionDenied
        what = "received" if "received" in request.POST else "requested"
        check = get_object_or_404(
            StatutoryCheck.objects.select_related("applicant", "member"),
            pk=request.POST.get(what) if str(request.POST.get(what, "")).isdigit() else None,
            household=household,
        )
        try:
            services.check_record_today(check=check, what=what, by=request.user)
        except services.TransitionRefused as refusal:
            messages.error(request, f"{check}: not recorded. {' '.join(refusal.messages)}")
        else:
            messages.success(request, f"{check}: {what} today.")
        return redirect(self.section_url(household.pk, self.section_named("checks")))

    def panel_paper_view(self, request, pk):
        household = self._household_or_404(request, pk)
        from ..panel_paper import panel_paper_pdf

        response = HttpResponse(
            panel_paper_pdf(household=household), content_type="application/pdf"
        )
        response["Content-Disposition"] = (
            f'inline; filename="panel-paper-{household.reference}.pdf"'
        )
        audit.accessed(household, "carers.household.panel_paper_viewed", by=request.user)
        return response

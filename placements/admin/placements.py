"""The staff page for a placement: its records, its buttons (one form page per move), its
letters and the measures. The page is in sections (``portal.admin_sections``): overview
and next steps, court, family time, reviews and visits, and notes; each saves only what
it shows."""

from datetime import timedelta

from django.conf import settings
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from portal import exports, formats
from portal.admin_access import AccessAdmin
from portal.admin_caseloads import ReallocateAdmin
from portal.admin_filters import CaseListColumns
from portal.admin_notes import CaseNoteInline, CaseNotesAdmin
from portal.admin_saves import RefusedOnSave, SavesThroughServices
from portal.admin_sections import CaseSectionsAdmin, Section
from portal.admin_versions import CaseWithdrawals
from portal.casenotes import note_withdraw
from portal.staffpages import offered_page

from .. import clocks, letters, measures, selectors, services
from ..forms import (
    MeasuresFilterForm,
    PlacementChangeForm,
    PlacementRecordForm,
    PlacementStartForm,
    ReviewForm,
    VisitForm,
    action_form_class,
)
from ..models import (
    CourtOrder,
    FamilyTimeSession,
    LookedAfterReview,
    Match,
    Placement,
    PlacementChild,
    PlacementNote,
    SocialWorkerVisit,
)
from .common import (
    PlacementRecordInline,
    ReadOnlyCards,
    _child_link,
    _form_page,
    _log_access,
    save_records,
)
from .filters import CaseloadFilter, OverdueFilter

# ---------------------------------------------------------------------------
# Placements
# ---------------------------------------------------------------------------


class PlacementChildInline(ReadOnlyCards):
    model = PlacementChild
    fk_name = "placement"
    fields = readonly_fields = ("child_link", "born", "legal_status", "temporary_approval")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("child", "temporary_approval")

    @admin.display(description="child")
    def child_link(self, obj):
        return _child_link(obj.child)

    @admin.display(description="born")
    def born(self, obj):
        return formats.day(obj.child.date_of_birth) if obj.child.date_of_birth else "—"

    @admin.display(description="legal status")
    def legal_status(self, obj):
        return obj.child.get_legal_status_display()


class CourtOrderInline(ReadOnlyCards):
    model = CourtOrder
    fields = readonly_fields = ("child", "kind", "made_on", "proceedings", "recorded_by")
    verbose_name_plural = "court orders (use “Record a court order”)"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("child", "proceedings", "recorded_by")


class FamilyTimeSessionInline(ReadOnlyCards):
    """The sessions of the children on this placement: read here, kept on each child's
    page (its "Family time" section), where the plan that generates them is set."""

    model = FamilyTimeSession
    fields = readonly_fields = ("child_family_time", "held_on", "starts_at", "status", "miles")

    def get_queryset(self, request):
        since = timezone.localdate() - timedelta(days=settings.PLACEMENTS_FAMILY_TIME_DAYS_SHOWN)
        return super().get_queryset(request).filter(held_on__gte=since).select_related("child")

    @property
    def verbose_name_plural(self):
        return (
            f"family time sessions (the last {settings.PLACEMENTS_FAMILY_TIME_DAYS_SHOWN} days "
            "and those planned; each child's page keeps the plan and records them)"
        )

    @admin.display(description="child")
    def child_family_time(self, obj):
        url = reverse("admin:placements_child_section", args=[obj.child_id, "family-time"])
        return format_html('<a href="{}">{}</a>', url, obj.child)


class ReviewInline(PlacementRecordInline):
    model = LookedAfterReview
    form = ReviewForm
    fields = ("child", "held_on", "visit_interval_weeks", "note")
    verbose_name_plural = "reviews of each child's case"


class VisitInline(PlacementRecordInline):
    model = SocialWorkerVisit
    form = VisitForm
    fields = ("child", "visited_on", "seen_alone", "note")


class PlacementNoteInline(CaseNoteInline):
    model = PlacementNote


@admin.register(Placement)
class PlacementAdmin(
    AccessAdmin,
    CaseSectionsAdmin,
    ReallocateAdmin,
    CaseWithdrawals,
    CaseNotesAdmin,
    SavesThroughServices,
    CaseListColumns,
    admin.ModelAdmin,
):
    withdrawals = {
        "placements.lookedafterreview": services.placement_record_withdraw,
        "placements.socialworkervisit": services.placement_record_withdraw,
        "placements.placementnote": lambda record, **given: note_withdraw(note=record, **given),
    }
    form = PlacementChangeForm
    view_on_site = False
    change_form_template = "admin/placements/placement/change_form.html"
    change_list_template = "admin/placements/placement/change_list.html"
    list_display = (
        "reference",
        "children_display",
        "route",
        "household",
        "placed_on",
        "days_in_placement",
        "next_deadline",
        "overdue",
        "status_display",
    )
    list_display_links = ("reference", "children_display")
    list_filter = (CaseloadFilter, OverdueFilter, "route", "status", "outcome")
    list_select_related = ("household",)
    list_per_page = 50
    search_fields = (
        "reference",
        "household__reference",
        "placement_children__child__reference",
        "placement_children__child__last_name",
    )
    search_help_text = "Search by placement (PL00007), household (EP00042) or child reference, or a child's surname."
    date_hierarchy = "placed_on"
    inlines = (
        PlacementChildInline,
        CourtOrderInline,
        FamilyTimeSessionInline,
        ReviewInline,
        VisitInline,
        PlacementNoteInline,
    )
    sections = (
        Section("overview", "Overview and next steps", (PlacementChildInline,), details=True),
        Section("court", "Court", (CourtOrderInline,), saves=False),
        Section("family-time", "Family time", (FamilyTimeSessionInline,), saves=False),
        Section("reviews", "Reviews and visits", (ReviewInline, VisitInline)),
        Section("notes", "Notes", (PlacementNoteInline,), saves=False),
    )
    readonly_fields = (
        "reference",
        "household_link",
        "route",
        "placed_on",
        "came_from",
        "status",
        "status_changed_on",
        "placed_for_adoption_on",
        "adoption_notice_on",
        "adoption_application_from",
        "adoption_application_on",
        "outcome",
        "outcome_on",
        "outcome_note",
    )
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "reference",
                    "household_link",
                    "route",
                    "placed_on",
                    "came_from",
                    "status",
                    "status_changed_on",
                )
            },
        ),
        (
            "Adoption and outcome",
            {
                "fields": (
                    "placed_for_adoption_on",
                    "adoption_notice_on",
                    "adoption_application_from",
                    "adoption_application_on",
                    "outcome",
                    "outcome_on",
                    "outcome_note",
                )
            },
        ),
    )

    def get_queryset(self, request):
        return selectors.placements_for_list(
            super().get_queryset(request), today=timezone.localdate()
        )

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

    # -- list columns -------------------------------------------------------

    @admin.display(description="children")
    def children_display(self, obj):
        return ", ".join(link.child.initials for link in obj.placement_children.all()) or "—"

    @admin.display(description="days in placement", ordering="placed_on")
    def days_in_placement(self, obj):
        return obj.days_in_placement(timezone.localdate())

    @admin.display(description="status", ordering="status")
    def status_display(self, obj):
        if obj.outcome:
            return obj.get_outcome_display()
        return obj.get_status_display()

    # -- read-only fields on the page ---------------------------------------

    @admin.display(description="household")
    def household_link(self, obj):
        url = reverse("admin:carers_household_change", args=[obj.household_id])
        return format_html('<a href="{}">{}</a>', url, obj.household)

    @admin.display(description="adoption order application possible from")
    def adoption_application_from(self, obj):
        return formats.day(clocks.adoption_application_from(obj.placed_on))

    # -- adding goes through the guard ----------------------------------------

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        return _form_page(
            self,
            request,
            title="Record a placement",
            form=PlacementStartForm(request.POST or None, admin_site=self.admin_site),
            perform=lambda form: services.placement_start(by=request.user, **form.service_kwargs()),
            success=lambda placement: f"Placement {placement} is recorded.",
            success_url=lambda placement: reverse(
                "admin:placements_placement_change", args=[placement.pk]
            ),
            back_url=reverse("admin:placements_placement_changelist"),
            submit="Record the placement",
            intro="Concurrency needs carers approved as both adopters and foster carers. "
            "Fostering for Adoption needs approved adopters with a reg 25A temporary approval "
            "for each child (or full foster approval).",
        )

    # -- saving edits: the clocks follow -------------------------------------

    def save_model(self, request, obj, form, change):
        # A placement's own facts change only through its moves (the buttons).
        return

    def save_related(self, request, form, formsets, change):
        # The records' services refuse in words; a refusal undoes the whole save and the
        # page shows the messages on their rows (portal/admin_saves.py).
        form.save_m2m()
        refused = {}
        for formset in formsets:
            if issubclass(formset.form, PlacementRecordForm):
                refused.update(save_records(formset, by=request.user))
            else:
                self.save_formset(request, form, formset, change)
        if refused:
            raise RefusedOnSave(refused)
        services.placement_after_edit(placement=form.instance, by=request.user)

    # -- the page's panel, buttons, letter and measures -----------------------

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("measures/", wrap(self.measures_view), name="placements_placement_measures"),
            path(
                "measures.csv",
                wrap(self.measures_csv_view),
                name="placements_placement_measures_csv",
            ),
            path(
                "<int:pk>/action/<slug:action_name>/",
                wrap(self.action_view),
                name="placements_placement_action",
            ),
            path(
                "<int:pk>/adoption-leave-letter.pdf",
                wrap(self.leave_letter_view),
                name="placements_placement_leave_letter",
            ),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        extra_context = extra_context or {}
        extra_context["can_see_measures"] = request.user.has_perm("placements.view_measures")
        return super().changelist_view(request, extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = extra_context or {}
        placement = self.get_object(request, object_id)
        if placement is not None and self.has_view_or_change_permission(request, placement):
            section = self.current_section(request, placement)
            if section.name == "overview":
                extra_context["placement_panel"] = self._panel(request, placement)
            elif section.name == "court":
                children = selectors.placement_children(placement=placement)
                extra_context["placement_panel"] = {
                    "timeline": selectors.legal_timeline(children=children),
                    "proceedings": selectors.proceedings_of(children=children),
                    "add_proceedings_url": reverse("admin:placements_proceedings_add")
                    + "?children="
                    + ",".join(str(c.pk) for c in children),
                }
        response = super().change_view(request, object_id, form_url, extra_context)
        if request.method == "GET" and placement is not None and response.status_code == 200:
            children = selectors.placement_children(placement=placement)
            _log_access(
                request,
                placement,
                "placements.placement.viewed",
                children=[c.reference for c in children],
            )
        return response

    def _panel(self, request, placement):
        today = timezone.localdate()
        children = selectors.placement_children(placement=placement)
        offered = services.actions_for(
            placement=placement, children=children, user=request.user, on=today
        )
        deadlines = list(placement.deadlines.order_by("due_on", "id"))
        return {
            "placement": placement,
            "children": children,
            "today": today,
            "days": placement.days_in_placement(today),
            "actions": [
                {
                    "offered": item,
                    "url": reverse(
                        "admin:placements_placement_action",
                        args=[placement.pk, item.action.name],
                    ),
                }
                for item in offered
            ],
            "deadlines": deadlines,
            "overdue": [d for d in deadlines if d.is_overdue(today)],
            "application_from": clocks.adoption_application_from(placement.placed_on),
            **self._leave_letter(request, placement),
        }

    def _leave_letter(self, request, placement) -> dict:
        """The employer's evidence for adoption leave and pay: for a placement from an EP
        match it is the matching certificate (``leave_letter_view``), and says so."""
        if not request.user.has_perm("placements.issue_leave_letter"):
            return {"leave_letter_url": ""}
        from_match = Match.objects.filter(placement=placement).exists()
        return {
            "leave_letter_url": reverse(
                "admin:placements_placement_leave_letter", args=[placement.pk]
            ),
            "leave_letter_label": "Matching certificate (PDF)"
            if from_match
            else "Adoption leave letter (PDF)",
        }

    def _placement_or_404(self, request, pk) -> Placement:
        placement = get_object_or_404(
            Placement.objects.select_related("household", "household__social_worker"), pk=pk
        )
        if not self.has_view_permission(request, placement):
            raise PermissionDenied
        return placement

    def action_view(self, request, pk, action_name):
        placement = self._placement_or_404(request, pk)
        action = services.ACTIONS.get(action_name)
        if action is None:
            raise Http404("No such action")
        children = selectors.placement_children(placement=placement)
        offered = services.action_offered(
            placement=placement,
            name=action_name,
            children=children,
            user=request.user,
            on=timezone.localdate(),
        )
        change_url = reverse("admin:placements_placement_change", args=[placement.pk])
        form = action_form_class(action_name)(
            request.POST or None, action=action, placement=placement, children=children
        )

        def done(result) -> str:
            placement.refresh_from_db()
            now = placement.get_outcome_display() or placement.get_status_display()
            return f"{placement}: {action.label} – done. The placement is now “{now}”."

        # Guards are checked for today; no earlier date could pass where today fails.
        return offered_page(
            request,
            offered=offered,
            not_possible="This is not possible now: the placement is "
            f"“{placement.get_status_display()}”.",
            admin_site=self.admin_site,
            opts=self.opts,
            media=self.media,
            title=f"{action.label}: {placement}",
            crumbs=[(str(placement), change_url)],
            form=form,
            perform=lambda form: services.TRANSITION_SERVICES[action_name](
                placement=placement, by=request.user, **form.service_kwargs()
            ),
            success=done,
            back_url=change_url,
            state=f"The placement is “{placement.get_status_display()}” since "
            f"{formats.day(placement.status_changed_on)}.",
        )

    def leave_letter_view(self, request, pk):
        placement = self._placement_or_404(request, pk)
        if not request.user.has_perm("placements.issue_leave_letter"):
            raise PermissionDenied
        match = Match.objects.filter(placement=placement).select_related(
            "link__household", "placement", "referral"
        )
        if match.exists():
            # A placement from an agreed match: the matching certificate, with the date the
            # carers were told of the match that Statutory Adoption Pay needs.
            data = letters.matching_certificate_pdf(match=match.get(), issued_by=request.user)
            name = "matching-certificate"
        else:
            data = letters.adoption_leave_letter_pdf(placement=placement, issued_by=request.user)
            name = "adoption-leave-letter"
        response = HttpResponse(data, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{name}-{placement.reference}.pdf"'
        response["Cache-Control"] = "no-store"
        _log_access(request, placement, "placements.placement.leave_letter_issued", letter=True)
        return response

    def _measures_for(self, request):
        if not request.user.has_perm("placements.view_measures"):
            raise PermissionDenied
        years = measures.measure_years()
        form = MeasuresFilterForm(
            request.GET or None,
            years=years,
            financial_years=measures.measure_financial_years(),
        )
        chosen = form.cleaned_data if form.is_valid() else {}
        return form, measures.ep_measures(
            year=chosen.get("year"), financial_year=chosen.get("financial_year")
        )

    def measures_view(self, request):
        form, figures = self._measures_for(request)
        query = (
            f"?financial_year={figures.financial_year}"
            if figures.financial_year
            else (f"?year={figures.year}" if figures.year else "")
        )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Early Permanence measures",
            "form": form,
            "m": figures,
            "csv_url": reverse("admin:placements_placement_measures_csv") + query,
            "chart": _chart(figures),
        }
        return TemplateResponse(request, "admin/placements/placement/measures.html", context)

    def measures_csv_view(self, request):
        _form, figures = self._measures_for(request)
        period = (
            f"{figures.financial_year}-{figures.financial_year + 1}"
            if (figures.financial_year)
            else (figures.year or "all-years")
        )
        # Counts and medians only, no record of a child: every column is the measure
        # itself. Small counts can still point to a child, so the file carries the notice.
        columns, *rows = measures.measures_csv_rows(figures)
        if figures.financial_year:
            chosen = {"financial_year": figures.financial_year}
        else:
            chosen = {"year": figures.year} if figures.year else {"year": "all years"}
        return exports.csv_export(
            request,
            export="EP measures",
            filename=f"ep-measures-{period}.csv",
            columns=columns,
            rows=rows,
            filters=chosen,
        )


def _chart(figures: measures.Measures) -> dict:
    """Bars for placements by route and result, laid out for an SVG with no script or styles."""
    width, label_width, bar_height, gap = 640, 200, 18, 6
    scale = (width - label_width - 60) / figures.chart_max
    groups, y = [], 30
    for row in figures.by_route:
        if row.route is None:
            continue
        bars = []
        for index, (key, label) in enumerate(figures.results):
            count = row.counts[key]
            bars.append(
                {
                    "label": label,
                    "count": count,
                    "y": y,
                    "text_y": y + bar_height - 4,
                    "width": max(round(count * scale), 1 if count else 0),
                    "value_x": label_width + round(count * scale) + 6,
                    "series": index,
                }
            )
            y += bar_height + gap
        groups.append({"label": row.label, "bars": bars, "heading_y": bars[0]["y"] - 8})
        y += 30
    return {
        "width": width,
        "height": y,
        "label_width": label_width,
        "groups": groups,
        "bar_height": bar_height,
    }

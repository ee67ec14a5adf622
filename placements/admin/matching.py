"""The staff pages for matching: referrals, the linking page, links, the EP match and
the placement that starts from it; carers on hold for matching; postcode district
centres (read-only, loaded by ``manage.py load_postcode_districts``).

Each step is a button on the referral's page that opens the one staff form page and
calls its service (``services.matching``); the referral's status is never typed in.
"""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from portal import formats
from portal.admin_access import AccessAdmin
from portal.admin_saves import RefusedOnSave, SavesThroughServices

from .. import letters, services
from ..forms import (
    AdoptionMatchForm,
    EmergencyForm,
    LinkDecisionForm,
    LinkProposeForm,
    LinkUpdateForm,
    MatchForm,
    MatchingPauseForm,
    OnDateForm,
    PlacementFromMatchForm,
    ReasonForm,
    ReferralForm,
)
from ..models import AdoptionMatch, Link, Match, MatchingPause, PostcodeDistrict, Referral
from ..selectors.linking import linking_for
from ..selectors.matching import family_finders
from ..services.matching import matching_pause_save
from .common import _form_page, _log_access

OPEN = (Referral.Status.OPEN, Referral.Status.LINKING, Referral.Status.MATCHED)
# How many carers each list of the linking page shows before "Show all".
LINKING_ROWS_SHOWN = 25


def _button(url: str, label: str) -> str:
    return format_html('<a class="button" href="{}">{}</a>', url, label)


def _buttons(items) -> str:
    """Buttons one under the other, spaced for touch (``placements-actions``)."""
    return format_html(
        '<ul class="placements-actions">{}</ul>',
        format_html_join("", "<li>{}</li>", ((item,) for item in items)),
    )


@admin.register(Referral)
class ReferralAdmin(AccessAdmin, SavesThroughServices, admin.ModelAdmin):
    form = ReferralForm
    # Six columns beside the filters fit a 1280-pixel screen with short headers.
    list_display = ("__str__", "child", "route", "needed", "status", "placing_authority")
    list_filter = ("status", "route")
    list_select_related = ("child", "child__placing_authority")
    search_fields = ("reference", "child__reference")
    search_help_text = "Search by the referral's reference (RF00003) or the child's (C00012)."
    autocomplete_fields = ("child",)
    readonly_fields = (
        "reference",
        "status",
        "acknowledged",
        "emergency",
        "clocks",
        "links_table",
        "match_summary",
        "adoption_match_summary",
        "next_steps",
    )
    fieldsets = (
        (None, {"fields": ("reference", "status", "next_steps")}),
        ("Clocks", {"fields": ("acknowledged", "clocks")}),
        (
            "The child",
            {"fields": ("child", "hospital", "child_social_worker", "social_worker")},
        ),
        (
            "The referral",
            {
                "fields": (
                    "received_on",
                    "needed_by",
                    "route",
                    "legal_position",
                    "brothers_and_sisters",
                )
            },
        ),
        (
            "Needs",
            {
                "fields": (
                    "health_uncertainty",
                    "exposure_in_pregnancy",
                    "disability",
                    "heritage",
                    "religion",
                    "language",
                )
            },
        ),
        (
            "Proposed family time",
            {
                "fields": (
                    "family_time_per_week",
                    "family_time_town",
                    "family_time_district",
                    "family_time_supervised",
                )
            },
        ),
        ("Links with carers", {"fields": ("links_table",)}),
        (
            "The matches",
            {"fields": ("match_summary", "adoption_match_summary", "emergency")},
        ),
    )

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            entered = ("The child", "The referral", "Needs", "Proposed family time")
            return [fieldset for fieldset in self.fieldsets if fieldset[0] in entered]
        return self.fieldsets

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.status not in OPEN:
            return list(ReferralForm.Meta.fields) + list(self.readonly_fields)
        return self.readonly_fields

    def has_delete_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("child", "child__placing_authority")

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        # Whoever records the referral finds the family unless another worker is chosen.
        if family_finders().filter(pk=request.user.pk).exists():
            initial.setdefault("social_worker", request.user.pk)
        return initial

    def response_post_save_add(self, request, obj):
        # The next steps (which carers fit, acknowledge) are buttons on the referral's page.
        return HttpResponseRedirect(reverse("admin:placements_referral_change", args=[obj.pk]))

    @admin.display(description="placing authority")
    def placing_authority(self, obj):
        return obj.child.placing_authority

    @admin.display(description="needed by", ordering="needed_by")
    def needed(self, obj):
        return obj.needed_by

    @admin.display(description="acknowledged on")
    def acknowledged(self, obj):
        return formats.day(obj.acknowledged_on) if obj.acknowledged_on else "Not yet"

    @admin.display(description="what is due")
    def clocks(self, obj):
        rows = list(obj.deadlines.order_by("due_on", "id"))
        if not rows:
            return "Nothing is due."
        today = timezone.localdate()
        return format_html(
            '<ul class="plain">{}</ul>',
            format_html_join(
                "",
                "<li>{}: by {}{}</li>",
                (
                    (
                        d.label,
                        formats.day(d.due_on, weekday=True),
                        " (overdue)" if d.is_overdue(today) else "",
                    )
                    for d in rows
                ),
            ),
        )

    @admin.display(description="emergency placement")
    def emergency(self, obj):
        if not obj.emergency_reason:
            return "None recorded."
        return format_html(
            "{} Agreed by {} on {}.",
            obj.emergency_reason,
            obj.emergency_agreed_by,
            formats.day(obj.emergency_recorded_on),
        )

    @admin.display(description="links")
    def links_table(self, obj):
        links = list(obj.links.select_related("household").order_by("proposed_on", "pk"))
        if not links:
            return "No carers linked yet."
        rows = []
        for link in links:
            steps = []
            if obj.status in OPEN and link.outcome in (Link.Outcome.OPEN, Link.Outcome.CHOSEN):
                steps.append(
                    _button(
                        reverse("admin:placements_referral_link", args=[obj.pk, link.pk, "update"]),
                        "Record what happened",
                    )
                )
            if link.outcome == Link.Outcome.OPEN and not link.carers_decision:
                steps.append(
                    _button(
                        reverse(
                            "admin:placements_referral_link", args=[obj.pk, link.pk, "decision"]
                        ),
                        "Carers' decision",
                    )
                )
            if link.outcome == Link.Outcome.OPEN and link.carers_decision == Link.Decision.YES:
                steps.append(
                    _button(
                        reverse("admin:placements_referral_link", args=[obj.pk, link.pk, "choose"]),
                        "Chosen by the placing authority",
                    )
                )
            if link.outcome == Link.Outcome.OPEN:
                steps.append(
                    _button(
                        reverse("admin:placements_referral_link", args=[obj.pk, link.pk, "close"]),
                        "Close the link",
                    )
                )
            decision = (
                f"{link.get_carers_decision_display()} ({formats.day(link.carers_decided_on)})"
                if link.carers_decision
                else "Not yet"
            )
            outcome = link.get_outcome_display()
            if link.closed_reason:
                outcome = f"{outcome}: {link.closed_reason}"
            rows.append(
                (
                    format_html(
                        '<a href="{}">{}</a>', link.household.get_absolute_url(), link.household
                    ),
                    formats.day(link.proposed_on),
                    formats.day(link.shared_on) if link.shared_on else "Not yet",
                    decision,
                    outcome,
                    _buttons(steps) if steps else "",
                )
            )
        return format_html(
            '<table><caption class="visually-hidden">Carers linked with this referral</caption>'
            '<thead><tr><th scope="col">Carers</th><th scope="col">Linked on</th>'
            '<th scope="col">Information shared</th><th scope="col">Their decision</th>'
            '<th scope="col">Outcome</th><th scope="col">Next</th></tr></thead><tbody>{}</tbody></table>',
            format_html_join(
                "",
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                rows,
            ),
        )

    @admin.display(description="match")
    def match_summary(self, obj):
        match = (
            Match.objects.filter(referral=obj)
            .select_related("link__household", "report", "placement")
            .first()
        )
        if match is None:
            return "Not agreed yet."
        placement = (
            format_html(
                ' Placement: <a href="{}">{}</a>.',
                match.placement.get_absolute_url(),
                match.placement,
            )
            if match.placement
            else ""
        )
        return format_html(
            "With {}: matching meeting {}; agreed by {} on {}; carers told on {}; expected "
            'placement {}. <a href="{}">EP matching report</a>.{}',
            match.link.household,
            formats.day(match.meeting_on),
            match.deciding_officer,
            formats.day(match.decided_on),
            formats.day(match.carers_told_on),
            formats.day(match.expected_placement_on),
            match.report.get_absolute_url(),
            placement,
        )

    @admin.display(description="adoption match")
    def adoption_match_summary(self, obj):
        match = (
            Match.objects.filter(referral=obj)
            .select_related(
                "placement__adoption_match__panel",
                "placement__adoption_match__decided_by",
                "placement__adoption_match__report",
            )
            .first()
        )
        adoption = getattr(match.placement, "adoption_match", None) if match else None
        if adoption is None:
            return "Not recorded yet."
        panel = adoption.panel or f"the adoption panel on {formats.day(adoption.panel_on)}"
        return format_html(
            "{}: {}. The agency decision maker, {}, on {}, {}. Adoption placement plan sent "
            'to the carers on {}. <a href="{}">Adoption placement report</a>.',
            panel,
            adoption.get_panel_recommendation_display().lower(),
            adoption.decided_by,
            formats.day(adoption.decided_on),
            "agreed the match"
            if adoption.decision == AdoptionMatch.Recommendation.MATCH
            else "did not agree the match",
            formats.day(adoption.plan_sent_on),
            adoption.report.get_absolute_url(),
        )

    @admin.display(description="next steps")
    def next_steps(self, obj):
        if obj.pk is None:
            return ""
        pk = obj.pk
        steps = [
            _button(reverse("admin:placements_referral_linking", args=[pk]), "Which carers fit")
        ]
        if obj.acknowledged_on is None and obj.status in OPEN:
            steps.append(
                _button(reverse("admin:placements_referral_acknowledge", args=[pk]), "Acknowledge")
            )
        if (
            obj.status == Referral.Status.LINKING
            and obj.links.filter(outcome=Link.Outcome.CHOSEN).exists()
        ):
            steps.append(
                _button(
                    reverse("admin:placements_referral_match", args=[pk]), "Record the agreed match"
                )
            )
        if obj.status in (Referral.Status.MATCHED, Referral.Status.PLACED) and hasattr(
            obj, "match"
        ):
            url = reverse("admin:placements_referral_certificate", args=[pk])
            steps.append(_button(url, "Matching certificate (PDF)"))
            steps.append(_button(f"{url}?neutral=1", "Matching certificate, neutral wording (PDF)"))
        if (
            obj.status == Referral.Status.PLACED
            and hasattr(obj, "match")
            and not AdoptionMatch.objects.filter(placement__match__referral=obj).exists()
        ):
            url = reverse("admin:placements_referral_adoption_match", args=[pk])
            steps.append(_button(url, "Record the adoption match"))
        if obj.status == Referral.Status.MATCHED:
            steps.append(
                _button(
                    reverse("admin:placements_referral_place", args=[pk]),
                    "Start the placement from the match",
                )
            )
        if obj.status in (Referral.Status.OPEN, Referral.Status.LINKING):
            # Once matched, the placement starts from the match.
            steps.append(
                _button(
                    reverse("admin:placements_referral_emergency", args=[pk]), "Emergency placement"
                )
            )
        if obj.status in OPEN:
            for action in services.REFERRAL.actions.values():
                steps.append(
                    _button(
                        reverse("admin:placements_referral_close", args=[pk, action.name]),
                        action.label,
                    )
                )
        steps.append(
            format_html(
                '<a href="{}">The child\'s record</a> (the date of birth, once born)',
                reverse("admin:placements_child_change", args=[obj.child_id]),
            )
        )
        steps.append(
            format_html(
                '<a href="{}">Documents on the child</a>',
                reverse("admin:placements_child_section", args=[obj.child_id, "documents"]),
            )
        )
        return _buttons(steps)

    def save_model(self, request, obj, form, change):
        try:
            if change:
                services.referral_update(referral=obj, by=request.user)
            else:
                services.referral_receive(referral=obj, by=request.user)
        except services.TransitionRefused as refusal:
            raise RefusedOnSave.on_main_form(refusal.messages) from refusal

    # -- the steps --------------------------------------------------------------------

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<int:pk>/linking/", wrap(self.linking_view), name="placements_referral_linking"),
            path(
                "<int:pk>/linking/<int:household_pk>/",
                wrap(self.link_propose_view),
                name="placements_referral_link_propose",
            ),
            path(
                "<int:pk>/acknowledge/",
                wrap(self.acknowledge_view),
                name="placements_referral_acknowledge",
            ),
            path(
                "<int:pk>/emergency/",
                wrap(self.emergency_view),
                name="placements_referral_emergency",
            ),
            path(
                "<int:pk>/close/<slug:action>/",
                wrap(self.close_view),
                name="placements_referral_close",
            ),
            path(
                "<int:pk>/link/<int:link_pk>/<slug:step>/",
                wrap(self.link_view),
                name="placements_referral_link",
            ),
            path("<int:pk>/match/", wrap(self.match_view), name="placements_referral_match"),
            path("<int:pk>/place/", wrap(self.place_view), name="placements_referral_place"),
            path(
                "<int:pk>/adoption-match/",
                wrap(self.adoption_match_view),
                name="placements_referral_adoption_match",
            ),
            path(
                "<int:pk>/matching-certificate.pdf",
                wrap(self.certificate_view),
                name="placements_referral_certificate",
            ),
            *super().get_urls(),
        ]

    def _referral(self, request, pk, permission: str) -> Referral:
        if not request.user.has_perm(permission):
            raise PermissionDenied
        return get_object_or_404(Referral.objects.select_related("child"), pk=pk)

    def _page(self, request, referral, **page):
        back_url = reverse("admin:placements_referral_change", args=[referral.pk])
        page.setdefault("back_url", back_url)
        return _form_page(self, request, crumbs=[(str(referral), back_url)], **page)

    def linking_view(self, request, pk):
        referral = self._referral(request, pk, "placements.view_referral")
        today = timezone.localdate()
        page = linking_for(referral=referral, today=today)
        back_url = reverse("admin:placements_referral_change", args=[pk])
        # The first rows of each list (the nearest, then the longest waiting): a large
        # agency has a thousand approved households, and a list of them all is a page
        # nobody reads and a second to build. "Show all" opens one list whole.
        whole = request.GET.get("all", "")
        shown = {
            name: rows if whole == name else rows[:LINKING_ROWS_SHOWN]
            for name, rows in (("fitting", page.fitting), ("left_out", page.left_out))
        }
        return TemplateResponse(
            request,
            "placements/admin/linking.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "title": f"Carers for {referral}",
                "page": page,
                "fitting_shown": shown["fitting"],
                "left_out_shown": shown["left_out"],
                "referral": referral,
                "back_url": back_url,
                "may_link": request.user.has_perm("placements.add_link")
                and referral.status in (Referral.Status.OPEN, Referral.Status.LINKING),
            },
        )

    def link_propose_view(self, request, pk, household_pk):
        referral = self._referral(request, pk, "placements.add_link")
        from carers.models import Household

        household = get_object_or_404(Household, pk=household_pk)
        return self._page(
            request,
            referral,
            title=f"Link {household} with {referral}",
            form=LinkProposeForm(request.POST or None, label="Linked on"),
            perform=lambda form: services.link_propose(
                referral=referral,
                household=household,
                reasons=form.cleaned_data["reasons"],
                on=form.cleaned_data["on"],
                by=request.user,
            ),
            success=f"{household} are linked with {referral}.",
            submit="Link these carers",
        )

    def acknowledge_view(self, request, pk):
        referral = self._referral(request, pk, "placements.change_referral")
        return self._page(
            request,
            referral,
            title=f"Acknowledge {referral}",
            form=OnDateForm(request.POST or None, label="Acknowledged on"),
            perform=lambda form: services.referral_acknowledge(
                referral=referral, on=form.cleaned_data["on"], by=request.user
            ),
            success="The referral is acknowledged.",
            submit="Acknowledge",
        )

    def emergency_view(self, request, pk):
        referral = self._referral(request, pk, "placements.change_referral")
        return self._page(
            request,
            referral,
            title=f"Emergency placement for {referral}",
            intro="The child must be placed before a match can be agreed. Once recorded, the "
            "placement may start without an agreed match.",
            form=EmergencyForm(request.POST or None, label="Agreed on"),
            perform=lambda form: services.referral_record_emergency(
                referral=referral, by=request.user, **form.cleaned_data
            ),
            success="The emergency placement is recorded on the referral.",
            submit="Record the emergency",
        )

    def close_view(self, request, pk, action):
        referral = self._referral(request, pk, "placements.change_referral")
        offered = services.REFERRAL.offered(referral, action, user=request.user)
        if action not in services.REFERRAL.actions:
            raise PermissionDenied
        label = services.REFERRAL.actions[action].label
        return self._page(
            request,
            referral,
            title=f"{label}: {referral}",
            state=f"The referral is “{referral.get_status_display()}”.",
            blocked_by=(
                offered.blocked_by
                if offered
                else [f"The referral is “{referral.get_status_display()}”."]
            ),
            form=ReasonForm(request.POST or None, label="Closed on"),
            perform=lambda form: services.referral_close(
                referral=referral, action=action, by=request.user, **form.cleaned_data
            ),
            success="The referral is closed.",
            submit="Close the referral",
        )

    def link_view(self, request, pk, link_pk, step):
        referral = self._referral(request, pk, "placements.change_link")
        link = get_object_or_404(
            Link.objects.select_related("household", "referral"), pk=link_pk, referral=referral
        )
        by = request.user
        pages = {
            "update": lambda: {
                "title": f"{link.household}: what happened",
                "form": LinkUpdateForm(request.POST or None, instance=link),
                "perform": lambda form: services.link_update(link=link, by=by, **form.cleaned_data),
                "success": "The link is updated.",
                "submit": "Save",
            },
            "decision": lambda: {
                "title": f"{link.household}: the carers' decision",
                "form": LinkDecisionForm(request.POST or None, label="Decided on"),
                "perform": lambda form: services.link_record_decision(
                    link=link,
                    decision=form.cleaned_data["decision"],
                    on=form.cleaned_data["on"],
                    by=by,
                ),
                "success": "The carers' decision is recorded.",
                "submit": "Record the decision",
            },
            "choose": lambda: {
                "title": f"{link.household}: chosen by the placing authority",
                "intro": "The other open links close, saying the placing authority chose other carers.",
                "form": OnDateForm(request.POST or None, label="Chosen on"),
                "perform": lambda form: services.link_choose(
                    link=link, on=form.cleaned_data["on"], by=by
                ),
                "success": f"{link.household} are chosen.",
                "submit": "Record the choice",
            },
            "close": lambda: {
                "title": f"{link.household}: close the link",
                "form": ReasonForm(request.POST or None, label="Closed on"),
                "perform": lambda form: services.link_close(
                    link=link, on=form.cleaned_data["on"], reason=form.cleaned_data["reason"], by=by
                ),
                "success": "The link is closed.",
                "submit": "Close the link",
            },
        }
        if step not in pages:
            raise PermissionDenied
        return self._page(request, referral, **pages[step]())

    def match_view(self, request, pk):
        referral = self._referral(request, pk, "placements.add_match")
        link = (
            referral.links.select_related("household", "referral")
            .filter(outcome=Link.Outcome.CHOSEN)
            .first()
        )
        blocked = []
        if link is None:
            blocked.append("The placing authority has not chosen carers yet.")
        elif referral.status != Referral.Status.LINKING:
            blocked.append(f"The referral is “{referral.get_status_display()}”.")
        reg_25a = bool(
            link and referral.route == "ffa" and link.household.foster_carer_approved_on is None
        )
        form = MatchForm(request.POST or None, request.FILES or None, reg_25a=reg_25a)
        return self._page(
            request,
            referral,
            title=f"The agreed EP match for {referral}"
            + (f" with {link.household}" if link else ""),
            intro="Record the match once the placing authority has agreed it. For Fostering for "
            "Adoption by carers who are not foster carers, the reg 25A approval for the child "
            "is recorded with it.",
            blocked_by=blocked,
            form=form,
            perform=lambda form: services.match_agree(
                link=link,
                match=form.save(commit=False),
                report_file=form.cleaned_data["report_file"],
                by=request.user,
            ),
            success="The match is recorded.",
            submit="Record the match",
        )

    def place_view(self, request, pk):
        referral = self._referral(request, pk, "placements.add_placement")
        match = Match.objects.filter(referral=referral).select_related("link__household").first()
        blocked = []
        if match is None or referral.status != Referral.Status.MATCHED:
            blocked.append("The placement starts from an agreed match: record the match first.")
        return self._page(
            request,
            referral,
            title=f"Start the placement from the match: {referral}",
            blocked_by=blocked,
            form=PlacementFromMatchForm(request.POST or None),
            perform=lambda form: services.placement_start(
                household=match.link.household,
                children=[referral.child],
                route=referral.route,
                by=request.user,
                **form.cleaned_data,
            ),
            success=lambda placement: f"Placement {placement} has started.",
            success_url=lambda placement: placement.get_absolute_url(),
            submit="Start the placement",
        )

    def adoption_match_view(self, request, pk):
        referral = self._referral(request, pk, "placements.add_adoptionmatch")
        match = Match.objects.filter(referral=referral).select_related("placement").first()
        placement = match.placement if match else None
        blocked = []
        if placement is None:
            blocked.append("The child has not been placed from the match yet.")
        elif hasattr(placement, "adoption_match"):
            blocked.append("The adoption match is already recorded.")
        return self._page(
            request,
            referral,
            title=f"The adoption match for {referral}",
            intro="Once there is authority to place (a placement order, or the parents' "
            "consent): the adoption placement report, the adoption panel's recommendation, "
            "the agency decision maker's decision and the adoption placement plan sent to "
            "the carers. The child is then placed for adoption from the placement's page.",
            blocked_by=blocked,
            form=AdoptionMatchForm(request.POST or None, request.FILES or None),
            perform=lambda form: services.adoption_match_record(
                placement=placement,
                match=form.save(commit=False),
                report_file=form.cleaned_data["report_file"],
                by=request.user,
            ),
            success="The adoption match is recorded.",
            submit="Record the adoption match",
        )

    def certificate_view(self, request, pk):
        """The matching certificate for the carers' employer (``letters``): no child details.
        Each issue is written to the audit trail."""
        referral = self._referral(request, pk, "placements.issue_leave_letter")
        match = get_object_or_404(
            Match.objects.select_related("link__household", "placement", "referral"),
            referral=referral,
        )
        neutral = request.GET.get("neutral") == "1"
        data = letters.matching_certificate_pdf(
            match=match, issued_by=request.user, neutral=neutral
        )
        response = HttpResponse(data, content_type="application/pdf")
        response["Content-Disposition"] = (
            f'attachment; filename="matching-certificate-{referral.reference}.pdf"'
        )
        response["Cache-Control"] = "no-store"
        _log_access(
            request, referral, "placements.referral.matching_certificate_issued", letter=True
        )
        return response


@admin.register(MatchingPause)
class MatchingPauseAdmin(AccessAdmin, SavesThroughServices, admin.ModelAdmin):
    form = MatchingPauseForm
    list_display = ("household", "starts_on", "ends_on", "reason")
    list_select_related = ("household",)
    search_fields = ("household__reference",)
    autocomplete_fields = ("household",)

    def save_model(self, request, obj, form, change):
        try:
            matching_pause_save(pause=obj, by=request.user)
        except services.TransitionRefused as refusal:
            raise RefusedOnSave.on_main_form(refusal.messages) from refusal


@admin.register(PostcodeDistrict)
class PostcodeDistrictAdmin(admin.ModelAdmin):
    list_display = ("district", "latitude", "longitude")
    search_fields = ("district",)
    fields = readonly_fields = ("district", "latitude", "longitude")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

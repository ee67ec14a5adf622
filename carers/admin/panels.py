"""Panels: a household's booking moved, the central list of members, the members of each
sitting, and members' papers.

``PanelMoveAdmin`` gives the household's admin the "Move to another sitting" page (the one
staff form page) and its link among the page's object tools, shown while a track is booked
for panel. The service is ``carers.services.household_move_panel``.
``PanelMemberAdmin`` keeps the central list; ``AttendanceInline`` (on a sitting) who sits
on it and who was present; ``PanelPapersAdmin`` (mixed into the sittings' admin) a member's
papers (``carers.services.panels``).
"""

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse

from portal import admin_autocomplete
from portal.admin_saves import save_rows
from portal.roles import Role
from portal.staffpages import form_page

from .. import services
from ..forms import PanelMoveForm
from ..models import Household, PanelAttendance, PanelMember, Stage
from ..services import panels as panel_services

PAPERS_PERMISSION = "carers.read_panel_papers"


class PanelMoveAdmin:
    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path(
                "<int:pk>/move-panel/",
                wrap(self.panel_move_view),
                name="carers_household_move_panel",
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = extra_context or {}
        if (
            str(object_id).isdigit()
            and request.user.has_perm(services.CHANGE_PERMISSION)
            and Household.objects.filter(
                pk=object_id, assessments__stage=Stage.PANEL_BOOKED
            ).exists()
        ):
            url = reverse("admin:carers_household_move_panel", args=[object_id])
            extra_context.setdefault("object_tools", []).append(("Move to another sitting", url))
        return super().change_view(request, object_id, form_url, extra_context)

    def panel_move_view(self, request, pk):
        household = get_object_or_404(Household, pk=pk)
        if not (
            self.has_view_permission(request, household)
            and request.user.has_perm(services.CHANGE_PERMISSION)
        ):
            raise PermissionDenied
        back = reverse("admin:carers_household_change", args=[pk])
        booked = list(
            household.assessments.filter(stage=Stage.PANEL_BOOKED)
            .select_related("panel")
            .order_by("track")
        )
        state = " ".join(
            f"The {a.get_track_display().lower()} track is booked for the {a.panel}."
            for a in booked
        )
        return form_page(
            request,
            admin_site=self.admin_site,
            opts=self.opts,
            media=self.media,
            form=PanelMoveForm(request.POST or None, household=household),
            title=f"Move to another sitting: {household}",
            crumbs=[(str(household), back)],
            back_url=back,
            intro="Every track booked for panel moves to the sitting you choose, together; "
            "the agency decision's deadline follows the new date.",
            state=state,
            blocked_by=[] if booked else ["No track of this household is booked for panel."],
            perform=lambda form: services.household_move_panel(
                household=household, by=request.user, **form.cleaned_data
            ),
            success=lambda moved: f"Booked for the {moved[0].panel}.",
            submit="Move the booking",
        )


# ---------------------------------------------------------------------------
# Panels as bodies: the central list, the members of each sitting, members' papers
# ---------------------------------------------------------------------------


@admin.register(PanelMember)
class PanelMemberAdmin(admin.ModelAdmin):
    """The central list of people who may sit on the panels (AAR reg 3, FS(E)R reg 23)."""

    list_display = (
        "name",
        "role",
        "sits_on_adoption",
        "sits_on_fostering",
        "social_worker_three_years",
        "independent",
        "is_active",
    )
    list_filter = ("role", "sits_on_adoption", "sits_on_fostering", "is_active")
    list_select_related = ("account",)
    search_fields = ("name",)
    autocomplete_fields = ("account",)
    fields = (
        "name",
        "role",
        "social_worker_three_years",
        "independent",
        "sits_on_adoption",
        "sits_on_fostering",
        "account",
        "is_active",
    )

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "account":
            kwargs["queryset"] = panel_member_accounts(db_field.remote_field.model.objects.all())
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        account = form.base_fields.get("account")
        if account is not None and obj is not None and obj.account_id:
            # The sign-in the member has stays shown and kept by a plain edit, even once
            # it is no longer one that could be chosen (an account since switched off).
            users = account.queryset.model.objects.all()
            account.queryset = users.filter(
                Q(pk__in=panel_member_accounts(users).values("pk")) | Q(pk=obj.account_id)
            )
        return form

    def save_model(self, request, obj, form, change):
        panel_services.panel_member_save(member=obj, by=request.user)


def panel_member_accounts(users):
    """The sign-ins a panel member's entry may name: active staff and active Panel members
    accounts (often not staff)."""
    return users.filter(is_active=True).filter(
        Q(is_staff=True) | Q(pk__in=users.model.objects.filter(groups__name=Role.PANEL_MEMBERS))
    )


# Those who keep the central list pick the member's sign-in without the user admin.
admin_autocomplete.allow(
    PanelMember,
    "account",
    permissions=("carers.add_panelmember", "carers.change_panelmember"),
    rows=panel_member_accounts,
)


class AttendanceFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        # Rows are offered only while the attendance may change (``AttendanceInline``);
        # the freeze is checked again, with the sitting locked, as each row is saved.
        for form in self.forms:
            if not form.cleaned_data or form.cleaned_data.get("DELETE"):
                continue
            member = form.cleaned_data.get("member")
            # A view-only row (frozen members) keeps its initial data: a key, not a member.
            if not isinstance(member, PanelMember):
                continue
            for message in panel_services.panel_member_fit_problems(
                member=member, sitting=self.instance
            ):
                form.add_error("member", message)


class AttendanceInline(admin.TabularInline):
    """The members of a sitting: put on it beforehand (they read its papers), then marked
    present or not; the quorum is counted from those present."""

    model = PanelAttendance
    formset = AttendanceFormSet
    extra = 0
    fields = ("member", "present")
    autocomplete_fields = ("member",)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("member")

    # Whoever may change a sitting keeps its members (no permissions of its own), until a
    # recommendation is recorded at it: then they are shown, not offered for change.
    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("carers.view_panelsitting")

    def _may_change(self, request, obj) -> bool:
        return request.user.has_perm("carers.change_panelsitting") and not attendance_frozen(
            request, obj
        )

    def has_add_permission(self, request, obj=None):
        return self._may_change(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._may_change(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._may_change(request, obj)


def attendance_frozen(request, sitting) -> list[str]:
    """``services.panels.sitting_attendance_frozen``, once per sitting and request."""
    if sitting is None or sitting.pk is None:
        return []
    seen = request.__dict__.setdefault("_attendance_frozen", {})
    if sitting.pk not in seen:
        seen[sitting.pk] = panel_services.sitting_attendance_frozen(sitting=sitting)
    return seen[sitting.pk]


def save_attendance(formset, *, by) -> dict:
    """The attendance inline's rows through the services; refusals keyed by row."""

    def save(form):
        row = form.save(commit=False)
        row.sitting = formset.instance
        return panel_services.panel_attendance_save(attendance=row, by=by)

    return save_rows(
        formset,
        save=save,
        delete=lambda row: panel_services.panel_attendance_remove(attendance=row, by=by),
    )


class PanelPapersAdmin:
    """Mixed into the sittings' admin: a panel member's papers, for the sittings they sit
    on, each from a link that expires after the sitting (services/panels.py)."""

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("papers/", wrap(self.papers_view), name="carers_panelsitting_papers"),
            path(
                "papers/<str:token>/paper.pdf",
                wrap(self.paper_view),
                name="carers_panelsitting_paper",
            ),
            *super().get_urls(),
        ]

    def _may_read_papers(self, request):
        if not request.user.has_perm(PAPERS_PERMISSION):
            raise PermissionDenied

    def papers_view(self, request):
        self._may_read_papers(request)
        return TemplateResponse(
            request,
            "carers/admin/panel_papers.html",
            {
                **self.admin_site.each_context(request),
                "title": "Your panel papers",
                "sittings": panel_services.member_sittings(user=request.user),
            },
        )

    def paper_view(self, request, token):
        self._may_read_papers(request)
        from ..panel_paper import panel_paper_pdf

        try:
            household, member = panel_services.panel_paper_open(token=token, user=request.user)
        except panel_services.PaperRefused as refusal:
            return TemplateResponse(
                request,
                "carers/admin/panel_papers.html",
                {
                    **self.admin_site.each_context(request),
                    "title": "Your panel papers",
                    "refused": refusal.messages,
                    "sittings": panel_services.member_sittings(user=request.user),
                },
            )
        response = HttpResponse(
            panel_paper_pdf(household=household, watermark=member.name),
            content_type="application/pdf",
        )
        response["Content-Disposition"] = (
            f'inline; filename="panel-paper-{household.reference}.pdf"'
        )
        return response

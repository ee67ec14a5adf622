"""Family time, kept on the child.

The child's page has a "Family time" section (its inlines are here; ``children`` lists
them): the plan in force with what the birth family must not learn shown first, the next
and recent sessions, the birth relatives, a new version of the plan, and the
communication book. Each session and each book entry opens its own page: a session's
outcome, notice, notes and miles; an entry's moderation. The sessions list across every
child (attendance, cancellations, mileage claims and their CSV for finance) and the
entries awaiting moderation are lists of their own.
"""

import json
from functools import partial

from django.contrib import admin, messages
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from portal import exports, formats, versions
from portal.admin_access import AccessAdmin
from portal.admin_saves import RefusedOnSave, SavesThroughServices
from portal.admin_sections import CaseFields
from portal.admin_versions import withdraw_url
from portal.workflow import Refused

from .. import selectors, services
from ..forms import BirthRelativeForm, BookEntryForm, BookModerationForm, FamilyTimePlanForm
from ..forms import FamilyTimeSessionForm as SessionForm
from ..models import (
    BirthRelative,
    Child,
    CommunicationBookEntry,
    FamilyTimePlan,
    FamilyTimeSession,
    Placement,
)
from .common import PlacementRecordInline, ReadOnlyCards, _child_link
from .filters import CaseloadFilter

Claim = FamilyTimeSession.Claim

# ---------------------------------------------------------------------------
# On the child's page
# ---------------------------------------------------------------------------


class BirthRelativeInline(PlacementRecordInline):
    model = BirthRelative
    form = BirthRelativeForm
    verbose_name_plural = "birth relatives (contact goes through the child's social worker)"
    add_text = "Add a birth relative"

    def get_fields(self, request, obj=None):
        fields = ["relationship", "name", "has_parental_responsibility", "contact_route"]
        if request.user.has_perm("placements.see_relative_address"):
            fields += ["address", "address_reason"]
        return fields

    def has_delete_permission(self, request, obj=None):
        # A relative named in a plan stays on the record; a mistake is corrected.
        return False


class NewPlanInline(PlacementRecordInline):
    """An empty form for the next version of the plan: versions are never edited."""

    model = FamilyTimePlan
    form = FamilyTimePlanForm
    verbose_name = "new version of the plan"
    verbose_name_plural = "a new version of the plan (it replaces the one in force)"
    add_text = "Set a new version of the plan"
    max_num = 1

    def get_queryset(self, request):
        return super().get_queryset(request).none()

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        if obj is not None:
            formset.form.base_fields["relatives"].queryset = BirthRelative.objects.filter(child=obj)
        return formset

    def has_delete_permission(self, request, obj=None):
        return False


class PlanVersionCards(ReadOnlyCards):
    model = FamilyTimePlan
    fk_name = "child"
    verbose_name_plural = "versions of the plan, newest first"
    fields = readonly_fields = (
        "version",
        "kind",
        "source_display",
        "dates",
        "days_display",
        "handover",
        "transport",
        "venue",
    )

    @admin.display(description="source")
    def source_display(self, obj):
        return f"{obj.get_source_display()} of {formats.day(obj.source_dated)}"

    @admin.display(description="in force")
    def dates(self, obj):
        end = f" to {formats.day(obj.ends_on)}" if obj.ends_on else " (in force)"
        return f"From {formats.day(obj.starts_on)}{end}"

    @admin.display(description="days")
    def days_display(self, obj):
        return days_words(obj)


class NewBookEntryInline(PlacementRecordInline):
    model = CommunicationBookEntry
    form = BookEntryForm
    verbose_name = "new entry in the communication book"
    verbose_name_plural = (
        "a new entry in the communication book (shared only once moderated; the parents' "
        "side is entered by staff)"
    )
    add_text = "Write an entry in the book"
    max_num = 1

    def get_queryset(self, request):
        return super().get_queryset(request).none()

    def has_delete_permission(self, request, obj=None):
        return False


FAMILY_TIME_INLINES = (BirthRelativeInline, NewPlanInline, PlanVersionCards, NewBookEntryInline)


def with_add_texts(inline_admin_formsets):
    """The inlines' own words on their "add" link (``add_text``) in place of Django's
    "Add another <verbose name>", which reads "Add another New version of the plan"."""
    for inline_admin_formset in inline_admin_formsets:
        text = getattr(inline_admin_formset.opts, "add_text", None)
        if text:
            inline_admin_formset.inline_formset_data = partial(
                _add_text, inline_admin_formset.inline_formset_data, text
            )
    return inline_admin_formsets


def _add_text(formset_data, text: str) -> str:
    data = json.loads(formset_data())
    data["options"]["addText"] = text
    return json.dumps(data)


def rules_words(plan: FamilyTimePlan) -> str:
    """The plan's confirmation and lateness rules in a sentence (empty when it has none)."""
    rules = []
    if plan.confirm_by is not None:
        rules.append(
            f"The parent confirms by {plan.confirm_by:%H:%M} on the day, or the session is "
            "cancelled and the carers told not to set off."
        )
    if plan.late_cancel_minutes is not None:
        rules.append(
            f"A parent more than {plan.late_cancel_minutes} minutes late: the session is cancelled."
        )
    return " ".join(rules)


class WithdrawLink:
    """The row's "Withdraw" link (to the child's withdraw page, ``portal.admin_versions``)
    on its own page, for those who may withdraw records (team managers)."""

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        if obj is None or not request.user.has_perm(versions.WITHDRAW_PERMISSION):
            fields = [name for name in fields if name != "withdraw_link"]
        return fields

    @admin.display(description="withdraw")
    def withdraw_link(self, obj):
        return _withdraw_link(obj)


def _withdraw_link(obj):
    return format_html(
        '<a class="button" href="{}">Withdraw this {}</a>',
        withdraw_url(Child._meta, obj.child_id, obj),
        obj._meta.verbose_name,
    )


def days_words(plan: FamilyTimePlan) -> str:
    names = dict(
        enumerate(("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"))
    )
    days = ", ".join(names[d] for d in plan.days)
    return f"{days} at {plan.start_time:%H:%M}, {plan.length_minutes} minutes"


# ---------------------------------------------------------------------------
# Sessions across every child
# ---------------------------------------------------------------------------

# The finance file: what is paid and to whom it is owed, no child. The placement
# reference says whose carers (finance pays the household); the date, miles and amount
# are the claim; the claim's status is where it stands. No child, venue or note.
MILEAGE_COLUMNS = [
    ("Placement", lambda s: s.placement.reference if s.placement else ""),
    ("Household", lambda s: s.placement.household.reference if s.placement else ""),
    ("Date", lambda s: s.held_on.isoformat()),
    ("Miles", lambda s: s.miles),
    ("Amount (£)", lambda s: services.mileage_amount(s.miles)),
    ("Claim", lambda s: s.get_claim_display()),
]


@admin.register(FamilyTimeSession)
class FamilyTimeSessionAdmin(
    AccessAdmin, WithdrawLink, SavesThroughServices, CaseFields, admin.ModelAdmin
):
    """Every family time session: attendance, cancellations and mileage claims. Each
    session opens a page to record what happened."""

    form = SessionForm
    list_display = ("day", "starts", "child", "kind", "state", "notice", "miles", "claim")
    list_filter = ("status", "kind", "claim", CaseloadFilter)
    list_select_related = ("child", "placement", "placement__household", "plan")
    list_per_page = 50
    ordering = ("-held_on", "-starts_at", "-id")
    search_fields = ("child__reference", "placement__reference")
    search_help_text = "Search by a child's (C00012) or a placement's (PL00007) whole reference."
    # No date drill-down: a month of sessions three times a week makes its day links too
    # small to tap (WCAG 2.5.8); the list is newest first and filtered by status.
    actions = ("claims_submitted", "claims_approved", "claims_paid", "mileage_csv")
    readonly_fields = (
        "child_link",
        "day",
        "starts",
        "kind",
        "plan_details",
        "state_explained",
        "notice",
        "withdraw_link",
    )

    def get_search_results(self, request, queryset, search_term):
        """A child's or a placement's whole reference: the two are looked up first, so
        the sessions are read through their indexes rather than every one searched."""
        term = search_term.strip()
        if not term:
            return queryset, False
        children = list(Child.objects.filter(reference__iexact=term).values_list("pk", flat=True))
        placements = list(
            Placement.objects.filter(reference__iexact=term).values_list("pk", flat=True)
        )
        return queryset.filter(Q(child_id__in=children) | Q(placement_id__in=placements)), False

    fields = (
        "child_link",
        "day",
        "starts",
        "kind",
        "plan_details",
        "state_explained",
        "outcome",
        "cancelled_at",
        "notice",
        "parent_late_minutes",
        "note",
        "supervisor_note",
        "miles",
        "withdraw_link",
    )

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("child", "plan", "placement")

    @admin.display(description="child")
    def child_link(self, obj):
        return _child_link(obj.child)

    @admin.display(description="plan")
    def plan_details(self, obj):
        plan = obj.plan
        if plan is None:
            return "Recorded, not generated from a plan"
        withheld = ", ".join(plan.withheld) or "nothing"
        return format_html(
            "{} at {}. Handover: {}. Transport: {}. {} The birth family must not learn: "
            "<strong>{}</strong>.",
            days_words(plan),
            plan.venue,
            plan.get_handover_display(),
            plan.get_transport_display(),
            rules_words(plan),
            withheld,
        )

    @admin.display(description="date", ordering="held_on")
    def day(self, obj):
        return formats.day(obj.held_on, weekday=True)

    @admin.display(description="starts at", ordering="starts_at")
    def starts(self, obj):
        return f"{obj.starts_at:%H:%M}" if obj.starts_at else "—"

    @admin.display(description="status")
    def state(self, obj):
        return services.session_state(obj)

    @admin.display(description="status")
    def state_explained(self, obj):
        state = services.session_state(obj)
        if services.is_not_confirmed(obj):
            return (
                f"{state}: under the plan it does not go ahead. Record it as "
                f"“{FamilyTimeSession.Status.PARENT_DID_NOT_CONFIRM.label}”; the carers are "
                "told not to set off."
            )
        return state

    @admin.display(description="notice given")
    def notice(self, obj):
        words = services.notice_words(obj)
        if words and services.is_short_notice(obj):
            return f"{words}: short notice"
        return words or "—"

    def has_add_permission(self, request):
        # Sessions come from the child's plan (or a farewell session on the child's page).
        return False

    def save_model(self, request, obj, form, change):
        try:
            recorded = services.family_time_session_record(
                session=obj,
                status=form.cleaned_data["outcome"],
                cancelled_at=form.cleaned_data.get("cancelled_at"),
                note=form.cleaned_data.get("note") or "",
                miles=form.cleaned_data.get("miles"),
                parent_late_minutes=form.cleaned_data.get("parent_late_minutes"),
                supervisor_note=form.cleaned_data.get("supervisor_note"),
                by=request.user,
            )
        except Refused as refusal:
            raise RefusedOnSave.on_main_form(refusal.messages) from refusal
        # The success message names the session as it now stands.
        obj.status = recorded.status

    def _claims(self, request, queryset, to):
        try:
            moved = services.mileage_claims_move(sessions=queryset, to=to, by=request.user)
        except Refused as refusal:
            self.message_user(request, refusal.message, messages.ERROR)
            return
        label = Claim(to).label.lower()
        claims = "mileage claim" if moved == 1 else "mileage claims"
        self.message_user(request, f"{moved} {claims} {label}.", messages.SUCCESS)

    @admin.action(description="Mileage claims: submitted", permissions=("change",))
    def claims_submitted(self, request, queryset):
        self._claims(request, queryset, Claim.SUBMITTED)

    # A social worker approves the claims the carers they support sent from their own
    # area; team managers approve any and pay them (services.mileage_claims_move says
    # which, in words, before anything moves).
    @admin.action(description="Mileage claims: approved", permissions=("change",))
    def claims_approved(self, request, queryset):
        self._claims(request, queryset, Claim.APPROVED)

    @admin.action(description="Mileage claims: paid", permissions=("pay_claims",))
    def claims_paid(self, request, queryset):
        self._claims(request, queryset, Claim.PAID)

    def has_pay_claims_permission(self, request):
        return request.user.has_perm("placements.approve_mileage")

    @admin.action(description="Mileage claims for finance (CSV)", permissions=("view",))
    def mileage_csv(self, request, queryset):
        stamp = timezone.localtime().strftime("%Y-%m-%d")
        sessions = (
            queryset.filter(miles__isnull=False)
            .select_related("placement", "placement__household")
            .order_by("placement__reference", "held_on", "id")
        )
        return exports.csv_export(
            request,
            export="Family time mileage",
            filename=f"family-time-mileage-{stamp}.csv",
            columns=[title for title, _ in MILEAGE_COLUMNS],
            rows=([value(s) for _, value in MILEAGE_COLUMNS] for s in sessions),
            filters=exports.list_filters(request, selected=queryset.count()),
        )


# ---------------------------------------------------------------------------
# The communication book: moderation
# ---------------------------------------------------------------------------


@admin.register(CommunicationBookEntry)
class CommunicationBookEntryAdmin(
    AccessAdmin, WithdrawLink, SavesThroughServices, admin.ModelAdmin
):
    """Entries in the children's communication books; those awaiting moderation first."""

    form = BookModerationForm
    list_display = ("written_on", "child", "side", "status")
    list_filter = ("status", "side")
    list_select_related = ("child",)
    list_per_page = 50
    search_fields = ("child__reference",)
    search_help_text = "Search by child reference (C00012)."
    readonly_fields = (
        "child_link",
        "side",
        "written_on",
        "text",
        "status",
        "held_back_reason",
        "withdraw_link",
    )
    fields = (
        "child_link",
        "side",
        "written_on",
        "text",
        "status",
        "held_back_reason",
        "decision",
        "reason",
        "withdraw_link",
    )

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("child")

    def has_change_permission(self, request, obj=None):
        # A shared entry has been read by the other side: it stays as it was.
        if obj is not None and obj.status == CommunicationBookEntry.Status.SHARED:
            return False
        return super().has_change_permission(request, obj)

    @admin.display(description="child")
    def child_link(self, obj):
        return _child_link(obj.child)

    def has_add_permission(self, request):
        # Entries are written on the child's page, in the "Family time" section.
        return False

    def save_model(self, request, obj, form, change):
        try:
            services.book_entry_moderate(
                entry=obj,
                share=form.cleaned_data["decision"] == "share",
                reason=form.cleaned_data.get("reason") or "",
                by=request.user,
            )
        except Refused as refusal:
            raise RefusedOnSave.on_main_form(refusal.messages) from refusal


def family_time_panel(child, *, today=None) -> dict:
    """What the child's family time section shows above its forms (``selectors``)."""
    panel = selectors.family_time_page(child=child, today=today or timezone.localdate())
    now = timezone.now()
    for session in (*panel["upcoming"], *panel["recent"]):
        session.state = services.session_state(session, now=now)
    panel["sessions_url"] = (
        reverse("admin:placements_familytimesession_changelist") + f"?q={child.reference}"
    )
    panel["book_url"] = (
        reverse("admin:placements_communicationbookentry_changelist") + f"?q={child.reference}"
    )
    return panel

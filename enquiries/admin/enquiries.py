"""The recruitment team's admin for enquiries.

The stage is never an editable field: the buttons on an enquiry (and the changelist's
actions) call the services in ``enquiries.services.enquiries``. Details, assignment and notes are saved
through services too. Team managers and social workers may look, not change.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.options import IS_POPUP_VAR
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q
from django.http import Http404, HttpRequest
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from portal import exports, formats
from portal.admin_filters import overdue_tag
from portal.admin_lists import LargeTableAdmin
from portal.admin_saves import RefusedOnSave, SavesThroughServices
from portal.calendar import financial_year_label
from portal.models import User
from portal.roles import Role
from portal.staffpages import form_page, offered_page
from portal.validators import postcode_parts
from portal.workflow import Action, Offered

from .. import clocks
from ..models import Enquiry
from ..selectors import enquiries as selectors
from ..services import enquiries as services
from ..services import registration as registration_services

Status = Enquiry.Status


# -- the enquiry's form --------------------------------------------------------------------


class EnquiryDetailsForm(forms.ModelForm):
    new_note = forms.CharField(
        label="Add a note",
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text="Added to the timeline when you save. Notes cannot be edited afterwards.",
    )

    class Meta:
        model = Enquiry
        fields = (*services.DETAIL_FIELDS, "assigned_to")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "assigned_to" in self.fields:
            # The people who answer enquiries, and whoever has this one now.
            recruiters = Q(
                is_active=True,
                is_staff=True,
                groups__name__in=(Role.RECRUITMENT_TEAM, Role.TEAM_MANAGERS),
            )
            if self.instance.assigned_to_id:
                recruiters |= Q(pk=self.instance.assigned_to_id)
            self.fields["assigned_to"].queryset = (
                User.objects.filter(recruiters).distinct().order_by("first_name", "last_name")
            )


# -- moves along the pipeline --------------------------------------------------------------


class MoveForm(forms.Form):
    happened_on = forms.DateField(
        label="When did it happen?",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Today, or an earlier day since the enquiry arrived.",
    )
    visit_on = forms.DateField(
        label="Date of the visit", widget=forms.DateInput(attrs={"type": "date"})
    )
    received_on = forms.DateField(
        label="Received on",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="The day the Registration of Interest arrived.",
    )
    reason = forms.ChoiceField(
        label="Why is it closing?", choices=Enquiry.ClosedReason.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label="Note (optional)",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
    )

    def __init__(self, *args, move: Action, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("happened_on", "visit_on", "received_on", "reason"):
            if name not in move.fields:
                del self.fields[name]
        for name in ("happened_on", "received_on"):
            if name in self.fields:
                self.fields[name].initial = timezone.localdate()


def _perform(move: Action, *, enquiry: Enquiry, by, data: dict) -> None:
    note = data.get("note", "")
    if move.name == "contacted":
        services.enquiry_mark_contacted(enquiry=enquiry, by=by, on=data["happened_on"], note=note)
    elif move.name == "information-pack-sent":
        services.enquiry_mark_information_pack_sent(enquiry=enquiry, by=by, note=note)
    elif move.name == "book-initial-visit":
        services.enquiry_book_initial_visit(
            enquiry=enquiry, by=by, visit_on=data["visit_on"], note=note
        )
    elif move.name == "rebook-initial-visit":
        services.enquiry_rebook_initial_visit(
            enquiry=enquiry, by=by, visit_on=data["visit_on"], note=note
        )
    elif move.name == "initial-visit-done":
        services.enquiry_mark_initial_visit_done(
            enquiry=enquiry, by=by, on=data["happened_on"], note=note
        )
    elif move.name == "roi-received":
        services.enquiry_mark_roi_received(
            enquiry=enquiry, by=by, received_on_day=data["received_on"], note=note
        )
    elif move.name == "close":
        services.enquiry_close(enquiry=enquiry, by=by, reason=data["reason"], note=note)
    else:  # pragma: no cover - the workflow's actions and this list are kept together
        raise Http404("No such move")


def moves_for(enquiry: Enquiry, *, user) -> dict[str, Offered]:
    """The buttons for the enquiry's stage (``services.ENQUIRY_WORKFLOW``), by name."""
    return {
        offered.name: offered
        for offered in services.ENQUIRY_WORKFLOW.actions_for(enquiry, user=user)
    }


# -- list filters --------------------------------------------------------------------------


class DeadlineFilter(admin.SimpleListFilter):
    title = "next deadline"
    parameter_name = "deadline"

    def lookups(self, request, model_admin):
        return (
            ("overdue", "Overdue"),
            ("today", "Due today"),
            ("later", "Due later"),
            ("none", "No deadline"),
        )

    def queryset(self, request, queryset):
        today = timezone.localdate()
        return {
            "overdue": queryset.filter(next_deadline__lt=today),
            "today": queryset.filter(next_deadline=today),
            "later": queryset.filter(next_deadline__gt=today),
            "none": queryset.filter(next_deadline__isnull=True),
        }.get(self.value(), queryset)


class AssignedFilter(admin.SimpleListFilter):
    title = "assigned to"
    parameter_name = "assigned"

    def lookups(self, request, model_admin):
        # Each member of staff asked once whether any enquiry is theirs (through the index
        # on assigned_to), rather than every enquiry joined to its person.
        people = User.objects.filter(
            Exists(Enquiry.objects.filter(assigned_to=OuterRef("pk")))
        ).order_by("first_name", "last_name", "email")
        return (
            ("me", "Me"),
            ("nobody", "Nobody"),
            *[(str(person.pk), str(person)) for person in people],
        )

    def queryset(self, request, queryset):
        value = self.value()
        if value == "me":
            return queryset.filter(assigned_to=request.user)
        if value == "nobody":
            return queryset.filter(assigned_to__isnull=True)
        if value and value.isdigit():
            return queryset.filter(assigned_to_id=int(value))
        return queryset


# -- CSV -----------------------------------------------------------------------------------


def _when(moment) -> str:
    return timezone.localtime(moment).strftime("%d/%m/%Y %H:%M") if moment else ""


def _day(day) -> str:
    return day.strftime("%d/%m/%Y") if day else ""


# The export serves the recruitment team's follow-up and the team managers' checks of
# the pipeline: who enquired, how to reach them, where each stands and its dates.
# Left out, as that task does not need them: the partner's name (a second person; the
# enquirer is the one contacted), the children's ages (children's details stay in the
# staff area; the conversion asks for them), the full postcode (the district, "OK1",
# places an enquiry in an area), the question and the sensitive details the enquirer
# wrote, and the notes (free text stays in the staff area).
CSV_COLUMNS = (
    ("Reference", lambda e: e.reference),
    ("Received", lambda e: _when(e.received_at)),
    ("Status", lambda e: e.get_status_display()),
    ("Reason closed", lambda e: e.get_closed_reason_display()),
    ("First name", lambda e: e.first_name),
    ("Last name", lambda e: e.last_name),
    ("Email", lambda e: e.email),
    ("Phone", lambda e: e.phone),
    ("Postcode district", lambda e: postcode_district(e.postcode)),
    ("Contact by", lambda e: e.get_contact_method_display()),
    ("Best time", lambda e: e.get_contact_time_display()),
    ("Household", lambda e: e.get_household_display()),
    ("Route", lambda e: e.get_route_display()),
    ("Aged 21 or over", lambda e: "yes" if e.aged_21_or_over else "no (interest for later)"),
    ("Already carer household", lambda e: e.known_household_reference),
    ("Heard about us", lambda e: e.get_heard_about_display()),
    ("Assigned to", lambda e: str(e.assigned_to) if e.assigned_to else ""),
    ("Next deadline", lambda e: _day(e.next_deadline)),
    ("Overdue", lambda e: "yes" if e.is_overdue() else ""),
    ("First contact", lambda e: _when(e.contacted_at)),
    ("Pack sent", lambda e: _when(e.information_pack_sent_at)),
    ("Initial visit on", lambda e: _day(e.initial_visit_on)),
    ("Initial visit done", lambda e: _when(e.initial_visit_done_at)),
    ("ROI received on", lambda e: _day(e.roi_received_on)),
    ("Converted", lambda e: _when(e.converted_at)),
    ("Carer household", lambda e: e.household_reference),
    ("Closed", lambda e: _when(e.closed_at)),
)


def postcode_district(postcode: str) -> str:
    """The outward part of a postcode ("OK1" of "OK1 2AB"): an area, not an address."""
    parts = postcode_parts(postcode)
    return parts[0] if parts else ""


# -- actions other apps offer on the list ----------------------------------------------------


@dataclass(frozen=True)
class OtherAction:
    function: Callable
    allowed: Callable[[HttpRequest], bool]


_other_actions: list[OtherAction] = []


def register_enquiry_action(function: Callable, *, allowed: Callable[[HttpRequest], bool]):
    """Offer an admin action of another app on the enquiry list (the carers app: convert
    to a carer household), to those for whom ``allowed(request)`` is true. Enquiries
    import no other app, so the other app registers it from its admin module. The action
    checks ``allowed`` again itself: it is only hidden from the rest."""
    if all(other.function is not function for other in _other_actions):
        _other_actions.append(OtherAction(function, allowed))


# -- the admin -----------------------------------------------------------------------------


@admin.register(Enquiry)
class EnquiryAdmin(LargeTableAdmin, SavesThroughServices, admin.ModelAdmin):
    form = EnquiryDetailsForm
    # An enquiry has no public page: its get_absolute_url is this admin page.
    view_on_site = False
    change_form_template = "admin/enquiries/enquiry/change_form.html"
    change_list_template = "admin/enquiries/enquiry/change_list.html"
    list_display = (
        "reference_display",
        "name_display",
        "status",
        "age_display",
        "next_deadline_display",
        "overdue_display",
        "assigned_to",
        "route",
        "heard_about",
    )
    list_display_links = ("reference_display", "name_display")
    list_select_related = ("assigned_to",)
    list_filter = (
        DeadlineFilter,
        "status",
        AssignedFilter,
        "route",
        "heard_about",
        ("received_at", admin.DateFieldListFilter),
        "closed_reason",
        "aged_21_or_over",
    )
    search_fields = ("first_name", "last_name", "email", "postcode", "partner_name")
    search_help_text = "Search by name, email, postcode or reference (EQ00042)."
    ordering = ("-received_at", "-id")
    list_per_page = 50
    actions = (
        "assign_to_me",
        "mark_contacted",
        "mark_information_pack_sent",
        "close_no_response",
        "withdraw_sensitive_consent",
        "export_csv",
    )
    readonly_fields = (
        "reference_display",
        "status",
        "closed_reason",
        "household_reference",
        "known_household_reference",
        "deadlines_display",
        "children_ages_display",
        "aged_21_or_over",
        "after_event",
        "privacy_acknowledged_at",
        "sensitive_consent_at",
        "sensitive_consent_withdrawn_at",
        "sensitive_consent_withdrawn_by",
        "withheld_display",
        "received_at",
        "last_contact_at",
        "contacted_at",
        "information_pack_sent_at",
        "initial_visit_booked_at",
        "initial_visit_on",
        "initial_visit_done_at",
        "roi_received_on",
        "converted_at",
        "closed_at",
        "anonymised_at",
    )

    # -- permissions

    def has_add_permission(self, request):
        # Enquiries arrive through the public form (staff fill it in for people who phone),
        # so the acknowledgement, the pack and the clocks always follow.
        return False

    def has_delete_permission(self, request, obj=None):
        # Nothing is deleted by hand: closed enquiries are anonymised by the retention sweep.
        return False

    def has_export_permission(self, request):
        return request.user.has_perm("enquiries.export_enquiry")

    def has_withdraw_consent_permission(self, request):
        return request.user.has_perm("enquiries.withdraw_sensitive_consent")

    def can_add_notes(self, request, obj) -> bool:
        return (
            obj is not None
            and not obj.is_anonymised
            and request.user.has_perm("enquiries.add_enquirynote")
            and self.has_change_permission(request, obj)
        )

    # -- the list

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip().upper()
        if term.startswith("EQ") and term[2:].isdigit():
            return queryset.filter(pk=int(term[2:])), False
        return super().get_search_results(request, queryset, search_term)

    @admin.display(description="reference", ordering="pk")
    def reference_display(self, obj):
        return obj.reference

    @admin.display(description="name", ordering="last_name")
    def name_display(self, obj):
        return obj.full_name if not obj.is_anonymised else "(anonymised)"

    @admin.display(description="age", ordering="received_at")
    def age_display(self, obj):
        days = (timezone.localdate() - timezone.localdate(obj.received_at)).days
        return "today" if days == 0 else f"{days} day{'s' if days != 1 else ''}"

    @admin.display(description="next deadline", ordering="next_deadline")
    def next_deadline_display(self, obj):
        if obj.next_deadline is None:
            return "–"
        clock = obj.get_next_deadline_clock_display()
        return f"{formats.day(obj.next_deadline)} ({clock[:1].lower()}{clock[1:]})"

    @admin.display(description="overdue", ordering="next_deadline")
    def overdue_display(self, obj):
        # Words, not the admin's green tick: an overdue enquiry is not good news.
        return overdue_tag() if obj.is_overdue() else ""

    # -- one enquiry

    @admin.display(description="deadlines")
    def deadlines_display(self, obj):
        running = clocks.open_clocks(obj)
        if not running:
            return "None: no clock is running."
        today = timezone.localdate()
        items = format_html_join(
            "",
            "<li>{}: by {}{}</li>",
            (
                (
                    Enquiry.Clock(clock).label,
                    formats.day(deadline),
                    " (overdue)" if deadline < today else "",
                )
                for clock, deadline in running.items()
            ),
        )
        return format_html("<ul>{}</ul>", items)

    @admin.display(description="ages of children living at home")
    def children_ages_display(self, obj):
        if obj.children_ages:
            return ", ".join(str(age) for age in obj.children_ages)
        return "None"

    @admin.display(description="sensitive details")
    def withheld_display(self, obj):
        if obj.contacts.filter(sensitive_withheld=True).exists():
            return format_html(
                "<strong>{}</strong> {}",
                "Withheld.",
                "They wrote sensitive details but did not consent to us keeping them: "
                "ask them about it when you talk.",
            )
        if obj.sensitive_consent_at:
            return "Kept with their consent: see the timeline."
        if obj.sensitive_consent_withdrawn_at:
            return "Cleared: they withdrew their consent."
        return "None given."

    def get_fieldsets(self, request, obj=None):
        fieldsets = [
            (
                "Stage",
                {
                    "fields": (
                        "reference_display",
                        "status",
                        "closed_reason",
                        "household_reference",
                        "known_household_reference",
                        "assigned_to",
                        "deadlines_display",
                    )
                },
            ),
            (
                "The enquirer",
                {
                    "fields": (
                        "first_name",
                        "last_name",
                        "email",
                        "phone",
                        "postcode",
                        "contact_method",
                        "contact_time",
                    )
                },
            ),
            (
                "Household and interest",
                {
                    "fields": (
                        "household",
                        "partner_name",
                        "children_ages_display",
                        "route",
                        "aged_21_or_over",
                        "heard_about",
                        "after_event",
                    )
                },
            ),
            (
                "Consent",
                {
                    "fields": (
                        "privacy_acknowledged_at",
                        "sensitive_consent_at",
                        "withheld_display",
                        "sensitive_consent_withdrawn_at",
                        "sensitive_consent_withdrawn_by",
                    )
                },
            ),
            (
                "Dates",
                {
                    "classes": ("collapse",),
                    "fields": (
                        "received_at",
                        "last_contact_at",
                        "contacted_at",
                        "information_pack_sent_at",
                        "initial_visit_booked_at",
                        "initial_visit_on",
                        "initial_visit_done_at",
                        "roi_received_on",
                        "converted_at",
                        "closed_at",
                        "anonymised_at",
                    ),
                },
            ),
        ]
        if self.can_add_notes(request, obj):
            fieldsets.append(("Notes", {"fields": ("new_note",)}))
        return fieldsets

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.is_anonymised:
            return (*self.readonly_fields, *services.DETAIL_FIELDS, "assigned_to")
        return self.readonly_fields

    def save_model(self, request, obj, form, change):
        try:
            services.enquiry_staff_edit(
                enquiry=obj,
                by=request.user,
                changed=form.changed_data,
                assign="assigned_to" in form.changed_data,
                assigned_to=form.cleaned_data.get("assigned_to"),
                note=form.cleaned_data.get("new_note", "")
                if self.can_add_notes(request, obj)
                else "",
            )
        except services.EnquiryError as refusal:
            raise RefusedOnSave.on_main_form(refusal.message) from refusal

    def change_view(self, request, object_id, form_url="", extra_context=None):
        enquiry = self.get_object(request, unquote(object_id))
        extra = dict(extra_context or {})
        if enquiry is not None:
            can_move = self.has_change_permission(request, enquiry)
            extra["moves"] = [
                {
                    "label": move.label,
                    "url": reverse("admin:enquiries_enquiry_move", args=[enquiry.pk, move.name]),
                }
                for move in (moves_for(enquiry, user=request.user).values() if can_move else [])
            ]
            extra["awaits_conversion"] = enquiry.status == Status.ROI_RECEIVED
            extra["timeline"] = selectors.enquiry_timeline(enquiry)
            extra.update(self._registration_context(request, enquiry, can_move=can_move))
        return super().change_view(request, object_id, form_url, extra_context=extra)

    # -- extra pages

    def get_urls(self):
        own = [
            path(
                "funnel/",
                self.admin_site.admin_view(self.funnel_view),
                name="enquiries_enquiry_funnel",
            ),
            path(
                "<int:object_id>/move/<slug:move>/",
                self.admin_site.admin_view(self.move_view),
                name="enquiries_enquiry_move",
            ),
            path(
                "<int:object_id>/registration-form/",
                self.admin_site.admin_view(self.registration_link_view),
                name="enquiries_enquiry_registration_link",
            ),
        ]
        return own + super().get_urls()

    def move_view(self, request, object_id, move):
        chosen = services.ENQUIRY_WORKFLOW.actions.get(move)
        enquiry = self.get_object(request, str(object_id))
        if chosen is None or enquiry is None:
            raise Http404("No such enquiry or move")
        if not self.has_change_permission(request, enquiry):
            raise PermissionDenied
        change_url = reverse("admin:enquiries_enquiry_change", args=[enquiry.pk])
        offered = moves_for(enquiry, user=request.user).get(chosen.name)
        form = MoveForm(request.POST if request.method == "POST" else None, move=chosen)
        return offered_page(
            request,
            offered=offered,
            not_possible=f"{enquiry} is {enquiry.get_status_display().lower()}: "
            f"“{chosen.label}” is not possible now.",
            admin_site=self.admin_site,
            opts=self.model._meta,
            title=f"{chosen.label}: {enquiry}",
            crumbs=[(str(enquiry), change_url)],
            back_url=change_url,
            form=form,
            perform=lambda form: _perform(
                chosen, enquiry=enquiry, by=request.user, data=form.cleaned_data
            ),
            success=f"{enquiry}: {chosen.label.lower()}.",
            intro=chosen.help,
            state=f"Now: {enquiry.get_status_display()}.",
            refusals=(services.EnquiryError,),
        )

    # -- the Registration of Interest form, online

    def _registration_context(self, request, enquiry, *, can_move: bool) -> dict:
        """The online form's state on the enquiry's page; its answers once sent."""
        registration = getattr(enquiry, "registration", None)
        can_send = (
            can_move
            and enquiry.status == Status.INITIAL_VISIT_DONE
            and (registration is None or registration.submitted_at is None)
        )
        return {
            "registration": registration,
            "registration_answers": registration_services.registration_answers(
                enquiry, registration.data
            )
            if registration is not None and registration.submitted_at is not None
            else [],
            "registration_link": {
                "label": "Email a new link to the Registration of Interest form"
                if registration is not None
                else "Email the Registration of Interest form",
                "url": reverse("admin:enquiries_enquiry_registration_link", args=[enquiry.pk]),
            }
            if can_send
            else None,
        }

    def registration_link_view(self, request, object_id):
        enquiry = self.get_object(request, str(object_id))
        if enquiry is None:
            raise Http404("No such enquiry")
        if not self.has_change_permission(request, enquiry):
            raise PermissionDenied
        change_url = reverse("admin:enquiries_enquiry_change", args=[enquiry.pk])
        registration = getattr(enquiry, "registration", None)
        again = registration is not None
        return form_page(
            request,
            admin_site=self.admin_site,
            opts=self.model._meta,
            form=forms.Form(request.POST if request.method == "POST" else None),
            title=f"Email the Registration of Interest form: {enquiry}",
            crumbs=[(str(enquiry), change_url)],
            back_url=change_url,
            perform=lambda form: registration_services.registration_link_send(
                enquiry=enquiry, by=request.user
            ),
            success=f"{enquiry}: the enquirer is emailed a link to the Registration of Interest "
            f"form. It works for {settings.ROI_FORM_LINK_DAYS} days.",
            success_url=change_url,
            submit="Email the link",
            intro="The enquirer gets an email with a private link to the form. They can save "
            "their answers and come back to them; when they send it, the enquiry moves to "
            "“Registration of Interest received” and its decision clock starts."
            + (
                " A new link replaces the one emailed before, which stops working; the answers "
                "saved so far are kept."
                if again
                else ""
            ),
            state=f"Now: {enquiry.get_status_display()}.",
            refusals=(services.EnquiryError,),
        )

    def funnel_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        years = selectors.funnel_years()
        chosen = request.GET.get("year", "")
        year = int(chosen) if chosen.isdigit() and int(chosen) in years else None
        report = selectors.funnel_report(financial_year=year)
        stages = report["stages"]
        totals = report["totals"]
        widest = max(totals.count("received"), 1)
        funnel_bars = [
            {
                "label": label,
                "count": totals.count(key),
                "width": round(400 * totals.count(key) / widest),
                "y": 8 + n * 34,
            }
            for n, (key, label) in enumerate(stages)
        ]
        busiest = max((row.count("received") for row in report["months"]), default=0) or 1
        month_bars = [
            {
                "label": row.label,
                "short": row.label[:3],
                "count": row.count("received"),
                "height": round(160 * row.count("received") / busiest),
                "x": 40 + n * 44,
            }
            for n, row in enumerate(report["months"])
        ]
        for bar in month_bars:
            bar["y"] = 180 - bar["height"]
        return TemplateResponse(
            request,
            "admin/enquiries/enquiry/funnel.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": "Enquiries: funnel report",
                "report": report,
                "years": [(y, financial_year_label(y)) for y in years],
                "funnel_bars": funnel_bars,
                "funnel_height": 16 + len(funnel_bars) * 34,
                "month_bars": month_bars,
                "month_width": 60 + len(month_bars) * 44,
            },
        )

    # -- actions

    def get_actions(self, request):
        actions = super().get_actions(request)
        if IS_POPUP_VAR in request.GET:
            return actions
        for other in _other_actions:
            if other.allowed(request):
                function, name, description = self.get_action(other.function)
                actions[name] = (function, name, description)
        return actions

    def _each(self, request, queryset, service, done: str) -> None:
        changed = 0
        for enquiry in queryset.order_by("pk"):
            try:
                service(enquiry)
            except services.EnquiryError as problem:
                self.message_user(request, problem.message, messages.ERROR)
            else:
                changed += 1
        if changed:
            self.message_user(
                request,
                f"{changed} enquir{'y' if changed == 1 else 'ies'} {done}.",
                messages.SUCCESS,
            )

    @admin.action(description="Assign the selected enquiries to me", permissions=("change",))
    def assign_to_me(self, request, queryset):
        self._each(
            request,
            queryset,
            lambda e: services.enquiry_assign(enquiry=e, to=request.user, by=request.user),
            "assigned to you",
        )

    @admin.action(description="Record first contact", permissions=("change",))
    def mark_contacted(self, request, queryset):
        self._each(
            request,
            queryset,
            lambda e: services.enquiry_mark_contacted(enquiry=e, by=request.user),
            "marked as contacted",
        )

    @admin.action(description="Record the information pack as sent", permissions=("change",))
    def mark_information_pack_sent(self, request, queryset):
        self._each(
            request,
            queryset,
            lambda e: services.enquiry_mark_information_pack_sent(enquiry=e, by=request.user),
            "marked as information pack sent",
        )

    @admin.action(description="Close: no response", permissions=("change",))
    def close_no_response(self, request, queryset):
        self._each(
            request,
            queryset,
            lambda e: services.enquiry_close(
                enquiry=e, by=request.user, reason=Enquiry.ClosedReason.NO_RESPONSE
            ),
            "closed (no response)",
        )

    @admin.action(
        description="Consent withdrawn: clear the sensitive details they shared",
        permissions=("withdraw_consent",),
    )
    def withdraw_sensitive_consent(self, request, queryset):
        self._each(
            request,
            queryset,
            lambda e: services.enquiry_sensitive_consent_withdraw(enquiry=e, by=request.user),
            "cleared of sensitive details, the withdrawal of consent recorded",
        )

    @admin.action(description="Export the selected enquiries (CSV)", permissions=("export",))
    def export_csv(self, request, queryset):
        stamp = timezone.localtime().strftime("%Y-%m-%d")
        enquiries = queryset.select_related("assigned_to").order_by("received_at", "id")
        return exports.csv_export(
            request,
            export="Enquiries",
            filename=f"enquiries-{stamp}.csv",
            columns=[title for title, _ in CSV_COLUMNS],
            rows=([value(enquiry) for _, value in CSV_COLUMNS] for enquiry in enquiries),
            filters=exports.list_filters(request, selected=queryset.count()),
        )

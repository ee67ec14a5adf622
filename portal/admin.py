from datetime import timedelta

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from . import (
    admin_access,  # noqa: F401 - registers teams, shares, restrictions, break-glass
    admin_audit,  # noqa: F401 - the audit log's list, for a million entries
    admin_autocomplete,  # noqa: F401 - autocomplete through a field (``allow``)
    admin_subject_access,  # noqa: F401 - registers the log of requests
    formats,
    letters,
    retention,
)
from .admin_caseloads import CaseloadMoveAdmin
from .admin_filters import ReadOnly
from .admin_lists import LargeTableAdmin
from .admin_saves import RefusedOnSave, SavesThroughServices
from .invitations import staff_invitation_send
from .models import (
    ExportLog,
    LegalHold,
    LetterTemplate,
    LetterTemplateVersion,
    Notification,
    RetentionRun,
    User,
)
from .workflow import Refused


class UserInviteForm(forms.ModelForm):
    """A new account has no password: the person chooses one from their invitation."""

    class Meta:
        model = User
        fields = ("email", "first_name", "last_name", "is_staff", "groups")


admin.site.site_header = f"{settings.AGENCY_NAME} – staff"
admin.site.site_title = f"{settings.AGENCY_NAME} staff"
admin.site.index_title = "Casework and content"


@admin.register(User)
class UserAdmin(CaseloadMoveAdmin, DjangoUserAdmin):
    ordering = ("email",)
    list_display = ("email", "first_name", "last_name", "is_staff", "is_active", "last_login")
    list_filter = ("is_staff", "is_active", "groups")
    search_fields = ("email", "first_name", "last_name")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Name", {"fields": ("first_name", "last_name")}),
        ("Access", {"fields": ("is_active", "is_staff", "is_superuser", "groups")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_form = UserInviteForm
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "first_name", "last_name", "is_staff", "groups"),
                "description": (
                    "An invitation is emailed to the new account: a one-time link to "
                    "choose a password, then set up two-step sign-in."
                ),
            },
        ),
    )
    filter_horizontal = ("groups",)
    readonly_fields = ("last_login", "date_joined")
    actions = ("send_invitation",)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.set_unusable_password()
        super().save_model(request, obj, form, change)
        if not change:
            staff_invitation_send(user=obj, by=request.user)
            messages.success(request, f"An invitation has been emailed to {obj.email}.")

    def has_send_invitation_permission(self, request):
        return request.user.is_superuser

    @admin.action(
        description="Email a new invitation (choose a password, set up two-step sign-in)",
        permissions=("send_invitation",),
    )
    def send_invitation(self, request, queryset):
        users = list(queryset.filter(is_active=True))
        for user in users:
            staff_invitation_send(user=user, by=request.user)
        self.message_user(request, f"Invitations emailed: {len(users)}.", messages.SUCCESS)


class DeliveryFilter(admin.SimpleListFilter):
    """The rows the team managers' outbox panel counts (``portal.notifications.outbox_attention``)."""

    title = "needs attention"
    parameter_name = "delivery"

    def lookups(self, request, model_admin):
        return (
            ("failed", f"Failed in the last {settings.OUTBOX_FAILED_SHOWN_DAYS} days"),
            ("waiting", f"Unsent {settings.OUTBOX_WAITING_ALERT_MINUTES} minutes after due"),
        )

    def queryset(self, request, queryset):
        now = timezone.now()
        if self.value() == "failed":
            return queryset.failed_since(now - timedelta(days=settings.OUTBOX_FAILED_SHOWN_DAYS))
        if self.value() == "waiting":
            return queryset.waiting_since(
                now - timedelta(minutes=settings.OUTBOX_WAITING_ALERT_MINUTES)
            )
        return queryset


class RecentTemplateFilter(admin.SimpleListFilter):
    """The emails' templates, as listed by those due in the last weeks: listing every
    template ever used would read the whole outbox on each opening."""

    title = "template"
    parameter_name = "template"
    RECENT_DAYS = 35

    def lookups(self, request, model_admin):
        since = timezone.now() - timedelta(days=self.RECENT_DAYS)
        used = (
            Notification.objects.filter(due_at__gte=since)
            .order_by("template")
            .values_list("template", flat=True)
            .distinct()
        )
        chosen = [self.value()] if self.value() else []
        return [(name, name) for name in sorted({*used, *chosen})]

    def queryset(self, request, queryset):
        return queryset.filter(template=self.value()) if self.value() else queryset


@admin.register(Notification)
class NotificationAdmin(LargeTableAdmin, admin.ModelAdmin):
    """Read-only: the outbox is written by services and emptied by the worker."""

    list_display = ("key", "template", "due_at", "status", "attempts", "sent_at")
    # Date filters rather than a date drill-down, which scans every row for its years.
    list_filter = (
        DeliveryFilter,
        RecentTemplateFilter,
        ("due_at", admin.DateFieldListFilter),
        ("sent_at", admin.EmptyFieldListFilter),
        "failed_at",
    )
    search_fields = ("key",)
    search_help_text = "Search by the message's key, exactly (e.g. booking:123:link:20261130)."
    # The recipient and the context are personal data; staff see only the message's state.
    fields = readonly_fields = (
        "key",
        "template",
        "due_at",
        "next_attempt_at",
        "attempts",
        "last_error",
        "sent_at",
        "failed_at",
        "withdrawn_at",
        "created_at",
    )

    @admin.display(description="status")
    def status(self, obj):
        return obj.status

    def get_search_results(self, request, queryset, search_term):
        """The key exactly, through its unique index: a search inside every key would
        read the whole outbox."""
        term = search_term.strip()
        return (queryset.filter(key=term) if term else queryset), False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ExportLog)
class ExportLogAdmin(ReadOnly, admin.ModelAdmin):
    """Read-only: each CSV download writes its row (``portal.exports``); no one edits one."""

    list_display = ("at", "export", "by", "rows", "filters")
    list_filter = ("export",)
    date_hierarchy = "at"
    fields = readonly_fields = ("export", "by", "at", "rows", "filters")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("by")


# ---------------------------------------------------------------------------
# Letter templates: edited by team managers, each save a new version
# ---------------------------------------------------------------------------


class LetterTemplateForm(forms.ModelForm):
    """A template's title and body; a merge field its kind does not have is refused."""

    class Meta:
        model = LetterTemplate
        fields = ("title", "body")
        widgets = {"body": forms.Textarea(attrs={"rows": 24, "cols": 90})}
        help_texts = {
            "body": "Markdown: a blank line between paragraphs, ## for a heading, - for a "
            "list, **bold**. Merge fields in braces, as listed above."
        }

    def clean(self):
        data = super().clean()
        kind = letters.kind_find(self.instance.kind)
        if kind is not None and {"title", "body"} <= set(data):
            for problem in letters.template_problems(
                kind=kind, title=data["title"], body=data["body"]
            ):
                self.add_error("body", problem)
        return data


def _pdf_response(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@admin.register(LetterTemplate)
class LetterTemplateAdmin(SavesThroughServices, admin.ModelAdmin):
    form = LetterTemplateForm
    change_form_template = "admin/portal/lettertemplate/change_form.html"
    list_display = ("title", "kind_title", "version", "updated", "updated_by")
    list_select_related = ("updated_by",)
    search_fields = ("title", "body")
    readonly_fields = ("kind_title", "version", "updated", "updated_by", "versions_list")

    def get_fieldsets(self, request, obj=None):
        kind = letters.kind_find(obj.kind) if obj else None
        fields = kind.all_fields() if kind else {}
        listed = format_html(
            "<p>Merge fields you may use, each written in braces:</p><ul>{}</ul>",
            format_html_join("", "<li><code>{{{}}}</code>: {}</li>", fields.items()),
        )
        return (
            ("This template", {"fields": ("kind_title", "version", "updated", "updated_by")}),
            ("The letter", {"fields": ("title", "body"), "description": listed}),
            ("Earlier versions", {"fields": ("versions_list",)}),
        )

    @admin.display(description="letter")
    def kind_title(self, obj):
        kind = letters.kind_find(obj.kind)
        return kind.title if kind else obj.kind

    @admin.display(description="saved", ordering="updated_at")
    def updated(self, obj):
        return formats.day_and_time(obj.updated_at)

    @admin.display(description="versions")
    def versions_list(self, obj):
        rows = obj.versions.select_related("created_by").order_by("-number")
        return format_html(
            "<ul>{}</ul>",
            format_html_join(
                "",
                # The whole line is the link: a link inside a line of text must not be told
                # apart by colour alone, and the admin's links are not underlined.
                '<li><a href="{}">Version {}, saved {} by {}</a></li>',
                (
                    (
                        reverse("admin:portal_lettertemplate_version", args=[obj.pk, v.number]),
                        v.number,
                        formats.day_and_time(v.created_at),
                        v.created_by or "the portal (the first version)",
                    )
                    for v in rows
                ),
            ),
        )

    def has_add_permission(self, request):
        # One template per kind of letter, made when the kind is first registered.
        return False

    def has_delete_permission(self, request, obj=None):
        # Letters name the version they were made from: templates are kept.
        return False

    def save_model(self, request, obj, form, change):
        try:
            letters.letter_template_save(
                template=obj,
                title=form.cleaned_data["title"],
                body=form.cleaned_data["body"],
                by=request.user,
            )
        except Refused as refusal:
            raise RefusedOnSave.on_main_form(refusal.messages) from refusal

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path(
                "<int:pk>/preview/", wrap(self.preview_view), name="portal_lettertemplate_preview"
            ),
            path(
                "<int:pk>/version/<int:number>/",
                wrap(self.version_view),
                name="portal_lettertemplate_version",
            ),
            *super().get_urls(),
        ]

    def _template_or_404(self, request, pk):
        template = get_object_or_404(LetterTemplate, pk=pk)
        if not self.has_view_permission(request, template):
            raise PermissionDenied
        return template, letters.kind_get(template.kind)

    def preview_view(self, request, pk):
        """The template with the kind's demo values: as saved (GET), or as being edited (POST)."""
        template, kind = self._template_or_404(request, pk)
        title, body = template.title, template.body
        if request.method == "POST":
            title, body = request.POST.get("title", ""), request.POST.get("body", "")
            problems = letters.template_problems(kind=kind, title=title, body=body)
            if problems:
                return TemplateResponse(
                    request,
                    "admin/portal/lettertemplate/preview_refused.html",
                    {
                        **self.admin_site.each_context(request),
                        "opts": self.opts,
                        "title": f"Preview not possible: {template}",
                        "template_obj": template,
                        "problems": problems,
                    },
                    status=400,
                )
        return _pdf_response(
            letters.letter_preview(kind=kind, title=title, body=body), "preview.pdf"
        )

    def version_view(self, request, pk, number):
        template, kind = self._template_or_404(request, pk)
        version = get_object_or_404(LetterTemplateVersion, template=template, number=number)
        data = letters.letter_preview(kind=kind, title=version.title, body=version.body)
        return _pdf_response(data, f"{template.kind}-version-{number}.pdf")


# ---------------------------------------------------------------------------
# The retention schedule: legal holds (team managers) and the job's reports
# ---------------------------------------------------------------------------


class LegalHoldForm(forms.ModelForm):
    class Meta:
        model = LegalHold
        fields = ("content_type", "object_id", "reason")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "content_type" in self.fields:  # a hold is added, never changed
            models = retention.held_models()
            self.fields["content_type"].queryset = ContentType.objects.filter(
                pk__in=[ContentType.objects.get_for_model(model).pk for model in models]
            )

    def clean(self):
        cleaned = super().clean()
        content_type, object_id = cleaned.get("content_type"), cleaned.get("object_id")
        if content_type and object_id is not None:
            model = content_type.model_class()
            if not model._default_manager.filter(pk=object_id).exists():
                self.add_error("object_id", f"There is no {content_type.name} {object_id}.")
        return cleaned


@admin.register(LegalHold)
class LegalHoldAdmin(admin.ModelAdmin):
    """A hold is set or lifted, never edited: the retention job leaves its record alone."""

    form = LegalHoldForm
    list_display = ("__str__", "reason", "set_by", "set_at")
    list_filter = ("content_type",)
    readonly_fields = ("set_by", "set_at")

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("content_type", "object_id", "reason")
        return ("content_type", "object_id", "reason", "set_by", "set_at")

    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj) if obj else ()

    def has_change_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        obj.set_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(RetentionRun)
class RetentionRunAdmin(ReadOnly, admin.ModelAdmin):
    """Read-only: each run's counts per retention class."""

    list_display = ("started_at", "trigger", "done")
    fields = readonly_fields = ("started_at", "finished_at", "trigger", "report_table")

    @admin.display(description="records anonymised or deleted")
    def done(self, obj):
        return obj.done

    @admin.display(description="report")
    def report_table(self, obj):
        titles = {rc.key: rc.title for rc in retention.registered()}
        return format_html(
            "<table><tr><th>records</th><th>then</th><th>due</th><th>held</th><th>done</th></tr>"
            "{}</table>",
            format_html_join(
                "",
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                (
                    (titles.get(key, key), e["action"], e["due"], e["held"], e["done"])
                    for key, e in obj.report.items()
                ),
            ),
        )

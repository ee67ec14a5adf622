"""The log of subject access requests, for team managers (``portal.subject_access``).

Record a request (how the person is identified, the day it was received: the one-month
clock follows), produce the copy (a ZIP of a PDF and JSON, built for the response and
never stored; each production is audited), extend it by two further months with a
reason, mark it answered. Requests are never deleted: the log is the record of them.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models.functions import Coalesce
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from . import formats
from .admin_filters import overdue_tag
from .models import SubjectAccessRequest
from .subject_access import (
    SubjectAccessError,
    subject_access_request_complete,
    subject_access_request_extend,
    subject_access_request_record,
    subject_access_zip,
)


class AnswerFilter(admin.SimpleListFilter):
    title = "answer"
    parameter_name = "answer"

    def lookups(self, request, model_admin):
        return (("overdue", "Overdue"), ("open", "Not answered yet"), ("answered", "Answered"))

    def queryset(self, request, queryset):
        open_requests = queryset.filter(completed_on__isnull=True)
        if self.value() == "overdue":
            # As ``SubjectAccessRequest.is_overdue``: past the extended date, if any.
            return open_requests.annotate(answer_due=Coalesce("extended_to", "due_on")).filter(
                answer_due__lt=timezone.localdate()
            )
        if self.value() == "open":
            return open_requests
        if self.value() == "answered":
            return queryset.filter(completed_on__isnull=False)
        return queryset


class SubjectAccessRequestForm(forms.ModelForm):
    extend_reason = forms.CharField(
        label="Extend by two further months, because",
        required=False,
        max_length=300,
        help_text="Only where the request is complex or one of many (Art. 12(3)); tell the "
        "person, with this reason, within the first month.",
    )

    class Meta:
        model = SubjectAccessRequest
        fields = ("email", "first_name", "last_name", "date_of_birth", "received_on")
        help_texts = {
            "email": "Their email address, and/or their name and date of birth below.",
        }

    def clean_received_on(self):
        received = self.cleaned_data["received_on"]
        if received and received > timezone.localdate():
            raise forms.ValidationError("The day received cannot be in the future.")
        return received


@admin.register(SubjectAccessRequest)
class SubjectAccessRequestAdmin(admin.ModelAdmin):
    form = SubjectAccessRequestForm
    list_display = (
        "reference_display",
        "received_on",
        "answer_by_display",
        "overdue_display",
        "completed_on",
    )
    list_filter = (AnswerFilter,)
    ordering = ("completed_on", "due_on", "id")
    actions = ("mark_answered",)
    readonly_fields = (
        "reference_display",
        "due_on",
        "extended_to",
        "extension_reason",
        "recorded_by",
        "recorded_at",
        "last_produced_at",
        "completed_on",
        "completed_by",
        "produce_display",
    )

    def has_delete_permission(self, request, obj=None):
        return False

    def has_mark_answered_permission(self, request):
        return request.user.has_perm("portal.change_subjectaccessrequest")

    def get_fieldsets(self, request, obj=None):
        person = ("email", "first_name", "last_name", "date_of_birth", "received_on")
        if obj is None:
            return ((None, {"fields": person}),)
        clock = ["due_on", "extended_to", "extension_reason"]
        if obj.extended_to is None and obj.completed_on is None:
            clock.append("extend_reason")
        return (
            ("The copy", {"fields": ("reference_display", "produce_display")}),
            ("Who asked", {"fields": person}),
            ("The clock", {"fields": clock}),
            (
                "Record",
                {
                    "fields": (
                        "recorded_by",
                        "recorded_at",
                        "last_produced_at",
                        "completed_on",
                        "completed_by",
                    )
                },
            ),
        )

    def get_readonly_fields(self, request, obj=None):
        fields = list(self.readonly_fields)
        if obj is not None:
            # How the person was identified and when they asked are the request itself.
            fields += ["email", "first_name", "last_name", "date_of_birth", "received_on"]
        return fields

    def save_model(self, request, obj, form, change):
        if not change:
            subject_access_request_record(request_record=obj, by=request.user)
            return
        reason = form.cleaned_data.get("extend_reason", "")
        if reason:
            try:
                subject_access_request_extend(request_record=obj, reason=reason, by=request.user)
            except SubjectAccessError as problem:
                self.message_user(request, problem.message, messages.ERROR)

    @admin.display(description="reference", ordering="id")
    def reference_display(self, obj):
        return obj.reference

    @admin.display(description="answer by", ordering="due_on")
    def answer_by_display(self, obj):
        return formats.day(obj.answer_by)

    @admin.display(description="overdue")
    def overdue_display(self, obj):
        return overdue_tag() if obj.is_overdue() else ""

    @admin.display(description="copy of their data")
    def produce_display(self, obj):
        if obj is None or obj.pk is None:
            return "—"
        url = reverse("admin:portal_subjectaccessrequest_produce", args=[obj.pk])
        return format_html(
            '<a class="button" href="{}">{}</a> {}',
            url,
            "Download the copy (ZIP: PDF and JSON)",
            "Read it before sending: sections written by staff are marked for review.",
        )

    def get_urls(self):
        return [
            path(
                "<int:pk>/produce/",
                self.admin_site.admin_view(self.produce_view),
                name="portal_subjectaccessrequest_produce",
            ),
            *super().get_urls(),
        ]

    def produce_view(self, request, pk):
        if not request.user.has_perm("portal.change_subjectaccessrequest"):
            raise PermissionDenied
        record = get_object_or_404(SubjectAccessRequest, pk=pk)
        data = subject_access_zip(request_record=record, by=request.user)
        response = HttpResponse(data, content_type="application/zip")
        response["Content-Disposition"] = (
            f'attachment; filename="subject-access-{record.reference}.zip"'
        )
        response["Cache-Control"] = "no-store"
        return response

    @admin.action(description="Mark the selected requests answered", permissions=("mark_answered",))
    def mark_answered(self, request, queryset):
        answered = 0
        for record in queryset.order_by("pk"):
            try:
                subject_access_request_complete(request_record=record, by=request.user)
            except SubjectAccessError as problem:
                self.message_user(request, problem.message, messages.ERROR)
            else:
                answered += 1
        if answered:
            self.message_user(request, f"Requests marked answered: {answered}.", messages.SUCCESS)

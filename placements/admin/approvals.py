"""The staff pages for reg 25A temporary approvals and exemptions from the terms of approval."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html

from portal.admin_access import AccessAdmin

from .. import services
from ..forms import EndApprovalForm, TemporaryApprovalForm, TermsExemptionForm
from ..models import TemporaryApproval, TermsExemption
from .common import _form_page


class RecordedByServiceAdmin(admin.ModelAdmin):
    """Rows a team manager records through a service (a form page); never edited here."""

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def record_page(self, request, *, title, form_class, service, success, submit, intro):
        if not self.has_add_permission(request):
            raise PermissionDenied
        name = f"admin:{self.model._meta.app_label}_{self.model._meta.model_name}"
        return _form_page(
            self,
            request,
            title=title,
            form=form_class(request.POST or None, admin_site=self.admin_site),
            perform=lambda form: service(by=request.user, **form.cleaned_data),
            success=success,
            success_url=lambda row: reverse(f"{name}_change", args=[row.pk]),
            back_url=reverse(f"{name}_changelist"),
            submit=submit,
            intro=intro,
        )


# ---------------------------------------------------------------------------
# Reg 25A temporary approvals
# ---------------------------------------------------------------------------


@admin.register(TemporaryApproval)
class TemporaryApprovalAdmin(AccessAdmin, RecordedByServiceAdmin):
    list_display = ("__str__", "child", "household", "approved_on", "in_force", "ends_on")
    list_filter = ("end_reason",)
    list_select_related = ("child", "household")
    search_fields = ("child__reference", "household__reference")
    fields = readonly_fields = (
        "child",
        "household",
        "approved_on",
        "approved_by",
        "ends_on",
        "end_reason",
        "end_link",
    )

    @admin.display(description="in force", boolean=True)
    def in_force(self, obj):
        return obj.ends_on is None

    @admin.display(description="")
    def end_link(self, obj):
        if obj.pk and obj.ends_on is None:
            url = reverse("admin:placements_temporaryapproval_end", args=[obj.pk])
            return format_html('<a class="button" href="{}">End this approval</a>', url)
        return ""

    def has_add_permission(self, request):
        return request.user.has_perm(services.APPROVAL_PERMISSION)

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<int:pk>/end/", wrap(self.end_view), name="placements_temporaryapproval_end"),
            *super().get_urls(),
        ]

    def add_view(self, request, form_url="", extra_context=None):
        return self.record_page(
            request,
            title="Record a reg 25A temporary approval",
            form_class=TemporaryApprovalForm,
            service=services.temporary_approval_grant,
            success=lambda approval: f"The reg 25A approval for {approval.child} is recorded.",
            submit="Record the approval",
            intro="Approved adopters may foster the named child under Fostering for Adoption "
            "until the placement ends, the adopter approval ends, or they are approved as "
            "foster carers in full.",
        )

    def end_view(self, request, pk):
        if not request.user.has_perm(services.APPROVAL_PERMISSION):
            raise PermissionDenied
        approval = get_object_or_404(self.get_queryset(request).select_related("child"), pk=pk)
        back_url = reverse("admin:placements_temporaryapproval_change", args=[pk])
        return _form_page(
            self,
            request,
            title=f"End the reg 25A approval for {approval.child}",
            form=EndApprovalForm(request.POST or None),
            perform=lambda form: services.temporary_approval_end(
                approval=approval, by=request.user, **form.cleaned_data
            ),
            success="The temporary approval has ended.",
            back_url=back_url,
            submit="End the approval",
            crumbs=[(str(approval), back_url)],
        )


# ---------------------------------------------------------------------------
# Exemptions from the terms of approval
# ---------------------------------------------------------------------------


@admin.register(TermsExemption)
class TermsExemptionAdmin(AccessAdmin, RecordedByServiceAdmin):
    list_display = ("__str__", "child", "household", "track", "agreed_on", "agreed_by")
    list_filter = ("track",)
    list_select_related = ("child", "household", "agreed_by")
    search_fields = ("child__reference", "household__reference")
    fields = readonly_fields = (
        "child",
        "household",
        "track",
        "agreed_on",
        "agreed_by",
        "reason",
    )

    def has_add_permission(self, request):
        return request.user.has_perm(services.APPROVAL_PERMISSION) and request.user.has_perm(
            "placements.add_termsexemption"
        )

    def add_view(self, request, form_url="", extra_context=None):
        return self.record_page(
            request,
            title="Record an exemption from the terms of approval",
            form_class=TermsExemptionForm,
            service=services.terms_exemption_record,
            success=lambda exemption: f"The exemption for {exemption.child} is recorded.",
            submit="Record the exemption",
            intro="A child may be placed outside the age range or number of children of an "
            "approval only when a team manager agrees it here, for that child and that "
            "approval. A lasting change of terms is made at a review of the approval.",
        )

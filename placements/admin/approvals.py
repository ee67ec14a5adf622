"""The staff pages for reg 25A temporary approvals."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html

from portal.admin_access import AccessAdmin

from .. import services
from ..forms import EndApprovalForm, TemporaryApprovalForm
from ..models import TemporaryApproval
from .common import _form_page

# ---------------------------------------------------------------------------
# Reg 25A temporary approvals
# ---------------------------------------------------------------------------


@admin.register(TemporaryApproval)
class TemporaryApprovalAdmin(AccessAdmin, admin.ModelAdmin):
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

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<int:pk>/end/", wrap(self.end_view), name="placements_temporaryapproval_end"),
            *super().get_urls(),
        ]

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        return _form_page(
            self,
            request,
            title="Record a reg 25A temporary approval",
            form=TemporaryApprovalForm(request.POST or None, admin_site=self.admin_site),
            perform=lambda form: services.temporary_approval_grant(
                by=request.user, **form.cleaned_data
            ),
            success=lambda approval: f"The reg 25A approval for {approval.child} is recorded.",
            success_url=lambda approval: reverse(
                "admin:placements_temporaryapproval_change", args=[approval.pk]
            ),
            back_url=reverse("admin:placements_temporaryapproval_changelist"),
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

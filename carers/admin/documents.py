"""Documents: listed, and downloaded only through a permission check
(``portal.admin_documents``)."""

from django.contrib import admin

from portal.admin_documents import DocumentDownloads

from .. import services
from ..models import Document

# ---------------------------------------------------------------------------
# Documents: listed, and downloaded only through a permission check
# ---------------------------------------------------------------------------


@admin.register(Document)
class DocumentAdmin(DocumentDownloads, admin.ModelAdmin):
    list_display = ("title", "kind", "household", "uploaded_at", "uploaded_by", "download")
    list_filter = ("kind",)
    list_select_related = ("household", "uploaded_by")
    search_fields = ("title", "household__reference")
    fields = readonly_fields = (
        "household",
        "kind",
        "title",
        "download",
        "check_record",
        "uploaded_at",
        "uploaded_by",
    )
    download_permissions = ("carers.view_document",)
    download_action = "carers.document.downloaded"

    def download_name(self, document):
        reference = document.household.reference or document.household_id
        return f"{reference}-{document.kind}-{document.pk}"

    def has_add_permission(self, request):
        # Documents are uploaded on the household page, where they belong.
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def delete_model(self, request, obj):
        services.document_delete(document=obj, by=request.user)

    def delete_queryset(self, request, queryset):
        for document in queryset:
            services.document_delete(document=document, by=request.user)

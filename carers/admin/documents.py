"""Documents: listed, and downloaded only through a permission check
(``portal.admin_documents``)."""

from django.contrib import admin

from portal.admin_access import AccessAdmin
from portal.admin_documents import DocumentDownloads

from ..models import Document

# ---------------------------------------------------------------------------
# Documents: listed, and downloaded only through a permission check
# ---------------------------------------------------------------------------


@admin.register(Document)
class DocumentAdmin(AccessAdmin, DocumentDownloads, admin.ModelAdmin):
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
    case_field = "household"
    download_permissions = ("carers.view_document",)
    download_action = "carers.document.downloaded"

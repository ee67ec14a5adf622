"""Documents on a child: the list (read-only; a team manager removes a mistaken one),
the download (``portal.admin_documents``: the same access as the child's record, each
download audited) and the documents section of the child's page."""

from django.contrib import admin

from portal.admin_access import AccessAdmin
from portal.admin_documents import CaseDocumentsInline, DocumentDownloads, save_documents

from .. import services
from ..forms import ChildDocumentInlineForm
from ..models import ChildDocument


@admin.register(ChildDocument)
class ChildDocumentAdmin(AccessAdmin, DocumentDownloads, admin.ModelAdmin):
    list_display = ("title", "kind", "child", "uploaded_at", "uploaded_by", "download")
    list_filter = ("kind",)
    list_select_related = ("child", "uploaded_by")
    search_fields = ("child__reference",)
    search_help_text = "Search by the child's reference (C00012)."
    fields = readonly_fields = ("child", "kind", "title", "download", "uploaded_at", "uploaded_by")
    # The child's record and its documents: the same people, with the same permissions.
    case_field = "child"
    download_permissions = ("placements.view_child", "placements.view_childdocument")
    download_action = "placements.child_document.downloaded"


class ChildDocumentInline(CaseDocumentsInline):
    model = ChildDocument
    form = ChildDocumentInlineForm
    fields = ("kind", "title", "file")
    verbose_name_plural = "documents"


def save_child_documents(request, child, formset) -> None:
    """The documents section's save: each upload and removal through its service."""
    save_documents(
        formset,
        add=lambda data: services.child_document_add(
            child=child,
            kind=data["kind"],
            title=data.get("title", ""),
            file=data["file"],
            by=request.user,
        ),
    )

"""Documents on a child: the list (read-only; a team manager removes a mistaken one),
the download (``portal.admin_documents``: the same access as the child's record, each
download audited) and the documents section of the child's page."""

from django.contrib import admin

from portal.admin_documents import CaseDocumentsInline, DocumentDownloads, save_documents

from .. import services
from ..forms import ChildDocumentInlineForm
from ..models import ChildDocument


@admin.register(ChildDocument)
class ChildDocumentAdmin(DocumentDownloads, admin.ModelAdmin):
    list_display = ("title", "kind", "child", "uploaded_at", "uploaded_by", "download")
    list_filter = ("kind",)
    list_select_related = ("child", "uploaded_by")
    search_fields = ("child__reference",)
    search_help_text = "Search by the child's reference (C00012)."
    fields = readonly_fields = ("child", "kind", "title", "download", "uploaded_at", "uploaded_by")
    # The child's record and its documents: the same people, with the same permissions.
    download_permissions = ("placements.view_child", "placements.view_childdocument")
    download_action = "placements.child_document.downloaded"

    def download_name(self, document):
        reference = document.child.reference or document.child_id
        return f"{reference}-{document.kind}-{document.pk}"

    def has_add_permission(self, request):
        # Documents are uploaded on the child's page, where they belong.
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def delete_model(self, request, obj):
        services.child_document_delete(document=obj, by=request.user)

    def delete_queryset(self, request, queryset):
        for document in queryset:
            services.child_document_delete(document=document, by=request.user)


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
        delete=lambda document: services.child_document_delete(document=document, by=request.user),
        may_delete=request.user.has_perm("placements.delete_childdocument"),
    )

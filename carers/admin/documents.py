"""Documents: listed, and downloaded only through a permission check."""

from pathlib import PurePath

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils.html import format_html

from portal import audit

from .. import services
from ..models import Document

# ---------------------------------------------------------------------------
# Documents: listed, and downloaded only through a permission check
# ---------------------------------------------------------------------------


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
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

    @admin.display(description="file")
    def download(self, obj):
        return format_html('<a href="{}">Download</a>', obj.get_absolute_url())

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path(
                "<int:pk>/download/",
                wrap(self.download_view),
                name="carers_document_download",
            ),
            path(
                "file/<path:name>",
                wrap(self.file_view),
                name="carers_document_file",
            ),
            *super().get_urls(),
        ]

    def download_view(self, request, pk):
        return self._send(request, get_object_or_404(Document, pk=pk))

    def file_view(self, request, name):
        return self._send(request, get_object_or_404(Document, file=name))

    def _send(self, request, document: Document):
        if not request.user.has_perm("carers.view_document"):
            raise PermissionDenied
        try:
            handle = document.file.open("rb")
        except FileNotFoundError as missing:
            raise Http404("The file is missing from storage") from missing
        suffix = PurePath(document.file.name).suffix
        reference = document.household.reference or document.household_id
        response = FileResponse(
            handle,
            as_attachment=True,
            filename=f"{reference}-{document.kind}-{document.pk}{suffix}",
        )
        response["X-Content-Type-Options"] = "nosniff"
        audit.accessed(document, "carers.document.downloaded", by=request.user)
        return response

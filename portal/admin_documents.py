"""Documents kept on a case (a household's, a child's): one engine for every app.

- ``DocumentDownloads``: a ModelAdmin mixin adding the download views (by the row's pk,
  and by the stored file's name, which is what the private storage's ``url()`` names).
  Each checks the admin's permissions before opening the file, sends it as an attachment
  under a generated name (never the uploaded one, which may name a person), with
  ``nosniff`` and ``no-store``, and writes an access entry to the audit trail.
- ``DocumentUploadForm`` and ``DocumentsPerSaveFormSet``: an upload checked by
  extension, size and content (``portal.uploads.document_check``), and at most
  ``DOCUMENTS_PER_SAVE`` new documents a save, so the page stays under the request body
  limit.
- ``CaseDocumentsInline`` and ``save_documents``: the documents section of a case's
  page (listed by title linked to the download, the uploader as plain words, one upload
  form, each document's history and "Withdraw" link), and its save, where each upload
  goes through the app's service. Nobody deletes a document: a mistaken one is
  withdrawn with a reason (``portal.versions``).
"""

from collections.abc import Callable
from pathlib import PurePath

from django import forms
from django.conf import settings
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.forms.models import BaseInlineFormSet
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils.html import format_html

from . import audit
from .admin_sections import CaseFields
from .admin_versions import RecordHistory
from .uploads import document_check


class DocumentDownloads:
    """For a documents ModelAdmin: URLs ``<app>_<model>_download`` (by pk) and
    ``<app>_<model>_file`` (by stored name). ``download_permissions`` must all be held;
    ``download_action`` names the audit entry; the file is sent as
    ``<case reference>-<kind>-<pk>``, the case being the document's ``case_field``.

    The list is read-only: documents are uploaded on their case's page, never edited
    and never deleted (withdrawn on the case's page)."""

    case_field: str = ""
    download_permissions: tuple[str, ...] = ()
    download_action: str = ""

    def download_name(self, document) -> str:
        case = getattr(document, self.case_field)
        return f"{case.reference or case.pk}-{document.kind}-{document.pk}"

    def has_add_permission(self, request):
        # Documents are uploaded on their case's page, where they belong.
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="file")
    def download(self, obj):
        return format_html('<a href="{}">Download</a>', obj.get_absolute_url())

    def get_urls(self):
        wrap = self.admin_site.admin_view
        info = f"{self.opts.app_label}_{self.opts.model_name}"
        return [
            path("<int:pk>/download/", wrap(self.download_view), name=f"{info}_download"),
            path("file/<path:name>", wrap(self.file_view), name=f"{info}_file"),
            *super().get_urls(),
        ]

    def download_view(self, request, pk):
        self._check_download(request)
        return self._send(request, get_object_or_404(self.get_queryset(request), pk=pk))

    def file_view(self, request, name):
        self._check_download(request)
        return self._send(request, get_object_or_404(self.get_queryset(request), file=name))

    def _check_download(self, request) -> None:
        if not self.download_permissions or not request.user.has_perms(self.download_permissions):
            raise PermissionDenied

    def _send(self, request, document):
        try:
            handle = document.file.open("rb")
        except FileNotFoundError as missing:
            raise Http404("The file is missing from storage") from missing
        suffix = PurePath(document.file.name).suffix
        response = FileResponse(
            handle, as_attachment=True, filename=f"{self.download_name(document)}{suffix}"
        )
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "no-store, private"
        audit.accessed(document, self.download_action, by=request.user)
        return response


class DocumentUploadForm(forms.ModelForm):
    """An upload on a case's page, refused in words unless its content is what its
    extension says and it is within the size limit."""

    def clean_file(self):
        file = self.cleaned_data.get("file")
        if file is not None and hasattr(file, "size"):
            document_check(file)
        return file


class DocumentsPerSaveFormSet(BaseInlineFormSet):
    """At most ``DOCUMENTS_PER_SAVE`` new documents a save, so the page never sends more
    than the request body limit allows for."""

    @property
    def documents_per_save(self) -> int:
        return settings.DOCUMENTS_PER_SAVE

    def clean(self):
        super().clean()
        limit = self.documents_per_save
        new = [
            form
            for form in self.forms
            if form.instance.pk is None
            and form.has_changed()
            and not (self.can_delete and self._should_delete_form(form))
        ]
        if len(new) > limit:
            raise forms.ValidationError(
                f"Add at most {limit} new document{'' if limit == 1 else 's'} in one save "
                f"(you added {len(new)}). Save these, then add the rest."
            )


class CaseDocumentsInline(RecordHistory, CaseFields, admin.StackedInline):
    """Listed by title, linked to the download, with the uploader's name as plain words
    (a link to their account would be refused to social workers); one upload form.
    Documents are evidence: replaced by uploading a new one, never edited."""

    formset = DocumentsPerSaveFormSet
    template = "admin/edit_inline/case_documents.html"
    history_column = False
    extra = 1

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("uploaded_by")

    def has_change_permission(self, request, obj=None):
        return False


def save_documents(formset, *, add: Callable[[dict], object]) -> None:
    """Save a documents inline through services: ``add(cleaned_data)`` for each upload;
    the formset's lists are set for the admin's change message."""
    for form in formset.extra_forms:
        if form.has_changed():
            add(form.cleaned_data)
    formset.new_objects = []
    formset.changed_objects = []
    formset.deleted_objects = []

"""Documents on a child (the child permanence report, health reports, court orders, the
placement plan): uploaded on the child's page into private storage, apart from the
carers' file; a mistaken one removed, file and all, by a team manager. Each is audited
under the document's kind and id, never its title (which may name the child)."""

from django.core.exceptions import PermissionDenied
from django.db import transaction

from portal import audit
from portal.uploads import document_check

from ..models import Child, ChildDocument

DELETE_PERMISSION = "placements.delete_childdocument"


def child_document_add(*, child: Child, kind: str, title: str, file, by) -> ChildDocument:
    """Store ``file`` as a document on ``child``, checked by extension, size and content
    (``portal.uploads``); stored under a random name (``child_document_upload_to``)."""
    document_check(file)
    document = ChildDocument(
        child=child,
        kind=kind,
        title=title.strip()[:150] or ChildDocument.Kind(kind).label,
        file=file,
        uploaded_by=by,
    )
    audit.name_next_save(document, "placements.child_document.uploaded")
    with transaction.atomic():
        document.save()
    return document


def child_document_delete(*, document: ChildDocument, by) -> None:
    """Remove a document uploaded by mistake, and its file once the removal is committed.
    The audit trail keeps what the row held (its title masked)."""
    if not by.has_perm(DELETE_PERMISSION):
        raise PermissionDenied("Only a team manager removes a document on a child.")
    storage, name = document.file.storage, document.file.name
    audit.name_next_save(document, "placements.child_document.deleted")
    with transaction.atomic():
        document.delete()
        transaction.on_commit(lambda: storage.delete(name))

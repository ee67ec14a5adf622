"""Documents on a child (the child permanence report, health reports, court orders, the
placement plan): uploaded on the child's page into private storage, apart from the
carers' file; a mistaken one withdrawn by a team manager, with a reason (never deleted). Each is audited
under the document's kind and id, never its title (which may name the child)."""

from django.db import transaction

from portal import audit, versions
from portal.uploads import document_check

from ..models import Child, ChildDocument


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


def child_document_withdraw(*, document: ChildDocument, reason: str, by) -> ChildDocument:
    """Withdraw a document uploaded by mistake (``portal.versions``): it leaves the
    child's current documents and keeps its file, readable with the reason in its history."""
    return versions.withdraw(record=document, reason=reason, by=by)

"""Private storage for carer documents (``portal.storage``): served only by the
carers' staff download view."""

from portal.storage import PrivateStorage


class PrivateDocumentStorage(PrivateStorage):
    url_name = "admin:carers_document_file"


def private_storage() -> PrivateDocumentStorage:
    return PrivateDocumentStorage()

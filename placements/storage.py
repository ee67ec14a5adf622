"""Private storage for documents on a child (``portal.storage``): the same private root
as the carers' files, under ``children/``, served only by the child documents' staff
download view, which checks access to the child first."""

from portal.storage import PrivateStorage


class ChildDocumentStorage(PrivateStorage):
    url_name = "admin:placements_childdocument_file"


def child_storage() -> ChildDocumentStorage:
    return ChildDocumentStorage()

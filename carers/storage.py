"""Private storage for carer documents: never under a public URL.

Files live under ``PRIVATE_STORAGE_ROOT``; a file's URL is the staff download
view, which checks the user's permission before sending a byte.
"""

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.urls import reverse


class PrivateDocumentStorage(FileSystemStorage):
    # Read on every use rather than once, so a changed setting (tests) is honoured.
    @property
    def base_location(self):
        return str(settings.PRIVATE_STORAGE_ROOT)

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    @property
    def base_url(self):
        return None

    def url(self, name):
        return reverse("admin:carers_document_file", args=[name])


def private_storage() -> PrivateDocumentStorage:
    return PrivateDocumentStorage()

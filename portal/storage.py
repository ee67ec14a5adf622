"""Private storage for uploaded case documents: never under a public URL.

Files live under ``PRIVATE_STORAGE_ROOT``; a file's URL is the staff download view
named by ``url_name``, which checks the user's access before sending a byte. Each app
with documents subclasses it with its own view.
"""

import os
import uuid
from pathlib import PurePath

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.urls import reverse


class PrivateStorage(FileSystemStorage):
    url_name = ""  # the admin URL that serves a stored file by its name

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
        return reverse(self.url_name, args=[name])


def random_name(folder: str, filename: str) -> str:
    """A stored file's name under ``folder``: random, keeping only the (lower-case)
    extension, as the original name may carry a person's name and names must not be
    guessable."""
    suffix = PurePath(filename).suffix.lower()[:10]
    return f"{folder}/{uuid.uuid4().hex}{suffix}"

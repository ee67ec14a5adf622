"""Validators shared by the public forms."""

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible

NAME_MAX_LENGTH = 100

# Letters of any alphabet, with spaces, hyphens and apostrophes between them. A name
# goes into emails sent to whatever address was typed, so it must not be able to
# carry a link or a message ("Visit evil.example now").
_NAME = re.compile(r"[^\W\d_](?:[^\W\d_]|[ '’-])*")


@deconstructible
class PersonNameValidator:
    """A person's name: letters, spaces, hyphens and apostrophes only, up to 100 characters.

    ``label`` starts the error message ("First name must only include ...").
    """

    def __init__(self, label: str = "Name"):
        self.label = label

    def __call__(self, value) -> None:
        name = unicodedata.normalize("NFC", " ".join(str(value).split()))
        if len(name) > NAME_MAX_LENGTH:
            raise ValidationError(
                f"{self.label} must be {NAME_MAX_LENGTH} characters or fewer",
                code="name_too_long",
            )
        if name and not _NAME.fullmatch(name):
            raise ValidationError(
                f"{self.label} must only include letters, spaces, hyphens and apostrophes",
                code="name_characters",
            )

    def __eq__(self, other):
        return isinstance(other, PersonNameValidator) and other.label == self.label

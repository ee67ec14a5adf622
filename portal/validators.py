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


# A UK postcode: the outward code (area letters, district) then the inward code (sector
# digit, unit letters), e.g. SW1A 1AA, OK1 2AB. Spaces and case do not matter when typed.
_POSTCODE = re.compile(r"([A-Z]{1,2}[0-9][A-Z0-9]?)([0-9][A-Z]{2})?")
POSTCODE_MESSAGE = "Enter a real UK postcode, like OK1 2AB"


def postcode_parts(text: str | None) -> tuple[str, str] | None:
    """("SW1A", "1AA") from "sw1a 1aa"; ("LS6", "") from an outward code alone; None
    for anything that is not a UK postcode or the first part of one."""
    match = _POSTCODE.fullmatch(re.sub(r"\s+", "", text or "").upper())
    if match is None:
        return None
    return match.group(1), match.group(2) or ""


def postcode_normalise(value: str | None) -> str:
    """A whole UK postcode as it is written: "sw1a1aa" -> "SW1A 1AA"; else refused."""
    parts = postcode_parts(value)
    if parts is None or not parts[1]:
        raise ValidationError(POSTCODE_MESSAGE, code="postcode")
    return " ".join(parts)

"""Uploaded files checked by what they contain, not by their name alone.

``upload_check(file=..., max_bytes=...)`` refuses, in words, a file whose content is not
what its extension says: a PDF must start like one, a Word or OpenDocument file must be
a well-formed zip with the parts that format has (unzipped within bounds, so a zip bomb
is refused before it is expanded), an image must decode (with Pillow when it is
installed, else by its signature), a text file must be text.
"""

import warnings
import zipfile
from collections.abc import Callable
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError

# Bounds on what a Word or OpenDocument file may unzip to. A real document of the largest
# size accepted (20 MB, mostly images that do not compress) expands to little more than
# itself; a text-heavy one to 10-20 times its size. A zip bomb expands by thousands.
ZIP_MAX_ENTRIES = 2000
ZIP_MAX_TOTAL_BYTES = 200 * 1024 * 1024
ZIP_MAX_RATIO = 100  # for any entry larger than ZIP_RATIO_FLOOR_BYTES
ZIP_RATIO_FLOOR_BYTES = 1024 * 1024
_CHUNK = 1024 * 1024

ACCEPTED = "Upload a PDF, Word, OpenDocument, text or image file."


def _refuse(message: str, code: str = "content"):
    raise ValidationError(message, code=code)


def _head(file, size: int = 2048) -> bytes:
    file.seek(0)
    head = file.read(size)
    file.seek(0)
    return head


def _check_pdf(file) -> None:
    # Readers accept the header anywhere in the first 1 KB, so a web page with "%PDF-" in a
    # comment would pass as a PDF: only whitespace or a byte-order mark may come before it.
    head = _head(file, 1024).removeprefix(b"\xef\xbb\xbf").lstrip(b" \t\r\n\f\0")
    if not head.startswith(b"%PDF-"):
        _refuse("This file is not a PDF: save it as a PDF and upload it again.")


def _check_doc(file) -> None:
    if not _head(file, 8).startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        _refuse("This file is not a Word document: save it as .docx and upload it again.")


def _check_rtf(file) -> None:
    if not _head(file, 8).startswith(b"{\\rtf"):
        _refuse("This file is not a rich text (RTF) document.")


def _check_text(file) -> None:
    file.seek(0)
    allowed = {0x09, 0x0A, 0x0C, 0x0D}
    while chunk := file.read(_CHUNK):
        if any(byte < 0x20 and byte not in allowed for byte in chunk):
            file.seek(0)
            _refuse("This file is not plain text: save it as a PDF and upload it again.")
    file.seek(0)


def _unzip_bounded(file, *, required: tuple[str, ...], what: str) -> zipfile.ZipFile:
    """Open the zip, check its size claims, then expand every entry to check it, in bounds.

    Python's zip reader never expands an entry past its declared size (it stops and
    reports a bad checksum), so checking the declared sizes first bounds the real work.
    """
    message = f"This file is not a {what} document, or it is damaged."
    file.seek(0)
    try:
        archive = zipfile.ZipFile(file)
        entries = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        _refuse(message)
    if len(entries) > ZIP_MAX_ENTRIES:
        _refuse(f"This {what} document has too many parts to be checked.")
    total = 0
    for entry in entries:
        total += entry.file_size
        ratio_too_high = entry.file_size > ZIP_RATIO_FLOOR_BYTES and entry.file_size > (
            ZIP_MAX_RATIO * max(entry.compress_size, 1)
        )
        if total > ZIP_MAX_TOTAL_BYTES or ratio_too_high:
            _refuse(f"This {what} document expands to far more than its size, so it is refused.")
    names = {entry.filename for entry in entries}
    if not all(name in names for name in required):
        _refuse(message)
    try:
        for entry in entries:
            with archive.open(entry) as part:
                while part.read(_CHUNK):
                    pass
    except (zipfile.BadZipFile, NotImplementedError, OSError, EOFError, ValueError):
        _refuse(message)
    return archive


def _check_docx(file) -> None:
    _unzip_bounded(file, required=("[Content_Types].xml", "word/document.xml"), what="Word")
    file.seek(0)


def _check_odt(file) -> None:
    archive = _unzip_bounded(file, required=("mimetype", "content.xml"), what="OpenDocument")
    mimetype = archive.read("mimetype").strip()
    file.seek(0)
    if mimetype != b"application/vnd.oasis.opendocument.text":
        _refuse("This file is not an OpenDocument text document, or it is damaged.")


SIGNATURES = {"JPEG": (b"\xff\xd8\xff",), "PNG": (b"\x89PNG\r\n\x1a\n",)}


def _image_checker(expected: str) -> Callable:
    def check(file) -> None:
        message = f"This file is not a {expected} image, or it is damaged."
        if not _head(file, 8).startswith(SIGNATURES[expected]):
            _refuse(message)
        try:
            from PIL import Image
        except ImportError:  # the signature is all we can check without Pillow
            return
        file.seek(0)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error", Image.DecompressionBombWarning)
                with Image.open(file) as image:
                    if image.format != expected:
                        _refuse(message)
                    image.verify()
                file.seek(0)
                with Image.open(file) as image:
                    image.load()
        except ValidationError:
            raise
        except (Image.DecompressionBombWarning, Image.DecompressionBombError):
            _refuse("This image is too large in pixels to be stored.")
        except Exception:  # noqa: BLE001 - Pillow raises many kinds for a broken image
            _refuse(message)
        finally:
            file.seek(0)

    return check


CHECKS: dict[str, Callable] = {
    ".pdf": _check_pdf,
    ".docx": _check_docx,
    ".doc": _check_doc,
    ".odt": _check_odt,
    ".rtf": _check_rtf,
    ".txt": _check_text,
    ".jpg": _image_checker("JPEG"),
    ".jpeg": _image_checker("JPEG"),
    ".png": _image_checker("PNG"),
}


def upload_check(*, file, max_bytes: int, accepted: str = ACCEPTED) -> None:
    """Refuse ``file`` unless its extension is one we take and its content matches it."""
    suffix = PurePath((getattr(file, "name", "") or "").lower()).suffix
    check = CHECKS.get(suffix)
    if check is None:
        _refuse(accepted, code="extension")
    if file.size > max_bytes:
        _refuse(
            f"The file must be smaller than {max_bytes // (1024 * 1024)} MB.",
            code="size",
        )
    check(file)


def document_check(file) -> None:
    """A document on a case (a household's or a child's): by extension, size and content,
    within ``CARERS_DOCUMENT_MAX_MB``, the bound the request body limit is worked out from."""
    upload_check(file=file, max_bytes=settings.CARERS_DOCUMENT_MAX_MB * 1024 * 1024)

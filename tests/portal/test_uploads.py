"""Uploaded documents are checked by content: each format, zip bombs, and files in disguise."""

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from portal import uploads
from portal.uploads import upload_check

MB = 1024 * 1024


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def zipped(parts: dict[str, bytes], compression=zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def image(kind: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "teal").save(buffer, format=kind)
    return buffer.getvalue()


DOCX = zipped({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})
ODT = zipped(
    {"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<office/>"},
    compression=zipfile.ZIP_STORED,
)
GOOD = {
    "report.pdf": b"%PDF-1.7\n1 0 obj\n",
    "report.docx": DOCX,
    "report.odt": ODT,
    "report.doc": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504,
    "report.rtf": b"{\\rtf1\\ansi Hello}",
    "notes.txt": "Visit went well.\r\n\tNext: références.\n".encode(),
    "photo.jpg": image("JPEG"),
    "photo.jpeg": image("JPEG"),
    "scan.png": image("PNG"),
}


@pytest.mark.parametrize("name", sorted(GOOD))
def test_real_files_of_each_kind_are_accepted(name):
    file = upload(name, GOOD[name])
    upload_check(file=file, max_bytes=20 * MB)
    assert file.read() == GOOD[name]  # left at the start, ready to be stored


@pytest.mark.parametrize("lead", [b"", b"\xef\xbb\xbf", b"\r\n", b" \t\n"])
def test_a_pdf_may_start_with_whitespace_or_a_byte_order_mark(lead):
    upload_check(file=upload("report.pdf", lead + b"%PDF-1.7\n1 0 obj\n"), max_bytes=MB)


HTML = b"<!doctype html><script>alert(1)</script>"


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("report.pdf", HTML),
        ("report.pdf", HTML + b"<!-- %PDF-1.7 -->"),  # the header, but not at the start
        ("report.pdf", b"<html>%PDF-1.7\n"),
        ("report.docx", HTML),
        ("report.docx", zipped({"index.html": HTML})),  # a zip, but not a Word document
        ("report.docx", DOCX[: len(DOCX) // 2]),  # cut short
        ("report.odt", DOCX),
        ("report.doc", HTML),
        ("report.rtf", HTML),
        ("notes.txt", b"MZ\x90\x00\x03\x00\x00\x00"),  # a program
        ("photo.jpg", image("PNG")),
        ("photo.jpg", HTML),
        ("scan.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 40),  # right signature, no image
        ("run.exe", b"MZ"),
        ("page.html", HTML),
    ],
)
def test_files_in_disguise_are_refused_in_words(name, content):
    with pytest.raises(ValidationError) as refused:
        upload_check(file=upload(name, content), max_bytes=20 * MB)
    assert refused.value.messages[0].endswith(".")


def test_a_zip_bomb_named_docx_is_refused_before_it_is_expanded(monkeypatch):
    bomb = zipped(
        {
            "[Content_Types].xml": b"<Types/>",
            "word/document.xml": b"<w:document/>",
            "word/media/a.xml": b"\0" * (50 * MB),
        }
    )
    assert len(bomb) < MB
    expanded = []
    real_open = zipfile.ZipFile.open
    monkeypatch.setattr(
        zipfile.ZipFile,
        "open",
        lambda self, *a, **k: expanded.append(a) or real_open(self, *a, **k),
    )
    with pytest.raises(ValidationError, match="expands to far more"):
        upload_check(file=upload("report.docx", bomb), max_bytes=20 * MB)
    assert expanded == []


def test_a_docx_with_too_many_parts_is_refused(monkeypatch):
    monkeypatch.setattr(uploads, "ZIP_MAX_ENTRIES", 10)
    parts = {"[Content_Types].xml": b"", "word/document.xml": b""}
    parts |= {f"word/part{n}.xml": b"x" for n in range(20)}
    with pytest.raises(ValidationError, match="too many parts"):
        upload_check(file=upload("report.docx", zipped(parts)), max_bytes=20 * MB)


def test_the_total_an_archive_expands_to_is_bounded(monkeypatch):
    monkeypatch.setattr(uploads, "ZIP_MAX_TOTAL_BYTES", 1000)
    parts = {"[Content_Types].xml": b"", "word/document.xml": bytes(range(256)) * 8}
    with pytest.raises(ValidationError, match="expands to far more"):
        upload_check(file=upload("report.docx", zipped(parts)), max_bytes=20 * MB)


def test_an_image_bomb_is_refused(monkeypatch):
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 10)
    with pytest.raises(ValidationError, match="too large in pixels"):
        upload_check(file=upload("scan.png", image("PNG")), max_bytes=20 * MB)


def test_without_pillow_images_are_checked_by_signature(monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_pillow(name, *args, **kwargs):
        if name == "PIL" or name.startswith("PIL."):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_pillow)
    upload_check(file=upload("photo.jpg", image("JPEG")), max_bytes=20 * MB)
    with pytest.raises(ValidationError):
        upload_check(file=upload("photo.jpg", HTML), max_bytes=20 * MB)


def test_a_file_over_the_size_limit_is_refused():
    with pytest.raises(ValidationError, match="smaller than 1 MB"):
        upload_check(file=upload("report.pdf", b"%PDF-1.7" + b" " * MB), max_bytes=MB)

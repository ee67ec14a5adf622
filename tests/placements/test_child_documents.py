"""Documents on a child: uploaded on the child's page into private storage, downloaded
only by those who may see the child's record (each download audited under the document's
kind and id, never its title), removed, file and all, only by a team manager."""

from datetime import date
from pathlib import Path

import pytest
from auditlog.models import LogEntry
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from placements import services
from placements.models import ChildDocument
from portal.roles import Role

from . import factories
from .helpers import form_data

pytestmark = pytest.mark.django_db

TITLE = "CPR for Robin Testchild"


def documents_url(child):
    return f"/admin/placements/child/{child.pk}/change/documents/"


def pdf(name="robin-cpr.pdf", content=b"%PDF-1.4 report"):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def upload_through_the_page(client, child, file):
    html = client.get(documents_url(child)).content.decode()
    data = form_data(
        html,
        **{
            "documents-0-kind": "cpr",
            "documents-0-title": TITLE,
            "documents-0-file": file,
            "_continue": "Save and continue editing",
        },
    )
    return client.post(documents_url(child), data)


def add(child, by, n=1):
    return [
        services.child_document_add(
            child=child, kind="health", title=f"Health report {i}", file=pdf(), by=by
        )
        for i in range(n)
    ]


def test_a_document_uploaded_on_the_childs_page_goes_to_private_storage(
    client, social_worker, settings
):
    child = factories.child(social_worker, social_worker=social_worker)
    client.force_login(social_worker)
    response = upload_through_the_page(client, child, pdf())
    assert response.status_code == 302, response.context and response.context["errors"]
    document = child.documents.get()
    assert (document.kind, document.title, document.uploaded_by) == ("cpr", TITLE, social_worker)
    path = Path(document.file.path)
    assert path.parent == Path(settings.PRIVATE_STORAGE_ROOT) / "children"
    assert path.read_bytes() == b"%PDF-1.4 report"
    # A random name: nothing of the uploaded name, nor the child's.
    assert "robin" not in path.name.lower() and "cpr" not in path.name.lower()
    assert len(path.stem) == 32
    entry = LogEntry.objects.get_for_object(document).get(action=LogEntry.Action.CREATE)
    assert entry.additional_data["action"] == "placements.child_document.uploaded"
    assert entry.actor == social_worker


def test_the_page_lists_each_document_by_title_linked_to_its_download(client, social_worker):
    child = factories.child(social_worker, social_worker=social_worker)
    (document,) = add(child, social_worker)
    client.force_login(social_worker)
    html = client.get(documents_url(child)).content.decode()
    assert f'<a href="{document.get_absolute_url()}">Health report 0</a>' in html
    assert "Uploaded" in html and "by Sam Worker." in html
    assert document.file.name.split("/")[-1] not in html
    # The listed document has no boxes to edit; the one upload form follows it.
    assert 'name="documents-0-title"' not in html
    assert 'name="documents-1-file"' in html


def test_a_file_of_the_wrong_type_is_refused_in_words_and_nothing_is_saved(
    client, social_worker, settings
):
    child = factories.child(social_worker, social_worker=social_worker)
    client.force_login(social_worker)
    response = upload_through_the_page(
        client, child, SimpleUploadedFile("cpr.html", b"<html></html>", content_type="text/html")
    )
    assert response.status_code == 200
    assert "Upload a PDF, Word, OpenDocument, text or image file." in response.content.decode()
    assert not ChildDocument.objects.exists()
    # Nor HTML named .pdf: the content must be what the name says.
    response = upload_through_the_page(client, child, pdf("cpr.pdf", b"<html></html>"))
    assert "This file is not a PDF" in response.content.decode()
    assert not ChildDocument.objects.exists()
    assert not (Path(settings.PRIVATE_STORAGE_ROOT) / "children").exists()


@pytest.mark.parametrize("role", [Role.SOCIAL_WORKERS, Role.TEAM_MANAGERS])
def test_social_workers_and_team_managers_download_and_each_download_is_audited(
    staff_client, social_worker, role
):
    child = factories.child(social_worker, social_worker=social_worker)
    (document,) = add(child, social_worker)
    # The child's own worker; another worker is refused (portal.access).
    client = staff_client(role) if role != Role.SOCIAL_WORKERS else _signed_in(social_worker)
    for url in (document.get_absolute_url(), document.file.url):
        response = client.get(url)
        assert response.status_code == 200, url
        assert b"".join(response.streaming_content) == b"%PDF-1.4 report"
        assert response["Content-Disposition"] == (
            f'attachment; filename="{child.reference}-health-{document.pk}.pdf"'
        )
        assert response["X-Content-Type-Options"] == "nosniff"
        assert "no-store" in response["Cache-Control"]
    entries = LogEntry.objects.filter(action=LogEntry.Action.ACCESS, object_pk=str(document.pk))
    assert entries.count() == 2
    for entry in entries:
        assert entry.actor == client.user
        assert entry.additional_data["action"] == "placements.child_document.downloaded"
        # The label is the kind of record and its number: never the title.
        assert entry.object_repr == f"Document on the child {document.pk}"


@pytest.mark.parametrize("role", [Role.EVENTS_TEAM, Role.RECRUITMENT_TEAM, Role.CONTENT_EDITORS])
def test_other_teams_are_refused_the_documents(staff_client, social_worker, role):
    child = factories.child(social_worker, social_worker=social_worker)
    (document,) = add(child, social_worker)
    client = staff_client(role)
    for url in (
        document.get_absolute_url(),
        document.file.url,
        "/admin/placements/childdocument/",
    ):
        assert client.get(url).status_code == 403, url
    assert not LogEntry.objects.filter(action=LogEntry.Action.ACCESS).exists()


def test_downloads_need_a_sign_in(client, social_worker):
    child = factories.child(social_worker, social_worker=social_worker)
    (document,) = add(child, social_worker)
    response = client.get(document.get_absolute_url())
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_the_file_url_is_never_under_media_or_static(client, social_worker):
    child = factories.child(social_worker, social_worker=social_worker)
    (document,) = add(child, social_worker)
    client.force_login(social_worker)
    assert client.get(f"/media/{document.file.name}").status_code == 404
    assert client.get(f"{django_settings.STATIC_URL}{document.file.name}").status_code == 404
    url = document.file.url
    assert url == f"/admin/placements/childdocument/file/{document.file.name}"
    assert not url.startswith(("/media/", django_settings.STATIC_URL))
    assert not str(django_settings.PRIVATE_STORAGE_ROOT).startswith(
        (str(django_settings.MEDIA_ROOT), str(django_settings.STATIC_ROOT))
    )


def test_a_team_manager_withdraws_a_document_with_a_reason_and_nobody_deletes_it(
    client, social_worker, manager
):
    child = factories.child(social_worker, social_worker=social_worker)
    (document,) = add(child, social_worker)
    path = Path(document.file.path)
    client.force_login(manager)
    assert client.post(f"/admin/placements/childdocument/{document.pk}/delete/", {"post": "yes"})
    assert ChildDocument.objects.get() == document
    page = client.get(documents_url(child)).content.decode()
    url = f"/admin/placements/child/{child.pk}/withdraw/placements.childdocument/{document.pk}/"
    assert url in page
    refused = client.post(url, {"reason": "  "})
    assert refused.status_code == 200
    assert "Say in words why this is withdrawn." in refused.content.decode()
    assert ChildDocument.objects.get() == document
    response = client.post(url, {"reason": "Uploaded to the wrong child's record"})
    assert response.status_code == 302
    assert not ChildDocument.objects.exists()
    withdrawn = ChildDocument.all_objects.get()
    assert (withdrawn.withdrawn_by, withdrawn.withdrawn_reason) == (
        manager,
        "Uploaded to the wrong child's record",
    )
    assert path.exists()  # evidence is kept
    page = client.get(documents_url(child)).content.decode()
    assert "Uploaded to the wrong child&#x27;s record" in page
    entry = LogEntry.objects.get_for_object(document).latest("timestamp")
    assert entry.additional_data["action"] == "placements.childdocument.withdrawn"
    assert "wrong child" not in str(entry.changes)


def test_a_social_worker_cannot_delete_a_document(client, social_worker):
    child = factories.child(social_worker, social_worker=social_worker)
    (document,) = add(child, social_worker)
    client.force_login(social_worker)
    url = f"/admin/placements/childdocument/{document.pk}/delete/"
    assert client.post(url, {"post": "yes"}).status_code == 403
    html = client.get(documents_url(child)).content.decode()
    assert 'name="documents-0-DELETE"' not in html
    # Nor by posting the box the page does not show.
    data = form_data(html, **{"documents-0-DELETE": "on", "_continue": "Save"})
    client.post(documents_url(child), data)
    assert ChildDocument.objects.get() == document
    assert Path(document.file.path).exists()


def test_no_document_is_added_or_changed_on_the_documents_list(client, social_worker):
    child = factories.child(social_worker, social_worker=social_worker)
    (document,) = add(child, social_worker)
    client.force_login(social_worker)
    assert client.get("/admin/placements/childdocument/add/").status_code == 403
    html = client.get("/admin/placements/childdocument/").content.decode()
    assert "Health report 0" in html and document.get_absolute_url() in html


def test_the_documents_section_reads_as_many_rows_with_2_documents_as_with_20(
    client, social_worker
):
    child = factories.child(social_worker, born=date(2025, 2, 1), social_worker=social_worker)
    client.force_login(social_worker)

    def count():
        with CaptureQueriesContext(connection) as context:
            assert client.get(documents_url(child)).status_code == 200
        return len(context.captured_queries)

    add(child, social_worker, 2)
    count()  # warm-up
    small = count()
    add(child, social_worker, 18)
    assert child.documents.count() == 20
    assert count() == small


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    client.user = user
    return client

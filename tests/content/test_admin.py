"""The Content editors' admin: publishing through services, previews, bounded changelists."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from content import services
from content.models import Page, PublicationStatus, ServedPostcodeArea, Story

from .factories import FAQFactory, PageFactory
from .test_public_pages import _add_ten_times_the_rows

pytestmark = pytest.mark.django_db

CHANGELISTS = [
    "/admin/content/page/",
    "/admin/content/faq/",
    "/admin/content/faqtopic/",
    "/admin/content/story/",
    "/admin/content/servedpostcodearea/",
    "/admin/content/eligibilitycompletioncount/",
]


@pytest.fixture(autouse=True)
def _no_pack_builds(monkeypatch):
    monkeypatch.setattr(services, "_queue_information_pack_build", lambda: None)


def _count(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


@pytest.mark.parametrize("url", CHANGELISTS)
def test_changelists_run_the_same_queries_with_ten_times_the_rows(editor_client, url):
    editor_client.get(url)  # warm the session and permission caches
    before = _count(editor_client, url)
    _add_ten_times_the_rows()
    ServedPostcodeArea.objects.bulk_create(
        ServedPostcodeArea(code=f"Z{i}", name=f"Area {i}", travel_note="Near.") for i in range(10)
    )
    assert _count(editor_client, url) == before


def test_status_is_not_an_editable_field(editor_client):
    page = Page.objects.get(slug="training")
    html = editor_client.get(f"/admin/content/page/{page.pk}/change/").content.decode()
    assert 'name="status"' not in html
    assert 'name="_unpublish"' in html
    assert 'href="/early-permanence/training/"' in html


def test_the_publish_action_publishes_through_the_service(editor_client):
    drafts = [PageFactory(draft=True), PageFactory(draft=True)]
    published = PageFactory()
    response = editor_client.post(
        "/admin/content/page/",
        {
            "action": "publish_selected",
            "_selected_action": [p.pk for p in (*drafts, published)],
        },
        follow=True,
    )
    html = response.content.decode()
    assert "2 published." in html
    assert "is already published" in html
    assert set(
        Page.objects.filter(pk__in=[d.pk for d in drafts]).values_list("status", flat=True)
    ) == {PublicationStatus.PUBLISHED}


def test_the_unpublish_action_takes_items_back_to_draft(editor_client):
    faq = FAQFactory()
    editor_client.post(
        "/admin/content/faq/", {"action": "unpublish_selected", "_selected_action": [faq.pk]}
    )
    faq.refresh_from_db()
    assert faq.status == PublicationStatus.DRAFT


def test_save_and_publish_from_the_add_form(editor_client):
    response = editor_client.post(
        "/admin/content/story/add/",
        {
            "title": "A new story",
            "slug": "a-new-story",
            "summary": "Summary.",
            "body": "Body.",
            "is_illustrative": "on",
            "order": "5",
            "image_alt": "",
            "_publish": "Save and publish",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    story = Story.objects.get(slug="a-new-story")
    assert story.status == PublicationStatus.PUBLISHED
    assert response["Location"] == f"/admin/content/story/{story.pk}/change/"


def test_a_story_image_without_a_description_is_refused(editor_client):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (4, 4)).save(buffer, format="PNG")
    response = editor_client.post(
        "/admin/content/story/add/",
        {
            "title": "Pictured",
            "slug": "pictured",
            "summary": "Summary.",
            "body": "Body.",
            "order": "5",
            "image": SimpleUploadedFile("p.png", buffer.getvalue(), content_type="image/png"),
            "image_alt": "",
        },
    )
    assert response.status_code == 200
    assert "Describe the image for people who cannot see it." in response.content.decode()
    assert not Story.objects.filter(slug="pictured").exists()


def test_the_audit_history_opens_for_editors(editor_client):
    faq = FAQFactory(draft=True)
    services.faq_publish(faq=faq)
    response = editor_client.get(f"/admin/content/faq/{faq.pk}/auditlog/")
    assert response.status_code == 200


def test_the_section_picker_offers_only_sections(editor_client):
    response = editor_client.get(
        "/admin/autocomplete/",
        {"app_label": "content", "model_name": "page", "field_name": "parent", "term": ""},
    )
    titles = {item["text"] for item in response.json()["results"]}
    assert "For birth parents" in titles
    assert "Concurrent Planning" not in titles


def test_other_staff_cannot_edit_content(staff_client):
    from portal.roles import Role

    client = staff_client(Role.RECRUITMENT_TEAM)
    assert client.get("/admin/content/page/").status_code == 403


def test_the_completions_are_read_only(editor_client):
    services.eligibility_completion_record()
    assert editor_client.get("/admin/content/eligibilitycompletioncount/add/").status_code == 403

"""portal/letters.py: letter templates, their merge fields and versions, and their admin."""

import re
import shutil
import subprocess

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portal import letters
from portal.models import LetterTemplate, LetterTemplateVersion
from portal.roles import Role
from portal.workflow import Refused
from tests.requirements import require

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/portal/lettertemplate/"


def pdf_text(data: bytes, tmp_path) -> str:
    require(shutil.which("pdftotext") is not None, "pdftotext is missing: install poppler-utils")
    path = tmp_path / "preview.pdf"
    path.write_bytes(data)
    out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True).stdout
    return re.sub(r"\s+", " ", out)


@pytest.fixture
def approval():
    return LetterTemplate.objects.get(kind="carers.approval")


@pytest.fixture
def manager_client(staff_client):
    return staff_client(Role.TEAM_MANAGERS)


def change_url(template):
    return reverse("admin:portal_lettertemplate_change", args=[template.pk])


def test_every_registered_kind_has_its_default_template_as_version_one():
    names = [kind.name for kind in letters.kinds()]
    assert len(names) == 11
    templates = {t.kind: t for t in LetterTemplate.objects.filter(kind__in=names)}
    assert set(templates) == set(names)
    for name, template in templates.items():
        assert template.version == 1, name
        assert template.versions.get().body == letters.kind_get(name).default_body


def test_an_unknown_merge_field_is_refused_by_the_service_naming_it_and_the_allowed_ones(
    approval, make_staff
):
    with pytest.raises(Refused) as refused:
        letters.letter_template_save(
            template=approval,
            title="Approval",
            body="Dear {applicant_first_names}, your child is {child_name}.",
            by=make_staff(Role.TEAM_MANAGERS),
        )
    message = refused.value.message
    assert "“{child_name}” is not a merge field of this letter" in message
    assert "{applicant_first_names}" in message and "{approved_age_to}" in message
    approval.refresh_from_db()
    assert approval.version == 1 and approval.versions.count() == 1


def test_a_brace_left_open_is_refused():
    kind = letters.kind_get("carers.approval")
    problems = letters.template_problems(kind=kind, title="Approval", body="Dear {applicant_names")
    assert problems and "brace" in problems[0]


def test_merge_values_are_escaped_and_never_read_as_markdown_or_html():
    html = letters.fill_markdown(
        "Dear {name},\n\n**Bold** words.",
        {"name": "<script>alert(1)</script> *not emphasis*"},
    )
    assert "&lt;script&gt;" in html and "<script>" not in html
    assert "*not emphasis*" in html and "<em>not emphasis</em>" not in html
    assert "<strong>Bold</strong>" in html


def test_markdown_in_a_template_is_sanitised_like_the_public_pages():
    html = letters.fill_markdown('<img src=x onerror="alert(1)"> [a](javascript:alert(1))', {})
    assert "<img" not in html and "javascript:" not in html and "onerror" not in html


def test_the_admin_form_refuses_an_unknown_field_and_keeps_the_version(manager_client, approval):
    response = manager_client.post(
        change_url(approval), {"title": "Approval", "body": "Hello {applicant_name}."}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "“{applicant_name}” is not a merge field of this letter" in html
    assert "{applicant_names}" in html
    approval.refresh_from_db()
    assert approval.version == 1


def test_each_save_in_the_admin_is_a_new_version_and_earlier_ones_stay_viewable(
    manager_client, approval, tmp_path
):
    first_body = approval.body
    response = manager_client.post(
        change_url(approval),
        {"title": "Approved: {assessed_as}", "body": "Dear {applicant_first_names}, new words."},
    )
    assert response.status_code == 302
    approval.refresh_from_db()
    assert approval.version == 2 and approval.title == "Approved: {assessed_as}"
    versions = list(approval.versions.order_by("number"))
    assert [v.number for v in versions] == [1, 2]
    assert versions[0].body == first_body
    assert versions[1].created_by == manager_client.user

    page = manager_client.get(change_url(approval)).content.decode()
    version_1 = reverse("admin:portal_lettertemplate_version", args=[approval.pk, 1])
    assert f'href="{version_1}"' in page
    old = manager_client.get(version_1)
    assert old["Content-Type"] == "application/pdf"
    assert "Your approval as adopters" in pdf_text(old.content, tmp_path)


def test_the_preview_fills_the_words_being_edited_with_demo_data(
    manager_client, approval, tmp_path
):
    url = reverse("admin:portal_lettertemplate_preview", args=[approval.pk])
    response = manager_client.post(
        url, {"title": "Preview of {assessed_as}", "body": "Dear {applicant_first_names}."}
    )
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content, tmp_path)
    assert "Preview of adopters" in text and "Dear Jordan and Casey." in text
    approval.refresh_from_db()
    assert approval.version == 1  # a preview saves nothing

    refused = manager_client.post(url, {"title": "x", "body": "{nope}"})
    assert refused.status_code == 400
    assert "“{nope}” is not a merge field" in refused.content.decode()

    saved = manager_client.get(url)
    assert "Your approval as adopters" in pdf_text(saved.content, tmp_path)


def test_templates_are_neither_added_nor_deleted(manager_client, approval):
    assert manager_client.get(CHANGELIST + "add/").status_code == 403
    assert manager_client.get(change_url(approval) + "delete/").status_code == 403


def test_social_workers_may_not_edit_templates(staff_client, approval):
    client = staff_client(Role.SOCIAL_WORKERS)
    assert client.get(change_url(approval)).status_code == 403


def bulk_templates(count: int, *, offset: int, by) -> None:
    for n in range(offset, offset + count):
        template = LetterTemplate.objects.create(
            kind=f"test.kind_{n}", title=f"Letter {n}", body="Text", version=1, updated_by=by
        )
        LetterTemplateVersion.objects.create(template=template, number=1, title="t", body="b")


def changelist_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(CHANGELIST)
    assert response.status_code == 200
    return len(queries), response


def test_the_template_list_query_count_is_the_same_at_two_sizes(manager_client):
    # The eleven seeded templates, then ten times as many (a page shows 100 of them).
    changelist_queries(manager_client)  # warm caches (content types, permissions)
    small, response = changelist_queries(manager_client)
    assert response.context["cl"].result_count == 11
    bulk_templates(99, offset=0, by=manager_client.user)
    large, response = changelist_queries(manager_client)
    assert response.context["cl"].result_count == 110
    assert len(response.context["cl"].result_list) == 100
    assert small == large <= 12

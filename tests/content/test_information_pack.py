"""The information pack: what is in it, that it is tagged, and that it is built only when
its content changes."""

import re
import shutil
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
from django.core import mail
from django.utils import timezone

from content import services
from content.models import FAQ, Page
from portal import pdf
from portal.notifications import AttachmentUnavailable, deliver_due, notify
from tests.enquiries.events.factories import InformationEventFactory
from tests.pdf_checks import Structure, assert_accessible_pdf
from tests.requirements import require

pytestmark = pytest.mark.django_db


def _require_poppler():
    for tool in ("pdftotext", "pdfinfo"):
        require(shutil.which(tool) is not None, f"{tool} is missing: apt-get install poppler-utils")


def pdf_text(path: Path) -> str:
    _require_poppler()
    result = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    )
    return " ".join(result.stdout.split())


def pdf_info(path: Path) -> dict:
    _require_poppler()
    out = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return {k.strip(): v.strip() for k, _, v in (line.partition(":") for line in out.splitlines())}


@pytest.fixture
def renders(monkeypatch):
    calls = []
    real = pdf.html_to_pdf

    def counting(html):
        calls.append(html)
        return real(html)

    monkeypatch.setattr(pdf, "html_to_pdf", counting)
    return calls


@pytest.fixture
def pack(settings):
    """The pack built from the shipped content, with two upcoming events."""
    InformationEventFactory(title="Early Permanence evening online")
    InformationEventFactory(
        title="Early Permanence evening in Leeds",
        in_person=True,
        venue="Oakway Family Centre",
        starts_at=timezone.now() + timedelta(days=20),
        ends_at=timezone.now() + timedelta(days=20, hours=2),
    )
    return services.information_pack_current()


def test_the_pack_has_every_included_page_the_faqs_events_and_how_to_enquire(pack):
    text = pdf_text(pack.path)
    included = Page.objects.published().filter(include_in_pack=True)
    assert included.count() >= 10
    for page in included:
        assert " ".join(page.title.split()) in text, page.title
    for faq in FAQ.objects.published():
        assert faq.question in text, faq.question
    for left_out in Page.objects.filter(include_in_pack=False):
        assert " ".join(left_out.summary.split()) not in text, left_out.title
    assert "Oakway Adoption and Fostering" in text
    assert "Contents" in text
    assert "Early Permanence evening online" in text
    assert "Oakway Family Centre" in text
    assert "How to enquire" in text and "/enquire/" in text


def test_the_pack_is_a_tagged_multi_page_pdf_with_metadata(pack):
    info = pdf_info(pack.path)
    assert info["Tagged"] == "yes"
    assert info["Title"] == "Early Permanence information pack – Oakway Adoption and Fostering"
    assert info["Author"] == "Oakway Adoption and Fostering"
    assert int(info["Pages"]) >= 10
    text = pdf_text(pack.path)
    assert f"Page 2 of {info['Pages']}" in text, "page numbers"
    assert "Early Permanence information pack" in text, "running head"


PACK_TITLE = "Early Permanence information pack – Oakway Adoption and Fostering"


def test_the_pack_passes_the_pdf_accessibility_checks(pack):
    data = pack.read()
    assert_accessible_pdf(data, title=PACK_TITLE)
    structure = Structure(data)
    artifacts = [piece.text for piece in structure.content if piece.tag == "/Artifact"]
    pages = int(pdf_info(pack.path)["Pages"])
    assert f"Page {pages} of {pages}" in artifacts, "page numbers are artifacts"
    assert artifacts.count("Early Permanence information pack") == pages - 1, "running heads"
    # The contents give each title's page number, with no leader dots between them.
    contents = pdf_text(pack.path).split("Contents", 2)[2]
    assert re.search(r"What Early Permanence is \d+ ", contents), contents[:200]
    assert ".." not in contents.split("How to enquire")[0]


def test_the_pack_follows_navigation_order(pack):
    text = pdf_text(pack.path)
    expected = [
        "What Early Permanence is",
        "Concurrent Planning",
        "What it means for the child",
        "Who can be an Early Permanence carer",
        "Matching: how a child comes to you",
        "Support for carers",
        "For family and friends",
        "For birth parents",
        "Questions people ask",
        "Come to an information event",
        "How to enquire",
    ]
    # After the contents page, each heading comes after the one before it.
    position = text.index("How to enquire") + len("How to enquire")
    for title in expected:
        found = text.find(title, position)
        assert found > position, f"{title} is out of order"
        position = found


def test_the_cache_is_reused_until_content_changes(
    settings, renders, django_capture_on_commit_callbacks
):
    first = services.information_pack_current()
    again = services.information_pack_current()
    assert (first.built, again.built) == (True, False)
    assert again.digest == first.digest
    assert len(renders) == 1

    faq = FAQ.objects.published().first()
    # The worker's task runs in-process here (CELERY_TASK_ALWAYS_EAGER), as on a publish.
    with django_capture_on_commit_callbacks(execute=True):
        services.faq_unpublish(faq=faq)
    assert len(renders) == 2, "publishing rebuilt the pack"
    after = services.information_pack_current()
    assert after.digest != first.digest and not after.built
    assert faq.question not in pdf_text(after.path)
    assert len(renders) == 2


def test_the_first_request_builds_the_pack_at_an_address_named_by_its_content(client, renders):
    response = client.get("/information-pack.pdf")
    assert response.status_code == 302
    assert response["Cache-Control"] == "no-cache", "a publish must reach everyone at once"
    address = response["Location"]
    pack = services.information_pack_current()
    assert address == f"/information-pack/{pack.digest}.pdf"

    response = client.get(address)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "public, max-age=31536000, immutable"
    assert 'filename="information-pack.pdf"' in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == pack.read()

    revalidated = client.get(address, HTTP_IF_NONE_MATCH=response["ETag"])
    assert revalidated.status_code == 304
    assert client.head(address).status_code == 200
    assert len(renders) == 1


def test_a_publish_moves_the_stable_link_to_the_new_pack_and_old_addresses_follow(
    client, renders, django_capture_on_commit_callbacks
):
    first = client.get("/information-pack.pdf")["Location"]
    with django_capture_on_commit_callbacks(execute=True):
        services.faq_unpublish(faq=FAQ.objects.published().first())
    second = client.get("/information-pack.pdf")["Location"]
    assert second != first
    # The earlier file is kept a day for anyone still holding its address ...
    assert client.get(first).status_code == 200
    # ... and once the cache has let it go, its address leads to the current pack.
    services.information_pack_file(first.rsplit("/", 1)[1].removesuffix(".pdf")).unlink()
    gone = client.get(first)
    assert (gone.status_code, gone["Location"]) == (302, "/information-pack.pdf")


@pytest.mark.parametrize("digest", ["0" * 64, "not-a-digest", "A" * 64, "a" * 63, "a" * 65])
def test_an_address_that_names_no_built_pack_leads_to_the_current_one(client, digest):
    response = client.get(f"/information-pack/{digest}.pdf")
    assert (response.status_code, response["Location"]) == (302, "/information-pack.pdf")


def test_an_upcoming_event_passing_makes_the_pack_short_lived():
    InformationEventFactory(
        starts_at=timezone.now() + timedelta(minutes=30),
        ends_at=timezone.now() + timedelta(minutes=90),
    )
    _, max_age = services.information_pack_context()
    assert 60 <= max_age <= 30 * 60


def test_the_personalised_pack_carries_the_name_and_is_not_kept(settings, tmp_path):
    data = services.information_pack_personalised(name="Jo")
    path = tmp_path / "jo.pdf"
    path.write_bytes(data)
    text = pdf_text(path)
    assert "Prepared for Jo" in text
    assert_accessible_pdf(data, title=PACK_TITLE)
    assert not any(Path(settings.PDF_CACHE_DIR).rglob("*.pdf"))


def test_the_outbox_attaches_the_personalised_pack():
    notify(
        key="test:information-pack",
        to="jo@example.com",
        template="portal/staff_welcome",
        context={"first_name": "Jo"},
        attachments=[{"kind": "information-pack", "for": "Jo"}],
    )
    assert deliver_due() == 1
    filename, content, mimetype = mail.outbox[0].attachments[0]
    assert filename == "information-pack.pdf"
    assert mimetype == "application/pdf"
    assert content.startswith(b"%PDF-")


def test_a_pack_that_cannot_be_built_is_reported_unavailable(monkeypatch):
    from content.attachments import information_pack_attachment

    def broken(html):
        raise OSError("fonts missing")

    monkeypatch.setattr(pdf, "html_to_pdf", broken)
    with pytest.raises(AttachmentUnavailable):
        information_pack_attachment({"kind": "information-pack", "for": "Jo"})


def test_the_command_builds_the_pack_and_measures_it(settings):
    import io

    from django.core.management import call_command

    out = io.StringIO()
    call_command("information_pack", stdout=out)
    assert "Information pack built" in out.getvalue()
    out = io.StringIO()
    call_command("information_pack", stdout=out)
    assert "already up to date" in out.getvalue()
    out = io.StringIO()
    call_command("information_pack", "--measure", "--runs", "1", stdout=out)
    assert " pages, " in out.getvalue() and "build time median" in out.getvalue()


def test_links_in_the_pack_go_to_its_own_pages_or_print_their_address(settings):
    """A printed pack cannot follow a link: a page it includes is linked inside the PDF,
    anything else shows its full address."""
    import re

    html = services.information_pack_html()
    in_pack = set(re.findall(r'id="page-([a-z0-9-]+)"', html))
    assert "family-time" in in_pack  # the page the pack's pages point to most
    internal = re.findall(r'href="#page-([a-z0-9-]+)"', html)
    assert internal, "the pack links between its own pages"
    assert set(internal) <= in_pack
    relative = re.findall(r'href="(/[^"]*)"', html)
    assert relative == [], relative
    site = settings.SITE_URL.rstrip("/")
    absolute = re.findall(rf'href="({re.escape(site)}/[^"]*)"', html)
    assert absolute, "the pack links to pages of the site it does not include"
    for address in absolute:
        assert f"({address})" in html, f"{address} is not printed for readers of the pack"

"""The letters of the dual assessment: produced from a household's steps and checks, kept as
its documents, sent as a link, opened only by their recipients and staff with access."""

import re
import shutil
import subprocess

import pytest
from auditlog.models import LogEntry
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from carers.models import Document, Stage, StatutoryCheck
from portal import letters
from portal.models import Letter, LetterTemplate, Notification, User
from portal.notifications import build_message
from portal.roles import Role
from tests.carers import factories as f
from tests.pdf_checks import assert_accessible_pdf
from tests.requirements import require

pytestmark = pytest.mark.django_db


def pdf_text(data: bytes, tmp_path) -> str:
    require(shutil.which("pdftotext") is not None, "pdftotext is missing: install poppler-utils")
    path = tmp_path / "letter.pdf"
    path.write_bytes(data)
    out = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    return re.sub(r"\s+", " ", out)


def letters_url(household):
    return reverse("admin:carers_household_letters", args=[household.pk])


def produce_url(household, kind, record):
    return reverse("admin:carers_household_letter_produce", args=[household.pk, kind, record.pk])


@pytest.fixture
def approved(social_worker, manager):
    household = f.household(social_worker)
    f.to_stage(household, Stage.APPROVED, social_worker, manager=manager)
    return household


def seen_on(client, url) -> str:
    """The produce form's ``seen`` value, as the page gives it."""
    html = client.get(url).content.decode()
    match = re.search(r'name="seen" value="(\d+)"', html)
    assert match, "the produce form carries no seen value"
    return match.group(1)


def produce_approval(client, household) -> Letter:
    url = produce_url(household, "carers.approval", f.adoption(household))
    response = client.post(url, {"seen": seen_on(client, url)})
    assert response.status_code == 302, response.content.decode()[-2000:]
    assert response["Location"] == letters_url(household)
    return Letter.objects.get(kind="carers.approval")


def stored_pdf(letter: Letter) -> bytes:
    with letters.letter_document(letter).file.open("rb") as handle:
        return handle.read()


def test_the_letters_page_offers_what_the_steps_call_for(client, social_worker, approved):
    client.force_login(social_worker)
    response = client.get(letters_url(approved))
    assert response.status_code == 200
    html = response.content.decode()
    a = f.adoption(approved)
    for kind in ("carers.roi_accepted", "carers.stage_1_outcome", "carers.approval"):
        assert f'href="{produce_url(approved, kind, a)}"' in html, kind
    # Not refused, not waiting for a decision: these do not fit.
    assert f'href="{produce_url(approved, "carers.roi_declined", a)}"' not in html
    assert f'href="{produce_url(approved, "carers.proposed_refusal", a)}"' not in html
    # The household page links to it.
    change = client.get(reverse("admin:carers_household_change", args=[approved.pk]))
    assert f'href="{letters_url(approved)}"' in change.content.decode()


def test_an_approval_letter_is_filled_stored_audited_and_sent_as_a_link(
    client, social_worker, approved, tmp_path
):
    client.force_login(social_worker)
    letter = produce_approval(client, approved)

    document = letters.letter_document(letter)
    assert isinstance(document, Document)
    assert document.household == approved and document.kind == Document.Kind.LETTER
    text = pdf_text(stored_pdf(letter), tmp_path)
    for expected in (
        "Your approval as adopters",
        "Alex Rivers and Jordan Rivers",
        "Dear Alex and Jordan",
        "12 Orchard Lane",
        "Number of children: 1",
        "from 0 to 2 years",
        approved.reference,
        "Sam Worker",
    ):
        assert expected in text, expected
    assert "{" not in text

    entry = LogEntry.objects.get(additional_data__action="portal.letter.produced")
    assert entry.actor == social_worker
    assert LogEntry.objects.filter(additional_data__action="carers.document.letter_stored").exists()

    rows = list(Notification.objects.filter(key__startswith=f"letter:{letter.pk}:"))
    assert sorted(row.to for row in rows) == ["applicant1@example.com", "applicant2@example.com"]
    for row in rows:
        message = build_message(row)
        html = message.alternatives[0][0]
        assert not message.attachments
        assert "A letter from" in message.body
        # A first letter: the link is an invitation to choose a password, then the letter.
        assert re.search(r"/accounts/invitation/[\w-]+/", message.body)
        for personal in ("Alex", "Jordan", "Rivers", "Orchard", approved.reference, "approv"):
            assert personal not in message.body, personal
            assert personal not in html, personal
            assert personal not in message.subject, personal


def test_the_letter_pdf_is_tagged_with_its_title_and_language(client, social_worker, approved):
    client.force_login(social_worker)
    letter = produce_approval(client, approved)
    assert_accessible_pdf(stored_pdf(letter), title="Your approval as adopters")


def test_a_new_template_version_does_not_change_a_letter_already_produced(
    client, social_worker, manager, approved, tmp_path
):
    client.force_login(social_worker)
    first = produce_approval(client, approved)
    before = stored_pdf(first)

    template = LetterTemplate.objects.get(kind="carers.approval")
    letters.letter_template_save(
        template=template,
        title="Approval: new words",
        body="Dear {applicant_first_names}, these are the new words.",
        by=manager,
    )
    first.refresh_from_db()
    assert first.version.number == 1
    assert stored_pdf(first) == before
    assert "new words" not in pdf_text(before, tmp_path)

    second = letters.letter_produce(
        kind="carers.approval", record=f.adoption(approved), by=social_worker
    )
    assert second.version.number == 2
    assert "these are the new words" in pdf_text(stored_pdf(second), tmp_path)
    # The first letter, opened again, is the one sent.
    response = client.get(reverse("letter_open", args=[first.pk]))
    assert b"".join(response.streaming_content) == before


def test_a_letter_opens_for_its_recipient_and_staff_with_access_only(
    client, social_worker, approved, make_staff
):
    client.force_login(social_worker)
    letter = produce_approval(client, approved)
    url = reverse("letter_open", args=[letter.pk])

    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert LogEntry.objects.filter(additional_data__action="portal.letter.opened").count() == 1

    recipient = User.objects.get(email="applicant1@example.com")
    assert not recipient.is_staff and not recipient.has_usable_password()
    client.force_login(recipient)
    assert client.get(url).status_code == 200

    stranger = User.objects.create_user(email="someone.else@example.com", password="x-y-z-1-2-3")
    client.force_login(stranger)
    assert client.get(url).status_code == 403
    client.force_login(make_staff(Role.EVENTS_TEAM))
    assert client.get(url).status_code == 403

    client.logout()
    response = client.get(url)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_emailed_invitation_lets_an_applicant_choose_a_password_and_read_the_letter(
    client, social_worker, approved
):
    client.force_login(social_worker)
    letter = produce_approval(client, approved)
    client.logout()
    row = Notification.objects.get(
        key__startswith=f"letter:{letter.pk}:", to="applicant1@example.com"
    )
    link = re.search(r"(/accounts/invitation/[\w-]+/)", build_message(row).body).group(1)

    assert client.get(link).status_code == 302
    page = client.get(reverse("staff_invitation_accept")).content.decode()
    assert "has sent you a letter. Choose a password to read it." in page
    assert "staff area" not in page and "authenticator" not in page
    password = "a-long-and-unusual-passphrase-41"
    response = client.post(
        reverse("staff_invitation_accept"),
        {"new_password1": password, "new_password2": password},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("letter_open", args=[letter.pk])
    assert client.get(response["Location"]).status_code == 200

    # The next letter links straight to it: the applicant signs in with that password.
    again = letters.letter_produce(
        kind="carers.final_decision", record=f.adoption(approved), by=social_worker
    )
    row = Notification.objects.get(
        key__startswith=f"letter:{again.pk}:", to="applicant1@example.com"
    )
    assert f"/letters/{again.pk}/" in build_message(row).body
    assert "/accounts/invitation/" not in build_message(row).body


def test_a_referee_request_is_produced_from_its_check_and_sent_to_the_address_given(
    client, social_worker, tmp_path
):
    household = f.household(social_worker)
    f.to_stage(household, Stage.STAGE_1, social_worker)
    check = household.checks.filter(kind=StatutoryCheck.Kind.PERSONAL_REFERENCE).first()
    check.referee_name = "Pat Referee"
    check.save()
    client.force_login(social_worker)

    page = client.get(letters_url(household))
    assert (
        f'href="{produce_url(household, "carers.referee_request", check)}"' in page.content.decode()
    )
    url = produce_url(household, "carers.referee_request", check)
    seen = seen_on(client, url)
    refused = client.post(url, {"email": "not an address", "seen": seen})
    assert refused.status_code == 200 and "Enter a valid email address" in refused.content.decode()
    assert not Letter.objects.exists()

    assert client.post(url, {"email": "pat@example.org", "seen": seen}).status_code == 302
    letter = Letter.objects.get()
    assert letters.letter_document(letter).check_record == check
    text = pdf_text(stored_pdf(letter), tmp_path)
    assert "Dear Pat Referee" in text and "Alex Rivers" in text
    row = Notification.objects.get(key__startswith=f"letter:{letter.pk}:")
    assert row.to == "pat@example.org"
    assert "Pat" not in build_message(row).body and "Alex" not in build_message(row).body


def test_a_second_click_on_produce_sends_nothing_more(client, social_worker, approved):
    """Two posts of the same page (a double click): one letter, one email per person; the
    second is refused in words. Opening the page again allows another copy on purpose."""
    client.force_login(social_worker)
    url = produce_url(approved, "carers.approval", f.adoption(approved))
    seen = seen_on(client, url)
    assert client.post(url, {"seen": seen}).status_code == 302
    emails = Notification.objects.count()
    again = client.post(url, {"seen": seen})
    assert again.status_code == 200
    assert "was produced for this record after this page was opened" in again.content.decode()
    assert Letter.objects.count() == 1
    assert Notification.objects.count() == emails
    assert client.post(url, {"seen": seen_on(client, url)}).status_code == 302
    assert Letter.objects.count() == 2


def test_a_letter_with_nobody_to_send_to_says_so_before_it_is_asked_for(
    client, social_worker, approved
):
    approved.applicants.update(email="")
    client.force_login(social_worker)
    url = produce_url(approved, "carers.approval", f.adoption(approved))
    html = client.get(url).content.decode()
    assert "Nobody to send it to: record an email address for the applicants first" in html
    assert client.post(url, {"seen": "0"}).status_code == 200
    assert not Letter.objects.exists()


def test_a_letter_that_does_not_fit_the_stage_is_refused(client, social_worker, approved):
    client.force_login(social_worker)
    url = produce_url(approved, "carers.panel_invitation", f.adoption(approved))
    response = client.post(url, {"seen": "0"})
    assert response.status_code == 200
    assert "does not fit this record at its current stage" in response.content.decode()
    assert not Letter.objects.exists()


def test_the_letters_page_query_count_does_not_grow_with_letters(client, social_worker, approved):
    client.force_login(social_worker)
    a = f.adoption(approved)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(letters_url(approved)).status_code == 200
        return len(queries)

    first = letters.letter_produce(kind="carers.approval", record=a, by=social_worker)
    letters.letter_produce(kind="carers.final_decision", record=a, by=social_worker)
    client.get(letters_url(approved))
    with_two = count()
    # Ten times the letters sent: copies of the first row (rendering 18 PDFs adds nothing).
    people = list(first.recipients.all())
    for _ in range(18):
        copy = Letter.objects.get(pk=first.pk)
        copy.pk = None
        copy.save()
        copy.recipients.set(people)
    assert Letter.objects.count() == 20
    assert count() == with_two


def test_the_decision_step_says_which_letters_it_calls_for(client, social_worker, manager):
    household = f.household(social_worker)
    f.to_stage(household, Stage.PANEL_RECOMMENDED, social_worker)
    a = f.adoption(household)
    client.force_login(manager)
    url = reverse("admin:carers_household_action", args=[household.pk, a.pk, "record_decision"])
    response = client.post(
        url,
        {
            "on": a.stage_entered_on.isoformat(),
            "decision": "approved",
            "approved_age_from": 0,
            "approved_age_to": 2,
            "approved_number_of_children": 1,
        },
        follow=True,
    )
    html = response.content.decode()
    assert "“Approval, with its terms”, “Final decision”" in html
    assert "use Letters on the household page" in html
    assert "Proposed refusal" not in html

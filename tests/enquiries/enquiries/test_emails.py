"""The emails an enquiry causes, and the save-first rule: the enquiry is committed before
any email is tried, so an email that fails never loses an enquiry."""

import io
import re
from datetime import timedelta

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection
from django.utils import timezone
from pypdf import PdfReader

from enquiries.models import Enquiry
from portal import notifications
from portal.models import Notification
from portal.notifications import AttachmentUnavailable, deliver_due

from .factories import submit
from .test_forms import complete_the_form

pytestmark = pytest.mark.django_db


def pdf_text(data: bytes) -> str:
    return " ".join(
        " ".join((page.extract_text() or "").split()) for page in PdfReader(io.BytesIO(data)).pages
    )


def acknowledgement(outbox):
    return next(m for m in outbox if m.to == ["philippa.ng@example.com"])


def test_the_acknowledgement_carries_the_pack_with_the_enquirers_name():
    submit(first_name="Philippa", last_name="Ng", email="philippa.ng@example.com")
    deliver_due()
    message = acknowledgement(mail.outbox)
    assert message.subject == (
        f"Thank you for your enquiry ({Enquiry.objects.get().reference}): your information pack"
    )
    assert f"Your reference is {Enquiry.objects.get().reference}." in message.body
    assert message.body.startswith("Hello Philippa,")
    assert "Your information pack is attached" in message.body
    assert "http://testserver/information-pack.pdf" in message.body
    [(filename, content, mimetype)] = message.attachments
    assert (filename, mimetype) == ("information-pack.pdf", "application/pdf")
    assert "Philippa" in pdf_text(content)
    # Nothing else the person told us is in the email.
    html = message.alternatives[0][0]
    for personal in ("Ng", "01632", "OK1", "Sam Bloggs", "Can we apply"):
        assert personal not in message.body
        assert personal not in html


def test_when_the_pack_cannot_be_built_the_email_still_goes_with_the_public_link(monkeypatch):
    def unavailable(spec):
        raise AttachmentUnavailable("WeasyPrint is down")

    monkeypatch.setitem(notifications._builders, "information-pack", unavailable)
    submit(first_name="Philippa", email="philippa.ng@example.com")
    deliver_due()
    message = acknowledgement(mail.outbox)
    assert message.attachments == []
    assert "We could not attach your information pack" in message.body
    assert "http://testserver/information-pack.pdf" in message.body
    assert "Download the information pack" in message.alternatives[0][0]
    assert Notification.objects.get(key__endswith=":acknowledgement").status == "sent"


def test_the_team_notice_has_a_link_and_no_personal_details(settings):
    enquiry = submit(first_name="Philippa", email="philippa.ng@example.com").enquiry
    deliver_due()
    [notice] = [m for m in mail.outbox if m.to == [settings.RECRUITMENT_TEAM_EMAIL]]
    assert notice.subject == f"New enquiry: {enquiry.reference}"
    assert notice.attachments == []
    url = f"http://testserver/admin/enquiries/enquiry/{enquiry.pk}/change/"
    assert url in notice.body
    text = notice.subject + notice.body + notice.alternatives[0][0]
    for personal in ("Philippa", "Bloggs", "philippa.ng", "01632", "OK1", "Sam", "Can we apply"):
        assert personal not in text


def test_the_team_notice_for_someone_under_21_says_only_that_it_needs_a_look(settings):
    enquiry = submit(aged_21_or_over=False).enquiry
    deliver_due()
    [notice] = [m for m in mail.outbox if m.to == [settings.RECRUITMENT_TEAM_EMAIL]]
    text = notice.subject + notice.body + notice.alternatives[0][0]
    assert "needs a look" in notice.body and "needs a look" in notice.alternatives[0][0]
    assert f"http://testserver/admin/enquiries/enquiry/{enquiry.pk}/change/" in notice.body
    words = set(re.findall(r"[a-z0-9]+", text.replace(enquiry.reference, "").lower()))
    for detail in ("21", "under", "age", "aged", "later"):
        assert detail not in words, detail


# -- save first ----------------------------------------------------------------------------


class BrokenEmailBackend(BaseEmailBackend):
    """An SMTP server that refuses everything; it notes what the database held when asked."""

    attempts: list[dict] = []

    def send_messages(self, email_messages):
        BrokenEmailBackend.attempts.append(
            {
                "enquiries": Enquiry.objects.count(),
                "committed_enquiries": committed_enquiries(),
            }
        )
        raise ConnectionRefusedError("SMTP is down")


def committed_enquiries():
    """Enquiries another database session can see, i.e. committed ones (PostgreSQL only)."""
    if connection.vendor != "postgresql":
        return None
    import psycopg

    db = connection.settings_dict
    with psycopg.connect(
        dbname=db["NAME"],
        user=db["USER"] or "postgres",
        host=db["HOST"] or "127.0.0.1",
        port=db["PORT"] or 5432,
        password=db["PASSWORD"] or None,
    ) as other:
        return other.execute("SELECT count(*) FROM enquiries_enquiry").fetchone()[0]


@pytest.fixture
def broken_email(settings):
    settings.EMAIL_BACKEND = "tests.enquiries.enquiries.test_emails.BrokenEmailBackend"
    BrokenEmailBackend.attempts = []
    return BrokenEmailBackend.attempts


def test_an_enquiry_is_kept_when_every_email_fails_and_sent_later(
    client, broken_email, settings, django_capture_on_commit_callbacks
):
    # The outbox tries to deliver straight after the commit (the worker runs eagerly here).
    with django_capture_on_commit_callbacks(execute=True):
        response = complete_the_form(client)
    assert response.status_code == 302
    assert response["Location"] == "/enquire/sent/"
    enquiry = Enquiry.objects.get()
    assert enquiry.first_name == "Jo"
    # Both emails were tried, failed, and wait in the outbox with the error.
    assert len(broken_email) == 2
    assert all(attempt["enquiries"] == 1 for attempt in broken_email)
    rows = Notification.objects.filter(key__startswith=f"enquiry:{enquiry.pk}:contact:")
    assert rows.count() == 2
    for row in rows:
        assert (row.attempts, row.sent_at) == (1, None)
        assert "ConnectionRefusedError" in row.last_error
    # SMTP comes back: the sweep delivers both, once.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    later = timezone.now() + timedelta(hours=1)
    assert deliver_due(now=later) >= 2
    assert deliver_due(now=later) == 0
    assert {m.to[0] for m in mail.outbox} >= {
        "jo.bloggs@example.com",
        settings.RECRUITMENT_TEAM_EMAIL,
    }


@pytest.mark.django_db(transaction=True)
def test_the_enquiry_is_committed_before_any_email_is_tried(
    client, broken_email, require_postgres, django_capture_on_commit_callbacks
):
    """Seen from a second database session at the moment of the first send attempt."""
    with django_capture_on_commit_callbacks(execute=True):
        response = complete_the_form(client)
    assert response.status_code == 302
    assert broken_email, "no email was tried"
    assert broken_email[0]["committed_enquiries"] == 1
    assert Enquiry.objects.count() == 1


def test_a_template_error_at_delivery_loses_nothing(monkeypatch, client):
    def broken(notification):
        raise RuntimeError("template missing")

    monkeypatch.setattr(notifications, "build_message", broken)
    response = complete_the_form(client)
    assert response.status_code == 302
    deliver_due()
    assert Enquiry.objects.count() == 1
    assert Notification.objects.filter(sent_at__isnull=True, attempts=1).count() == 2

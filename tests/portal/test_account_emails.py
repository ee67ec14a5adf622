"""allauth's emails go through the outbox, in the portal's layout and words."""

import logging
from pathlib import Path

import allauth
import pytest
from allauth.account.models import EmailAddress
from django.core import mail

from portal import adapter
from portal.models import Notification, User
from portal.notifications import build_message, deliver_due

pytestmark = pytest.mark.django_db


@pytest.fixture
def smtp_down(settings):
    """SMTP answers nobody: a port in this project's range with nothing listening."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = 8139
    settings.EMAIL_TIMEOUT = 2


def test_password_reset_with_smtp_down_answers_and_delivers_later(
    client, settings, smtp_down, django_capture_on_commit_callbacks, caplog
):
    user = User.objects.create_user(email="jo@example.com", password="a-long-passphrase-1")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    with caplog.at_level(logging.INFO), django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/password/reset/", {"email": "jo@example.com"})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password/reset/done/"
    [queued] = Notification.objects.all()
    assert queued.template == "account/password_reset_key"
    assert queued.sent_at is None and queued.attempts == 1  # tried once, kept for later
    # The outbox keeps only the link, and the logs no address.
    assert set(queued.context) == {"link_path"}
    assert "jo@example.com" not in caplog.text

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    queued.next_attempt_at = queued.due_at
    queued.save(update_fields=["next_attempt_at"])
    assert deliver_due() == 1
    [message] = mail.outbox
    assert message.to == ["jo@example.com"]
    assert message.subject == "Reset your Oakway Adoption and Fostering password"
    assert "Hello from" not in message.body
    link = next(line for line in message.body.splitlines() if "/password/reset/key/" in line)
    assert link.startswith(f"{settings.SITE_URL}/accounts/password/reset/key/")
    html = message.alternatives[0][0]
    assert "Oakway Adoption and Fostering" in html and "<h1" in html
    # The link works.
    opened = client.get(link.removeprefix(settings.SITE_URL), follow=True)
    assert opened.status_code == 200
    assert 'name="password1"' in opened.content.decode()


def test_a_reset_for_an_unknown_address_says_accounts_are_by_invitation(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/password/reset/", {"email": "someone@example.com"})
    assert response.status_code == 302
    [message] = mail.outbox
    assert "there is no account" in message.body
    assert "by invitation" in message.body
    assert "sign up" not in message.body.lower()


def test_every_email_allauth_can_send_has_the_portals_own_template():
    templates = Path(allauth.__file__).parent / "templates"
    prefixes = sorted(
        str(path.relative_to(templates)).removesuffix("_subject.txt")
        for path in templates.glob("*/email/*_subject.txt")
    )
    assert len(prefixes) > 10
    for prefix in prefixes:
        template = adapter.ACCOUNT_EMAILS.get(prefix, adapter.SECURITY_NOTICE)
        message = build_message(
            Notification(key=prefix, to="x@example.com", template=template, context={})
        )
        assert message.subject.strip(), prefix
        assert "Hello from" not in message.body, prefix
        assert "Oakway Adoption and Fostering" in message.body, prefix


def test_allauth_context_is_reduced_to_the_link_or_code(django_capture_on_commit_callbacks):
    user = User.objects.create_user(email="jo@example.com", password="a-long-passphrase-1")
    adapter.AccountAdapter().send_mail(
        "account/email/email_confirmation",
        "jo@example.com",
        {
            "user": user,
            "activate_url": "http://127.0.0.1:8101/accounts/confirm-email/abc/",
            "key": "abc",
            "code": "XYZ123",
            "ip": "203.0.113.9",
            "user_agent": "Browser",
        },
    )
    [queued] = Notification.objects.all()
    assert queued.context == {"link_path": "/accounts/confirm-email/abc/", "code": "XYZ123"}
    assert queued.template == "account/email_confirmation"

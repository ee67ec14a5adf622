from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from portal import notifications
from portal.models import Notification
from portal.notifications import Attachment, AttachmentUnavailable, deliver_due, notify

pytestmark = pytest.mark.django_db


def queue(key="test:1", **kwargs):
    return notify(key=key, to="someone@example.com", template="portal/staff_welcome", **kwargs)


def test_notify_is_idempotent_on_its_key():
    first = queue()
    second = queue(context={"ignored": True})
    assert first.pk == second.pk
    assert Notification.objects.count() == 1
    assert second.context == {}


def test_sweep_sends_html_and_text_once(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    queue()
    assert deliver_due() == 1
    assert deliver_due() == 0
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.subject == "Your staff account is ready"
    assert "http://testserver/admin/" in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert "Sign in to the staff area" in html
    row = Notification.objects.get()
    assert row.sent_at is not None
    assert row.attempts == 1
    assert row.status == "sent"


def test_a_message_due_later_waits_for_its_time():
    later = timezone.now() + timedelta(days=2)
    queue(due_at=later)
    assert deliver_due() == 0
    assert deliver_due(now=later + timedelta(seconds=1)) == 1


def test_a_failed_send_is_recorded_and_retried_with_backoff(settings, monkeypatch):
    def refuse(self, fail_silently=False):
        raise ConnectionRefusedError("SMTP is down")

    monkeypatch.setattr("django.core.mail.EmailMultiAlternatives.send", refuse)
    queue()
    assert deliver_due() == 0
    row = Notification.objects.get()
    assert row.attempts == 1
    assert "ConnectionRefusedError" in row.last_error
    assert row.sent_at is None
    assert row.next_attempt_at > timezone.now()
    # Not retried before its backoff has passed ...
    assert deliver_due() == 0
    assert Notification.objects.get().attempts == 1
    # ... and sent once SMTP is back.
    monkeypatch.undo()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert deliver_due(now=row.next_attempt_at + timedelta(seconds=1)) == 1
    assert len(mail.outbox) == 1


def test_a_message_is_given_up_after_the_maximum_attempts(settings, monkeypatch):
    settings.OUTBOX_MAX_ATTEMPTS = 2
    monkeypatch.setattr(
        "django.core.mail.EmailMultiAlternatives.send",
        lambda self, fail_silently=False: (_ for _ in ()).throw(OSError("down")),
    )
    queue()
    far_future = timezone.now() + timedelta(days=1)
    deliver_due()
    deliver_due(now=far_future)
    row = Notification.objects.get()
    assert row.attempts == 2
    assert row.status == "failed"
    assert deliver_due(now=far_future + timedelta(days=1)) == 0


def test_backoff_doubles_and_is_capped():
    assert notifications.retry_delay(1) == timedelta(minutes=1)
    assert notifications.retry_delay(2) == timedelta(minutes=2)
    assert notifications.retry_delay(4) == timedelta(minutes=8)
    assert notifications.retry_delay(30) == timedelta(hours=6)


def test_withdrawn_messages_are_never_sent():
    queue(key="booking:1:reminder-2d", due_at=timezone.now())
    queue(key="booking:1:reminder-day")
    queue(key="booking:2:reminder-day")
    assert notifications.notifications_withdraw(key_prefix="booking:1:") == 2
    assert deliver_due() == 1
    assert Notification.objects.get(key="booking:2:reminder-day").status == "sent"
    assert Notification.objects.get(key="booking:1:reminder-day").status == "withdrawn"


def test_withdraw_by_keys_leaves_sent_messages_alone():
    queue(key="a")
    deliver_due()
    assert notifications.notifications_withdraw(keys=["a"]) == 0
    assert Notification.objects.get(key="a").status == "sent"


def test_attachments_are_built_at_delivery(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    notifications.register_attachment_builder(
        "test-note", lambda spec: Attachment(f"{spec['name']}.txt", b"hello", "text/plain")
    )
    queue(attachments=[{"kind": "test-note", "name": "note"}])
    deliver_due()
    assert mail.outbox[0].attachments[0][:2] == ("note.txt", "hello")


def test_an_attachment_that_cannot_be_built_does_not_stop_the_email(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

    def broken(spec):
        raise AttachmentUnavailable("renderer down")

    notifications.register_attachment_builder("test-broken", broken)
    queue(attachments=[{"kind": "test-broken"}])
    assert deliver_due() == 1
    assert mail.outbox[0].attachments == []


def test_a_message_is_queued_on_commit_and_delivered_by_the_task(
    settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        queue()
    assert len(callbacks) == 1
    # CELERY_TASK_ALWAYS_EAGER runs the task in-process in tests.
    assert len(mail.outbox) == 1
    assert Notification.objects.get().status == "sent"


def test_a_broker_that_fails_to_take_the_task_loses_nothing(
    settings, django_capture_on_commit_callbacks, caplog, monkeypatch
):
    from kombu.exceptions import OperationalError

    from portal.tasks import deliver_notification

    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(deliver_notification, "apply_async", broker_down)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with django_capture_on_commit_callbacks(execute=True):
        queue()
    assert "the sweep will deliver it" in caplog.text
    assert Notification.objects.get().status == "pending"
    assert mail.outbox == []
    assert deliver_due() == 1
    assert len(mail.outbox) == 1

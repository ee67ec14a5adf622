import importlib
import logging
import smtplib
from datetime import timedelta

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives
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


def test_a_relay_that_stays_down_is_retried_at_a_capped_interval_for_days(settings, monkeypatch):
    settings.OUTBOX_RETRY_MAX_MINUTES = 30
    settings.OUTBOX_GIVE_UP_DAYS = 7
    monkeypatch.setattr(
        "django.core.mail.EmailMultiAlternatives.send",
        lambda self, fail_silently=False: (_ for _ in ()).throw(ConnectionRefusedError(111, "x")),
    )
    row = queue()
    intervals = []
    for _ in range(12):  # the earlier policy gave up after eight
        deliver_due(now=row.next_attempt_at)
        before = row.next_attempt_at
        row.refresh_from_db()
        intervals.append(row.next_attempt_at - before)
    assert row.status == "pending"
    assert row.attempts == 12
    assert intervals[:6] == [timedelta(minutes=m) for m in (1, 2, 4, 8, 16, 30)]
    assert set(intervals[6:]) == {timedelta(minutes=30)}
    # Still tried, and still waiting, days later ...
    six_days = row.due_at + timedelta(days=6)
    deliver_due(now=six_days)
    row.refresh_from_db()
    assert (row.status, row.attempts) == ("pending", 13)
    assert row.next_attempt_at == six_days + timedelta(minutes=30)
    # ... and given up only once the horizon has passed.
    deliver_due(now=row.due_at + timedelta(days=7, minutes=1))
    row.refresh_from_db()
    assert (row.status, row.attempts) == ("failed", 14)
    assert deliver_due(now=row.due_at + timedelta(days=30)) == 0


def test_backoff_doubles_and_is_capped(settings):
    settings.OUTBOX_RETRY_MAX_MINUTES = 30
    assert notifications.retry_delay(1) == timedelta(minutes=1)
    assert notifications.retry_delay(2) == timedelta(minutes=2)
    assert notifications.retry_delay(4) == timedelta(minutes=8)
    assert notifications.retry_delay(30) == timedelta(minutes=30)
    assert notifications.retry_delay(5000) == timedelta(minutes=30)


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


# -- what a relay answers --------------------------------------------------------------------


class RefusingRelay:
    """An SMTP server that refuses every recipient with one answer."""

    def __init__(self, answer: str):
        self.answer = answer
        self.refused = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        self.refused.append(address)
        return self.answer


@pytest.fixture
def refusing_relay(settings):
    import socket

    from aiosmtpd.controller import Controller

    controllers = []

    def start(answer: str) -> RefusingRelay:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        relay = RefusingRelay(answer)
        controller = Controller(relay, hostname="127.0.0.1", port=port)
        controller.start()
        controllers.append(controller)
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = "127.0.0.1"
        settings.EMAIL_PORT = port
        settings.EMAIL_USE_TLS = False
        return relay

    yield start
    for controller in controllers:
        controller.stop()


ADDRESS = "Refused.Person@example.org"


def test_a_recipient_refused_for_good_fails_at_once_and_the_address_is_kept_nowhere(
    refusing_relay, caplog
):
    relay = refusing_relay(f"550 5.1.1 <{ADDRESS}>: Recipient address rejected")
    caplog.set_level(logging.DEBUG)
    notify(key="refused:1", to=ADDRESS, template="portal/staff_welcome")
    assert deliver_due() == 0
    assert relay.refused == [ADDRESS]
    row = Notification.objects.get()
    assert (row.status, row.attempts) == ("failed", 1)
    assert row.last_error == "SMTPRecipientsRefused: 550"
    assert deliver_due(now=timezone.now() + timedelta(days=1)) == 0
    logged = "\n".join(
        f"{r.getMessage()} {r.args} {r.exc_text or ''}"
        for r in caplog.records
        if r.name != "mail.log"  # the test's relay, not the portal
    ).lower()
    assert "notification" in logged and "given up" in logged
    assert "refused.person" not in logged
    assert "refused.person" not in row.last_error.lower()


def test_a_recipient_refused_for_now_is_tried_again(refusing_relay):
    refusing_relay(f"450 4.2.0 <{ADDRESS}>: mailbox busy")
    notify(key="busy:1", to=ADDRESS, template="portal/staff_welcome")
    assert deliver_due() == 0
    row = Notification.objects.get()
    assert (row.status, row.last_error) == ("pending", "SMTPRecipientsRefused: 450")


@pytest.mark.parametrize(
    ("error", "kept"),
    [
        (
            smtplib.SMTPRecipientsRefused({ADDRESS: (550, f"<{ADDRESS}> unknown".encode())}),
            "SMTPRecipientsRefused: 550",
        ),
        (smtplib.SMTPDataError(554, f"rejected for {ADDRESS}".encode()), "SMTPDataError: 554"),
        (smtplib.SMTPSenderRefused(553, b"no", "agency@example.org"), "SMTPSenderRefused: 553"),
        (smtplib.SMTPServerDisconnected(f"lost talking to {ADDRESS}"), "SMTPServerDisconnected"),
        (ConnectionRefusedError(111, "Connection refused"), "ConnectionRefusedError: ECONNREFUSED"),
        (ValueError(f"bad header for {ADDRESS}"), "ValueError"),
    ],
)
def test_an_error_is_kept_as_its_class_and_code_only(error, kept):
    assert notifications.failure_description(error) == kept
    assert notifications.refused_for_good(error) is (kept == "SMTPRecipientsRefused: 550")


def test_each_key_has_one_message_id():
    first, second = queue(key="booking:1:confirmed"), queue(key="booking:2:confirmed")
    message_id = notifications.build_message(first).message()["Message-ID"]
    assert notifications.build_message(first).message()["Message-ID"] == message_id
    assert notifications.build_message(second).message()["Message-ID"] != message_id
    assert message_id.startswith("<") and message_id.endswith("@oakway.example>")
    assert "booking" not in message_id


# -- leases, time budget and the soft time limit ----------------------------------------------


def test_a_row_claimed_by_a_sweep_waits_for_its_lease(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.OUTBOX_LEASE_SECONDS = 600
    row = queue()
    Notification.objects.filter(pk=row.pk).update(
        claimed_until=timezone.now() + timedelta(seconds=600)
    )
    assert deliver_due() == 0
    assert deliver_due(now=timezone.now() + timedelta(seconds=601)) == 1
    assert len(mail.outbox) == 1
    assert Notification.objects.get().claimed_until is None


def test_a_row_taken_by_another_sweep_or_withdrawn_after_the_claim_is_not_sent(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    queue(key="taken")
    queue(key="withdrawn")
    taken, withdrawn = notifications._claim(Notification.objects.due(), limit=2)
    # Another sweep took the first after the lease passed; the second was withdrawn.
    Notification.objects.filter(pk=taken.pk).update(
        claimed_until=timezone.now() + timedelta(hours=1)
    )
    notifications.notifications_withdraw(keys=["withdrawn"])
    assert notifications._deliver(taken) == 0
    assert notifications._deliver(withdrawn) == 0
    assert mail.outbox == []


def test_a_sweep_stopped_by_the_soft_time_limit_records_what_was_sent_and_hands_back_the_rest(
    settings, monkeypatch
):
    from celery.exceptions import SoftTimeLimitExceeded

    settings.OUTBOX_LEASE_SECONDS = 600
    sent = []

    def send(self, fail_silently=False):
        if len(sent) == 2:
            raise SoftTimeLimitExceeded()
        sent.append(self.extra_headers["X-Portal-Message"])
        return 1

    monkeypatch.setattr("django.core.mail.EmailMultiAlternatives.send", send)
    for n in range(5):
        queue(key=f"soft-limit:{n}")
    assert deliver_due() == 2
    rows = {row.key: row for row in Notification.objects.all()}
    assert (
        [k for k, row in rows.items() if row.status == "sent"]
        == sent
        == [
            "soft-limit:0",
            "soft-limit:1",
        ]
    )
    # The message cut off mid-send is not counted a failure, and keeps its lease ...
    cut_off = rows["soft-limit:2"]
    assert (cut_off.status, cut_off.attempts, cut_off.last_error) == ("pending", 0, "")
    assert cut_off.claimed_until > timezone.now()
    # ... the ones not tried are handed back at once.
    assert [rows[f"soft-limit:{n}"].claimed_until for n in (3, 4)] == [None, None]
    monkeypatch.undo()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert deliver_due() == 2
    assert deliver_due(now=timezone.now() + timedelta(seconds=601)) == 1
    assert Notification.objects.pending().count() == 0


def test_a_sweep_takes_no_new_message_once_its_time_is_used(settings, monkeypatch):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.OUTBOX_SWEEP_BUDGET_SECONDS = 120
    settings.OUTBOX_BATCH_SIZE = 3
    clock = [1000.0]
    monkeypatch.setattr(notifications.time, "monotonic", lambda: clock[0])
    real_send = EmailMultiAlternatives.send

    def slow_send(self, fail_silently=False):
        clock[0] += 50  # a relay taking 50 seconds a message
        return real_send(self, fail_silently=fail_silently)

    monkeypatch.setattr(EmailMultiAlternatives, "send", slow_send)
    for n in range(7):
        queue(key=f"budget:{n}")
    # 0 s, 50 s, 100 s: the third send ends past the budget, and nothing more is taken.
    assert deliver_due() == 3
    assert len(mail.outbox) == 3
    assert Notification.objects.filter(claimed_until__isnull=False).count() == 0
    assert deliver_due() == 3
    assert deliver_due() == 1


def test_rows_given_up_by_the_earlier_policy_stay_failed_and_their_addresses_are_forgotten():
    from django.apps import apps

    migration = importlib.import_module("portal.migrations.0004_notification_delivery_lease")
    old_give_up = queue(key="old:down")
    refused = queue(key="old:refused")
    long_ago = queue(key="old:long-ago", due_at=timezone.now() - timedelta(days=60))
    Notification.objects.filter(pk=old_give_up.pk).update(
        failed_at=timezone.now(),
        last_error="ConnectionRefusedError: [Errno 111] Connection refused",
    )
    Notification.objects.filter(pk=refused.pk).update(
        failed_at=timezone.now(),
        last_error=f"SMTPRecipientsRefused: {{'{ADDRESS}': (550, b'5.1.1 <{ADDRESS}> unknown')}}",
    )
    Notification.objects.filter(pk=long_ago.pk).update(
        failed_at=timezone.now(), last_error="TimeoutError: timed out"
    )
    migration.forget_addresses(apps, None)
    rows = {row.key: row for row in Notification.objects.all()}
    # Not sent late: it may no longer be true (team managers see it as failed).
    assert (rows["old:down"].status, rows["old:down"].last_error) == (
        "failed",
        "ConnectionRefusedError",
    )
    assert (rows["old:refused"].status, rows["old:refused"].last_error) == (
        "failed",
        "SMTPRecipientsRefused: 550",
    )
    assert (rows["old:long-ago"].status, rows["old:long-ago"].last_error) == (
        "failed",
        "TimeoutError",
    )

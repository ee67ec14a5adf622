"""The notification outbox: the only way the portal sends email.

Services call ``notify()`` inside their own transaction, so a message exists
exactly when the change that caused it was committed. The worker's sweep
delivers due rows, each at least once and, after a worker is killed mid-send,
at most twice; SMTP or Redis being down delays a message (retried for
``OUTBOX_GIVE_UP_DAYS``), and only a recipient refused for good fails it.

Emails carry no child, health or personal details beyond the recipient's own
first name: a neutral sentence and a link.
"""

import errno
import hashlib
import logging
import smtplib
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import parseaddr
from functools import reduce
from operator import or_

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import timezone

from .models import Notification

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes
    mimetype: str


class AttachmentUnavailable(Exception):
    """A builder could not produce its attachment; the email goes without it."""


AttachmentBuilder = Callable[[dict], Attachment]
_builders: dict[str, AttachmentBuilder] = {}


def register_attachment_builder(kind: str, builder: AttachmentBuilder) -> None:
    """Apps register builders for attachments they own (from ``AppConfig.ready``)."""
    _builders[kind] = builder


def notify(
    *,
    key: str,
    to: str,
    template: str,
    context: dict | None = None,
    due_at: datetime | None = None,
    attachments: Iterable[dict] = (),
) -> Notification:
    """Queue one email. Idempotent on ``key``: a second call returns the first row.

    Call it inside the transaction that makes the change the email is about.
    """
    notification, created = Notification.objects.get_or_create(
        key=key,
        defaults={
            "to": to,
            "template": template,
            "context": context or {},
            "due_at": due_at or timezone.now(),
            "next_attempt_at": due_at or timezone.now(),
            "attachments": list(attachments),
        },
    )
    if created and notification.due_at <= timezone.now():
        transaction.on_commit(lambda: _kick(notification.pk))
    return notification


def queued_keys(keys: Iterable[str]) -> set[str]:
    """Which of ``keys`` the outbox holds already (one query): a sweep that would
    ``notify`` for many keys passes over those, rather than asking once a key."""
    return set(Notification.objects.filter(key__in=list(keys)).values_list("key", flat=True))


def notify_new(messages: Iterable[dict]) -> list[Notification]:
    """Queue several emails in one INSERT: ``notify``'s arguments, one dict per email.

    Only for keys that cannot exist yet (they name a row made in the same
    transaction), so there is nothing to look up first; a key that does exist
    fails the whole transaction rather than sending twice. Services that hold a
    lock use it to keep the time they hold it short.
    """
    now = timezone.now()
    rows = [
        Notification(
            key=message["key"],
            to=message["to"],
            template=message["template"],
            context=message.get("context") or {},
            due_at=message.get("due_at") or now,
            next_attempt_at=message.get("due_at") or now,
            attachments=list(message.get("attachments", ())),
        )
        for message in messages
    ]
    created = Notification.objects.bulk_create(rows)
    for notification in created:
        if notification.due_at <= now:
            transaction.on_commit(lambda pk=notification.pk: _kick(pk))
    return created


def _kick(notification_pk: int) -> None:
    """Ask the worker to deliver now rather than at the next sweep.

    A broker that is down only costs the shortcut: the row is already
    committed, and the beat sweep delivers it.
    """
    from .queueing import task_queue
    from .tasks import deliver_notification

    task_queue(
        task=deliver_notification,
        args=(notification_pk,),
        what=f"notification {notification_pk}: the sweep will deliver it",
    )


def notifications_withdraw(
    *, keys: Iterable[str] = (), key_prefix: str = "", key_prefixes: Iterable[str] = ()
) -> int:
    """Withdraw messages not yet sent, e.g. reminders for a cancelled booking.

    By exact keys, or by one or several key prefixes (in one UPDATE).
    """
    queryset = Notification.objects.pending()
    prefixes = [key_prefix] if key_prefix else list(key_prefixes)
    if prefixes:
        queryset = queryset.filter(reduce(or_, (Q(key__startswith=p) for p in prefixes)))
    else:
        queryset = queryset.filter(key__in=list(keys))
    return queryset.update(withdrawn_at=timezone.now())


def retry_delay(attempts: int) -> timedelta:
    """Exponential backoff: 1, 2, 4 ... minutes, at most ``OUTBOX_RETRY_MAX_MINUTES``."""
    doubling = 2 ** min(max(attempts - 1, 0), 20)
    return timedelta(minutes=min(doubling, settings.OUTBOX_RETRY_MAX_MINUTES))


def deliver_due(*, limit: int | None = None, now: datetime | None = None) -> int:
    """Send every due message. Safe to run in several workers at once.

    Each batch is claimed in a short transaction (SKIP LOCKED, then a lease in
    ``claimed_until``); every message is then sent outside any lock and marked
    sent in its own transaction. A worker killed mid-batch leaves at most the one
    message it was sending unrecorded: the relay may have it, and another sweep
    sends it again once the lease has passed. The sweep takes no new message once
    ``OUTBOX_SWEEP_BUDGET_SECONDS`` have passed, and stops cleanly on Celery's soft
    time limit. Returns how many were sent.
    """
    limit = limit or settings.OUTBOX_BATCH_SIZE
    stop_at = time.monotonic() + settings.OUTBOX_SWEEP_BUDGET_SECONDS
    sent = 0
    batch: list[Notification] = []
    try:
        while time.monotonic() < stop_at:
            batch = _claim(Notification.objects.due(now), limit=limit, now=now)
            claimed = len(batch)
            try:
                while batch and time.monotonic() < stop_at:
                    sent += _deliver(batch[0], now=now)
                    batch.pop(0)
            except SoftTimeLimitExceeded:
                # Whether the relay took the message in hand is unknown: it keeps its lease.
                if batch:
                    batch.pop(0)
                raise
            finally:
                _release(batch)
            if claimed < limit and not batch:
                return sent  # everything due has been tried
    except SoftTimeLimitExceeded:
        logger.warning("Outbox sweep stopped by the time limit after %s sent", sent)
        return sent
    logger.info("Outbox sweep used its time after %s sent; the next sweep goes on", sent)
    return sent


def deliver_one(notification_pk: int) -> bool:
    """Send one message now if it is due and unsent (the on-commit shortcut)."""
    claimed = _claim(Notification.objects.due().filter(pk=notification_pk), limit=1)
    if not claimed:
        return False
    try:
        return bool(_deliver(claimed[0]))
    except SoftTimeLimitExceeded:
        # Whether the relay took it is unknown: the sweep sends it after the lease.
        logger.warning("Notification %s cut off by the time limit", notification_pk)
        return False


def _claim(queryset, *, limit: int, now: datetime | None = None) -> list[Notification]:
    """Take up to ``limit`` rows for this worker: a lease, committed at once."""
    lease_until = (now or timezone.now()) + timedelta(seconds=settings.OUTBOX_LEASE_SECONDS)
    with transaction.atomic():
        batch = list(queryset.select_for_update(skip_locked=True).order_by("due_at", "id")[:limit])
        Notification.objects.filter(pk__in=[n.pk for n in batch]).update(claimed_until=lease_until)
    for notification in batch:
        notification.claimed_until = lease_until
    return batch


def _release(batch: list[Notification]) -> None:
    """Hand back claimed rows this sweep did not try, for the next sweep."""
    if batch:
        Notification.objects.filter(
            pk__in=[n.pk for n in batch], claimed_until__in={n.claimed_until for n in batch}
        ).update(claimed_until=None)


def _renew(notification: Notification, *, now: datetime | None) -> bool:
    """Extend this sweep's lease just before sending.

    The lease value is this sweep's token: if it has changed, another sweep took
    the row after the lease passed, or it was sent or withdrawn meanwhile.
    """
    lease_until = (now or timezone.now()) + timedelta(seconds=settings.OUTBOX_LEASE_SECONDS)
    renewed = (
        Notification.objects.pending()
        .filter(pk=notification.pk, claimed_until=notification.claimed_until)
        .update(claimed_until=lease_until)
    )
    if renewed:
        notification.claimed_until = lease_until
    return bool(renewed)


def _deliver(notification: Notification, *, now: datetime | None = None) -> int:
    if not _renew(notification, now=now):
        return 0
    try:
        message = build_message(notification)
        message.send(fail_silently=False)
    except SoftTimeLimitExceeded:
        raise  # the worker is being stopped; the relay may have taken the message
    except Exception as exc:  # noqa: BLE001 - every failure is recorded and retried
        _record_failure(notification, exc, now=now or timezone.now())
        return 0
    # Its own transaction: a sent message stays recorded whatever happens to the rest.
    Notification.objects.filter(pk=notification.pk).update(
        attempts=F("attempts") + 1, sent_at=timezone.now(), last_error="", claimed_until=None
    )
    logger.info("Notification %s sent (%s)", notification.pk, notification.template)
    return 1


def _record_failure(notification: Notification, exc: Exception, *, now: datetime) -> None:
    attempts = notification.attempts + 1
    refused = refused_for_good(exc)
    give_up_at = notification.due_at + timedelta(days=settings.OUTBOX_GIVE_UP_DAYS)
    failed_at = now if refused or now >= give_up_at else None
    error = failure_description(exc)
    # Only while the lease is still this sweep's: never over another sweep's outcome.
    Notification.objects.filter(
        pk=notification.pk, claimed_until=notification.claimed_until
    ).update(
        attempts=F("attempts") + 1,
        last_error=error,
        failed_at=failed_at,
        next_attempt_at=now + retry_delay(attempts),
        claimed_until=None,
    )
    logger.warning(
        "Notification %s failed (attempt %s, %s): %s",
        notification.pk,
        attempts,
        "given up" if failed_at else "will retry",
        error,
    )


def refused_for_good(exc: Exception) -> bool:
    """A permanent refusal of the recipient (SMTP 5xx), as opposed to a relay that is
    down, slow, busy (4xx) or refusing us for reasons that a retry may outlast."""
    if not isinstance(exc, smtplib.SMTPRecipientsRefused) or not exc.recipients:
        return False
    return all(500 <= _code(answer) < 600 for answer in exc.recipients.values())


def failure_description(exc: Exception) -> str:
    """The exception's class and SMTP code (or OS error name): never its message, which
    may hold the recipient's address or the relay's words about them."""
    name = type(exc).__name__
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = sorted({_code(answer) for answer in exc.recipients.values()})
        return f"{name}: {' '.join(str(code) for code in codes)}".strip(": ")
    if isinstance(getattr(exc, "smtp_code", None), int):
        return f"{name}: {exc.smtp_code}"
    if isinstance(exc, OSError) and exc.errno in errno.errorcode:
        return f"{name}: {errno.errorcode[exc.errno]}"
    return name


def _code(answer) -> int:
    try:
        return int(answer[0])
    except (TypeError, ValueError, IndexError):
        return 0


def message_id(key: str) -> str:
    """A Message-ID fixed by the key, so mail clients fold a rare repeat into one."""
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "localhost"
    return f"<{digest}.outbox@{domain}>"


@dataclass(frozen=True)
class OutboxAttention:
    """What team managers should know about the outbox: counts only, never recipients."""

    failed: int
    waiting: int
    failed_days: int
    waiting_minutes: int
    give_up_days: int
    retry_minutes: int


def outbox_attention(*, now: datetime | None = None) -> OutboxAttention:
    """Messages given up lately, and messages still unsent long after they fell due.

    Two counts on the unsent rows' index, however long the outbox is.
    """
    now = now or timezone.now()
    failed_days = settings.OUTBOX_FAILED_SHOWN_DAYS
    waiting_minutes = settings.OUTBOX_WAITING_ALERT_MINUTES
    return OutboxAttention(
        failed=Notification.objects.failed_since(now - timedelta(days=failed_days)).count(),
        waiting=Notification.objects.waiting_since(
            now - timedelta(minutes=waiting_minutes)
        ).count(),
        failed_days=failed_days,
        waiting_minutes=waiting_minutes,
        give_up_days=settings.OUTBOX_GIVE_UP_DAYS,
        retry_minutes=settings.OUTBOX_RETRY_MAX_MINUTES,
    )


def build_message(notification: Notification) -> EmailMultiAlternatives:
    context = {
        "agency_name": settings.AGENCY_NAME,
        "agency_email": settings.AGENCY_EMAIL,
        "agency_phone": settings.AGENCY_PHONE,
        "site_url": settings.SITE_URL,
        **notification.context,
    }
    attachments: list[Attachment] = []
    for spec in notification.attachments:
        builder = _builders.get(spec.get("kind", ""))
        try:
            if builder is None:
                raise AttachmentUnavailable(f"no builder for {spec.get('kind')!r}")
            attachments.append(builder(spec))
        except AttachmentUnavailable as exc:
            logger.warning("Notification %s: attachment left out (%s)", notification.pk, exc)
            context["attachment_missing"] = True
    base = f"emails/{notification.template}"
    subject = render_to_string(f"{base}.subject.txt", context).strip().replace("\n", " ")
    text = render_to_string(f"{base}.txt", context)
    # The layout shows the subject as the email's heading (templates/emails/layout.html).
    html = render_to_string(f"{base}.html", {**context, "email_subject": subject})
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[notification.to],
        headers={"X-Portal-Message": notification.key, "Message-ID": message_id(notification.key)},
    )
    message.attach_alternative(html, "text/html")
    for attachment in attachments:
        message.attach(attachment.filename, attachment.content, attachment.mimetype)
    return message


# -- retention -------------------------------------------------------------------------------


def delivered_due(today):
    """Emails sent more than ``OUTBOX_DELIVERED_RETENTION_DAYS`` before ``today``."""
    cutoff = today - timedelta(days=settings.OUTBOX_DELIVERED_RETENTION_DAYS)
    return Notification.objects.filter(sent_at__isnull=False, sent_at__date__lt=cutoff).order_by()


def delivered_delete(batch, now) -> None:
    Notification.objects.filter(pk__in=[notification.pk for notification in batch]).delete()


def retention_classes():
    from .retention import DELETE, RetentionClass

    return [
        RetentionClass(
            key="portal.outbox_delivered",
            title="Emails sent",
            covers="the outbox's copy of each email we sent (address and contents)",
            period=lambda: f"{settings.OUTBOX_DELIVERED_RETENTION_DAYS} days",
            runs_from="the day it was sent",
            action=DELETE,
            due=delivered_due,
            apply=delivered_delete,
            setting="OUTBOX_DELIVERED_RETENTION_DAYS",
        )
    ]

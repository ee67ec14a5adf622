"""The notification outbox: the only way the portal sends email.

Services call ``notify()`` inside their own transaction, so a message exists
exactly when the change that caused it was committed. The worker's sweep
delivers due rows; SMTP or Redis being down delays a message, never loses it.

Emails carry no child, health or personal details beyond the recipient's own
first name: a neutral sentence and a link.
"""

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
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
    from .tasks import deliver_notification

    try:
        deliver_notification.apply_async(args=[notification_pk], retry=False)
    except Exception as exc:  # noqa: BLE001 - any broker failure leaves the row for the sweep
        logger.warning(
            "Could not queue notification %s; the sweep will deliver it (%s: %s)",
            notification_pk,
            type(exc).__name__,
            exc,
        )


def notifications_withdraw(*, keys: Iterable[str] = (), key_prefix: str = "") -> int:
    """Withdraw messages not yet sent, e.g. reminders for a cancelled booking."""
    queryset = Notification.objects.pending()
    if key_prefix:
        queryset = queryset.filter(key__startswith=key_prefix)
    else:
        queryset = queryset.filter(key__in=list(keys))
    return queryset.update(withdrawn_at=timezone.now())


def retry_delay(attempts: int) -> timedelta:
    """Exponential backoff: 1, 2, 4 ... minutes, at most six hours."""
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 360))


def deliver_due(*, limit: int | None = None, now: datetime | None = None) -> int:
    """Send every due message once. Safe to run in several workers at once.

    Rows are claimed with SKIP LOCKED, so two sweeps never take the same row;
    a sent row is never sent again. Returns how many were sent.
    """
    limit = limit or settings.OUTBOX_BATCH_SIZE
    sent = 0
    while True:
        with transaction.atomic():
            batch = list(
                Notification.objects.due(now)
                .select_for_update(skip_locked=True)
                .order_by("due_at", "id")[:limit]
            )
            for notification in batch:
                sent += _deliver(notification)
        if len(batch) < limit:
            return sent


def deliver_one(notification_pk: int) -> bool:
    """Send one message now if it is due and unsent (the on-commit shortcut)."""
    with transaction.atomic():
        notification = (
            Notification.objects.due()
            .select_for_update(skip_locked=True)
            .filter(pk=notification_pk)
            .first()
        )
        if notification is None:
            return False
        return bool(_deliver(notification))


def _deliver(notification: Notification) -> int:
    now = timezone.now()
    try:
        message = build_message(notification)
        message.send(fail_silently=False)
    except Exception as exc:  # noqa: BLE001 - every failure is recorded and retried
        notification.attempts += 1
        notification.last_error = f"{type(exc).__name__}: {exc}"[:2000]
        if notification.attempts >= settings.OUTBOX_MAX_ATTEMPTS:
            notification.failed_at = now
        notification.next_attempt_at = now + retry_delay(notification.attempts)
        notification.save(update_fields=["attempts", "last_error", "failed_at", "next_attempt_at"])
        logger.warning(
            "Notification %s failed (attempt %s): %s",
            notification.pk,
            notification.attempts,
            type(exc).__name__,
        )
        return 0
    notification.attempts += 1
    notification.sent_at = now
    notification.last_error = ""
    notification.save(update_fields=["attempts", "sent_at", "last_error"])
    logger.info("Notification %s sent (%s)", notification.pk, notification.template)
    return 1


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
        headers={"X-Portal-Message": notification.key},
    )
    message.attach_alternative(html, "text/html")
    for attachment in attachments:
        message.attach(attachment.filename, attachment.content, attachment.mimetype)
    return message

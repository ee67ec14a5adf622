"""Sweeps running at once on PostgreSQL: each message is sent by exactly one of them.

Rows are no longer locked while they are sent; the lease taken in the claim's short
transaction is what keeps a second sweep away from them.
"""

import threading
from collections import Counter

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.db import connection

from portal.models import Notification
from portal.notifications import deliver_due

pytestmark = pytest.mark.django_db(transaction=True)

SWEEPS = 3
MESSAGES = 60


def test_sweeps_at_once_send_each_message_exactly_once(require_postgres, settings, monkeypatch):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox = []
    Notification.objects.bulk_create(
        Notification(
            key=f"together:{n:02d}", to="someone@example.com", template="portal/staff_welcome"
        )
        for n in range(MESSAGES)
    )
    real_send = EmailMultiAlternatives.send

    senders: set[int] = set()
    guard = threading.Lock()
    two_sending = threading.Event()

    def slow_send(self, fail_silently=False):
        # A relay that holds each sweep's first message until a second sweep is
        # sending too, so the sweeps do overlap (the wait is a safety net only: the
        # outcome is checked by counting which sweeps sent, below).
        with guard:
            senders.add(threading.get_ident())
            if len(senders) >= 2:
                two_sending.set()
        two_sending.wait(timeout=30)
        return real_send(self, fail_silently=fail_silently)

    monkeypatch.setattr(EmailMultiAlternatives, "send", slow_send)
    start = threading.Barrier(SWEEPS)
    sent_by_sweep = [0] * SWEEPS
    errors = []

    def sweep(n: int) -> None:
        try:
            start.wait()
            sent_by_sweep[n] = deliver_due(limit=5)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep, args=(n,)) for n in range(SWEEPS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    print(f"sent by each sweep: {sent_by_sweep}")
    assert errors == []
    # The sweeps overlapped: while one held its claimed rows, another claimed others.
    assert two_sending.is_set()
    assert sum(1 for sent in sent_by_sweep if sent) >= 2, sent_by_sweep
    copies = Counter(message.extra_headers["X-Portal-Message"] for message in mail.outbox)
    assert len(copies) == MESSAGES
    assert set(copies.values()) == {1}
    assert sum(sent_by_sweep) == MESSAGES
    assert Notification.objects.filter(sent_at__isnull=True).count() == 0
    assert Notification.objects.filter(claimed_until__isnull=False).count() == 0

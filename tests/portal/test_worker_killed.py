"""Real workers against a slow SMTP relay: killed mid-sweep, or outlasting the time limit.

A real Celery worker (prefork, as in production) delivers from Redis to an SMTP sink
that takes its time over every message and, in the middle of a batch, takes one
message and holds back its answer. While the worker waits for that answer it is killed
with SIGKILL. A second worker finishes the outbox. Every key arrives, and the only
repeat allowed is the one message that was in flight when the worker died: the relay
had it, the dead worker never learned so. The repeat carries the same Message-ID.
"""

import asyncio
import email
import os
import signal
import subprocess
import threading
import time
from collections import Counter
from email import policy
from pathlib import Path

import pytest
from django.conf import settings as django_settings

from portal.models import Notification
from tests.conftest import celery_worker_argv
from tests.portal.test_worker import database_url

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.redis]

ROOT = Path(__file__).resolve().parents[2]

MESSAGES = 30
BATCH = 10
HOLD_AFTER = 13  # the 14th message, in the middle of the second batch, is held


class SlowRelay:
    """An SMTP handler that answers each message after a pause and can hold one."""

    def __init__(self, *, pause: float, hold_after: int):
        self.messages = []
        self.pause = pause
        self.hold_after = hold_after
        self.holding = threading.Event()
        self.released = threading.Event()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        await asyncio.sleep(self.pause)
        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        # The relay has the message; the held one's answer never reaches a killed worker.
        if len(self.messages) == self.hold_after + 1 and not self.released.is_set():
            self.holding.set()
            while not self.released.is_set():
                await asyncio.sleep(0.05)
        return "250 Message accepted for delivery"

    def wait_until(self, condition, what: str, timeout: float = 180.0) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            assert time.monotonic() < deadline, f"{what}: {len(self.messages)} messages arrived"
            time.sleep(0.05)


@pytest.fixture
def slow_relay():
    import socket

    from aiosmtpd.controller import Controller

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    relay = SlowRelay(pause=0.1, hold_after=HOLD_AFTER)
    controller = Controller(relay, hostname="127.0.0.1", port=port)
    controller.start()
    relay.url = f"smtp://127.0.0.1:{port}"
    try:
        yield relay
    finally:
        relay.released.set()
        controller.stop()


@pytest.fixture
def start_worker(require_postgres, require_redis, slow_relay, tmp_path):
    started = []

    def start(name: str, **extra_env: str) -> subprocess.Popen:
        """Start a worker with beat; an empty value in ``extra_env`` unsets the variable."""
        env = {
            **os.environ,
            "DATABASE_URL": database_url(),
            "REDIS_URL": django_settings.REDIS_URL,
            "EMAIL_URL": slow_relay.url,
            # Longer than the test holds a message, so the held send never times out.
            "EMAIL_TIMEOUT": "120",
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "OUTBOX_SWEEP_SECONDS": "1",
            "OUTBOX_BATCH_SIZE": str(BATCH),
            # A dead worker's claim is taken again after this; the default is minutes.
            "OUTBOX_LEASE_SECONDS": "5",
            "CONN_MAX_AGE": "0",
            **extra_env,
        }
        env = {key: value for key, value in env.items() if value != ""}
        log = (tmp_path / f"{name}.log").open("w")
        process = subprocess.Popen(
            celery_worker_argv(pool="prefork", schedule=tmp_path / f"{name}-celerybeat-schedule"),
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        started.append((name, process, log))
        return process

    yield start
    for name, process, log in started:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=20)
        log.close()
        print(f"--- {name}", (tmp_path / f"{name}.log").read_text()[-4000:])


def test_a_worker_killed_mid_batch_delivers_each_message_once(slow_relay, start_worker):
    keys = [f"killed-worker:{n:02d}" for n in range(MESSAGES)]
    # Created without the on-commit shortcut: only the beat sweep sends these.
    Notification.objects.bulk_create(
        Notification(key=key, to=f"person{n}@example.com", template="portal/staff_welcome")
        for n, key in enumerate(keys)
    )

    first = start_worker("first")
    slow_relay.wait_until(slow_relay.holding.is_set, "the relay never held a message")
    os.killpg(first.pid, signal.SIGKILL)
    first.wait(timeout=20)
    arrived_before_kill = len(slow_relay.messages)
    sent_before_kill = Notification.objects.filter(sent_at__isnull=False).count()
    slow_relay.released.set()
    assert arrived_before_kill == HOLD_AFTER + 1
    assert 0 < sent_before_kill < MESSAGES, "the first worker was not killed mid-sweep"

    start_worker("second")
    slow_relay.wait_until(
        lambda: {str(m["X-Portal-Message"]) for m in slow_relay.messages} == set(keys),
        "the second worker did not deliver every message",
    )
    deadline = time.monotonic() + 60
    while Notification.objects.filter(sent_at__isnull=True).exists():
        assert time.monotonic() < deadline, "not every message was recorded as sent"
        time.sleep(0.2)

    copies = Counter(str(m["X-Portal-Message"]) for m in slow_relay.messages)
    repeats = sum(count - 1 for count in copies.values())
    print(
        f"{MESSAGES} keys, {len(slow_relay.messages)} messages, {repeats} repeat(s); "
        f"{arrived_before_kill} arrived and {sent_before_kill} were recorded before the kill"
    )
    assert set(copies) == set(keys)
    assert repeats <= 1, copies.most_common(3)
    # A repeat is the same message to mail clients: one Message-ID per key.
    message_ids: dict[str, set[str]] = {}
    for message in slow_relay.messages:
        message_ids.setdefault(str(message["X-Portal-Message"]), set()).add(
            str(message["Message-ID"])
        )
    assert all(len(ids) == 1 for ids in message_ids.values())
    assert len({ids.pop() for ids in message_ids.values()}) == MESSAGES


def test_a_slow_relay_ends_each_sweep_inside_the_time_limit(slow_relay, start_worker, tmp_path):
    """A relay slow enough that one batch outlasts the task time limit.

    The earlier sweep sent its whole batch in one transaction: cut off at the hard
    limit, it rolled back and sent the batch again at every sweep. Now a sweep takes
    no new message after its time budget, well inside the soft limit, and the next
    sweep carries on: every message arrives once.
    """
    messages = 50
    slow_relay.pause = 0.5  # 50 messages take at least 25 s: more than the 20 s hard limit
    slow_relay.hold_after = -1
    keys = [f"slow-relay:{n:02d}" for n in range(messages)]
    Notification.objects.bulk_create(
        Notification(key=key, to="someone@example.com", template="portal/staff_welcome")
        for key in keys
    )
    # The sweep's budget (5 s) and lease (40 s) follow from these, as in production.
    worker = start_worker(
        "slow",
        CELERY_TASK_SOFT_TIME_LIMIT="10",
        CELERY_TASK_TIME_LIMIT="20",
        OUTBOX_BATCH_SIZE="50",
        OUTBOX_SWEEP_BUDGET_SECONDS="",
        OUTBOX_LEASE_SECONDS="",
    )
    slow_relay.wait_until(
        lambda: {str(m["X-Portal-Message"]) for m in slow_relay.messages} == set(keys),
        "the worker did not deliver every message",
    )
    deadline = time.monotonic() + 60
    while Notification.objects.filter(sent_at__isnull=True).exists():
        assert time.monotonic() < deadline, "not every message was recorded as sent"
        time.sleep(0.2)
    copies = Counter(str(m["X-Portal-Message"]) for m in slow_relay.messages)
    print(f"{messages} keys, {len(slow_relay.messages)} messages")
    assert set(copies.values()) == {1}, copies.most_common(3)
    assert set(Notification.objects.values_list("attempts", flat=True)) == {1}
    os.killpg(worker.pid, signal.SIGTERM)
    worker.wait(timeout=30)
    log = (tmp_path / "slow.log").read_text()
    # The sweeps ended on their budget, never on the time limits.
    assert "used its time" in log
    assert "SoftTimeLimitExceeded" not in log and "stopped by the time limit" not in log
    assert "Hard time limit" not in log

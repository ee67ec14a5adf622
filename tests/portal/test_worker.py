"""A real Celery worker process, on Redis, delivering to a real SMTP server."""

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import connection, transaction

from portal.models import Notification
from portal.notifications import notify
from tests.conftest import celery_worker_argv

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.redis]

ROOT = Path(__file__).resolve().parents[2]


def database_url() -> str:
    db = connection.settings_dict
    user = db["USER"] or "postgres"
    host = db["HOST"] or "127.0.0.1"
    port = db["PORT"] or 5432
    return f"postgres://{user}@{host}:{port}/{db['NAME']}"


@pytest.fixture
def worker(require_postgres, require_redis, smtp_sink, tmp_path):
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "REDIS_URL": django_settings.REDIS_URL,
        "EMAIL_URL": smtp_sink.url,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "OUTBOX_SWEEP_SECONDS": "1",
        "CONN_MAX_AGE": "0",
    }
    log = (tmp_path / "worker.log").open("w")
    process = subprocess.Popen(
        celery_worker_argv(pool="solo", schedule=tmp_path / "celerybeat-schedule"),
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        yield process
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
        log.close()
        print((tmp_path / "worker.log").read_text()[-5000:])  # shown by pytest on failure


def test_a_worker_on_redis_delivers_to_smtp(worker, smtp_sink, celery_broker):
    with celery_broker(django_settings.REDIS_URL), transaction.atomic():
        notify(key="worker-test:queued", to="queued@example.com", template="portal/staff_welcome")
    # Created without the on-commit shortcut: only the beat sweep can send this one.
    Notification.objects.create(
        key="worker-test:swept", to="swept@example.com", template="portal/staff_welcome"
    )
    received = smtp_sink.wait_for(lambda m: len(smtp_sink.messages) >= 2, timeout=60)
    recipients = sorted(str(m["To"]) for m in received)
    assert recipients == ["queued@example.com", "swept@example.com"]
    assert received[0]["Subject"] == "Your staff account is ready"
    # The worker records a message as sent when its transaction commits, just after SMTP.
    deadline = time.monotonic() + 30
    while Notification.objects.filter(sent_at__isnull=False).count() < 2:
        assert time.monotonic() < deadline, "the worker did not record both messages as sent"
        time.sleep(0.2)

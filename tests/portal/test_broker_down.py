"""Redis unreachable when a notification is created: the row waits for the sweep."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core import mail

from portal.models import Notification
from portal.notifications import deliver_due
from tests.portal.test_worker import database_url

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[2]

CREATE = """
from django.db import transaction
from portal.notifications import notify
with transaction.atomic():
    notify(key="broker-down:1", to="someone@example.com", template="portal/staff_welcome")
print("created")
"""


def test_a_notification_made_while_redis_is_down_is_delivered_by_the_sweep(
    require_postgres, settings
):
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "REDIS_URL": "redis://127.0.0.1:1/0",  # nothing listens on port 1
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "CONN_MAX_AGE": "0",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", CREATE],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "created" in result.stdout
    assert "the sweep will deliver it" in result.stderr
    assert Notification.objects.get(key="broker-down:1").status == "pending"

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert deliver_due() == 1
    assert len(mail.outbox) == 1
    assert Notification.objects.get(key="broker-down:1").status == "sent"

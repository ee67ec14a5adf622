"""Tasks queued inside a transaction are sent once it commits, never if it rolls back."""

import logging
from importlib import import_module

import pytest
from celery import Task, shared_task
from django.db import transaction

from portal.celery import app
from portal.queueing import TransactionAwareTask

pytestmark = pytest.mark.django_db
APPS = ("portal", "content", "enquiries", "carers", "placements")
ran: list[int] = []


@shared_task(ignore_result=True)
def remember(pk: int) -> int:
    ran.append(pk)
    return pk


@pytest.fixture(autouse=True)
def _nothing_ran():
    ran.clear()


@pytest.fixture
def registered():
    """Every app's tasks, as the worker finds them."""
    for label in APPS:
        import_module(f"{label}.tasks")
    return app.tasks


def test_a_task_queued_in_a_transaction_is_sent_after_the_commit(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        assert remember.delay(7) is None
        assert ran == []
    assert len(callbacks) == 1
    assert ran == [7]


def test_a_task_queued_in_a_transaction_rolled_back_is_never_sent(
    django_capture_on_commit_callbacks,
):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        remember.delay(8)
        raise RuntimeError("refused")
    assert callbacks == []
    assert ran == []


def test_outside_a_transaction_a_task_is_sent_at_once():
    assert remember.delay(9).get() == 9
    assert ran == [9]


def test_in_a_transaction_a_task_takes_primary_keys_only():
    with pytest.raises(TypeError), transaction.atomic():
        remember.apply_async(kwargs={"pk": 1})


def test_a_broker_down_after_the_commit_is_logged_and_the_commit_stands(
    django_capture_on_commit_callbacks, monkeypatch, caplog
):
    def broker_down(*args, **kwargs):
        raise ConnectionRefusedError

    monkeypatch.setattr(Task, "apply_async", broker_down)
    with (
        caplog.at_level(logging.WARNING, logger="portal.queueing"),
        django_capture_on_commit_callbacks(execute=True),
        transaction.atomic(),
    ):
        remember.delay(10)
    assert ran == []
    assert [r.getMessage() for r in caplog.records] == [
        "Could not queue a task; tests.portal.test_queueing.remember left undone after the "
        "commit (ConnectionRefusedError)"
    ]


def test_every_task_of_the_portal_is_transaction_aware(registered):
    ours = [task for name, task in registered.items() if name.split(".")[0] in APPS]
    assert len(ours) >= 10
    assert all(isinstance(task, TransactionAwareTask) for task in ours)


def test_each_beat_job_is_its_own_task_with_its_own_time_limit(settings, registered):
    scheduled = [entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()]
    assert len(scheduled) == len(set(scheduled))  # no task runs two beat jobs
    assert all(name in registered for name in scheduled)
    for name in (
        "portal.tasks.queue_overdue_digests",
        "placements.tasks.follow_social_workers",
        "placements.tasks.end_overtaken_temporary_approvals",
    ):
        task = registered[name]
        assert 0 < task.soft_time_limit < task.time_limit, name
    assert "placements.tasks.sweep" not in registered

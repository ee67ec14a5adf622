"""Thin tasks: they take primary keys and call services."""

from celery import shared_task

from . import deadlines, notifications


@shared_task(ignore_result=True)
def deliver_due_notifications() -> int:
    """Beat runs this every minute: send everything that is due."""
    return notifications.deliver_due()


@shared_task(ignore_result=True)
def deliver_notification(notification_pk: int) -> bool:
    """Queued on commit by ``notify`` so an urgent message need not wait for the sweep."""
    return notifications.deliver_one(notification_pk)


@shared_task(ignore_result=True, soft_time_limit=120, time_limit=150)
def queue_overdue_digests() -> int:
    """Beat runs this through the day; each working-day morning it queues one overdue
    digest per person, covering every app's deadlines."""
    return deadlines.overdue_digests_queue()


@shared_task(ignore_result=True)
def clear_expired_sessions() -> None:
    """Beat runs this daily: unsent form answers kept in expired sessions are deleted."""
    from importlib import import_module

    from django.conf import settings

    import_module(settings.SESSION_ENGINE).SessionStore.clear_expired()


@shared_task(ignore_result=True)
def apply_retention_schedule() -> int:
    """Beat: anonymise or delete what the retention schedule says is due (legal holds
    kept); returns how many records it changed."""
    from . import retention

    return retention.run().done

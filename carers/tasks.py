"""Thin tasks: primary keys in, services and reminders do the work."""

from celery import shared_task

from . import reminders, services


@shared_task(ignore_result=True)
def sweep_deadline_reminders() -> int:
    """Beat runs this through the day; each working-day morning it queues the overdue digests."""
    return reminders.overdue_digests_queue()


@shared_task(ignore_result=True)
def refresh_training_course(course_pk: int) -> int:
    """A course's rule changed: due dates and deadlines follow on every open household."""
    return services.training_course_refresh(course_pk=course_pk)

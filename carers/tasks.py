"""Thin tasks: primary keys in, services and reminders do the work."""

from celery import shared_task

from . import services


@shared_task(ignore_result=True)
def refresh_training_course(course_pk: int) -> int:
    """A course's rule changed: due dates and deadlines follow on every open household."""
    return services.training_course_refresh(course_pk=course_pk)


@shared_task(ignore_result=True, soft_time_limit=300, time_limit=330)
def queue_weekly_summaries() -> int:
    """Beat runs this hourly; on the agency's day and hour it queues each applicant's
    weekly summary of their own area, once a week."""
    return services.weekly_summaries_queue()

"""Thin tasks: primary keys in, services and reminders do the work."""

from celery import shared_task

from . import services


@shared_task(ignore_result=True)
def refresh_training_course(course_pk: int) -> int:
    """A course's rule changed: due dates and deadlines follow on every open household."""
    return services.training_course_refresh(course_pk=course_pk)

"""Thin tasks: the beat sweep calls the services and reminders that do the work."""

from celery import shared_task

from . import reminders, services


@shared_task(ignore_result=True)
def sweep() -> dict:
    """Beat runs this through the day: overdue digests each working-day morning, reminders
    re-addressed after a change of social worker, and reg 25A approvals the carers'
    approval has overtaken brought to an end."""
    return {
        "digests": reminders.overdue_digests_queue(),
        "readdressed": services.deadlines_follow_social_workers(),
        "approvals_ended": services.temporary_approvals_reconcile(),
    }

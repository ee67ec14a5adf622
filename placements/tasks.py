"""Thin tasks: beat calls each, and the services do the work.

Each job has its own time limit; a job cut off loses nothing (each placement is
changed in its own transaction) and the next run goes on. The overdue digest is one
task for every app: ``portal.tasks.queue_overdue_digests``.
"""

from celery import shared_task

from . import services


@shared_task(ignore_result=True, soft_time_limit=240, time_limit=300)
def follow_social_workers() -> int:
    """Re-address reminders after a household's social worker changed (a batch a run)."""
    return services.deadlines_follow_social_workers()


@shared_task(ignore_result=True, soft_time_limit=120, time_limit=150)
def end_overtaken_temporary_approvals() -> int:
    """Bring to an end the reg 25A approvals the carers' approval has overtaken."""
    return services.temporary_approvals_reconcile()


@shared_task(ignore_result=True, soft_time_limit=240, time_limit=300)
def generate_family_time_sessions() -> int:
    """Each plan in force gets its sessions a few weeks ahead (safe to run twice)."""
    return services.family_time_sessions_generate()


@shared_task(ignore_result=True, soft_time_limit=240, time_limit=300)
def queue_family_time_alerts() -> int:
    """Fewer sessions held than planned over the rolling window: tell the social worker."""
    return services.family_time_alerts_queue()


@shared_task(ignore_result=True, soft_time_limit=120, time_limit=150)
def cancel_unconfirmed_family_time() -> int:
    """Sessions today the parent did not confirm in time: cancelled, the carers told."""
    return services.family_time_unconfirmed_cancel()


@shared_task(ignore_result=True, soft_time_limit=120, time_limit=150)
def keep_family_time_figures() -> None:
    """The EP measures' family time figures before recent weeks, kept (counted only when
    gone or a week old)."""
    services.family_time_figures_keep()

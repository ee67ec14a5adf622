"""Thin tasks: they call services."""

from celery import shared_task

from . import services


@shared_task(ignore_result=True)
def build_information_pack() -> str:
    """Queued on commit when published content changes; safe to run twice."""
    return services.information_pack_refresh().digest

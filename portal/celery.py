"""The Celery application: one worker for every app, one beat for the sweeps."""

import os

from celery import Celery
from celery.signals import worker_init

from portal import broker

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

# make run's embedded broker (portalfs://, a folder) is known before the app connects.
broker.register()

# Every task is queued on commit when queued inside a transaction (portal/queueing.py).
app = Celery("portal", task_cls="portal.queueing:TransactionAwareTask")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_init.connect
def _preload_pdf_renderer(**kwargs) -> None:
    """The worker builds the information pack after each publish: load WeasyPrint once,
    before the pool forks (portal.pdf.preload)."""
    from portal import pdf

    pdf.preload()

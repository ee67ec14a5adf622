"""Queue Celery tasks from the request path without depending on the broker.

The broker (Redis) is optional on the request path: every task queued from a request is
a shortcut for work that also happens without it (the outbox sweep delivers due emails,
the next request builds the information pack) or that the caller then does itself. So a
broker that cannot be reached costs the shortcut, never the answer. After a failure this
process does not try again for ``REDIS_RETRY_SECONDS``: publishing to a broker that is
down waits for a connection timeout each time.

Every task of the portal is a ``TransactionAwareTask`` (``portal/celery.py``): queued
inside a transaction, it is sent once the transaction commits (never if it rolls
back), through ``task_queue``, so the worker never looks for a row that is not there
yet and a broker that is down after the commit costs only the shortcut.
"""

import logging
import time
from functools import partial

from celery import Task
from django.conf import settings
from django.db import transaction

logger = logging.getLogger(__name__)

_retry_at = 0.0


def task_queue(*, task, args: tuple = (), what: str) -> bool:
    """Queue ``task``; False, with one log line, if the broker cannot be reached now.

    ``what`` says in a few words what is left to do instead (it is logged).
    """
    global _retry_at
    if time.monotonic() < _retry_at:
        logger.info("Broker unavailable; not queued: %s", what)
        return False
    try:
        task.apply_async(args=list(args), retry=False)
    except Exception as exc:  # noqa: BLE001 - any broker failure leaves the work to others
        _retry_at = time.monotonic() + settings.REDIS_RETRY_SECONDS
        logger.warning("Could not queue a task; %s (%s)", what, type(exc).__name__)
        return False
    return True


def in_transaction() -> bool:
    """True inside a transaction of our own code (a test's wrapping transaction does not count).

    Tests run inside transactions that stand for autocommit, as Django's durable
    ``atomic`` does, so a task queued outside a service's transaction is sent at once
    there as it would be in production.
    """
    connection = transaction.get_connection()
    return any(not getattr(block, "_from_testcase", False) for block in connection.atomic_blocks)


class TransactionAwareTask(Task):
    """A task queued from inside a transaction is sent after it commits (pretix's pattern).

    Returns None in that case: there is nothing to wait for until the commit. Tasks
    take primary keys, so only positional arguments are accepted then.
    """

    def apply_async(self, args=None, kwargs=None, **options):
        if not in_transaction():
            return super().apply_async(args, kwargs, **options)
        if kwargs or options:
            raise TypeError(f"{self.name}: a task queued in a transaction takes primary keys only")
        transaction.on_commit(
            partial(
                task_queue,
                task=self,
                args=tuple(args or ()),
                what=f"{self.name} left undone after the commit",
            )
        )
        return None

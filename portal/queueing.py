"""Queue Celery tasks from the request path without depending on the broker.

The broker (Redis) is optional on the request path: every task queued from a request is
a shortcut for work that also happens without it (the outbox sweep delivers due emails,
the next request builds the information pack) or that the caller then does itself. So a
broker that cannot be reached costs the shortcut, never the answer. After a failure this
process does not try again for ``REDIS_RETRY_SECONDS``: publishing to a broker that is
down waits for a connection timeout each time.
"""

import logging
import time

from django.conf import settings

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

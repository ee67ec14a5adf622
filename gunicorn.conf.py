"""gunicorn reads this file from the working directory (the Dockerfile's /app)."""

import logging


def post_worker_init(worker):
    """The access log names the route, not a booking's token (portal/logroutes.py)."""
    from portal.logroutes import RouteNotCredential

    logging.getLogger("gunicorn.access").addFilter(RouteNotCredential())

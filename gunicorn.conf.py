"""gunicorn reads this file from the working directory (the Dockerfile's /app)."""

import logging


def when_ready(server):
    """Load the PDF renderer in the master before it forks the web workers, so a request
    that has to build a PDF does not import it first (portal.pdf.preload)."""
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    django.setup()
    from portal import pdf

    pdf.preload()


def post_worker_init(worker):
    """The access log names the route, not a booking's token (portal/logroutes.py)."""
    from portal.logroutes import RouteNotCredential

    logging.getLogger("gunicorn.access").addFilter(RouteNotCredential())

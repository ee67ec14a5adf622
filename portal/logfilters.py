"""Filters for the portal's logging configuration (``LOGGING`` in settings)."""

import logging


class ForbiddenOnOneLine(logging.Filter):
    """A refused request (403) is logged as one line, without the exception's traceback.

    Django logs each ``PermissionDenied`` with its traceback, which says nothing a
    refusal needs and, chained to the exception that caused it, can print two. The line
    keeps what matters: the status and the path (never the query string or the body).
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", None) == 403:
            record.exc_info = None
            record.exc_text = None
            record.stack_info = None
        return True

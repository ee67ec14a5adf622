"""Log the route, not the credential: a logging filter for request and access logs.

Search terms in a query string (``?q=``) are left out too: they can be names.

Some URLs carry the only credential of what they show (a booking's token, an
account's password-reset key). Logged as they are, the web server's access log and
Django's "Not Found" and CSRF warnings would hand them to anyone who reads the
logs. The filter resolves each path in a record and writes the route's name for
those parts instead: ``/bookings/<token>/cancel/``.
"""

import logging
import re
from collections.abc import Mapping

# URL arguments that are credentials, whichever app's route they belong to.
CREDENTIAL_ARGUMENTS = ("token", "key")

_PATH = re.compile(r"/[^\s\"'?#]*")
# What was typed in a search box (the staff search, an admin list's) can be a name.
_SEARCH_TERM = re.compile(r"([?&]q=)[^&\s\"'#]*")


def route_of(path: str) -> str:
    """``path`` with each credential argument of its route replaced by the argument's name."""
    from django.urls import Resolver404, resolve

    try:
        match = resolve(path)
    except (Resolver404, ValueError):
        return path
    for name in CREDENTIAL_ARGUMENTS:
        value = match.kwargs.get(name)
        if value:
            path = path.replace(str(value), f"<{name}>")
    return path


def _rewrite(text: str) -> str:
    text = _SEARCH_TERM.sub(r"\1<search>", text)
    return _PATH.sub(lambda found: route_of(found.group(0)), text)


class RouteNotCredential(logging.Filter):
    """Rewrites the paths in a record's message and arguments; never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            if isinstance(record.msg, str):
                record.msg = _rewrite(record.msg)
            if isinstance(record.args, Mapping):
                # gunicorn's access log passes its atoms as a mapping.
                for name, value in list(record.args.items()):
                    if isinstance(value, str):
                        record.args[name] = _rewrite(value)
            elif isinstance(record.args, tuple):
                record.args = tuple(
                    _rewrite(value) if isinstance(value, str) else value for value in record.args
                )
        except Exception:  # noqa: BLE001 - a log line must never break the request
            record.msg, record.args = "(log line withheld: it could not be checked)", ()
        return True

"""Caching of what the public sees, and its invalidation when content changes.

Every cached thing is keyed by the *content generation*, a token in the cache that
``content_generation_bump()`` replaces whenever published content changes. Old entries
are never looked up again and simply expire. The token lives in the shared cache (Redis
in production), so a publish is seen at once by the process that made it and by every
other web process within ``PUBLIC_CACHE_RECHECK_SECONDS`` (portal/pagecache.py keeps
pages and tokens in each process, so a cached page costs no round trip to Redis).
"""

from django.conf import settings

from enquiries.caching import EVENTS
from portal.pagecache import Generation, public_page

CONTENT = Generation("content:generation")


def content_generation() -> str:
    """The generation as it is in the shared cache now."""
    return CONTENT.fresh()


def content_generation_recent() -> str:
    """The generation as this process saw it at most PUBLIC_CACHE_RECHECK_SECONDS ago."""
    return CONTENT.current()


def content_generation_bump() -> None:
    CONTENT.bump()


def _seconds() -> int:
    return settings.CONTENT_CACHE_SECONDS


def cache_public_response(view, *, with_events: bool = False):
    """Serve anonymous GETs of a public page from the cache until content changes.

    Only plain 200 responses that set no cookies and carry no CSRF token are stored, so a
    page with a form or a one-off message is never shared between visitors. Signed-in
    people (editors previewing drafts) always get a fresh page. ``with_events``: the page
    lists information events too, so a change to them refreshes it.
    """
    generations = (CONTENT, EVENTS) if with_events else (CONTENT,)
    return public_page(generations=generations, seconds=_seconds)(view)

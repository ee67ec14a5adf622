"""Anonymous public pages served from memory, kept right by *generations*.

A generation is a token in the shared cache (Redis in production) that an app's
services replace (``Generation.bump()``) once a change to what its pages show has
committed. A page is stored under the tokens of the generations it depends on, so a
bump makes every page that depends on it miss; old entries are never looked up again
and expire.

Each page is stored twice: in the shared cache (a new web process does not render it
again) and in a small store inside the process, so that a hit costs no round trip to
Redis. Each process also keeps the tokens it has read for
``PUBLIC_CACHE_RECHECK_SECONDS`` (default 2) before reading them again. So a change
is seen at once by the process that made it, and by every other process within that
many seconds: a visitor of another process may see the page as it was a moment
before the change, as if they had loaded it a moment earlier.

Only plain 200 responses to anonymous GETs are stored, never one that sets a cookie,
carries a one-off message or says ``no-store``/``private``. A page with a form may be
stored only if its view says so (``csrf=True``): its CSRF token is swapped for a
placeholder when stored and each visitor gets their own token on the way out. A page is
keyed on its path and the query parameters its view reads (``query``), never on the
whole query string: ``?utm_source=...`` and the like make no new page.

When the shared cache cannot be reached (portal/cache.py), pages are served uncached:
this process could not see another's change. Changes made meanwhile never reached Redis,
so once it is back every generation starts anew.
"""

import functools
import hashlib
import re
import secrets
import threading
import time
import weakref
from collections import OrderedDict
from typing import NamedTuple
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils.cache import get_conditional_response

from .cache import when_reconnected

# Pages kept in each process (least recently used go first); ~12 KB each.
LOCAL_PAGES = 500
# The stored value's shape is part of the key, so a deploy never reads an older shape.
KEY_PREFIX = "page:v1"
HIT_HEADER = "X-Content-Cache"
CSRF_INPUT = re.compile(rb'name="csrfmiddlewaretoken" value="([A-Za-z0-9]+)"')

_generations: "weakref.WeakSet[Generation]" = weakref.WeakSet()


def _recheck_seconds() -> float:
    return settings.PUBLIC_CACHE_RECHECK_SECONDS


class Generation:
    """A token in the shared cache that changes whenever what it stands for changes."""

    def __init__(self, key: str):
        self.key = key
        self._seen: tuple[str, float] | None = None  # (token, when read, monotonic)
        _generations.add(self)

    def current(self, *, recheck_after: float | None = None) -> str:
        """The token, as read from the shared cache at most ``recheck_after`` seconds ago."""
        wait = _recheck_seconds() if recheck_after is None else recheck_after
        now = time.monotonic()
        seen = self._seen
        if seen is not None and now - seen[1] < wait:
            return seen[0]
        token = cache.get(self.key)
        if token is None:
            # First use, or the cache was emptied: start a new generation so nothing
            # stored under an older one can be served. Another process may start one at
            # the same moment (theirs wins); if the cache is emptied again in between,
            # ours serves until the next look.
            candidate = secrets.token_hex(8)
            cache.add(self.key, candidate, timeout=None)
            token = cache.get(self.key) or candidate
        self._seen = (token, now)
        return token

    def fresh(self) -> str:
        """The token as it is in the shared cache now (for writers and the worker)."""
        return self.current(recheck_after=0)

    def bump(self) -> None:
        token = secrets.token_hex(8)
        cache.set(self.key, token, timeout=None)
        self._seen = (token, time.monotonic())


class StoredPage(NamedTuple):
    content: bytes
    content_type: str
    etag: str  # empty when the page carries a CSRF token (it differs per visitor)
    csrf_placeholder: bytes  # empty when it carries none
    expires_at: float  # time.time()


class _LocalPages:
    """A bounded, least-recently-used store of pages inside this process."""

    def __init__(self, size: int):
        self.size = size
        self._pages: OrderedDict[str, StoredPage] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str, now: float) -> StoredPage | None:
        with self._lock:
            page = self._pages.get(key)
            if page is None:
                return None
            if page.expires_at <= now:
                del self._pages[key]
                return None
            self._pages.move_to_end(key)
            return page

    def put(self, key: str, page: StoredPage) -> None:
        with self._lock:
            self._pages[key] = page
            self._pages.move_to_end(key)
            while len(self._pages) > self.size:
                self._pages.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._pages.clear()


_local = _LocalPages(LOCAL_PAGES)
_recent_values: dict[str, tuple[object, float]] = {}


def recent_value(key: str):
    """``cache.get(key)``, remembered in this process for PUBLIC_CACHE_RECHECK_SECONDS.

    Only found values are remembered. For values stored under a generation's token
    (so a change gives them a new key) that may be a few seconds behind.
    """
    now = time.monotonic()
    seen = _recent_values.get(key)
    if seen is not None and now - seen[1] < _recheck_seconds():
        return seen[0]
    value = cache.get(key)
    if value is not None:
        if len(_recent_values) > 64:
            _recent_values.clear()
        _recent_values[key] = (value, now)
    return value


def recent_value_set(key: str, value, *, timeout: float) -> None:
    cache.set(key, value, timeout=timeout)
    _recent_values[key] = (value, time.monotonic())


def _shared_cache_reachable() -> bool:
    return getattr(cache, "reachable", True)


@when_reconnected
def _generations_restart() -> None:
    """The cache is back after an outage: bumps made meanwhile never reached it."""
    for generation in list(_generations):
        generation.bump()


def local_clear() -> None:
    """Forget everything this process remembers (tests; the shared cache is untouched)."""
    _local.clear()
    _recent_values.clear()
    for generation in _generations:
        generation._seen = None


def _key(request, generations, query) -> str:
    tokens = ".".join(generation.current() for generation in generations)
    params = [(name, value) for name in query for value in request.GET.getlist(name)]
    address = f"{request.path}?{urlencode(params)}"
    digest = hashlib.sha256(address.encode()).hexdigest()[:32]
    return f"{KEY_PREFIX}:{tokens}:{digest}"


def _respond(request, page: StoredPage) -> HttpResponse:
    content = page.content
    if page.csrf_placeholder:
        content = content.replace(page.csrf_placeholder, get_token(request).encode())
    response = HttpResponse(content, content_type=page.content_type)
    response[HIT_HEADER] = "hit"
    if page.etag:
        response["ETag"] = page.etag
        if "HTTP_IF_NONE_MATCH" in request.META:
            return get_conditional_response(request, etag=page.etag, response=response) or response
    return response


def _storable(request, response, *, csrf: bool, seconds: float) -> StoredPage | None:
    if (
        seconds <= 0
        or response.status_code != 200
        or response.streaming
        or response.cookies
        or {"no-store", "private"}
        & set(response.get("Cache-Control", "").replace(",", " ").split())
    ):
        return None
    content = response.content
    placeholder = b""
    if request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
        # The page holds this visitor's CSRF token (or the middleware is renewing their
        # cookie). Only a page that asked for it is stored, with a placeholder instead.
        if not csrf:
            return None
        tokens = set(CSRF_INPUT.findall(content))
        if len(tokens) != 1:
            return None
        placeholder = f"csrf-{secrets.token_hex(16)}".encode()
        content = content.replace(tokens.pop(), placeholder)
    etag = "" if placeholder else f'"{hashlib.sha256(content).hexdigest()[:32]}"'
    return StoredPage(content, response["Content-Type"], etag, placeholder, time.time() + seconds)


def public_page(*, generations, seconds, query: tuple[str, ...] = (), csrf: bool = False):
    """Serve anonymous GETs of a public page from the cache (see the module's notes).

    ``generations``: the Generations the page depends on. ``seconds``: a callable giving
    how long a page may be kept at most; the view may shorten it for one response by
    setting ``response.public_cache_seconds`` (e.g. until an event's booking closes).
    ``query``: the query parameters the view reads; any others are left out of the key
    (the view should also refuse to store a page for values it does not use as given).
    ``csrf``: the page has a form; store it with a placeholder for the CSRF token.
    """

    def decorate(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            if (
                request.method not in ("GET", "HEAD")
                or request.user.is_authenticated
                or get_messages(request)
            ):
                return view(request, *args, **kwargs)
            key = _key(request, generations, query)
            if not _shared_cache_reachable():
                return view(request, *args, **kwargs)
            now = time.time()
            page = _local.get(key, now)
            if page is None:
                stored = cache.get(key)
                if stored is not None and stored[4] > now:
                    page = StoredPage(*stored)
                    _local.put(key, page)
            if page is not None:
                return _respond(request, page)

            response = view(request, *args, **kwargs)
            if hasattr(response, "render") and callable(response.render):
                response = response.render()
            limit = seconds()
            chosen = getattr(response, "public_cache_seconds", None)
            page = _storable(
                request,
                response,
                csrf=csrf,
                seconds=limit if chosen is None else min(limit, chosen),
            )
            if page is not None and _shared_cache_reachable():
                _local.put(key, page)
                cache.set(key, tuple(page), timeout=max(1, int(page.expires_at - now) + 1))
                if page.etag:
                    response["ETag"] = page.etag
            return response

        return wrapped

    return decorate

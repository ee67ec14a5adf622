"""Caching of what the public sees, and its invalidation when content changes.

Every cached thing is keyed by the *content generation*, a token in the cache that
``content_generation_bump()`` replaces whenever published content changes. Old entries
are never looked up again and simply expire. The token lives in the shared cache (Redis
in production), so a publish in the web process is seen by every process at once.
"""

import functools
import hashlib
import secrets

from django.conf import settings
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.http import HttpResponse

GENERATION_KEY = "content:generation"


def content_generation() -> str:
    generation = cache.get(GENERATION_KEY)
    if generation is None:
        # First use, or the cache was emptied: start a new generation so nothing
        # cached under an older one can be served.
        cache.add(GENERATION_KEY, secrets.token_hex(8), timeout=None)
        generation = cache.get(GENERATION_KEY)
    return generation


def content_generation_bump() -> None:
    cache.set(GENERATION_KEY, secrets.token_hex(8), timeout=None)


def _response_key(request) -> str:
    path = hashlib.sha256(request.get_full_path().encode()).hexdigest()[:32]
    return f"content:response:{content_generation()}:{path}"


def cache_public_response(view):
    """Serve anonymous GETs of a public page from the cache.

    Only plain 200 responses that set no cookies are stored, so a page carrying a
    CSRF token or a one-off message is never shared between visitors. Signed-in
    people (editors previewing drafts) always get a fresh page.
    """

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.method not in ("GET", "HEAD") or request.user.is_authenticated:
            return view(request, *args, **kwargs)
        if get_messages(request):
            return view(request, *args, **kwargs)
        key = _response_key(request)
        stored = cache.get(key)
        if stored is not None:
            content, content_type = stored
            response = HttpResponse(content, content_type=content_type)
            response["X-Content-Cache"] = "hit"
            return response
        response = view(request, *args, **kwargs)
        if hasattr(response, "render") and callable(response.render):
            response = response.render()
        if response.status_code == 200 and not response.cookies and not response.streaming:
            cache.set(
                key,
                (response.content, response["Content-Type"]),
                timeout=settings.CONTENT_CACHE_SECONDS,
            )
        return response

    return wrapped

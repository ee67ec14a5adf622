"""Per-client rate limits for public POSTs, counted in the cache (Redis in production)."""

import time
from dataclasses import dataclass

from django.core.cache import cache
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """The client's address. Behind our proxy the last X-Forwarded-For hop is the client."""
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if forwarded:
        return forwarded.split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR", "unknown")


@dataclass(frozen=True)
class RateLimit:
    """At most ``limit`` hits per ``period`` seconds for one scope and client."""

    scope: str
    limit: int
    period: int

    def _key(self, request: HttpRequest) -> str:
        window = int(time.time()) // self.period
        return f"ratelimit:{self.scope}:{client_ip(request)}:{window}"

    def hit(self, request: HttpRequest) -> bool:
        """Count one attempt; False once the client is over the limit in this window."""
        key = self._key(request)
        if cache.add(key, 1, timeout=self.period):
            return True
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, timeout=self.period)
            return True
        return count <= self.limit

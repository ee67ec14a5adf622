"""Per-client rate limits for public POSTs, counted in the cache (Redis in production)."""

import hashlib
import time
from dataclasses import dataclass

from django.core.cache import cache
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """The client's address: ``ClientAddressMiddleware`` has already put the one it trusts
    into ``REMOTE_ADDR`` (a forwarded header from anyone but a trusted proxy is dropped)."""
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


@dataclass(frozen=True)
class AccountRateLimit:
    """At most ``limit`` failures per ``period`` seconds for one account, from any address.

    The account is named in the key only by a hash, so the cache holds no email address.
    """

    scope: str
    limit: int
    period: int

    def _key(self, account: str) -> str:
        window = int(time.time()) // self.period
        digest = hashlib.sha256(account.strip().lower().encode()).hexdigest()
        return f"ratelimit:{self.scope}:{digest}:{window}"

    def exceeded(self, account: str) -> bool:
        return (cache.get(self._key(account)) or 0) >= self.limit

    def hit(self, account: str) -> int:
        """Count one failure and return the count in this window."""
        key = self._key(account)
        if cache.add(key, 1, timeout=self.period):
            return 1
        try:
            return cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, timeout=self.period)
            return 1

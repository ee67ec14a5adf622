"""The shared cache (Redis), optional on the request path.

Redis holds cached pages, rate-limit counters and allauth's rate limits and used
authenticator codes. When it cannot be reached, a request must still get its real
answer, so ``FallbackRedisCache`` answers from this process's own memory instead of
raising: counters and limits go on counting per process, and the page cache, which
asks ``reachable``, serves pages uncached (another process's change could not be seen).

It logs one line when the cache goes and one when it is back, and does not try Redis
again for ``RETRY_SECONDS`` (an OPTIONS entry, default 5) after a failure, so a Redis
that hangs costs one connection timeout per interval, not one per call. When Redis is
back, the functions registered with ``when_reconnected`` run first (the page cache
starts new generations there: what changed during the outage never reached Redis).
"""

import logging
import threading
import time
from collections.abc import Callable

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

UNREACHABLE = (RedisConnectionError, RedisTimeoutError, ConnectionError, TimeoutError)
# Keys kept in memory while Redis is away (rate-limit counters, allauth's limits).
FALLBACK_MAX_ENTRIES = 10_000

_reconnected: list[Callable[[], None]] = []


def when_reconnected(function: Callable[[], None]) -> Callable[[], None]:
    """Run ``function`` whenever the shared cache is reachable again after an outage."""
    if function not in _reconnected:
        _reconnected.append(function)
    return function


class _Outage:
    """Whether one Redis location is down, shared by every thread of the process."""

    def __init__(self):
        self.lock = threading.Lock()
        self.down = False
        self.retry_at = 0.0


_outages: dict[str, _Outage] = {}


class FallbackRedisCache(RedisCache):
    """Django's RedisCache that falls back to process memory while Redis is unreachable."""

    def __init__(self, server, params):
        options = dict(params.get("OPTIONS", {}))
        self.retry_seconds = float(options.pop("RETRY_SECONDS", 5))
        super().__init__(server, {**params, "OPTIONS": options})
        location = server if isinstance(server, str) else ",".join(server)
        self._outage = _outages.setdefault(location, _Outage())
        # LocMemCache instances of one name share their storage across threads.
        self._memory = LocMemCache(
            f"portal.cache.fallback:{location}",
            {
                "TIMEOUT": params.get("TIMEOUT", 300),
                "KEY_PREFIX": params.get("KEY_PREFIX", ""),
                "VERSION": params.get("VERSION", 1),
                "KEY_FUNCTION": params.get("KEY_FUNCTION"),
                "OPTIONS": {"MAX_ENTRIES": FALLBACK_MAX_ENTRIES},
            },
        )

    @property
    def reachable(self) -> bool:
        """False from a failed call until Redis answers again."""
        return not self._outage.down

    def _call(self, name: str, *args, **kwargs):
        outage = self._outage
        if outage.down and not self._back():
            return getattr(self._memory, name)(*args, **kwargs)
        try:
            return getattr(super(), name)(*args, **kwargs)
        except UNREACHABLE as exc:
            self._gone(exc)
            return getattr(self._memory, name)(*args, **kwargs)

    def _gone(self, exc: Exception) -> None:
        outage = self._outage
        with outage.lock:
            outage.retry_at = time.monotonic() + self.retry_seconds
            if outage.down:
                return
            outage.down = True
        logger.warning(
            "The shared cache is unreachable (%s); this process uses its own memory "
            "and serves pages uncached until it is back",
            type(exc).__name__,
        )

    def _back(self) -> bool:
        """Try Redis again if the interval has passed; True once it answers."""
        outage = self._outage
        with outage.lock:
            if not outage.down:
                return True
            if time.monotonic() < outage.retry_at:
                return False
            outage.retry_at = time.monotonic() + self.retry_seconds
        try:
            self._cache.get_client(write=True).ping()
        except UNREACHABLE:
            return False
        with outage.lock:
            if not outage.down:
                return True
            outage.down = False
        logger.info("The shared cache is reachable again")
        self._memory.clear()
        for function in list(_reconnected):
            try:
                function()
            except Exception:  # noqa: BLE001 - one failing hook must not stop the others
                logger.exception("A reconnection hook of the shared cache failed")
        return True

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("add", key, value, timeout, version)

    def get(self, key, default=None, version=None):
        return self._call("get", key, default, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set", key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("touch", key, timeout, version)

    def delete(self, key, version=None):
        return self._call("delete", key, version)

    def get_many(self, keys, version=None):
        return self._call("get_many", keys, version)

    def has_key(self, key, version=None):
        return self._call("has_key", key, version)

    def incr(self, key, delta=1, version=None):
        return self._call("incr", key, delta, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set_many", data, timeout, version)

    def delete_many(self, keys, version=None):
        return self._call("delete_many", keys, version)

    def clear(self):
        return self._call("clear")

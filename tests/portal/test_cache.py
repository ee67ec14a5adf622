"""The shared cache when Redis cannot be reached (portal/cache.py, portal/queueing.py)."""

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from allauth.core.internal import ratelimit as allauth_ratelimit
from django.test import RequestFactory

from portal import cache as portal_cache
from portal import queueing
from portal.cache import FallbackRedisCache
from portal.ratelimit import RateLimit

ROOT = Path(__file__).resolve().parents[2]


def fallback_cache(url: str, *, retry_seconds: float = 0) -> FallbackRedisCache:
    """A cache of the test's own; whether Redis is down is remembered per address, so each
    test uses its own database number."""
    return FallbackRedisCache(
        url,
        {
            "KEY_PREFIX": "tests-cache",
            "OPTIONS": {
                "socket_connect_timeout": 1,
                "socket_timeout": 1,
                "RETRY_SECONDS": retry_seconds,
            },
        },
    )


def test_an_unreachable_redis_is_a_miss_and_counters_count_in_memory(caplog):
    cache = fallback_cache("redis://127.0.0.1:1/0")  # nothing listens on port 1
    with caplog.at_level(logging.WARNING, logger="portal.cache"):
        assert cache.get("page") is None
        cache.set("page", "stored in memory meanwhile")
        assert cache.add("counter", 1)
        assert not cache.add("counter", 1)
        assert [cache.incr("counter") for _ in range(3)] == [2, 3, 4]
        with pytest.raises(ValueError):
            cache.incr("never-added")
        cache.delete("counter")
        cache.clear()
    assert not cache.reachable
    assert [r.getMessage() for r in caplog.records] == [
        "The shared cache is unreachable (ConnectionError); this process uses its own "
        "memory and serves pages uncached until it is back"
    ]


def test_rate_limits_still_count_while_redis_is_unreachable(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "portal.cache.FallbackRedisCache",
            "LOCATION": "redis://127.0.0.1:1/1",
            "KEY_PREFIX": "tests-cache",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1, "RETRY_SECONDS": 60},
        }
    }
    request = RequestFactory().post("/", REMOTE_ADDR="203.0.113.9")
    ours = RateLimit("tests-redis-down", limit=2, period=3600)
    assert [ours.hit(request) for _ in range(4)] == [True, True, False, False]
    allowed = [
        allauth_ratelimit.consume(
            request, app="allauth.account", action="login", config={"login": "2/m/ip"}
        )
        is not None
        for _ in range(3)
    ]
    assert allowed == [True, True, False]


def test_when_redis_is_back_the_hooks_run_once_and_redis_is_used_again(redis_server, monkeypatch):
    runs = []
    monkeypatch.setattr(portal_cache, "_reconnected", [lambda: runs.append("back")])
    cache = fallback_cache(redis_server.url(3))
    cache.set("kept", "in redis")
    redis_server.stop()
    assert cache.get("kept") is None
    cache.add("counter", 1)
    assert not cache.reachable
    redis_server.start()
    assert cache.get("kept") is None  # the Redis that came back is empty
    cache.set("kept", "again")
    assert cache.reachable
    assert runs == ["back"]
    assert redis_server.client(3).exists("tests-cache:1:kept")
    assert cache.get("counter") is None  # what was counted in memory is forgotten


def test_after_a_failure_redis_is_not_tried_again_until_the_interval_passes(monkeypatch):
    cache = fallback_cache("redis://127.0.0.1:1/2", retry_seconds=3600)
    tries = []
    real = cache._cache.get_client

    def counting(*args, **kwargs):
        tries.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(cache._cache, "get_client", counting)
    for _ in range(20):
        cache.get("page")
    assert len(tries) == 1


class UnreachableBroker:
    """Stands in for a Celery task whose broker refuses connections."""

    def __init__(self):
        self.tries = 0

    def apply_async(self, **kwargs):
        self.tries += 1
        raise ConnectionRefusedError


def test_a_task_is_not_queued_and_the_broker_not_tried_again_for_a_while(
    settings, monkeypatch, caplog
):
    settings.REDIS_RETRY_SECONDS = 3600
    monkeypatch.setattr(queueing, "_retry_at", 0.0)
    task = UnreachableBroker()
    with caplog.at_level(logging.WARNING, logger="portal.queueing"):
        results = [
            queueing.task_queue(task=task, args=(1,), what="left to the sweep") for _ in range(5)
        ]
    assert results == [False] * 5
    assert task.tries == 1
    assert [r.getMessage() for r in caplog.records] == [
        "Could not queue a task; left to the sweep (ConnectionRefusedError)"
    ]


@pytest.mark.django_db
def test_saving_a_training_course_with_the_broker_down_refreshes_in_the_request(
    settings, monkeypatch, celery_broker, django_capture_on_commit_callbacks
):
    from carers import services
    from carers.models import TrainingCourse
    from carers.services import records

    settings.REDIS_RETRY_SECONDS = 3600
    monkeypatch.setattr(queueing, "_retry_at", 0.0)
    refreshed = []
    monkeypatch.setattr(
        records, "training_course_refresh", lambda *, course_pk: refreshed.append(course_pk)
    )
    course = TrainingCourse.objects.get(name="Adoption preparation training")
    with celery_broker("redis://127.0.0.1:1/0"), django_capture_on_commit_callbacks(execute=True):
        services.training_course_save(course=course, by=None)
    assert refreshed == [course.pk]


@pytest.mark.parametrize(
    ("redis_url", "cache_url", "expected"),
    [
        ("redis://redis:6379/0", None, "redis://redis:6379/1"),
        ("redis://:secret@redis:6379/15", None, "redis://:secret@redis:6379/0"),
        ("redis://redis:6379", None, "redis://redis:6379/1"),
        ("redis://redis:6379/0", "redis://cache:6379/0", "redis://cache:6379/0"),
    ],
)
def test_the_cache_is_apart_from_the_broker(redis_url, cache_url, expected):
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "CACHE_URL")}
    env["REDIS_URL"] = redis_url
    if cache_url:
        env["CACHE_URL"] = cache_url
    show = (
        "from django.conf import settings; c = settings.CACHES['default']; "
        "print(c['BACKEND'], c['LOCATION'], settings.CELERY_BROKER_URL)"
    )
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {show}"],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "portal.settings"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["portal.cache.FallbackRedisCache", expected, redis_url]

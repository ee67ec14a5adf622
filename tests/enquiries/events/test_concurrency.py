"""Many people book the last places at once: never more confirmed than the capacity.

Against a live server on PostgreSQL, with real concurrent HTTP requests. First,
with the test-only switch BOOKING_LOCK_ENABLED off, the same requests overbook
the event: that proves the test can see the race. Then, with the lock, exactly
the capacity is confirmed, the rest wait, and no request fails: the same on a
machine whose cores are kept busy by other processes, and when the event's lock
cannot be had in time (those bookings wait, they are never refused).
"""

import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.contrib.staticfiles.handlers import StaticFilesHandler
from django.core.servers.basehttp import ThreadedWSGIServer
from django.test.testcases import LiveServerThread

from enquiries.models import Booking
from enquiries.services import events as services

from .factories import InformationEventFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ATTEMPTS = 24
PLACES = 5


class _CrowdServer(ThreadedWSGIServer):
    # Django's test server listens with a queue of 10 connections; the kernel resets
    # some of 24 simultaneous ones ("Connection reset by peer", no HTTP answer at all).
    # Production's gunicorn listens with 2048: the crowd must reach the application.
    request_queue_size = 4 * ATTEMPTS


class _CrowdServerThread(LiveServerThread):
    server_class = _CrowdServer


@pytest.fixture
def crowd_server(settings):
    """A live server of this test's own, whose listen queue holds the whole crowd."""
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "127.0.0.1"]
    thread = _CrowdServerThread("127.0.0.1", StaticFilesHandler)
    thread.daemon = True
    thread.start()
    thread.is_ready.wait(timeout=30)
    if thread.error:
        raise thread.error

    class Server:
        url = f"http://127.0.0.1:{thread.port}"

    yield Server
    thread.terminate()
    thread.join(timeout=30)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _csrf(url: str) -> tuple[str, str]:
    with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 - loopback
        cookie = response.headers.get("Set-Cookie", "")
        html = response.read().decode()
    cookie_token = re.search(r"csrftoken=([^;]+)", cookie).group(1)
    form_token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    return cookie_token, form_token


def fire(url: str, attempts: int) -> list[int]:
    """POST ``attempts`` bookings at once (a barrier releases them together); return statuses."""
    cookie_token, form_token = _csrf(url)
    opener = urllib.request.build_opener(_NoRedirect)
    barrier = threading.Barrier(attempts)

    def one(n: int) -> int:
        body = urllib.parse.urlencode(
            {
                "csrfmiddlewaretoken": form_token,
                "name": f"Racer {'Abcdefghijklmnopqrstuvwxyz'[n % 26]}",
                "email": f"racer{n}@example.com",
                "places": "1",
                "website": "",
            }
        ).encode()
        request = urllib.request.Request(
            url, data=body, headers={"Cookie": f"csrftoken={cookie_token}"}, method="POST"
        )
        barrier.wait()
        try:
            with opener.open(request, timeout=60) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code
        except OSError as error:
            # No HTTP answer at all: say why, so a failure can be told apart from a refusal.
            print(f"request {n}: no answer ({type(error).__name__}: {error})")
            return 0

    with ThreadPoolExecutor(max_workers=attempts) as pool:
        return list(pool.map(one, range(attempts)))


@pytest.fixture
def race_window(monkeypatch):
    """Hold each booking a moment between counting places and inserting its row.

    The server runs in this process, so this widens the window in which an
    unlocked count goes stale; with the lock, it only makes the others wait longer.
    """
    count = services.confirmed_places

    def slow_count(event):
        taken = count(event)
        time.sleep(0.05)
        return taken

    monkeypatch.setattr(services, "confirmed_places", slow_count)


def figures(event, statuses) -> dict:
    bookings = Booking.objects.filter(event=event)
    # Every status seen, so a failure says what the people booking were told.
    print("statuses:", sorted(statuses), "counts:", {s: statuses.count(s) for s in set(statuses)})
    return {
        "attempts": len(statuses),
        "places": event.places,
        "confirmed": sum(b.places for b in bookings if b.status == Booking.Status.CONFIRMED),
        "waiting": bookings.filter(status=Booking.Status.WAITING).count(),
        "errors": sum(1 for status in statuses if status != 302),
    }


@pytest.fixture
def booking_settings(settings):
    settings.BOOKING_RATE_LIMIT_PER_HOUR = 10_000
    return settings


def test_without_the_lock_the_same_requests_overbook(
    require_postgres, crowd_server, booking_settings, race_window
):
    booking_settings.BOOKING_LOCK_ENABLED = False
    event = InformationEventFactory(places=PLACES)
    statuses = fire(f"{crowd_server.url}{event.get_absolute_url()}", ATTEMPTS)
    result = figures(event, statuses)
    print("without the lock:", result)
    assert result["confirmed"] > PLACES, result


def test_with_the_lock_exactly_the_capacity_is_confirmed(
    require_postgres, crowd_server, booking_settings, race_window
):
    assert booking_settings.BOOKING_LOCK_ENABLED is True
    event = InformationEventFactory(places=PLACES)
    statuses = fire(f"{crowd_server.url}{event.get_absolute_url()}", ATTEMPTS)
    result = figures(event, statuses)
    print("with the lock:", result)
    _exactly_the_capacity(result)


@pytest.fixture
def busy_cores():
    """Other processes keep every core busy for the whole test (stopped by their pids)."""
    burners = [
        subprocess.Popen([sys.executable, "-c", "while True: pass"])  # noqa: S603
        for _ in range((os.cpu_count() or 2) * 2)
    ]
    yield burners
    for burner in burners:
        burner.send_signal(signal.SIGTERM)
    for burner in burners:
        burner.wait(timeout=30)


def _exactly_the_capacity(result):
    assert result == {
        "attempts": ATTEMPTS,
        "places": PLACES,
        "confirmed": PLACES,
        "waiting": ATTEMPTS - PLACES,
        "errors": 0,
    }


def test_with_the_cores_kept_busy_no_booking_fails(
    require_postgres, crowd_server, booking_settings, race_window, busy_cores
):
    event = InformationEventFactory(places=PLACES)
    statuses = fire(f"{crowd_server.url}{event.get_absolute_url()}", ATTEMPTS)
    assert all(burner.poll() is None for burner in busy_cores), "the load stopped early"
    result = figures(event, statuses)
    print("with the cores busy:", result)
    _exactly_the_capacity(result)


def test_when_the_lock_cannot_be_had_in_time_people_wait_and_nothing_fails(
    require_postgres, crowd_server, booking_settings, race_window
):
    """The path that failed under load: lock timeouts used to end in "try again"."""
    booking_settings.BOOKING_LOCK_TIMEOUT_SECONDS = 0.05
    event = InformationEventFactory(places=PLACES)
    statuses = fire(f"{crowd_server.url}{event.get_absolute_url()}", ATTEMPTS)
    result = figures(event, statuses)
    print("with a lock timeout of 50ms:", result)
    assert result["errors"] == 0, result
    assert result["confirmed"] <= PLACES
    assert Booking.objects.filter(event=event).count() == ATTEMPTS
    # The sweep gives the places that went free to the earliest waiting bookings.
    services.events_waiting_list_fill()
    assert figures(event, statuses)["confirmed"] == PLACES

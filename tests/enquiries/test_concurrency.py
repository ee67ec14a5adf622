"""Many people book the last places at once: never more confirmed than the capacity.

Against a live server on PostgreSQL, with real concurrent HTTP requests. First,
with the test-only switch BOOKING_LOCK_ENABLED off, the same requests overbook
the event: that proves the test can see the race. Then, with the lock, exactly
the capacity is confirmed, the rest wait, and no request fails.
"""

import re
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest

from enquiries import services
from enquiries.models import Booking

from .factories import InformationEventFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ATTEMPTS = 24
PLACES = 5


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
                "name": f"Racer {n}",
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
        except OSError:
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
    require_postgres, live_server, booking_settings, race_window
):
    booking_settings.BOOKING_LOCK_ENABLED = False
    event = InformationEventFactory(places=PLACES)
    statuses = fire(f"{live_server.url}{event.get_absolute_url()}", ATTEMPTS)
    result = figures(event, statuses)
    print("without the lock:", result)
    assert result["confirmed"] > PLACES, result


def test_with_the_lock_exactly_the_capacity_is_confirmed(
    require_postgres, live_server, booking_settings, race_window
):
    assert booking_settings.BOOKING_LOCK_ENABLED is True
    event = InformationEventFactory(places=PLACES)
    statuses = fire(f"{live_server.url}{event.get_absolute_url()}", ATTEMPTS)
    result = figures(event, statuses)
    print("with the lock:", result)
    assert result == {
        "attempts": ATTEMPTS,
        "places": PLACES,
        "confirmed": PLACES,
        "waiting": ATTEMPTS - PLACES,
        "errors": 0,
    }

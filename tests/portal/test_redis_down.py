"""A real Redis process stopped in the middle of people's journeys, then started again.

Redis is the cache and the broker. While it is down every request still gets its real
answer (pages uncached, rate limits counted in the process, emails left in the outbox);
once it is back a real worker delivers every email exactly once, and no page shows what
was true before the outage.
"""

import os
import re
import signal
import subprocess
import time
from pathlib import Path

import pytest
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
)
from django.utils import timezone

from enquiries.models import Booking, Enquiry
from portal import pagecache
from portal.models import Notification
from portal.pagecache import HIT_HEADER
from portal.roles import Role
from tests.conftest import celery_worker_argv
from tests.content.factories import PageFactory
from tests.enquiries.enquiries.test_forms import STEP_DATA, SUBMIT_DATA
from tests.enquiries.events.factories import InformationEventFactory
from tests.enquiries.events.test_views import form_data
from tests.portal.test_worker import database_url
from tests.requirements import require

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.redis]

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def own_redis(settings, redis_server, celery_broker):
    """Point this process's cache and broker at the test's own Redis."""
    configured = settings.CACHES["default"]
    require("Redis" in configured["BACKEND"], "needs the Redis cache configuration (set REDIS_URL)")
    settings.CACHES = {"default": {**configured, "LOCATION": redis_server.url(1)}}
    pagecache.local_clear()
    with celery_broker(redis_server.url(0), eager=False):
        yield redis_server


def start_worker(redis_server, smtp_sink, folder):
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "REDIS_URL": redis_server.url(0),
        "CACHE_URL": redis_server.url(1),
        "EMAIL_URL": smtp_sink.url,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "OUTBOX_SWEEP_SECONDS": "1",
        "CONN_MAX_AGE": "0",
    }
    log = (folder / "worker.log").open("w")
    process = subprocess.Popen(
        celery_worker_argv(pool="solo", schedule=folder / "celerybeat-schedule"),
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    return process, log


def stop_worker(process, log, folder):
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
    log.close()
    print((folder / "worker.log").read_text()[-5000:])  # shown by pytest on failure


def places_left(client, event) -> str:
    html = client.get(event.get_absolute_url()).content.decode()
    return re.search(r"(\d+) places? left", html).group(1)


def test_every_journey_answers_truly_while_redis_is_down_and_nothing_is_lost(
    client, own_redis, smtp_sink, make_staff, tmp_path, caplog
):
    event = InformationEventFactory(places=10)
    page = PageFactory()
    staff = make_staff(Role.EVENTS_TEAM, mfa=False)
    secret = generate_totp_secret()
    TOTP.activate(staff, secret)
    public = ["/", "/events/", event.get_absolute_url(), page.get_absolute_url()]

    # Redis up: the pages are cached, the event page says 10 places.
    for address in public:
        assert client.get(address).status_code == 200, address
    assert client.get(event.get_absolute_url())[HIT_HEADER] == "hit"
    assert places_left(client, event) == "10"

    own_redis.stop(keep_data=True)  # it comes back holding the pages and tokens above

    # Public pages: served, uncached.
    for address in public:
        response = client.get(address)
        assert response.status_code == 200, address
        assert HIT_HEADER not in response, address
    assert client.get("/healthz").status_code == 503

    # Booking: confirmed, and the page shows the places it took at once.
    response = client.post(event.get_absolute_url(), form_data(email="a@example.com", places="2"))
    assert response.status_code == 302, response.content.decode()[:2000]
    kept = Booking.objects.get(email="a@example.com")
    assert kept.status == Booking.Status.CONFIRMED
    done = client.get(response["Location"])
    assert done.status_code == 200
    # The email waits in the outbox: the page does not claim it has gone.
    assert "We are sending an email to the address you gave" in done.content.decode()
    assert "We have emailed" not in done.content.decode()
    assert places_left(client, event) == "8"

    # A second booking, then its cancellation: committed, and said so.
    client.post(event.get_absolute_url(), form_data(email="b@example.com"))
    cancelled = Booking.objects.get(email="b@example.com")
    response = client.post(f"/bookings/{cancelled.token}/cancel/", {}, follow=True)
    assert response.status_code == 200
    assert "Your booking has been cancelled." in response.content.decode()
    cancelled.refresh_from_db()
    assert cancelled.status == Booking.Status.CANCELLED
    assert places_left(client, event) == "8"

    # The enquiry: every step, then Send.
    for step, data in STEP_DATA.items():
        assert client.post(f"/enquire/{step}/", data).status_code == 302, step
    response = client.post("/enquire/check/", SUBMIT_DATA)
    assert response.status_code == 302
    assert response["Location"] == "/enquire/sent/"
    assert (
        "We are emailing you our information pack" in client.get("/enquire/sent/").content.decode()
    )
    assert Enquiry.objects.filter(email__iexact="jo.bloggs@example.com").count() == 1

    # Staff sign-in, with the authenticator code.
    response = client.post(
        "/accounts/login/", {"login": staff.email, "password": "correct-horse-battery-staple"}
    )
    assert response["Location"] == "/accounts/2fa/authenticate/"
    code = format_hotp_value(hotp_value(secret, int(time.time()) // 30))
    assert client.post("/accounts/2fa/authenticate/", {"code": code}).status_code == 302
    assert client.get("/admin/").status_code == 200
    client.logout()

    # Every email is waiting in the outbox; the broker was never reached.
    due = set(
        Notification.objects.filter(
            due_at__lte=timezone.now(), withdrawn_at__isnull=True
        ).values_list("key", flat=True)
    )
    assert len(due) >= 4, due  # two booking confirmations, a cancellation, the enquiry's
    assert not Notification.objects.filter(sent_at__isnull=False).exists()
    unreachable = [r for r in caplog.records if "shared cache is unreachable" in r.getMessage()]
    assert len(unreachable) == 1, [r.getMessage() for r in unreachable]

    own_redis.start()

    # Back: the health check sees it once this process tries Redis again.
    deadline = time.monotonic() + 60
    while client.get("/healthz").status_code != 200:
        assert time.monotonic() < deadline, "the cache was not used again after Redis returned"
        time.sleep(0.2)

    # Another process, which remembers nothing, gets today's page, not the one Redis kept.
    pagecache.local_clear()
    assert places_left(client, event) == "8"
    assert client.get(event.get_absolute_url())[HIT_HEADER] == "hit"

    # A worker delivers every email made during the outage, each once.
    process, log = start_worker(own_redis, smtp_sink, tmp_path)
    try:
        smtp_sink.wait_for(lambda m: len(smtp_sink.messages) >= len(due), timeout=120)
        deadline = time.monotonic() + 30
        while Notification.objects.filter(key__in=due, sent_at__isnull=True).exists():
            assert time.monotonic() < deadline, "the worker did not record every email as sent"
            time.sleep(0.2)
    finally:
        stop_worker(process, log, tmp_path)
    received = sorted(str(m["X-Portal-Message"]) for m in smtp_sink.messages)
    assert received == sorted(due)

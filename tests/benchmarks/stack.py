"""The benchmark's Django side, run by run.py in the benchmark's environment.

    python -m tests.benchmarks.stack prepare --places 25
    python -m tests.benchmarks.stack bookings --slug <event slug>
    python -m tests.benchmarks.stack outbox
    python -m tests.benchmarks.stack pack-in-worker --timeout 120

Each command prints one line of JSON. Writes go through the services, as the portal's
own code does; only the staff sign-in is made directly (there is no one to type a code).
"""

import argparse
import json
import os
import sys
import time
from datetime import timedelta

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

import django  # noqa: E402

django.setup()

from allauth.account.models import EmailAddress  # noqa: E402
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.db.models import Count, Q, Sum  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from content import services as content_services  # noqa: E402
from content.tasks import build_information_pack  # noqa: E402
from enquiries.models import Booking, InformationEvent  # noqa: E402
from enquiries.services import events as event_services  # noqa: E402
from portal.models import Notification, User  # noqa: E402
from portal.pdf import pdf_cache_dir  # noqa: E402
from portal.roles import Role  # noqa: E402

BENCH_STAFF_EMAIL = "bench.events@oakway.example"


def prepare(places: int) -> dict:
    """An event with few places for the booking load, and a signed-in events team member."""
    starts = (timezone.now() + timedelta(days=30)).replace(minute=0, second=0, microsecond=0)
    event = InformationEvent(
        title=f"Benchmark evening {int(time.time())}",
        kind=InformationEvent.Kind.ONLINE,
        starts_at=starts,
        ends_at=starts + timedelta(hours=1, minutes=30),
        places=places,
        joining_link="https://meet.example.org/benchmark",
        description="An event made by the load benchmark.",
    )
    event_services.event_save(event=event)

    user = User.objects.filter(email=BENCH_STAFF_EMAIL).first()
    if user is None:
        user = User.objects.create_user(
            email=BENCH_STAFF_EMAIL,
            password=None,
            is_staff=True,
            first_name="Bench",
            last_name="Events",
        )
        EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
        user.groups.add(Group.objects.get(name=Role.EVENTS_TEAM))
        # Staff need an authenticator before any admin page (StaffMFARequiredMiddleware).
        TOTP.activate(user, generate_totp_secret())
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return {
        "event_slug": event.slug,
        "event_path": event.get_absolute_url(),
        "event_places": event.places,
        "session_cookie": f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}",
    }


def bookings(slug: str) -> dict:
    """How the event's places ended up: never more confirmed than the event holds."""
    event = InformationEvent.objects.get(slug=slug)
    holding = Q(status__in=Booking.PLACE_HOLDING_STATUSES)
    figures = Booking.objects.filter(event=event).aggregate(
        bookings=Count("id"),
        confirmed_bookings=Count("id", filter=holding),
        confirmed_places=Sum("places", filter=holding, default=0),
        waiting=Count("id", filter=Q(status=Booking.Status.WAITING)),
        waiting_places=Sum("places", filter=Q(status=Booking.Status.WAITING), default=0),
    )
    return {
        "capacity": event.places,
        **figures,
        "oversold": figures["confirmed_places"] > event.places,
        # With this many places asked for, the event must have filled up.
        "filled": figures["confirmed_places"] >= event.places - (settings.BOOKING_MAX_PLACES - 1),
    }


def outbox() -> dict:
    now = timezone.now()
    pending = Notification.objects.pending()
    return {
        "sent": Notification.objects.filter(sent_at__isnull=False).count(),
        "due_unsent": pending.filter(due_at__lte=now).count(),
        "scheduled": pending.filter(due_at__gt=now).count(),
        "failed": Notification.objects.filter(failed_at__isnull=False).count(),
        "with_errors": Notification.objects.exclude(last_error="").count(),
    }


def _pack_files() -> list:
    # Files still being written are named ".building-*" and renamed when whole.
    folder = pdf_cache_dir(content_services.PACK_NAMESPACE)
    if not folder.is_dir():
        return []
    return [path for path in folder.glob("*.pdf") if not path.name.startswith(".")]


def pack_clear() -> int:
    """Empty the information pack's file cache, so the next request builds it cold."""
    files = _pack_files()
    for path in files:
        path.unlink()
    return len(files)


def pack_in_worker(timeout: float) -> dict:
    """Time a cold build of the pack by the Celery worker (as after a publish)."""
    pack_clear()
    started = time.perf_counter()
    build_information_pack.apply_async(retry=False)
    while time.perf_counter() - started < timeout:
        files = _pack_files()
        if files:
            seconds = time.perf_counter() - started
            return {"seconds": round(seconds, 2), "bytes": files[0].stat().st_size}
        time.sleep(0.05)
    return {"seconds": None, "error": f"no pack built within {timeout:.0f} s"}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("prepare").add_argument("--places", type=int, default=25)
    sub.add_parser("bookings").add_argument("--slug", required=True)
    sub.add_parser("outbox")
    sub.add_parser("pack-clear")
    sub.add_parser("pack-in-worker").add_argument("--timeout", type=float, default=180)
    args = parser.parse_args(argv)
    if args.command == "prepare":
        result = prepare(args.places)
    elif args.command == "bookings":
        result = bookings(args.slug)
    elif args.command == "outbox":
        result = outbox()
    elif args.command == "pack-clear":
        result = {"removed": pack_clear()}
    else:
        result = pack_in_worker(args.timeout)
    sys.stdout.write(json.dumps(result) + "\n")


if __name__ == "__main__":
    main()

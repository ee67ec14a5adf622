"""`make bench`'s staff side: the pages, sweeps and outbox over a large agency's history.

Run by run.py, once per history (``manage.py seed_scale`` at a tenth of the size and at
the full size), in an environment whose DATABASE_URL names that history's database:

    python -m tests.benchmarks.staff pages --rounds 15
    python -m tests.benchmarks.staff sweeps
    python -m tests.benchmarks.staff outbox --emails 10000 --workers 2

Each command prints one line of JSON. Pages are requested through Django's test client in
this one process (every middleware, no network), each round the minimal view
(``/bench/minimal``) and then the page, so both meet the machine as it is at that moment;
the report gives the page's median and p99 as ratios to the minimal view's median, and
the queries one request makes. Staff sign in directly (there is no one to type a code).
"""

import argparse
import contextlib
import importlib
import json
import multiprocessing
import os
import sys
import time
from datetime import timedelta

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

import django  # noqa: E402

django.setup()

from allauth.account.models import EmailAddress  # noqa: E402
from allauth.mfa.models import Authenticator  # noqa: E402
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib import admin  # noqa: E402
from django.db import close_old_connections, connection  # noqa: E402
from django.db.models import Count, Q  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from carers.models import Household  # noqa: E402
from enquiries.models import Booking, Enquiry, InformationEvent  # noqa: E402
from enquiries.services.events import email_context  # noqa: E402
from placements.models import Child, Placement, Referral  # noqa: E402
from portal import notifications  # noqa: E402
from portal.models import Notification, User  # noqa: E402
from portal.roles import Role  # noqa: E402

BENCH_SUPERUSER = "bench.superuser@oakway.example"
MINIMAL = "/bench/minimal"
# Searched for on every list: a surname the history gives many people.
SEARCH = "Taylor"


def signed_in(user: User) -> Client:
    # Staff need an authenticator before any admin page (StaffMFARequiredMiddleware).
    if not Authenticator.objects.filter(user=user).exists():
        TOTP.activate(user, generate_totp_secret())
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def superuser() -> User:
    user = User.objects.filter(email=BENCH_SUPERUSER).first()
    if user is None:
        user = User.objects.create_user(
            email=BENCH_SUPERUSER,
            password=None,
            is_staff=True,
            is_superuser=True,
            first_name="Bench",
            last_name="Superuser",
        )
        EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


def busiest(role: str, related: str) -> User:
    """The member of ``role`` with the most ``related`` rows (their caseload or team)."""
    user = (
        User.objects.filter(groups__name=role, is_active=True)
        .annotate(n=Count(related, distinct=True))
        .order_by("-n", "pk")
        .first()
    )
    if user is None:
        sys.exit(f"the history has no {role}: run manage.py seed_scale first")
    return user


def _largest(queryset, *counted: str):
    """The row of ``queryset`` with the most of ``counted`` (the fullest page of its kind)."""
    sizes = {f"n_{name}": Count(name, distinct=True) for name in counted}
    return queryset.annotate(**sizes).order_by(*(f"-{key}" for key in sizes), "pk").first()


def linking_referral(by: User) -> Referral | None:
    """An open referral to link carers to: the newest, or one received today through the
    service for the newest child not placed (``seed_scale`` writes no referrals), with
    the demo area's postcode districts for the travel times."""
    from django.core.management import call_command

    from placements.models import PostcodeDistrict
    from placements.services.matching import referral_receive

    found = (
        Referral.objects.filter(status__in=[Referral.Status.OPEN, Referral.Status.LINKING])
        .order_by("-pk")
        .first()
    )
    if found is not None:
        return found
    if not PostcodeDistrict.objects.exists():
        call_command("load_postcode_districts", stdout=open(os.devnull, "w"))  # noqa: SIM115
    child = (
        Child.objects.exclude(placement_links__is_current=True)
        .exclude(referrals__status__in=[Referral.Status.OPEN, Referral.Status.LINKING,
                                        Referral.Status.MATCHED])
        .order_by("-pk")
        .first()
    )  # fmt: skip
    if child is None:
        return None
    today = timezone.localdate()
    referral = Referral(
        child=child,
        received_on=today,
        needed_by=today + timedelta(days=30),
        route=Placement.Route.FFA,
        legal_position=Referral.LegalPosition.PROCEEDINGS,
        family_time_district="OK1",
        family_time_per_week=3,
    )
    return referral_receive(referral=referral, by=by)


def plan() -> list[dict]:
    """The pages measured: who opens each, and what is sent (a GET, or an export's POST)."""
    worker = busiest(Role.SOCIAL_WORKERS, "carer_households")
    manager = busiest(Role.TEAM_MANAGERS, "teams_managed__members")
    root = signed_in(superuser())
    as_worker, as_manager = signed_in(worker), signed_in(manager)
    household = _largest(
        Household.objects.filter(social_worker=worker), "training", "assessments", "deadlines"
    ) or _largest(Household.objects.all(), "training", "assessments")
    # The fullest placement still open, on the EP route: the page a social worker works on.
    # An ended or Fostering for Adoption placement shows other sections, so the two sizes
    # would compare different pages (and their queries would differ for that reason alone).
    placement = _largest(
        Placement.objects.exclude(status=Placement.Status.ENDED).filter(
            route=Placement.Route.CONCURRENCY
        ),
        "family_time_sessions",
        "visits",
    ) or _largest(Placement.objects.all(), "family_time_sessions", "visits")
    child = placement.children.first() if placement else _largest(Child.objects.all(), "reviews")
    referral = linking_referral(manager)
    year = timezone.localdate().year - 1
    event = _largest(InformationEvent.objects.all(), "bookings")
    enquiries_page = list(Enquiry.objects.order_by("-pk").values_list("pk", flat=True)[:100])

    pages = [
        {"name": "social worker's home page", "client": as_worker, "url": "/admin/"},
        {"name": "team manager's home page", "client": as_manager, "url": "/admin/"},
        {"name": "households, my caseload", "client": as_worker,
         "url": "/admin/carers/household/?caseload=mine"},
        {"name": "deadlines, overdue (households)", "client": as_worker,
         "url": "/admin/carers/deadline/?overdue=yes"},
        {"name": "deadlines, overdue (children)", "client": as_worker,
         "url": "/admin/placements/placementdeadline/?overdue=yes"},
    ]  # fmt: skip
    if household:
        pages += [
            {"name": "household page", "client": as_worker,
             "url": f"/admin/carers/household/{household.pk}/change/"},
            {"name": "household audit trail", "client": as_worker,
             "url": f"/admin/carers/household/{household.pk}/history/"},
        ]  # fmt: skip
    if placement:
        pages.append({"name": "placement page", "client": root,
                      "url": f"/admin/placements/placement/{placement.pk}/change/"})  # fmt: skip
    if child:
        pages.append({"name": "child's page", "client": root,
                      "url": f"/admin/placements/child/{child.pk}/change/"})  # fmt: skip
    if referral:
        pages.append({"name": "linking page", "client": as_manager,
                      "url": f"/admin/placements/referral/{referral.pk}/linking/"})  # fmt: skip
    pages += [
        {"name": "enquiry funnel, all years", "client": root,
         "url": "/admin/enquiries/enquiry/funnel/"},
        {"name": f"enquiry funnel, {year}", "client": root,
         "url": f"/admin/enquiries/enquiry/funnel/?year={year}"},
        {"name": "EP measures, all years", "client": root,
         "url": "/admin/placements/placement/measures/"},
        {"name": f"EP measures, {year}", "client": root,
         "url": f"/admin/placements/placement/measures/?year={year}"},
        {"name": "EP measures CSV", "client": root,
         "url": "/admin/placements/placement/measures.csv"},
        {"name": "enquiries CSV (a page of 100)", "client": root,
         "url": "/admin/enquiries/enquiry/", "method": "POST",
         "data": {"action": "export_csv", "_selected_action": enquiries_page}},
    ]  # fmt: skip
    if event:
        pages.append({"name": "event attendees CSV", "client": root,
                      "url": "/admin/enquiries/informationevent/", "method": "POST",
                      "data": {"action": "export_attendees", "_selected_action": [event.pk]}})  # fmt: skip
    for model in sorted(admin.site._registry, key=lambda m: m._meta.label):
        opts = model._meta
        base = f"/admin/{opts.app_label}/{opts.model_name}/"
        pages.append({"name": f"list: {opts.verbose_name_plural}", "client": root, "url": base})
        if admin.site._registry[model].search_fields:
            pages.append(
                {"name": f"list searched: {opts.verbose_name_plural}", "client": root,
                 "url": f"{base}?q={SEARCH}"}
            )  # fmt: skip
    return pages


class _Counter:
    """Counts the statements sent to the database (Django's own query log is emptied as
    each request starts, so it cannot count a whole request)."""

    def __init__(self):
        self.n = 0

    def __call__(self, execute, sql, params, many, context):
        self.n += 1
        return execute(sql, params, many, context)


@contextlib.contextmanager
def counting():
    counter = _Counter()
    with connection.execute_wrapper(counter):
        yield counter


def request(page: dict):
    client = page["client"]
    if page.get("method") == "POST":
        return client.post(page["url"], page["data"])
    return client.get(page["url"])


def pages(rounds: int) -> dict:
    minimal = Client()
    measured = []
    # As the hourly job keeps them on a live site: the family time figures before recent
    # weeks, which the EP measures over all years add to the weeks since.
    from placements.services import family_time_figures_keep

    family_time_figures_keep()
    for page in plan():
        response = request(page)  # warm: the first opening fills per-process caches
        if response.status_code != 200:
            measured.append({"name": page["name"], "url": page["url"],
                             "status": response.status_code})  # fmt: skip
            continue
        with counting() as queries:
            request(page)
        page_ms, minimal_ms = [], []
        for _ in range(rounds):
            started = time.perf_counter()
            minimal.get(MINIMAL)
            minimal_ms.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            request(page)
            page_ms.append((time.perf_counter() - started) * 1000)
        measured.append(
            {
                "name": page["name"],
                "url": page["url"],
                "status": 200,
                "queries": queries.n,
                "page_ms": page_ms,
                "minimal_ms": minimal_ms,
                "bytes": len(response.content),
            }
        )
    return {"pages": measured, "history": history_size()}


def history_size() -> dict:
    from auditlog.models import LogEntry

    from placements.models import FamilyTimeSession

    return {
        "enquiries": Enquiry.objects.count(),
        "bookings": Booking.objects.count(),
        "households": Household.objects.count(),
        "children": Child.objects.count(),
        "family time sessions": FamilyTimeSession.objects.count(),
        "audit entries": LogEntry.objects.count(),
        "outbox rows": Notification.objects.count(),
    }


# -- sweeps -------------------------------------------------------------------------------


def _job(name: str, call, interval: float | None) -> dict:
    close_old_connections()
    failed, error = False, ""
    with counting() as queries:
        started = time.perf_counter()
        try:
            call()
        except Exception as problem:  # noqa: BLE001 - reported in the table, not hidden
            failed, error = True, repr(problem)[:300]
        seconds = time.perf_counter() - started
    return {"name": name, "interval_seconds": interval, "seconds": round(seconds, 3),
            "queries": queries.n, "failed": failed, "error": error}  # fmt: skip


def sweeps() -> dict:
    """Every beat job once, in this process, with its time and queries; then the refresh
    of every open placement's deadlines that an upgrade changing a rule is followed by."""
    from placements.services import deadlines_refresh_all

    jobs = []
    for name, entry in sorted(settings.CELERY_BEAT_SCHEDULE.items()):
        module, _, function = entry["task"].rpartition(".")
        task = getattr(importlib.import_module(module), function)
        jobs.append((name, task.run, float(entry["schedule"])))
    jobs.append(("placement deadlines refreshed (by hand)", deadlines_refresh_all, None))
    # Each job twice: the first run meets the history's backlog (what a new installation
    # or a long outage leaves), the second what every later run meets.
    done = []
    for name, call, interval in jobs:
        first = _job(name, call, interval)
        again = _job(name, call, interval)
        done.append({**again, "first_seconds": first["seconds"], "first_queries": first["queries"],
                     "failed": first["failed"] or again["failed"],
                     "error": first["error"] or again["error"]})  # fmt: skip
    return {"sweeps": done}


# -- the outbox ---------------------------------------------------------------------------


def _deliver_until_done(_: int) -> int:
    from django.db import connections

    connections.close_all()  # a forked worker opens its own connection
    sent = 0
    while True:
        delivered = notifications.deliver_due()
        sent += delivered
        if not delivered:
            return sent


def outbox(emails: int, workers: int) -> dict:
    """``emails`` due booking emails, delivered to the SMTP sink by ``workers`` processes
    sweeping at once (as several Celery workers would), in emails per second."""
    booking = Booking.objects.filter(anonymised_at__isnull=True).order_by("-pk").first()
    if booking is None:
        sys.exit("the history has no booking to write to")
    # Everything already due is sent first, so only these emails are timed.
    _deliver_until_done(0)
    tag = f"bench:{time.time_ns()}"
    now = timezone.now() - timedelta(seconds=1)
    context = email_context(booking)
    Notification.objects.bulk_create(
        [
            Notification(key=f"{tag}:{n}", to=f"outbox.bench+{n}@example.org",
                         template="enquiries/booking_link", context=context, due_at=now,
                         next_attempt_at=now)
            for n in range(emails)
        ],
        batch_size=2000,
    )  # fmt: skip
    connection.close()
    started = time.perf_counter()
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        sent = sum(pool.map(_deliver_until_done, range(workers)))
    seconds = time.perf_counter() - started
    ours = Notification.objects.filter(key__startswith=tag)
    return {
        "workers": workers,
        "emails": emails,
        "sent": ours.filter(sent_at__isnull=False).count(),
        "sent_by_sweeps": sent,
        "failed": ours.filter(Q(failed_at__isnull=False) | ~Q(last_error="")).count(),
        "seconds": round(seconds, 2),
        "per_second": round(emails / seconds, 1),
    }


def main(argv=None) -> None:
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("pages").add_argument("--rounds", type=int, default=15)
    sub.add_parser("sweeps")
    p = sub.add_parser("outbox")
    p.add_argument("--emails", type=int, default=10_000)
    p.add_argument("--workers", type=int, default=1)
    args = parser.parse_args(argv)
    if args.command == "pages":
        result = pages(args.rounds)
    elif args.command == "sweeps":
        result = sweeps()
    else:
        result = outbox(args.emails, args.workers)
    print(json.dumps(result, default=str))


if __name__ == "__main__":
    main()

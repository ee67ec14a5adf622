"""Every staff page makes as many queries over ten times the history (the guard of #20).

The pages are the access test's (``tests/test_access.py``'s ``admin_urls``: every URL
pattern of the admin site, each list also searched, filled in with one record of each
kind). ``manage.py seed_scale`` writes a history around those records, once at a tiny
size and once at ten times it (each undone before the next), and each page is counted as
a superuser over both. A page whose queries grow with the history (a query per row, per
deadline, per audit entry) fails here, by name, with both counts; how long a page takes
stays in ``make bench``.

A social worker of the history with the largest caseload opens their home page and
their lists too: a bigger agency gives them a bigger caseload, which must cost no more
queries either.
"""

from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import Count
from django.test import Client
from django.test.utils import CaptureQueriesContext

from carers.models import Household
from portal.models import User
from portal.roles import Role
from tests import test_access as access

records = access.records

SMALL, LARGE = 0.002, 0.02
# Not pages a person reads (sign in and out, the translation catalogue, autocomplete
# answers, redirects to the public site, the admin's 404).
NOT_PAGES = ("login", "logout", "jsi18n", "autocomplete:", "view_on_site:", "catch_all")
# A social worker's own pages: their home page and the lists they work from.
CASEWORK = (
    "/admin/",
    "/admin/carers/household/",
    "/admin/placements/placement/",
    "/admin/placements/child/",
    "/admin/carers/deadline/",
)


def staff_pages(r) -> list[tuple[str, str]]:
    return [
        (key, url)
        for key, url in access.admin_urls(r)
        if not any(word in key for word in NOT_PAGES)
    ]


def queries(client: Client, url: str) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    return response.status_code, len(captured.captured_queries)


def busiest_social_worker() -> User:
    worker = (
        User.objects.filter(
            groups__name=Role.SOCIAL_WORKERS, email__endswith="scale.oakway.example"
        )
        .annotate(cases=Count("carer_households"))
        .order_by("-cases", "pk")
        .first()
    )
    assert worker is not None and worker.cases > 0
    return worker


def counted(superuser: Client, pages, scale: float) -> tuple[dict, dict, int]:
    """Each page's (status, queries) over a history of this size, then the history undone."""
    with transaction.atomic():
        call_command("seed_scale", scale=scale, force=True, stdout=open("/dev/null", "w"))  # noqa: SIM115
        seen = {key: queries(superuser, url) for key, url in pages}
        worker = busiest_social_worker()
        # Staff sign in with two steps (the history's accounts have not set theirs up yet).
        TOTP.activate(worker, generate_totp_secret())
        own = Client()
        own.force_login(worker)
        for url in CASEWORK:
            own.get(url)  # the first opening fills the per-process caches
        casework = {url: queries(own, url) for url in CASEWORK}
        households = Household.objects.count()
        transaction.set_rollback(True)
    return seen, casework, households


def test_no_staff_page_makes_more_queries_over_ten_times_the_history(records, make_staff):
    pages = staff_pages(records)
    assert len(pages) > 300, "the access test's pages are all here"
    superuser = Client()
    superuser.force_login(make_staff(superuser=True))
    for _key, url in pages:
        superuser.get(url)  # the first opening fills the per-process caches

    small, small_casework, few = counted(superuser, pages, SMALL)
    large, large_casework, many = counted(superuser, pages, LARGE)
    assert many >= 5 * few, "the larger history is several times the smaller"

    problems = [
        f"{key}: {small[key][1]} queries at {SMALL}, {large[key][1]} at {LARGE}"
        for key, _url in pages
        if small[key][1] != large[key][1]
    ]
    problems += [
        f"{key}: answered {small[key][0]} and {large[key][0]}"
        for key, _url in pages
        if small[key][0] != large[key][0] or small[key][0] >= 500
    ]
    problems += [
        f"a social worker's {url}: {small_casework[url][1]} queries, then "
        f"{large_casework[url][1]} with a bigger caseload"
        for url in CASEWORK
        if small_casework[url] != large_casework[url]
    ]
    problems += [
        f"a social worker's {url}: answered {status}"
        for url, (status, _) in (small_casework | large_casework).items()
        if status != 200
    ]
    assert not problems, "\n".join(problems)

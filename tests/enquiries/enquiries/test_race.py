"""Two submissions of the same email address at once make one enquiry with two contacts.

On PostgreSQL, with two threads (two database sessions). The threads meet at a barrier
just after each has looked for an open enquiry. Without the advisory lock on the
address both arrive, neither sees the other's enquiry, and two are made: the test can
see the race. With the lock the second thread cannot look until the first has
committed, so the first waits at the barrier alone, gives up, and the second finds
the first's enquiry.
"""

import contextlib
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from enquiries.models import Enquiry, EnquiryContact
from enquiries.services import enquiries as enquiry_services

from .factories import answers

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def race(monkeypatch) -> None:
    barrier = threading.Barrier(2)
    real_lookup = enquiry_services.open_enquiry_for

    def lookup_then_meet(email, *, now):
        found = real_lookup(email, now=now)
        # Long enough for the other thread to arrive when nothing holds it back.
        with contextlib.suppress(threading.BrokenBarrierError):
            barrier.wait(timeout=3)
        return found

    monkeypatch.setattr(enquiry_services, "open_enquiry_for", lookup_then_meet)

    def one(n: int):
        try:
            return enquiry_services.enquiry_submit(**answers(question=f"Question {n}")).repeat
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(one, range(2)))


def test_without_the_lock_two_submissions_race_into_two_enquiries(require_postgres, monkeypatch):
    monkeypatch.setattr(enquiry_services, "_lock_email", lambda email: None)
    race(monkeypatch)
    assert Enquiry.objects.count() == 2


def test_with_the_lock_they_make_one_enquiry_with_two_contacts(require_postgres, monkeypatch):
    race(monkeypatch)
    assert Enquiry.objects.count() == 1
    assert EnquiryContact.objects.count() == 2

"""seed_demo's enquiries: every stage, some overdue, and the same data on a second run."""

import io

import pytest
from django.utils import timezone

from enquiries.demo import seed_enquiries
from enquiries.models import Enquiry

pytestmark = pytest.mark.django_db


def test_demo_enquiries_cover_every_stage_some_overdue_and_are_idempotent():
    seed_enquiries(stdout=io.StringIO())
    first = set(Enquiry.objects.values_list("pk", "status"))
    assert set(Enquiry.objects.values_list("status", flat=True)) == set(Enquiry.Status.values)
    today = timezone.localdate()
    overdue = Enquiry.objects.filter(next_deadline__lt=today)
    assert overdue.count() >= 2
    assert set(overdue.values_list("next_deadline_clock", flat=True)) >= {
        Enquiry.Clock.FIRST_CONTACT,
        Enquiry.Clock.ROI_CHASE,
        Enquiry.Clock.ROI_DECISION,
    }
    # The acknowledgement carries the pack: no demo enquiry waits for one.
    assert not overdue.filter(next_deadline_clock=Enquiry.Clock.INFORMATION_PACK).exists()
    assert Enquiry.objects.filter(anonymised_at__isnull=False).exists()
    # One closed long ago waits for the retention job's first run.
    from datetime import timedelta

    from django.conf import settings

    long_ago = timezone.now() - timedelta(days=31 * settings.ENQUIRY_RETENTION_MONTHS)
    assert Enquiry.objects.filter(
        status=Enquiry.Status.CLOSED, anonymised_at__isnull=True, closed_at__lt=long_ago
    ).exists()
    seed_enquiries(stdout=io.StringIO())
    assert set(Enquiry.objects.values_list("pk", "status")) == first

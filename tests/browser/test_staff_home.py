"""The staff home page of each role, in Chromium: its panels pass axe and HTML_CodeSniffer
and nothing scrolls sideways at 1280 pixels."""

from datetime import timedelta

import pytest
from django.utils import timezone

from carers.models import Deadline
from enquiries.models import Booking, Enquiry
from placements.models import PlacementDeadline
from portal.roles import Role
from tests.enquiries.enquiries.factories import EnquiryFactory
from tests.enquiries.events.factories import BookingFactory, InformationEventFactory, in_days
from tests.placements.test_dashboard import due, hand_built_placement

from .harness import axe_check, htmlcs_check, page_problems
from .test_carers_journey import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NO_SIDEWAYS_SCROLL = "() => document.documentElement.scrollWidth <= window.innerWidth"


def casework(worker) -> None:
    """Something overdue and something due soon, on a household and on a placement."""
    placement = hand_built_placement(worker, n=1)
    due(placement, PlacementDeadline.Kind.REVIEW, -4)
    due(placement, PlacementDeadline.Kind.VISIT, 3)
    Deadline.objects.create(
        household=placement.household,
        kind=Deadline.Kind.TRAINING,
        subject="training:1",
        label="Training due: Understanding Early Permanence",
        due_on=timezone.localdate() - timedelta(days=2),
    )


def recruitment() -> None:
    late = EnquiryFactory(status=Enquiry.Status.CONTACTED)
    Enquiry.objects.filter(pk=late.pk).update(
        next_deadline=timezone.localdate() - timedelta(days=2),
        next_deadline_clock=Enquiry.Clock.INFORMATION_PACK,
    )
    EnquiryFactory(status=Enquiry.Status.NEW)


def events() -> None:
    InformationEventFactory(title="Tonight's talk", starts_at=timezone.localtime())
    soon = InformationEventFactory(title="Coffee morning", starts_at=in_days(4), places=1)
    BookingFactory(event=soon)
    BookingFactory(event=soon, status=Booking.Status.WAITING, confirmed_at=None)


CASES = {
    Role.SOCIAL_WORKERS: (casework, ["#placements-dashboard-title", "#carers-dashboard-title"]),
    Role.RECRUITMENT_TEAM: (lambda worker: recruitment(), ["#recruitment-dashboard-title"]),
    Role.EVENTS_TEAM: (lambda worker: events(), ["#events-dashboard-title"]),
}


@pytest.mark.parametrize("role", list(CASES))
def test_each_roles_home_page_is_accessible(page, live_server, make_staff, role):
    user = make_staff(role, first_name="Sam", last_name="Worker")
    build, panels = CASES[role]
    build(user)
    sign_in(page, live_server, user)
    page.goto(f"{live_server.url}/admin/")
    for heading in panels:
        assert page.locator(heading).count() == 1, heading
    if role == Role.SOCIAL_WORKERS:
        # Every overdue item of theirs, households and placements alike, tagged in words.
        assert page.locator(".overdue-tag").count() == 2
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    assert not page_problems(page)
    violations = axe_check(page, context="#content-main")
    assert not violations, violations
    htmlcs_errors = htmlcs_check(page, context="#content-main")
    assert not htmlcs_errors, htmlcs_errors

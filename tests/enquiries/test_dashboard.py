"""The recruitment and events panels on the staff home page."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from enquiries.models import Booking, Enquiry, InformationEvent
from enquiries.selectors.enquiries import recruitment_panel
from enquiries.selectors.events import events_panel
from portal.models import User
from portal.roles import Role

from .enquiries.factories import EnquiryFactory
from .events.factories import BookingFactory, InformationEventFactory, in_days

pytestmark = pytest.mark.django_db

Clock = Enquiry.Clock


def enquiry(status=Enquiry.Status.CONTACTED, *, due_in: int | None, clock=Clock.INFORMATION_PACK):
    """An enquiry whose next deadline is set by hand, ``due_in`` days from today."""
    made = EnquiryFactory(status=status)
    due_on = None if due_in is None else timezone.localdate() + timedelta(days=due_in)
    Enquiry.objects.filter(pk=made.pk).update(
        next_deadline=due_on, next_deadline_clock=clock if due_on else ""
    )
    made.refresh_from_db()
    return made


def queries_for(panel, user) -> int:
    fresh = User.objects.get(pk=user.pk)  # permissions read afresh each time
    with CaptureQueriesContext(connection) as queries:
        panel(fresh)
    return len(queries)


# -- recruitment ---------------------------------------------------------------------------


def test_recruitment_sees_new_enquiries_first_contacts_due_today_and_overdue_ones(make_staff):
    new_due_today = enquiry(Enquiry.Status.NEW, due_in=0, clock=Clock.FIRST_CONTACT)
    new_later = enquiry(Enquiry.Status.NEW, due_in=2, clock=Clock.FIRST_CONTACT)
    late_pack = enquiry(due_in=-3)
    enquiry(due_in=4)  # nothing to do yet
    closed = enquiry(due_in=-3)
    Enquiry.objects.filter(pk=closed.pk).update(
        status=Enquiry.Status.CLOSED,
        closed_at=timezone.now(),
        closed_reason=Enquiry.ClosedReason.values[0],
    )

    panel = recruitment_panel(make_staff(Role.RECRUITMENT_TEAM))

    assert panel["new"] == [new_due_today, new_later]
    assert panel["due_today"] == [new_due_today]
    assert panel["overdue"] == [late_pack]


def test_the_recruitment_panel_links_each_enquiry_and_tags_the_overdue(staff_client):
    late = enquiry(due_in=-3)
    html = staff_client(Role.RECRUITMENT_TEAM).get("/admin/").content.decode()
    assert "Enquiries: what needs doing" in html
    change = reverse("admin:enquiries_enquiry_change", args=[late.pk])
    assert f'<a href="{change}">{late.reference}</a>' in html
    assert '<strong class="overdue-tag">Overdue</strong>' in html
    assert f"{reverse('admin:enquiries_enquiry_changelist')}?deadline=overdue" in html


@pytest.mark.parametrize(
    "role", [Role.EVENTS_TEAM, Role.SOCIAL_WORKERS, Role.TEAM_MANAGERS, Role.CONTENT_EDITORS]
)
def test_staff_who_do_not_work_enquiries_see_no_recruitment_panel(staff_client, role):
    enquiry(due_in=-3)
    client = staff_client(role)
    assert recruitment_panel(client.user) is None
    assert "recruitment-dashboard-title" not in client.get("/admin/").content.decode()


def test_the_recruitment_panel_reads_as_many_queries_for_3_and_30_enquiries(make_staff):
    user = make_staff(Role.RECRUITMENT_TEAM)
    for n in range(3):
        enquiry(Enquiry.Status.NEW, due_in=n - 1, clock=Clock.FIRST_CONTACT)
    # Two to read the user's permissions, one for the enquiries.
    assert queries_for(recruitment_panel, user) == 3
    for n in range(27):
        enquiry(Enquiry.Status.NEW, due_in=n % 3 - 1, clock=Clock.FIRST_CONTACT)
    assert queries_for(recruitment_panel, user) == 3


# -- events --------------------------------------------------------------------------------


def test_the_events_team_sees_todays_events_and_the_next_with_places_and_waiting_lists(
    make_staff,
):
    now = timezone.localtime()
    tonight = InformationEventFactory(
        title="Tonight", starts_at=now + timedelta(minutes=1), places=3
    )
    if tonight.starts_at.date() != now.date():  # just before midnight: no event today
        tonight = None
    soon = InformationEventFactory(title="Soon", starts_at=in_days(3), places=2)
    BookingFactory(event=soon, places=2, status=Booking.Status.CONFIRMED)
    BookingFactory(event=soon, places=1, status=Booking.Status.WAITING)
    InformationEventFactory(
        title="Cancelled", starts_at=in_days(4), status=InformationEvent.Status.CANCELLED
    )
    InformationEventFactory(title="Past", starts_at=in_days(-3))

    panel = events_panel(make_staff(Role.EVENTS_TEAM))

    assert panel["today"] == ([tonight] if tonight else [])
    assert [e.title for e in panel["upcoming"]] == ["Soon"]
    [shown] = panel["upcoming"]
    assert (shown.places_left, shown.waiting_count) == (0, 1)


def test_the_events_panel_links_the_sign_in_sheet_and_check_in(staff_client):
    today = InformationEventFactory(title="Today's talk", starts_at=timezone.localtime())
    html = staff_client(Role.EVENTS_TEAM).get("/admin/").content.decode()
    if timezone.localtime(today.starts_at).date() == timezone.localdate():
        sheet = reverse("admin:enquiries_informationevent_sign_in_sheet", args=[today.pk])
        assert f'href="{sheet}"' in html
        bookings = reverse("admin:enquiries_booking_changelist")
        assert f'href="{bookings}?event__id__exact={today.pk}"' in html


@pytest.mark.parametrize("role", [Role.RECRUITMENT_TEAM, Role.SOCIAL_WORKERS, Role.CONTENT_EDITORS])
def test_staff_outside_the_events_team_see_no_events_panel(staff_client, role):
    InformationEventFactory(starts_at=in_days(2))
    client = staff_client(role)
    assert events_panel(client.user) is None
    assert "events-dashboard-title" not in client.get("/admin/").content.decode()


def test_the_events_panel_reads_as_many_queries_for_3_and_30_events(make_staff):
    user = make_staff(Role.EVENTS_TEAM)

    def add(count: int):
        for n in range(count):
            event = InformationEventFactory(starts_at=in_days(n % 5 + 1))
            BookingFactory(event=event, status=Booking.Status.WAITING)

    add(3)
    # Two to read the user's permissions, one for today's events, one for the next.
    assert queries_for(events_panel, user) == 4
    add(27)
    assert queries_for(events_panel, user) == 4

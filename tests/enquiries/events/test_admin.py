"""The events team's admin: annotated changelists, check-in, cancel, export, duplicate."""

import csv
import io
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from enquiries.models import Booking, InformationEvent
from portal.models import Notification
from portal.roles import Role, role_permissions

from .factories import BookingFactory, InformationEventFactory, in_days, today_just_past_midnight

pytestmark = pytest.mark.django_db

EVENTS_URL = "/admin/enquiries/informationevent/"
BOOKINGS_URL = "/admin/enquiries/booking/"


@pytest.fixture
def events_team(staff_client):
    return staff_client(Role.EVENTS_TEAM)


def queries(fn) -> int:
    with CaptureQueriesContext(connection) as context:
        response = fn()
    assert response.status_code == 200
    return len(context.captured_queries)


def populate(events: int):
    for _ in range(events):
        event = InformationEventFactory(places=20)
        BookingFactory.create_batch(3, event=event)
        BookingFactory(event=event, status=Booking.Status.WAITING)


def test_changelists_have_a_query_budget_unchanged_with_ten_times_the_rows(events_team):
    populate(2)
    events_team.get(EVENTS_URL)  # warm-up
    small = (
        queries(lambda: events_team.get(EVENTS_URL)),
        queries(lambda: events_team.get(BOOKINGS_URL)),
    )
    populate(18)
    large = (
        queries(lambda: events_team.get(EVENTS_URL)),
        queries(lambda: events_team.get(BOOKINGS_URL)),
    )
    assert small == large
    print("admin changelist queries (events, bookings):", large)


def test_the_event_changelist_shows_places_taken_and_waiting(events_team):
    event = InformationEventFactory(title="Busy evening", places=4)
    BookingFactory(event=event, places=2)
    BookingFactory(event=event, status=Booking.Status.WAITING)
    BookingFactory(event=event, status=Booking.Status.WAITING)
    BookingFactory(event=event, status=Booking.Status.CANCELLED, places=2)
    html = events_team.get(EVENTS_URL).content.decode()
    assert "2 / 4" in html
    assert '<td class="field-waiting_display">2</td>' in html


def test_the_event_page_lists_bookings_and_status_is_not_editable(events_team):
    event = InformationEventFactory()
    BookingFactory(event=event, name="Ali Example")
    html = events_team.get(f"{EVENTS_URL}{event.pk}/change/").content.decode()
    assert "Ali Example" in html
    assert 'name="status"' not in html
    assert 'name="bookings-0-status"' not in html


def admin_form(**overrides):
    start = timezone.localtime(in_days(30))
    data = {
        "title": "New evening",
        "topic": "information",
        "kind": "in_person",
        "starts_at_0": start.strftime("%d/%m/%Y"),
        "starts_at_1": "19:00:00",
        "ends_at_0": start.strftime("%d/%m/%Y"),
        "ends_at_1": "20:30:00",
        "booking_closes_at_0": "",
        "booking_closes_at_1": "",
        "places": "12",
        "venue": "Town hall",
        "address": "1 High Street, Oakway",
        "joining_link": "",
        "description": "",
        "accessibility": "",
        "bookings-TOTAL_FORMS": "0",
        "bookings-INITIAL_FORMS": "0",
        "bookings-MIN_NUM_FORMS": "0",
        "bookings-MAX_NUM_FORMS": "1000",
    }
    data.update(overrides)
    return data


def test_the_events_team_adds_an_event_through_the_service(events_team):
    response = events_team.post(f"{EVENTS_URL}add/", admin_form())
    assert response.status_code == 302, response.content.decode()[:3000]
    event = InformationEvent.objects.get()
    assert event.slug.startswith("new-evening-")
    assert timezone.localtime(event.starts_at).hour == 19


def test_an_in_person_event_needs_an_address(events_team):
    response = events_team.post(f"{EVENTS_URL}add/", admin_form(address=""))
    assert response.status_code == 200
    assert "Give the address of an in-person event." in response.content.decode()
    assert not InformationEvent.objects.exists()


def test_places_cannot_be_cut_below_those_booked(events_team):
    event = InformationEventFactory(in_person=True, places=5)
    BookingFactory(event=event, places=2)
    BookingFactory(event=event, places=2)
    start = timezone.localtime(event.starts_at)
    end = timezone.localtime(event.ends_at)
    data = admin_form(
        title=event.title,
        places="3",
        starts_at_0=start.strftime("%d/%m/%Y"),
        starts_at_1=start.strftime("%H:%M:%S"),
        ends_at_0=end.strftime("%d/%m/%Y"),
        ends_at_1=end.strftime("%H:%M:%S"),
        venue=event.venue,
        address=event.address,
    )
    data.update({"bookings-TOTAL_FORMS": "2", "bookings-INITIAL_FORMS": "2"})
    for i, booking in enumerate(event.bookings.order_by("status", "created_at", "id")):
        data[f"bookings-{i}-id"] = str(booking.pk)
        data[f"bookings-{i}-event"] = str(event.pk)
    response = events_team.post(f"{EVENTS_URL}{event.pk}/change/", data)
    assert response.status_code == 200
    assert "4 places are already booked" in response.content.decode()
    event.refresh_from_db()
    assert event.places == 5


def test_check_in_actions(events_team):
    event = InformationEventFactory(starts_at=today_just_past_midnight())
    came = BookingFactory(event=event)
    missed = BookingFactory(event=event)
    events_team.post(BOOKINGS_URL, {"action": "mark_attended", "_selected_action": [came.pk]})
    events_team.post(BOOKINGS_URL, {"action": "mark_no_show", "_selected_action": [missed.pk]})
    assert Booking.objects.get(pk=came.pk).status == Booking.Status.ATTENDED
    assert Booking.objects.get(pk=missed.pk).status == Booking.Status.NO_SHOW


def test_check_in_before_the_day_is_refused_with_a_message(events_team):
    booking = BookingFactory(event=InformationEventFactory(starts_at=in_days(5)))
    response = events_team.post(
        BOOKINGS_URL, {"action": "mark_attended", "_selected_action": [booking.pk]}, follow=True
    )
    assert "Check-in opens on the day of the event." in response.content.decode()
    assert Booking.objects.get(pk=booking.pk).status == Booking.Status.CONFIRMED


def test_staff_cancel_a_booking_and_the_waiting_list_moves_up(events_team):
    event = InformationEventFactory(places=1)
    holder = BookingFactory(event=event)
    waiting = BookingFactory(event=event, status=Booking.Status.WAITING, confirmed_at=None)
    events_team.post(BOOKINGS_URL, {"action": "cancel_bookings", "_selected_action": [holder.pk]})
    assert Booking.objects.get(pk=holder.pk).status == Booking.Status.CANCELLED
    assert Booking.objects.get(pk=waiting.pk).status == Booking.Status.CONFIRMED


def test_booking_details_can_be_corrected_but_not_status_or_places(events_team):
    booking = BookingFactory(name="Wrong Name", places=1)
    response = events_team.post(
        f"{BOOKINGS_URL}{booking.pk}/change/",
        {
            "name": "Right Name",
            "phone": "",
            "access_needs": "",
            "heard_about": "",
            "status": "cancelled",
            "places": "2",
        },
    )
    assert response.status_code == 302
    booking.refresh_from_db()
    assert (booking.name, booking.status, booking.places) == ("Right Name", "confirmed", 1)


def test_bookings_are_not_added_in_the_admin(events_team):
    assert events_team.get(f"{BOOKINGS_URL}add/").status_code == 403


def test_cancel_event_asks_first_then_tells_everyone(events_team):
    event = InformationEventFactory(places=1)
    BookingFactory(event=event)
    BookingFactory(event=event, status=Booking.Status.WAITING)
    confirm = events_team.post(
        EVENTS_URL, {"action": "cancel_events", "_selected_action": [event.pk]}
    )
    assert "Yes, cancel and tell everyone" in confirm.content.decode()
    event.refresh_from_db()
    assert event.status == InformationEvent.Status.SCHEDULED

    done = events_team.post(
        EVENTS_URL,
        {"action": "cancel_events", "_selected_action": [event.pk], "confirm": "yes"},
        follow=True,
    )
    assert "2 people were told" in done.content.decode()
    event.refresh_from_db()
    assert event.status == InformationEvent.Status.CANCELLED
    assert Notification.objects.filter(template="enquiries/event_cancelled").count() == 2


def test_export_attendees_as_csv(events_team):
    event = InformationEventFactory(title="Evening", places=5)
    BookingFactory(
        event=event,
        name='=HYPERLINK("x")',
        email="a@example.com",
        phone="01632 960001",
        access_needs="uses a wheelchair",
    )
    BookingFactory(event=event, name="Bea", status=Booking.Status.WAITING)
    BookingFactory(event=event, name="Gone", status=Booking.Status.CANCELLED)
    response = events_team.post(
        EVENTS_URL, {"action": "export_attendees", "_selected_action": [event.pk]}
    )
    assert response["Content-Type"].startswith("text/csv")
    notice, header, *rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert notice[0].startswith("# This file holds personal data.")
    assert header == [
        "Event",
        "Date",
        "Name",
        "Email",
        "Phone",
        "Places",
        "Status",
        "Access needs",
        "Booked at",
    ]
    names = [row[2] for row in rows]
    assert names == ['\'=HYPERLINK("x")', "Bea"], "formulas are defused; cancelled left out"
    assert rows[0][4] == "01632 960001"
    # Access needs only as a flag, as on the sign-in sheet: the words stay on the booking.
    assert rows[0][7] == "Yes: see the booking"
    assert rows[1][7] == ""
    assert "wheelchair" not in response.content.decode()
    assert rows[1][6] == "On the waiting list"


def test_duplicate_an_event_for_the_next_date(events_team):
    event = InformationEventFactory(title="Monthly evening", places=8)
    response = events_team.post(
        EVENTS_URL, {"action": "duplicate_next_month", "_selected_action": [event.pk]}, follow=True
    )
    assert "Created" in response.content.decode()
    copy = InformationEvent.objects.exclude(pk=event.pk).get()
    assert copy.title == "Monthly evening"
    assert copy.starts_at > event.starts_at + timedelta(days=27)
    assert timezone.localtime(copy.starts_at).hour == timezone.localtime(event.starts_at).hour


def test_the_events_team_holds_no_carer_or_placement_permission():
    perms = role_permissions()[Role.EVENTS_TEAM]
    assert perms, "the events team needs its event permissions"
    assert all(p.startswith("enquiries.") for p in perms)
    assert not [p for p in perms if p.split(".")[0] in ("carers", "placements")]
    group = Group.objects.get(name=Role.EVENTS_TEAM)
    granted = set(group.permissions.values_list("content_type__app_label", flat=True))
    assert granted == {"enquiries"}


def test_other_roles_cannot_open_the_event_admin(staff_client):
    client = staff_client(Role.SOCIAL_WORKERS)
    assert client.get(EVENTS_URL).status_code == 403
    assert client.get(BOOKINGS_URL).status_code == 403


def test_bookings_can_be_filtered_by_event(events_team):
    one, other = InformationEventFactory(title="Evening one"), InformationEventFactory()
    BookingFactory(event=one, name="Ann Alpha")
    BookingFactory(event=other, name="Ben Beta")
    html = events_team.get(f"{BOOKINGS_URL}?event__id__exact={one.pk}").content.decode()
    assert "Ann Alpha" in html
    assert "Ben Beta" not in html


def test_the_csv_sorts_names_as_people_read_them_and_dates_like_the_staff_area(events_team):
    event = InformationEventFactory(places=20)
    for n in (1, 10, 11, 2):
        BookingFactory(event=event, name=f"Person {n}")
    response = events_team.post(
        EVENTS_URL, {"action": "export_attendees", "_selected_action": [event.pk]}
    )
    rows = list(csv.reader(io.StringIO(response.content.decode())))[2:]
    assert [row[2] for row in rows] == ["Person 1", "Person 2", "Person 10", "Person 11"]
    local = timezone.localtime(event.starts_at)
    assert rows[0][1].startswith(f"{local.day} {local:%B %Y} at ")


def test_the_sign_in_sheet_lists_who_is_coming_with_access_needs_only_as_a_flag(events_team):
    event = InformationEventFactory(places=20)
    for n in (10, 2, 1):
        BookingFactory(event=event, name=f"Person {n}")
    BookingFactory(event=event, name="Needs Help", access_needs="uses a wheelchair")
    BookingFactory(event=event, name="Waiting Wendy", status=Booking.Status.WAITING)
    BookingFactory(event=event, name="Gone Gary", status=Booking.Status.CANCELLED)
    html = events_team.get(f"{EVENTS_URL}{event.pk}/sign-in-sheet/").content.decode()
    assert html.index("Person 1<") < html.index("Person 2<") < html.index("Person 10<")
    assert "Needs Help" in html and "Yes: see the booking" in html
    assert "wheelchair" not in html
    assert "Waiting Wendy" not in html and "Gone Gary" not in html
    # Laid out for print by the staff stylesheet (the policy refuses inline styles).
    assert 'class="sign-in-sheet"' in html and "css/admin.css" in html
    css = (settings.BASE_DIR / "static" / "css" / "admin.css").read_text()
    assert "@media print" in css and ".sign-in-sheet" in css
    assert (
        f"{EVENTS_URL}{event.pk}/sign-in-sheet/"
        in events_team.get(f"{EVENTS_URL}{event.pk}/change/").content.decode()
    )


def test_the_same_message_on_another_day_is_sent_again(events_team, monkeypatch):
    event = InformationEventFactory(places=2, starts_at=in_days(10))
    BookingFactory.create_batch(2, event=event)
    url = f"{EVENTS_URL}{event.pk}/message/"
    data = {"subject": "Parking", "message": "The car park is closed; use Mill Street."}
    assert "on its way to 2 bookings" in events_team.post(url, data, follow=True).content.decode()
    tomorrow = timezone.localdate() + timedelta(days=1)
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: tomorrow)
    page = events_team.post(url, data, follow=True).content.decode()
    assert "on its way to 2 bookings" in page
    assert Notification.objects.filter(template="enquiries/event_message").count() == 4


def test_the_sign_in_sheet_needs_leave_to_see_bookings_as_well_as_the_event(staff_client):
    viewers = Group.objects.create(name="Event viewers only")
    viewers.permissions.set(
        Permission.objects.filter(
            content_type__app_label="enquiries", codename="view_informationevent"
        )
    )
    event = InformationEventFactory(places=20)
    BookingFactory(event=event, name="Person 1")
    client = staff_client("Event viewers only")
    assert client.get(f"{EVENTS_URL}{event.pk}/change/").status_code == 200
    response = client.get(f"{EVENTS_URL}{event.pk}/sign-in-sheet/")
    assert response.status_code == 403
    assert "Person 1" not in response.content.decode()


def test_message_everyone_booked_once_through_the_outbox(events_team):
    event = InformationEventFactory(places=2)
    booked = BookingFactory.create_batch(2, event=event)
    waiting = BookingFactory(event=event, status=Booking.Status.WAITING)
    # Checked in already on the day: a room change must reach them too.
    checked_in = BookingFactory(event=event, status=Booking.Status.ATTENDED)
    BookingFactory(event=event, status=Booking.Status.CANCELLED)
    url = f"{EVENTS_URL}{event.pk}/message/"
    assert "4 bookings" in events_team.get(url).content.decode()
    data = {"subject": "Room change", "message": "We are in room 2 this time."}
    first = events_team.post(url, data, follow=True).content.decode()
    assert "on its way to 4 bookings" in first
    again = events_team.post(url, data, follow=True).content.decode()  # nothing new
    assert "on its way" not in again and "already been sent today" in again
    rows = Notification.objects.filter(template="enquiries/event_message")
    assert sorted(rows.values_list("to", flat=True)) == sorted(
        b.email for b in [*booked, waiting, checked_in]
    )
    for row in rows:
        assert "first_name" not in row.context
        assert row.context["message"] == "We are in room 2 this time."
    assert InformationEvent.objects.get(pk=event.pk).status == InformationEvent.Status.SCHEDULED
    refused = events_team.post(url, {"subject": "", "message": ""})
    assert refused.status_code == 200
    assert "This field is required" in refused.content.decode()

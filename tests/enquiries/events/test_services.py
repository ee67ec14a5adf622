"""Booking, the waiting list, cancelling and the events team's changes, through the services."""

from datetime import timedelta

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from enquiries.models import Booking, InformationEvent
from enquiries.services import events as services
from portal.models import Notification

from .factories import BookingFactory, InformationEventFactory, in_days, today_just_past_midnight

pytestmark = pytest.mark.django_db


def book(event, email="jo@example.com", places=1, **fields):
    fields.setdefault("name", "Jo Bloggs")
    return services.booking_create(event=event, email=email, places=places, **fields)


def keys(prefix=""):
    return sorted(Notification.objects.filter(key__startswith=prefix).values_list("key", flat=True))


# -- booking -----------------------------------------------------------------


def test_a_booking_that_fits_is_confirmed_and_told_with_a_calendar_file(event):
    booking = book(event, email=" Jo@Example.COM ", phone=" 01632 960001 ")
    assert booking.status == Booking.Status.CONFIRMED
    assert booking.email == "jo@example.com"
    assert booking.phone == "01632 960001"
    assert booking.confirmed_at is not None
    assert len(booking.token) >= 40
    confirmation = Notification.objects.get(key=f"booking:{booking.pk}:confirmed")
    assert confirmation.template == "enquiries/booking_confirmed"
    assert confirmation.attachments == [{"kind": "booking-ics", "booking": booking.pk}]
    assert confirmation.context["joining_link"] == event.joining_link


def test_places_beyond_capacity_go_on_the_waiting_list(make_event):
    event = make_event(places=3)
    first = book(event, "a@example.com", places=2)
    second = book(event, "b@example.com", places=2)
    third = book(event, "c@example.com", places=1)
    assert first.status == Booking.Status.CONFIRMED
    assert second.status == Booking.Status.WAITING
    # One place is still free: a smaller booking that fits is confirmed.
    assert third.status == Booking.Status.CONFIRMED
    assert services.confirmed_places(event) == 3
    fourth = book(event, "d@example.com")
    assert fourth.status == Booking.Status.WAITING
    waiting = Notification.objects.get(key=f"booking:{second.pk}:waiting")
    assert "joining_link" not in waiting.context
    assert waiting.attachments == []
    assert not Notification.objects.filter(key__startswith=f"booking:{second.pk}:reminder").exists()


def test_attended_and_no_show_bookings_still_hold_their_places(make_event):
    event = make_event(places=2)
    BookingFactory(event=event, status=Booking.Status.ATTENDED)
    BookingFactory(event=event, status=Booking.Status.NO_SHOW)
    BookingFactory(event=event, status=Booking.Status.CANCELLED)
    BookingFactory(event=event, status=Booking.Status.WAITING)
    assert services.confirmed_places(event) == 2


def test_the_same_email_cannot_book_the_same_event_twice(event):
    first = book(event, "jo@example.com")
    with pytest.raises(services.DuplicateBooking) as caught:
        book(event, "JO@example.com")
    assert caught.value.booking == first
    assert Booking.objects.count() == 1


def test_after_cancelling_the_same_email_may_book_again(event):
    first = book(event)
    services.booking_cancel(booking=first)
    again = book(event)
    assert again.pk != first.pk
    assert again.status == Booking.Status.CONFIRMED


def test_the_manage_link_is_resent_at_most_once_an_hour(event):
    booking = book(event)
    services.booking_link_resend(booking=booking)
    services.booking_link_resend(booking=booking)
    assert len(keys(f"booking:{booking.pk}:link:")) == 1


@pytest.mark.parametrize(
    "changes",
    [
        {"booking_closes_at": timezone.now() - timedelta(minutes=1)},
        {"starts_at": timezone.now() - timedelta(minutes=1)},
        {"status": InformationEvent.Status.CANCELLED},
    ],
    ids=["after booking closes", "after the start", "cancelled event"],
)
def test_no_booking_once_booking_has_closed(changes):
    start = changes.get("starts_at", in_days(3))
    event = InformationEventFactory(starts_at=start, ends_at=start + timedelta(hours=1))
    InformationEvent.objects.filter(pk=event.pk).update(**changes)
    with pytest.raises(services.BookingClosed):
        book(event)
    assert not Booking.objects.exists()


@pytest.mark.parametrize("places", [0, 3, -1])
def test_places_are_one_or_two(event, places):
    with pytest.raises(services.BookingError):
        book(event, places=places)


def test_a_booking_is_audited_with_a_dotted_action_and_masked_details(event):
    booking = book(event)
    entry = LogEntry.objects.get_for_object(booking).get()
    assert entry.additional_data == {"action": "enquiries.booking.confirmed"}
    assert "jo@example.com" not in str(entry.changes)


# -- reminders ---------------------------------------------------------------


def test_confirmation_queues_two_reminders_with_future_due_times(make_event):
    event = make_event(starts_at=in_days(10, hour=19))
    booking = book(event)
    before, day = (
        Notification.objects.get(key__startswith=f"booking:{booking.pk}:reminder-before:"),
        Notification.objects.get(key__startswith=f"booking:{booking.pk}:reminder-day:"),
    )
    assert before.due_at == event.starts_at - timedelta(days=2)
    local_day = timezone.localtime(day.due_at)
    assert (local_day.date(), local_day.hour) == (timezone.localtime(event.starts_at).date(), 8)
    assert before.context["joining_link"] == event.joining_link


def test_reminders_whose_time_has_passed_are_not_queued(make_event):
    event = make_event(starts_at=in_days(1, hour=19))
    booking = book(event)
    assert keys(f"booking:{booking.pk}:reminder-before") == []
    assert len(keys(f"booking:{booking.pk}:reminder-day")) == 1


def test_a_morning_event_is_reminded_an_hour_before(make_event):
    event = make_event(starts_at=in_days(5, hour=8))
    booking = book(event)
    day = Notification.objects.get(key__startswith=f"booking:{booking.pk}:reminder-day")
    assert day.due_at == event.starts_at - timedelta(hours=1)


# -- cancelling and the waiting list ------------------------------------------


def test_cancelling_withdraws_reminders_and_promotes_the_earliest_waiting_that_fits(make_event):
    event = make_event(places=2)
    holder = book(event, "holder@example.com", places=2)
    pair = book(event, "pair@example.com", places=2)
    single = book(event, "single@example.com", places=1)
    later = book(event, "later@example.com", places=1)
    assert {pair.status, single.status, later.status} == {Booking.Status.WAITING}

    promoted = services.booking_cancel(booking=holder)

    assert [b.pk for b in promoted] == [pair.pk]
    holder.refresh_from_db()
    assert holder.status == Booking.Status.CANCELLED
    assert holder.cancelled_at is not None
    assert {
        n.status for n in Notification.objects.filter(key__contains=f":{holder.pk}:reminder")
    } == {"withdrawn"}
    assert Notification.objects.filter(key=f"booking:{holder.pk}:cancelled").exists()
    pair.refresh_from_db()
    assert pair.status == Booking.Status.CONFIRMED
    promotion = Notification.objects.get(key=f"booking:{pair.pk}:promoted")
    assert promotion.attachments == [{"kind": "booking-ics", "booking": pair.pk}]
    assert promotion.context["joining_link"] == event.joining_link
    assert len(keys(f"booking:{pair.pk}:reminder-")) == 2
    assert Booking.objects.get(pk=single.pk).status == Booking.Status.WAITING


def test_a_freed_place_skips_a_waiting_booking_that_does_not_fit(make_event):
    event = make_event(places=2)
    one = book(event, "one@example.com")
    book(event, "two@example.com")
    pair = book(event, "pair@example.com", places=2)
    single = book(event, "single@example.com")
    promoted = services.booking_cancel(booking=one)
    assert [b.pk for b in promoted] == [single.pk]
    assert Booking.objects.get(pk=pair.pk).status == Booking.Status.WAITING


def test_leaving_the_waiting_list_promotes_nobody(make_event):
    event = make_event(places=1)
    book(event, "one@example.com")
    waiting = book(event, "two@example.com")
    also_waiting = book(event, "three@example.com")
    assert services.booking_cancel(booking=waiting) == []
    assert Booking.objects.get(pk=also_waiting.pk).status == Booking.Status.WAITING


def test_a_booking_cannot_be_cancelled_after_the_start_or_twice(make_event):
    event = make_event()
    booking = book(event)
    services.booking_cancel(booking=booking)
    with pytest.raises(services.BookingNotCancellable):
        services.booking_cancel(booking=booking)
    other = book(event, "other@example.com")
    InformationEvent.objects.filter(pk=event.pk).update(
        starts_at=timezone.now() - timedelta(minutes=5), booking_closes_at=None
    )
    with pytest.raises(services.BookingNotCancellable):
        services.booking_cancel(booking=other)


def test_the_transition_table_refuses_moves_it_does_not_list():
    for status in Booking.Status.values:
        assert status in services.BOOKING_TRANSITIONS
    assert services.BOOKING_TRANSITIONS[Booking.Status.CANCELLED] == set()
    booking = BookingFactory(status=Booking.Status.CANCELLED)
    with pytest.raises(services.TransitionNotAllowed):
        services._transition(
            booking, to=Booking.Status.CONFIRMED, workflow=services.BOOKING_WORKFLOW, what="x"
        )


# -- check-in ----------------------------------------------------------------


def test_check_in_marks_attended_or_no_show_on_the_day(make_event):
    event = make_event(starts_at=today_just_past_midnight())
    came = BookingFactory(event=event)
    missed = BookingFactory(event=event)
    assert services.booking_mark_attended(booking=came).status == Booking.Status.ATTENDED
    assert services.booking_mark_no_show(booking=missed).status == Booking.Status.NO_SHOW
    # A mistake can be put right.
    assert services.booking_mark_attended(booking=missed).status == Booking.Status.ATTENDED
    came.refresh_from_db()
    assert came.checked_in_at is not None


def test_check_in_is_refused_before_the_day_and_for_waiting_bookings(make_event):
    event = make_event(starts_at=in_days(3))
    booking = BookingFactory(event=event)
    with pytest.raises(services.BookingError):
        services.booking_mark_attended(booking=booking)
    today = make_event(starts_at=today_just_past_midnight())
    waiting = BookingFactory(event=today, status=Booking.Status.WAITING)
    with pytest.raises(services.TransitionNotAllowed):
        services.booking_mark_attended(booking=waiting)


# -- the events team's changes -------------------------------------------------


def test_a_new_event_gets_a_unique_slug_from_its_title_and_date():
    start = in_days(20)
    first = InformationEvent(
        title="Online information evening",
        starts_at=start,
        ends_at=start + timedelta(hours=1),
        places=10,
    )
    services.event_save(event=first)
    second = InformationEvent(
        title="Online information evening",
        starts_at=start,
        ends_at=start + timedelta(hours=1),
        places=10,
    )
    services.event_save(event=second)
    day = timezone.localtime(start).strftime("%Y-%m-%d")
    assert first.slug == f"online-information-evening-{day}"
    assert second.slug == f"online-information-evening-{day}-2"


def test_more_places_promote_the_waiting_list(make_event):
    event = make_event(places=1)
    book(event, "one@example.com")
    waiting = book(event, "two@example.com")
    event.places = 2
    services.event_save(event=event, changed=["places"])
    assert Booking.objects.get(pk=waiting.pk).status == Booking.Status.CONFIRMED


def test_places_cannot_drop_below_the_places_taken(make_event):
    event = make_event(places=3)
    book(event, "one@example.com", places=2)
    event.places = 1
    with pytest.raises(ValidationError):
        services.event_save(event=event, changed=["places"])


def test_a_new_time_replans_the_reminders(make_event):
    event = make_event(starts_at=in_days(10))
    booking = book(event)
    old = set(keys(f"booking:{booking.pk}:reminder-"))
    event.starts_at = in_days(12)
    event.ends_at = event.starts_at + timedelta(hours=1)
    services.event_save(event=event, changed=["starts_at", "ends_at"])
    assert {n.status for n in Notification.objects.filter(key__in=old)} == {"withdrawn"}
    fresh = Notification.objects.pending().filter(key__startswith=f"booking:{booking.pk}:reminder-")
    assert fresh.count() == 2
    assert fresh.get(key__contains="reminder-before").due_at == event.starts_at - timedelta(days=2)


def test_cancelling_an_event_tells_everyone_booked_and_withdraws_reminders(make_event):
    event = make_event(places=1)
    confirmed = book(event, "one@example.com")
    waiting = book(event, "two@example.com")
    gone = book(event, "three@example.com")
    services.booking_cancel(booking=gone)
    make_event(title="The next one", starts_at=in_days(30))

    told = services.event_cancel(event=event)

    assert told == 2
    event.refresh_from_db()
    assert event.status == InformationEvent.Status.CANCELLED
    assert event.cancelled_at is not None
    for booking in (confirmed, waiting):
        notice = Notification.objects.get(key=f"booking:{booking.pk}:event-cancelled")
        assert notice.context["next_events"][0]["title"] == "The next one"
    assert not Notification.objects.filter(key=f"booking:{gone.pk}:event-cancelled").exists()
    assert not Notification.objects.pending().filter(key__contains=":reminder-").exists()
    with pytest.raises(services.TransitionNotAllowed):
        services.event_cancel(event=event)
    with pytest.raises(services.BookingClosed):
        book(event, "four@example.com")


def test_duplicating_an_event_keeps_the_times_of_day_across_a_clock_change(make_event):
    # 7pm on a day in March stays 7pm a month later, after the clocks go forward.
    start = timezone.make_aware(timezone.datetime(2031, 3, 10, 19, 0))
    event = make_event(
        title="Evening", starts_at=start, ends_at=start + timedelta(hours=2), places=15
    )
    copy = services.event_duplicate(event=event)
    local = timezone.localtime(copy.starts_at)
    assert (local.year, local.month, local.day, local.hour) == (2031, 4, 10, 19)
    assert timezone.localtime(copy.ends_at).hour == 21
    assert copy.places == 15
    assert copy.joining_link == ""
    assert copy.status == InformationEvent.Status.SCHEDULED
    assert copy.slug != event.slug


# -- changing a booking --------------------------------------------------------


def test_a_booking_takes_more_places_only_if_they_fit():
    event = InformationEventFactory(places=3)
    booking = services.booking_create(event=event, name="Jo", email="jo@example.com", places=1)
    other = services.booking_create(event=event, name="Sam", email="sam@example.com", places=2)
    with pytest.raises(services.NotEnoughPlaces) as refused:
        services.booking_change(booking=booking, places=2, phone="", access_needs="step-free")
    assert "no more places at this event: you can keep your 1 place" in refused.value.message
    booking.refresh_from_db()
    assert (booking.places, booking.access_needs) == (1, ""), "nothing half-saved"
    services.booking_cancel(booking=other)
    services.booking_change(booking=booking, places=2, phone="01632 960001", access_needs="")
    booking.refresh_from_db()
    assert (booking.places, booking.phone) == (2, "01632 960001")
    assert LogEntry.objects.filter(additional_data__action="enquiries.booking.changed").exists()


def test_fewer_places_go_to_the_waiting_list():
    event = InformationEventFactory(places=2)
    booking = services.booking_create(event=event, name="Jo", email="jo@example.com", places=2)
    waiting = services.booking_create(event=event, name="Sam", email="sam@example.com", places=1)
    assert waiting.status == Booking.Status.WAITING
    promoted = services.booking_change(booking=booking, places=1, phone="", access_needs="")
    assert [b.pk for b in promoted] == [waiting.pk]
    waiting.refresh_from_db()
    assert waiting.status == Booking.Status.CONFIRMED


def test_a_booking_left_active_on_a_cancelled_event_is_told_by_the_sweep_once(
    require_postgres, make_event
):
    """A booking wait-listed without the lock while the event was being cancelled."""
    from enquiries.tasks import fill_waiting_lists

    event = make_event(places=1)
    book(event, "one@example.com")
    services.event_cancel(event=event)
    # Committed after the cancellation counted who to tell: active, never told.
    late = BookingFactory(event=event, email="late@example.com", status=Booking.Status.WAITING)
    other = make_event(title="Still on", starts_at=in_days(30), places=1)
    book(other, "two@example.com")

    fill_waiting_lists()
    fill_waiting_lists()

    notices = Notification.objects.filter(key__endswith=":event-cancelled")
    assert sorted(notices.values_list("to", flat=True)) == ["late@example.com", "one@example.com"]
    late_notice = notices.get(to="late@example.com")
    assert late_notice.key == f"booking:{late.pk}:event-cancelled"
    assert late_notice.template == "enquiries/event_cancelled"
    assert late_notice.context["next_events"][0]["title"] == "Still on"
    assert services.events_cancelled_tell_late_bookings() == 0


def test_a_booking_cannot_be_changed_once_booking_closes():
    event = InformationEventFactory()
    booking = services.booking_create(event=event, name="Jo", email="jo@example.com", places=1)
    InformationEvent.objects.filter(pk=event.pk).update(
        booking_closes_at=timezone.now() - timedelta(minutes=1)
    )
    booking.refresh_from_db()
    with pytest.raises(services.BookingNotChangeable):
        services.booking_change(booking=booking, places=2, phone="", access_needs="")


def test_the_event_lock_is_held_for_the_count_and_the_writes_only(require_postgres):
    """Fewer statements inside the lock means a crowd gets through it sooner."""
    event = InformationEventFactory(places=5, starts_at=in_days(10))
    with CaptureQueriesContext(connection) as context:
        services.booking_create(event=event, name="Jo", email="jo@example.com", places=1)
    sqls = [q["sql"] for q in context.captured_queries]
    (lock,) = [n for n, sql in enumerate(sqls) if "FOR " in sql and "UPDATE" in sql]
    inside = [sql for sql in sqls[lock + 1 :] if not sql.startswith(("SAVEPOINT", "RELEASE"))]
    print("statements under the event lock:", len(inside))
    # The count, the booking, its audit entry, and the three emails in one INSERT.
    assert len(inside) <= 5, inside

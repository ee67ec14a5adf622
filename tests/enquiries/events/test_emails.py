"""What the emails say, as delivered by the outbox: HTML and text, no personal details."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from enquiries import reminders
from enquiries.models import Booking, InformationEvent
from enquiries.services import events as services
from portal.notifications import deliver_due

from .factories import BookingFactory, InformationEventFactory, in_days

pytestmark = pytest.mark.django_db

PRIVATE = "wheelchair user, needs BSL interpreter"
PHONE = "01632 960001"


def book(event, email="jo@example.com", **fields):
    return services.booking_create(
        event=event,
        name="Jo O'Brien Bloggs",
        email=email,
        places=1,
        phone=PHONE,
        access_needs=PRIVATE,
        **fields,
    )


def sent(template_word):
    return [m for m in mail.outbox if template_word in m.subject]


def assert_clean(message):
    html = message.alternatives[0][0]
    for body in (message.body, html):
        assert PRIVATE not in body
        assert PHONE not in body
        assert "Bloggs" not in body
    assert "Jo" in message.body
    assert "&#x27;" not in message.subject + message.body


def test_every_booking_email_has_text_and_html_and_no_personal_details(settings):
    event = InformationEventFactory(places=1, title="Evening with O'Neill's team")
    first = book(event)
    second = book(event, "sam@example.com")
    services.booking_cancel(booking=first)
    far = timezone.now() + timedelta(days=60)
    deliver_due(now=far)
    # Jo: booked, cancelled (her reminders withdrawn). Sam: waiting, promoted, two reminders.
    assert sorted((m.to[0], m.subject.split(":")[0]) for m in mail.outbox) == [
        ("jo@example.com", "Your booking is cancelled"),
        ("jo@example.com", "Your place is booked"),
        ("sam@example.com", "Good news, a place came up"),
        ("sam@example.com", "Reminder"),
        ("sam@example.com", "Today"),
        ("sam@example.com", "You are on the waiting list"),
    ]
    for message in mail.outbox:
        assert_clean(message)
        assert message.alternatives[0][1] == "text/html"
        assert "/bookings/" in message.body or "cancelled" in message.subject
    # Only the emails of a confirmed place carry the joining link.
    for message in mail.outbox:
        carries = event.joining_link in message.body
        confirmed_kind = any(
            word in message.subject for word in ("booked", "came up", "Reminder", "Today")
        )
        assert carries == confirmed_kind, message.subject
    assert sent("waiting list")[0].to == ["sam@example.com"]
    assert sent("came up")[0].to == ["sam@example.com"]
    assert sent("cancelled")[0].to == ["jo@example.com"]
    assert "Evening with O'Neill's team" in sent("booked")[0].subject
    # Jo cancelled before her confirmation went: it says nothing about a calendar file.
    assert "calendar file" not in sent("booked")[0].body
    assert "calendar file is attached" in sent("came up")[0].body
    assert sent("came up")[0].attachments[0][0] == "information-event.ics"
    assert second.status == Booking.Status.WAITING


def test_the_reminders_are_sent_when_due_and_not_before():
    event = InformationEventFactory(starts_at=in_days(10, hour=19))
    book(event)
    deliver_due()
    assert [m.subject for m in mail.outbox] == [f"Your place is booked: {event.title}"]
    deliver_due(now=event.starts_at - timedelta(days=2, minutes=-1))
    assert mail.outbox[-1].subject == f"Reminder: {event.title} is coming up"
    deliver_due(now=event.starts_at - timedelta(hours=10))
    assert mail.outbox[-1].subject == f"Today: {event.title}"
    assert event.joining_link in mail.outbox[-1].body
    assert len(mail.outbox) == 3


def test_a_cancelled_booking_gets_no_reminders():
    event = InformationEventFactory(starts_at=in_days(10))
    booking = book(event)
    services.booking_cancel(booking=booking)
    deliver_due(now=event.starts_at)
    assert not [m for m in mail.outbox if "Reminder" in m.subject or "Today" in m.subject]


def test_an_event_cancelled_by_staff_tells_everyone_with_the_next_dates():
    event = InformationEventFactory(places=1)
    InformationEventFactory(title="Next month's evening", starts_at=in_days(40))
    book(event)
    book(event, "sam@example.com")
    services.event_cancel(event=event)
    deliver_due(now=event.starts_at)
    cancelled = sent("Cancelled:")
    assert sorted(m.to[0] for m in cancelled) == ["jo@example.com", "sam@example.com"]
    assert "Next month's evening" in cancelled[0].body
    assert not sent("Reminder") and not sent("Today")


def test_after_the_event_attendees_are_invited_to_enquire_and_no_shows_offered_dates(settings):
    event = InformationEventFactory(starts_at=in_days(-2), ends_at=in_days(-2) + timedelta(hours=1))
    came = BookingFactory(event=event, status=Booking.Status.ATTENDED, name="Ali Came")
    missed = BookingFactory(event=event, status=Booking.Status.NO_SHOW, name="Bo Missed")
    BookingFactory(event=event, status=Booking.Status.CANCELLED)
    BookingFactory(event=event, status=Booking.Status.CONFIRMED)
    InformationEventFactory(title="Another chance", starts_at=in_days(14))
    other_cancelled = InformationEventFactory(
        starts_at=in_days(-2), status=InformationEvent.Status.CANCELLED
    )
    BookingFactory(event=other_cancelled, status=Booking.Status.NO_SHOW)

    assert reminders.follow_ups_queue() == 2
    assert reminders.follow_ups_queue() == 0, "each person is followed up once"
    deliver_due()
    (thanks,) = sent("Thank you for coming")
    assert thanks.to == [came.email]
    assert "http://testserver/enquire/" in thanks.body
    (sorry,) = sent("Sorry we missed you")
    assert sorry.to == [missed.email]
    assert "Another chance" in sorry.body


def test_follow_ups_wait_until_some_hours_after_the_end(settings):
    settings.EVENT_FOLLOW_UP_HOURS_AFTER = 12
    start = timezone.now() - timedelta(hours=3)
    event = InformationEventFactory(starts_at=start, ends_at=start + timedelta(hours=1))
    BookingFactory(event=event, status=Booking.Status.ATTENDED)
    assert reminders.follow_ups_queue() == 0
    assert reminders.follow_ups_queue(now=timezone.now() + timedelta(hours=11)) == 1


def test_the_beat_task_queues_follow_ups():
    from enquiries.tasks import queue_event_follow_ups

    # Two days ago: past the follow-up hours whatever the time of day the test runs.
    event = InformationEventFactory(starts_at=in_days(-2), ends_at=in_days(-2) + timedelta(hours=1))
    BookingFactory(event=event, status=Booking.Status.ATTENDED)
    assert queue_event_follow_ups.delay().get() == 1


def test_the_follow_up_task_is_in_the_beat_schedule(settings):
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "enquiries.tasks.queue_event_follow_ups" in tasks


def test_every_html_email_has_a_heading():
    """The shared layout gives every email its subject as a heading (all apps' templates)."""
    from pathlib import Path

    from django.conf import settings

    from portal.models import Notification
    from portal.notifications import build_message

    root = Path(settings.BASE_DIR) / "templates" / "emails"
    templates = sorted(
        str(path.relative_to(root))[: -len(".html")]
        for path in root.rglob("*.html")
        if not path.name.startswith("_") and path.name != "layout.html"
    )
    assert len(templates) >= 20
    for template in templates:
        note = Notification(key="t", to="x@example.com", template=template, context={})
        html = build_message(note).alternatives[0][0]
        heading = html[html.index("<h1") : html.index("</h1>")]
        assert heading.split(">", 1)[1].strip(), template


def test_event_emails_say_when_and_where_and_repeat_the_access_arrangements():
    event = InformationEventFactory(
        kind=InformationEvent.Kind.IN_PERSON,
        venue="Oakway Hall",
        address="1 High Street\nOakway",
        joining_link="",
        accessibility="Step-free entrance and a hearing loop.",
    )
    book(event)
    deliver_due()
    (message,) = sent("booked")
    html = message.alternatives[0][0]
    for body in (message.body, html):
        assert "When:" in body and "Where:" in body
        assert "Step-free entrance and a hearing loop." in body
    assert "<h1" in html and "<h2" in html


def test_a_booking_made_shortly_before_the_start_promises_no_reminder_already_past():
    soon = timezone.now() + timedelta(minutes=30)
    event = InformationEventFactory(
        starts_at=soon, ends_at=soon + timedelta(hours=1), booking_closes_at=None
    )
    booking = book(event)
    assert not reminder_keys(booking, "reminder-")
    deliver_due()
    (message,) = sent("booked")
    assert "remind" not in message.body
    assert "remind" not in message.alternatives[0][0]


def test_a_booking_made_days_ahead_promises_both_reminders():
    booking = book(InformationEventFactory(starts_at=in_days(10)))
    assert len(reminder_keys(booking, "reminder-")) == 2
    deliver_due()
    (message,) = sent("booked")
    assert "remind you nearer the time and on the day of the event" in message.body


def reminder_keys(booking, prefix):
    from portal.models import Notification

    return list(
        Notification.objects.filter(key__startswith=f"booking:{booking.pk}:{prefix}").values_list(
            "key", flat=True
        )
    )

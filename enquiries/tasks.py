"""Thin Celery tasks for the enquiries app."""

from celery import shared_task

from . import reminders
from .services import events as event_services

# -- Information events -------------------------------------------------------


@shared_task(ignore_result=True)
def queue_event_follow_ups() -> int:
    """Beat: invite attendees to enquire and offer no-shows the next dates, once each."""
    return reminders.follow_ups_queue()


@shared_task(ignore_result=True)
def fill_waiting_lists() -> int:
    """Beat: free places go to waiting bookings made while an event's lock was busy;
    such a booking made while its event was being cancelled is told of the cancellation."""
    told = event_services.events_cancelled_tell_late_bookings()
    return event_services.events_waiting_list_fill() + told


# -- Enquiries ----------------------------------------------------------------


@shared_task(ignore_result=True)
def anonymise_closed_enquiries() -> int:
    """Anonymise enquiries closed for longer than ENQUIRY_RETENTION_MONTHS now (beat does
    it with the rest of the retention schedule); legal holds are kept."""
    from portal import retention

    run = retention.run(keys=["enquiries.closed"], trigger="enquiries")
    return run.done

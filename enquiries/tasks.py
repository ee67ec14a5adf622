"""Thin Celery tasks for the enquiries app."""

from celery import shared_task

from . import pipeline, reminders

# -- Information events -------------------------------------------------------


@shared_task(ignore_result=True)
def queue_event_follow_ups() -> int:
    """Beat: invite attendees to enquire and offer no-shows the next dates, once each."""
    return reminders.follow_ups_queue()


# -- Enquiries ----------------------------------------------------------------


@shared_task(ignore_result=True)
def anonymise_closed_enquiries() -> int:
    """Beat: anonymise enquiries closed for longer than ENQUIRY_RETENTION_MONTHS."""
    return pipeline.enquiries_anonymise_due()

"""The enquiries app's classes of the retention schedule (``portal.retention``)."""

from django.conf import settings

from portal.retention import ANONYMISE, RetentionClass, months

from .services import enquiries as enquiry_services
from .services import events as event_services

CLASSES = (
    RetentionClass(
        key="enquiries.closed",
        title="Enquiries that do not go further",
        covers="an enquiry closed without an application: contact details, household, "
        "questions, notes and the emails about it",
        period=lambda: months(settings.ENQUIRY_RETENTION_MONTHS),
        runs_from="the day it was closed",
        action=ANONYMISE,
        due=enquiry_services.closed_due,
        apply=enquiry_services.closed_anonymise,
        setting="ENQUIRY_RETENTION_MONTHS",
    ),
    RetentionClass(
        key="enquiries.bookings",
        title="Event bookings",
        covers="the booker's name, email address, phone number and access needs; "
        "the number of places booked is kept",
        period=lambda: months(settings.BOOKING_RETENTION_MONTHS),
        runs_from="the day of the event",
        action=ANONYMISE,
        due=event_services.bookings_due,
        apply=event_services.bookings_anonymise,
        setting="BOOKING_RETENTION_MONTHS",
    ),
)

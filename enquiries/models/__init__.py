"""The enquiries app's tables: ``events`` (information events and bookings) and
``enquiries`` (enquiries, their contacts, status changes and notes)."""

from .enquiries import Enquiry, EnquiryContact, EnquiryNote, EnquiryStatusChange
from .events import Booking, BookingQuerySet, InformationEvent, new_booking_token

__all__ = [
    "Booking",
    "BookingQuerySet",
    "Enquiry",
    "EnquiryContact",
    "EnquiryNote",
    "EnquiryStatusChange",
    "InformationEvent",
    "new_booking_token",
]

"""The enquiries app's tables: ``events`` (information events and bookings) and
``enquiries`` (enquiries, their contacts, status changes and notes) and
``registration`` (the Registration of Interest filled in online)."""

from .enquiries import Enquiry, EnquiryContact, EnquiryNote, EnquiryStatusChange
from .events import Booking, BookingQuerySet, InformationEvent, new_booking_token
from .registration import RegistrationOfInterest, new_registration_token, token_digest

__all__ = [
    "Booking",
    "BookingQuerySet",
    "Enquiry",
    "EnquiryContact",
    "EnquiryNote",
    "EnquiryStatusChange",
    "InformationEvent",
    "RegistrationOfInterest",
    "new_booking_token",
    "new_registration_token",
    "token_digest",
]

from django.apps import AppConfig


class EnquiriesConfig(AppConfig):
    name = "enquiries"
    verbose_name = "Enquiries and events"

    def ready(self):
        from auditlog.registry import auditlog

        from portal.notifications import register_attachment_builder

        from .ics import booking_ics_attachment
        from .models import Booking, InformationEvent

        # Information events and bookings.
        register_attachment_builder("booking-ics", booking_ics_attachment)
        auditlog.register(InformationEvent, exclude_fields=["updated_at"])
        auditlog.register(
            Booking,
            exclude_fields=["updated_at", "token"],
            mask_fields=["name", "email", "phone", "access_needs"],
        )

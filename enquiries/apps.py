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

        # Enquiries: personal fields are masked completely (the default keeps half).
        from .models import Enquiry, EnquiryContact, EnquiryNote
        from .services.enquiries import AUDIT_MASKED_FIELDS

        mask = "enquiries.services.enquiries.audit_mask"
        auditlog.register(
            Enquiry,
            # carer_household: the carers app's link back, read on every create otherwise.
            exclude_fields=["updated_at", "carer_household"],
            mask_fields=list(AUDIT_MASKED_FIELDS["enquiry"]),
            mask_callable=mask,
        )
        auditlog.register(
            EnquiryContact,
            mask_fields=list(AUDIT_MASKED_FIELDS["enquirycontact"]),
            mask_callable=mask,
        )
        auditlog.register(
            EnquiryNote, mask_fields=list(AUDIT_MASKED_FIELDS["enquirynote"]), mask_callable=mask
        )

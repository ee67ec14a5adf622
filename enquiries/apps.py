from django.apps import AppConfig


class EnquiriesConfig(AppConfig):
    name = "enquiries"
    verbose_name = "Enquiries and events"

    def ready(self):
        from auditlog.registry import auditlog

        from portal.notifications import register_attachment_builder

        from . import roles
        from .ics import booking_ics_attachment
        from .models import Booking, InformationEvent

        roles.grant_roles()

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
        from .pipeline import AUDIT_MASKED_FIELDS

        mask = "enquiries.pipeline.audit_mask"
        # Links other apps keep to an enquiry are their records, not the enquiry's (a
        # one-to-one link back would be read from the database on every create).
        links_back = [
            field.name
            for field in Enquiry._meta.get_fields()
            if field.auto_created and not field.concrete
        ]
        auditlog.register(
            Enquiry,
            exclude_fields=["updated_at", *links_back],
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

from django.apps import AppConfig


class EnquiriesConfig(AppConfig):
    name = "enquiries"
    verbose_name = "Enquiries and events"

    def ready(self):
        from portal import audit
        from portal.dashboard import register_panel
        from portal.notifications import register_attachment_builder
        from portal.retention import register as register_retention
        from portal.search import register_kind
        from portal.subject_access import Provider, register_provider
        from portal.workflow import lock_rank

        from . import retention, roles
        from .ics import booking_ics_attachment
        from .models import Booking, Enquiry, EnquiryContact, EnquiryNote, InformationEvent
        from .selectors.enquiries import SEARCH_KINDS, recruitment_panel
        from .selectors.events import events_panel
        from .services.enquiries import AUDIT_MASKED_FIELDS
        from .subject_access import enquiry_sections

        roles.grant_roles()
        register_panel(template="enquiries/admin/recruitment_panel.html", context=recruitment_panel)
        register_panel(template="enquiries/admin/events_panel.html", context=events_panel)
        for kind in SEARCH_KINDS:
            register_kind(kind)
        for retention_class in retention.CLASSES:
            register_retention(retention_class)
        # A subject access request: the person's enquiries and bookings.
        register_provider(Provider(name="enquiries", find=enquiry_sections, order=10))

        # Information events and bookings.
        register_attachment_builder("booking-ics", booking_ics_attachment)
        audit.register(InformationEvent, excluded=["updated_at"])
        audit.register(
            Booking,
            excluded=["updated_at", "token"],
            masked=["name", "email", "phone", "access_needs"],
            initials=["name"],
        )

        # Enquiries: personal fields are masked completely.
        # Links other apps keep to an enquiry are their records, not the enquiry's (a
        # one-to-one link back would be read from the database on every create).
        links_back = [
            field.name
            for field in Enquiry._meta.get_fields()
            if field.auto_created and not field.concrete
        ]
        audit.register(
            Enquiry,
            excluded=["updated_at", *links_back],
            masked=AUDIT_MASKED_FIELDS["enquiry"],
            initials=["first_name", "last_name"],
        )
        audit.register(EnquiryContact, masked=AUDIT_MASKED_FIELDS["enquirycontact"])
        audit.register(EnquiryNote, masked=AUDIT_MASKED_FIELDS["enquirynote"])

        # The lock order (README "Lock order"): an event's row before its bookings (every
        # change to who holds a place locks the event first), bookings before enquiries.
        lock_rank(InformationEvent, 10)
        lock_rank(Booking, 20)
        lock_rank(Enquiry, 30)

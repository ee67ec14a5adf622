"""What the enquiries app holds about a person, for a subject access request
(``portal.subject_access``): their enquiries (with their contacts and the notes staff
wrote, and the Registration of Interest they filled in online) and their bookings for
information events.

Enquiries and bookings keep no date of birth, so they are found by email address only:
a name alone could be someone else's. A partner's name and the ages of the children at
home are another person's details and are left out.
"""

from django.db.models import Prefetch

from portal.subject_access import REVIEW, Person, Section, as_text

from .models import Booking, Enquiry, EnquiryNote
from .services.registration import registration_answers


def _enquiry_section(enquiry: Enquiry) -> list[Section]:
    section = Section(title=f"Enquiry {enquiry.reference}", source="enquiries")
    section.add("Reference", enquiry.reference)
    section.add("Received", enquiry.received_at)
    section.add("Stage", enquiry.get_status_display())
    if enquiry.closed_reason:
        section.add("Reason for closing", enquiry.get_closed_reason_display())
    section.add("First name", enquiry.first_name)
    section.add("Last name", enquiry.last_name)
    section.add("Email address", enquiry.email)
    section.add("Phone number", enquiry.phone)
    section.add("Postcode", enquiry.postcode)
    section.add("Preferred way to be contacted", enquiry.get_contact_method_display())
    section.add("Best time to be contacted", enquiry.get_contact_time_display())
    section.add("Applying", enquiry.get_household_display())
    if enquiry.partner_name:
        section.leave_out("Partner's name")
    if enquiry.children_ages:
        section.leave_out("Ages of children living at home")
    section.add("Route they are interested in", enquiry.get_route_display())
    section.add("Confirmed aged 21 or over", enquiry.aged_21_or_over)
    section.add("How they heard about us", enquiry.get_heard_about_display())
    section.add("Privacy notice acknowledged", enquiry.privacy_acknowledged_at)
    section.add("Consent to keep sensitive details given", enquiry.sensitive_consent_at)
    if enquiry.sensitive_consent_withdrawn_at:
        section.add(
            "Consent to keep sensitive details withdrawn", enquiry.sensitive_consent_withdrawn_at
        )
    for change in enquiry.status_changes.all():
        section.add(f"Moved to “{change.get_to_status_display()}”", change.at)
    if enquiry.household_reference:
        section.add("Carer household", enquiry.household_reference)
    sections = [section]

    contacts = Section(title=f"Enquiry {enquiry.reference}: what they told us", source="enquiries")
    for n, contact in enumerate(enquiry.contacts.all(), start=1):
        contacts.add(f"Contact {n}: received", contact.received_at)
        contacts.add(f"Contact {n}: their question", contact.question)
        contacts.add(f"Contact {n}: sensitive details they shared", contact.sensitive_details)
        if contact.sensitive_withheld:
            contacts.add(
                f"Contact {n}", "They wrote something sensitive, not kept without their consent."
            )
    sections.append(contacts)

    registration = getattr(enquiry, "registration", None)
    if registration is not None:
        roi = Section(
            title=f"Enquiry {enquiry.reference}: Registration of Interest", source="enquiries"
        )
        roi.add("Form emailed", registration.link_sent_at)
        roi.add("Answers last saved", registration.saved_at)
        roi.add("Sent", registration.submitted_at)
        for label, value in registration_answers(enquiry, registration.data):
            # The partner's and the children's details are theirs, not the requester's.
            if label.startswith(("Partner", "Child")):
                roi.leave_out(label)
            else:
                roi.add(label, value)
        sections.append(roi)

    notes = list(enquiry.notes.all())
    if notes:
        section = Section(
            title=f"Enquiry {enquiry.reference}: notes by staff", source="enquiries", review=REVIEW
        )
        for note in notes:
            section.add(as_text(note.created_at), note.text)
        sections.append(section)
    return sections


def _booking_section(booking: Booking) -> Section:
    event = booking.event
    section = Section(title=f"Booking: {event.title}", source="enquiries")
    section.add("Event", event.title)
    section.add("Starts", event.starts_at)
    section.add("Name", booking.name)
    section.add("Email address", booking.email)
    section.add("Phone number", booking.phone)
    section.add("Places", booking.places)
    section.add("Access needs", booking.access_needs)
    section.add("How they heard about us", booking.get_heard_about_display())
    section.add("Status", booking.get_status_display())
    section.add("Booked", booking.created_at)
    section.add("Cancelled", booking.cancelled_at)
    section.add("Checked in", booking.checked_in_at)
    return section


def enquiry_sections(person: Person) -> list[Section]:
    email = person.normalised_email
    if not email:
        return []
    enquiries = (
        Enquiry.objects.filter(email__iexact=email, anonymised_at__isnull=True)
        .select_related("registration")
        .prefetch_related(
            "contacts",
            "status_changes",
            Prefetch("notes", queryset=EnquiryNote.objects.order_by("created_at", "id")),
        )
        .order_by("received_at", "id")
    )
    bookings = (
        Booking.objects.filter(email__iexact=email)
        .select_related("event")
        .order_by("created_at", "id")
    )
    sections = [s for enquiry in enquiries for s in _enquiry_section(enquiry)]
    sections.extend(_booking_section(booking) for booking in bookings)
    return sections

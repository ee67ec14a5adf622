"""Factories and helpers for enquiry tests."""

import factory
from django.utils import timezone

from enquiries.clocks import next_deadline
from enquiries.models import Enquiry
from enquiries.services import enquiries as enquiry_services


class EnquiryFactory(factory.django.DjangoModelFactory):
    """An enquiry written straight to the database (tests of the pipeline use the services)."""

    class Meta:
        model = Enquiry

    first_name = factory.Sequence(lambda n: f"Robin{n}")
    last_name = "Example"
    email = factory.Sequence(lambda n: f"enquirer{n}@example.com")
    phone = "01632 960 001"
    postcode = "OK1 2AB"
    contact_method = Enquiry.ContactMethod.EMAIL
    contact_time = Enquiry.ContactTime.ANY
    household = Enquiry.Household.SINGLE
    route = Enquiry.Route.NOT_SURE
    aged_21_or_over = True
    heard_about = Enquiry.HeardAbout.SEARCH
    privacy_acknowledged_at = factory.LazyFunction(timezone.now)
    received_at = factory.LazyFunction(timezone.now)
    last_contact_at = factory.LazyAttribute(lambda o: o.received_at)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        enquiry = model_class(*args, **kwargs)
        enquiry.next_deadline, enquiry.next_deadline_clock = next_deadline(enquiry)
        enquiry.save()
        return enquiry


def answers(**overrides) -> dict:
    """Keyword arguments for ``enquiry_services.enquiry_submit``: a complete, consenting enquiry."""
    data = {
        "first_name": "Jo",
        "last_name": "Bloggs",
        "email": "jo.bloggs@example.com",
        "phone": "01632 960 001",
        "postcode": "OK1 2AB",
        "contact_method": Enquiry.ContactMethod.EITHER,
        "contact_time": Enquiry.ContactTime.EVENING,
        "household": Enquiry.Household.COUPLE,
        "partner_name": "Sam Bloggs",
        "children_ages": [4, 9],
        "route": Enquiry.Route.CONCURRENT_PLANNING,
        "aged_21_or_over": True,
        "heard_about": Enquiry.HeardAbout.EVENT,
        "question": "Can we apply while we both work?",
        "sensitive_details": "I finished IVF treatment last year.",
        "privacy_acknowledged": True,
        "sensitive_consent": True,
    }
    data.update(overrides)
    return data


def submit(**overrides) -> enquiry_services.EnquirySubmission:
    return enquiry_services.enquiry_submit(**answers(**overrides))

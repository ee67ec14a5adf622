"""The one audit entry point (portal/audit.py), on the real booking, enquiry and page models."""

from datetime import date

import pytest
from auditlog.models import LogEntry
from django.utils import timezone

from content.models import Page
from enquiries.models import Booking, Enquiry, InformationEvent
from portal import audit
from portal.models import User
from tests.enquiries.enquiries.factories import EnquiryFactory
from tests.enquiries.events.factories import BookingFactory, InformationEventFactory

pytestmark = pytest.mark.django_db


def entries(obj):
    return LogEntry.objects.get_for_object(obj).order_by("pk")


def test_registered_masked_fields_are_the_one_list():
    assert audit.masked_fields(Booking) == {"name", "email", "phone", "access_needs"}
    assert {"first_name", "email", "phone", "postcode"} <= audit.masked_fields(Enquiry)
    assert audit.masked_fields(InformationEvent) == frozenset()
    assert audit.masked_fields(User) == frozenset(), "an unregistered model masks nothing"


def test_a_masked_field_is_hidden_completely_in_automatic_entries():
    booking = BookingFactory(name="Jo Bloggs", email="jo.bloggs@example.com", phone="07700900111")
    entry = entries(booking).get()
    for name in ("name", "email", "phone"):
        assert entry.changes_dict[name][1] == audit.MASK, name
    # auditlog's own mask would keep half of each value.
    for part in ("Jo", "Bloggs", "jo.bl", "example.com", "0770", "0111"):
        assert part not in str(entry.changes), part
    assert entry.changes_dict["places"][1] == "1", "what is not masked stays readable"
    assert "token" not in entry.changes_dict and "updated_at" not in entry.changes_dict


def test_mask_keeps_nothing_of_the_value():
    assert audit.mask("jo.bloggs@example.com") == audit.MASK == "[hidden]"


def test_name_next_save_names_the_automatic_entry():
    booking = BookingFactory()
    audit.name_next_save(booking, "enquiries.booking.details_changed")
    booking.phone = "07700900222"
    booking.save()
    assert entries(booking).last().additional_data == {
        "action": "enquiries.booking.details_changed"
    }


def test_an_unnamed_change_is_an_edit_of_the_model():
    booking = BookingFactory()
    assert entries(booking).get().additional_data == {"action": "enquiries.booking.edited"}
    event = InformationEventFactory()
    # The event is known by a shorter name in every entry the services write.
    assert entries(event).get().additional_data == {"action": "enquiries.event.edited"}
    page = Page.objects.create(
        title="Audit test page", slug="audit-test", summary="s", body="b", meta_description="m"
    )
    assert entries(page).get().additional_data == {"action": "content.page.edited"}


def test_a_delete_carries_the_name_it_was_given():
    page = Page.objects.create(
        title="Audit test page", slug="audit-test", summary="s", body="b", meta_description="m"
    )
    pk = page.pk
    audit.name_next_save(page, "content.page.deleted")
    page.delete()
    entry = LogEntry.objects.filter(content_type__model="page", object_pk=str(pk)).latest("pk")
    assert entry.action == LogEntry.Action.DELETE
    assert entry.additional_data == {"action": "content.page.deleted"}


def test_silenced_saves_write_no_entry():
    booking = BookingFactory()
    before = entries(booking).count()
    with audit.silenced():
        booking.phone = "07700900333"
        booking.save()
    assert entries(booking).count() == before
    booking.phone = "07700900444"
    booking.save()
    assert entries(booking).count() == before + 1, "only inside the block"


def test_record_writes_one_named_entry_with_text_values_and_masked_fields_hidden():
    actor = User.objects.create_user(email="recorder@example.com")
    booking = BookingFactory(phone="07700900111")
    enquiry = EnquiryFactory()
    before = LogEntry.objects.count()
    moment = timezone.now()
    entry = audit.record(
        booking,
        "enquiries.booking.checked",
        by=actor,
        changes={
            "status": ["confirmed", "attended"],
            "checked_in_at": [None, moment],
            "places": [1, 2],
            "phone": ["07700900111", ""],
            "event": [None, booking.event],
        },
    )
    assert LogEntry.objects.count() == before + 1
    entry.refresh_from_db()
    assert entry.additional_data == {"action": "enquiries.booking.checked"}
    assert (entry.actor, entry.actor_email) == (actor, "recorder@example.com")
    assert entry.action == LogEntry.Action.UPDATE
    assert entry.changes_dict == {
        "status": ["confirmed", "attended"],
        "checked_in_at": [None, moment.isoformat()],
        "places": ["1", "2"],
        # Masked for bookings: the old value hidden, the emptied one left empty.
        "phone": [audit.MASK, ""],
        "event": [None, str(booking.event.pk)],
    }
    on_enquiry = audit.record(
        enquiry, "enquiries.enquiry.checked", changes={"first_name": ["Jo", "Sam"]}
    )
    assert on_enquiry.changes_dict == {"first_name": [audit.MASK, audit.MASK]}
    assert on_enquiry.actor is None


def test_as_text_writes_dates_in_iso_form_and_rows_by_key():
    booking = BookingFactory()
    assert audit.as_text(None) is None
    assert audit.as_text(date(2025, 6, 3)) == "2025-06-03"
    assert audit.as_text(booking) == str(booking.pk)
    assert audit.as_text(3) == "3"


def test_hide_hides_the_values_of_the_fields_named_and_nothing_else():
    changes = {
        "first_name": ["None", "Jo"],
        "last_name": ["", "Bloggs"],
        "route": ["None", "concurrent_planning"],
        "note": "not a pair",
    }
    assert audit.hide(changes, ["first_name", "last_name", "note"]) == {
        "first_name": ["None", audit.MASK],
        "last_name": ["", audit.MASK],
        "route": ["None", "concurrent_planning"],
        "note": "not a pair",
    }
    assert changes["first_name"] == ["None", "Jo"], "the original is left as it was"
    assert audit.hide(None, ["first_name"]) is None
    assert audit.hide("text", ["first_name"]) == "text"

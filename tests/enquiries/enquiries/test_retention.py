"""Retention: closed enquiries are anonymised after the policy period; the funnel keeps counting."""

from datetime import timedelta

import pytest
from auditlog.models import LogEntry
from django.conf import settings as django_settings
from django.utils import timezone

from enquiries import tasks
from enquiries.models import Enquiry, EnquiryNote
from enquiries.selectors.enquiries import funnel_report
from enquiries.services import enquiries as enquiry_services
from portal.models import Notification
from portal.roles import Role

from .factories import EnquiryFactory, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def recruiter(make_staff):
    return make_staff(Role.RECRUITMENT_TEAM)


def closed_enquiry(recruiter, *, days_ago: int, **answers) -> Enquiry:
    moment = timezone.now() - timedelta(days=days_ago)
    enquiry = submit(now=moment - timedelta(days=20), **answers).enquiry
    enquiry_services.enquiry_mark_contacted(
        enquiry=enquiry, by=recruiter, now=moment - timedelta(days=19)
    )
    enquiry_services.enquiry_note_add(enquiry=enquiry, author=recruiter, text="Called Jo at home")
    enquiry_services.enquiry_close(
        enquiry=enquiry,
        by=recruiter,
        reason=Enquiry.ClosedReason.WITHDREW,
        note="Jo is moving job",
        now=moment,
    )
    return enquiry


def test_enquiries_closed_longer_than_the_policy_period_are_anonymised(recruiter):
    old = closed_enquiry(recruiter, days_ago=400)
    recent = closed_enquiry(recruiter, days_ago=300, email="recent@example.com")
    still_open = EnquiryFactory(received_at=timezone.now() - timedelta(days=800))
    before = funnel_report(months=24)["totals"].counts

    assert tasks.anonymise_closed_enquiries() == 1

    old.refresh_from_db()
    for field in ("first_name", "last_name", "email", "phone", "postcode", "partner_name"):
        assert getattr(old, field) == "", field
    assert old.children_ages == []
    assert old.anonymised_at is not None
    # What the funnel report needs is kept.
    assert old.status == Enquiry.Status.CLOSED
    assert old.closed_reason == Enquiry.ClosedReason.WITHDREW
    assert old.contacted_at and old.received_at and old.closed_at
    assert old.heard_about == Enquiry.HeardAbout.EVENT
    assert old.route == Enquiry.Route.CONCURRENT_PLANNING
    assert funnel_report(months=24)["totals"].counts == before
    # Free text and notes go; the emails about it no longer say who they went to.
    assert list(old.contacts.values_list("question", "sensitive_details")) == [("", "")]
    assert set(old.status_changes.values_list("note", flat=True)) == {""}
    assert not EnquiryNote.objects.filter(enquiry=old).exists()
    emails = Notification.objects.filter(key__startswith=f"enquiry:{old.pk}:")
    assert emails.exists()
    assert set(emails.values_list("to", flat=True)) == {""}
    assert all(context == {} for context in emails.values_list("context", flat=True))

    recent.refresh_from_db()
    still_open.refresh_from_db()
    assert recent.first_name == "Jo" and recent.anonymised_at is None
    assert still_open.anonymised_at is None and still_open.first_name


def test_the_audit_trail_records_the_anonymisation_without_personal_data(recruiter):
    old = closed_enquiry(recruiter, days_ago=400)
    tasks.anonymise_closed_enquiries()
    entry = LogEntry.objects.get_for_object(old).order_by("-pk").first()
    assert entry.additional_data["action"] == "enquiries.enquiry.anonymised"
    assert "first_name" in entry.changes_dict
    assert "Jo" not in str(entry.changes)
    # Nothing left in the log identifies the enquirer, nor where they sent the form from.
    logged = LogEntry.objects.filter(content_type__app_label="enquiries")
    text = " ".join(f"{e.changes} {e.object_repr}" for e in logged)
    for personal in ("Bloggs", "jo.bloggs", "01632", "OK1 2AB", "Called Jo", "moving job"):
        assert personal not in text
    assert not logged.filter(actor__isnull=True, remote_addr__isnull=False).exists()


def test_anonymising_twice_changes_nothing_and_open_enquiries_are_refused(recruiter):
    old = closed_enquiry(recruiter, days_ago=400)
    assert tasks.anonymise_closed_enquiries() == 1
    assert tasks.anonymise_closed_enquiries() == 0
    with pytest.raises(enquiry_services.EnquiryError):
        enquiry_services.enquiry_anonymise(enquiry=EnquiryFactory())
    old.refresh_from_db()
    with pytest.raises(enquiry_services.EnquiryError):
        enquiry_services.enquiry_note_add(enquiry=old, author=recruiter, text="Too late")


def test_the_retention_period_is_a_setting(recruiter, settings):
    closed_enquiry(recruiter, days_ago=100)
    assert tasks.anonymise_closed_enquiries() == 0
    settings.ENQUIRY_RETENTION_MONTHS = 3
    assert tasks.anonymise_closed_enquiries() == 1


def test_a_new_enquiry_from_the_same_address_is_not_joined_to_an_anonymised_one(recruiter):
    closed_enquiry(recruiter, days_ago=400)
    tasks.anonymise_closed_enquiries()
    assert not submit().repeat


def test_beat_runs_the_sweep():
    # The enquiries' rule is a class of the retention schedule: its one beat job applies it.
    schedule = django_settings.CELERY_BEAT_SCHEDULE["retention-schedule"]
    assert schedule["task"] == "portal.tasks.apply_retention_schedule"
    assert schedule["schedule"] > 0
    assert "enquiries-anonymise-closed" not in django_settings.CELERY_BEAT_SCHEDULE


def test_the_audit_log_never_holds_the_sensitive_details(recruiter):
    enquiry = submit(sensitive_details="I had IVF and I am a Quaker.").enquiry
    contact = enquiry.contacts.get()
    assert contact.sensitive_details == "I had IVF and I am a Quaker."
    entries = LogEntry.objects.get_for_object(contact)
    assert entries.exists()
    assert all("sensitive_details" in entry.changes_dict for entry in entries)
    text = " ".join(str(entry.changes) for entry in entries)
    assert "IVF" not in text and "Quaker" not in text


def test_anonymising_hides_the_personal_data_in_the_enquirys_own_audit_entries(recruiter):
    old = closed_enquiry(recruiter, days_ago=400, sensitive_details="I had IVF last year.")
    contact = old.contacts.get()
    # An entry written before a field was masked holds the words themselves.
    LogEntry.objects.filter(pk=LogEntry.objects.get_for_object(contact).earliest("pk").pk).update(
        changes={"sensitive_details": ["None", "I had IVF last year."], "question": ["", "Hi Jo"]}
    )
    LogEntry.objects.filter(pk=LogEntry.objects.get_for_object(old).earliest("pk").pk).update(
        changes={"first_name": ["None", "Jo"], "route": ["None", "concurrent_planning"]}
    )

    enquiry_services.enquiry_anonymise(enquiry=old)

    logged = LogEntry.objects.filter(content_type__app_label="enquiries")
    text = " ".join(str(entry.changes) for entry in logged)
    for personal in ("IVF", "Hi Jo", "'Jo'", "Bloggs", "Called Jo"):
        assert personal not in text
    first = LogEntry.objects.get_for_object(old).earliest("pk")
    # What is not personal stays readable.
    assert first.changes["route"] == ["None", "concurrent_planning"]
    assert first.changes["first_name"] == ["None", "[hidden]"]

"""Clocks in working days (bank holidays of England and Wales) and the overdue reminders."""

from datetime import date, datetime, time, timedelta

import pytest
from django.core import mail
from django.utils import timezone

from enquiries import clocks as enquiry_clocks
from enquiries.models import Enquiry
from enquiries.services import enquiries as enquiry_services
from portal.models import Notification
from portal.notifications import deliver_due
from portal.roles import Role

from .factories import EnquiryFactory, submit

pytestmark = pytest.mark.django_db

Clock = Enquiry.Clock


def london(day: date, hour: int = 10, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


@pytest.fixture
def recruiter(make_staff):
    return make_staff(Role.RECRUITMENT_TEAM, first_name="Rafi", email="rafi@oakway.example")


@pytest.mark.parametrize(
    ("received", "first_contact", "information_pack"),
    [
        # Easter 2026: Good Friday 3 April and Easter Monday 6 April are bank holidays.
        (date(2026, 4, 2), date(2026, 4, 7), date(2026, 4, 13)),
        # Christmas 2025: 25 and 26 December, then New Year's Day 2026.
        (date(2025, 12, 24), date(2025, 12, 29), date(2026, 1, 5)),
        # An enquiry on a Saturday is first answered on Monday.
        (date(2026, 3, 14), date(2026, 3, 16), date(2026, 3, 20)),
        # Early May bank holiday 2026 is Monday 4 May.
        (date(2026, 5, 1), date(2026, 5, 5), date(2026, 5, 11)),
    ],
)
def test_first_contact_and_pack_deadlines_skip_weekends_and_bank_holidays(
    received, first_contact, information_pack
):
    assert enquiry_clocks.first_contact_due(received) == first_contact
    assert enquiry_clocks.information_pack_due(received) == information_pack


def test_the_roi_chase_is_a_policy_setting_in_working_days(settings):
    settings.ENQUIRY_ROI_CHASE_WORKING_DAYS = 3
    # Visit on Friday 22 May 2026; Monday 25 May is the spring bank holiday.
    assert enquiry_clocks.roi_chase_due(date(2026, 5, 22)) == date(2026, 5, 28)


def test_the_roi_decision_clock_skips_the_spring_bank_holiday():
    # Received Friday 22 May 2026; Monday 25 May is the spring bank holiday.
    assert enquiry_clocks.roi_decision_due(date(2026, 5, 22)) == date(2026, 6, 1)


def test_the_clocks_are_policy_settings(settings):
    settings.ENQUIRY_FIRST_CONTACT_WORKING_DAYS = 2
    settings.ENQUIRY_INFORMATION_PACK_WORKING_DAYS = 10
    settings.ENQUIRY_ROI_DECISION_WORKING_DAYS = 3
    assert enquiry_clocks.first_contact_due(date(2026, 4, 2)) == date(2026, 4, 8)
    assert enquiry_clocks.information_pack_due(date(2026, 4, 2)) == date(2026, 4, 20)
    assert enquiry_clocks.roi_decision_due(date(2026, 5, 22)) == date(2026, 5, 28)


def test_a_submission_stores_its_next_deadline_and_it_moves_with_the_stage(recruiter):
    received = london(date(2026, 4, 2), 16)
    enquiry = submit(now=received).enquiry
    assert (enquiry.next_deadline, enquiry.next_deadline_clock) == (
        date(2026, 4, 7),
        Clock.FIRST_CONTACT,
    )
    assert enquiry.information_pack_sent_at == received
    # The acknowledgement carried the pack, so no information-pack clock follows.
    enquiry_services.enquiry_mark_contacted(enquiry=enquiry, by=recruiter, on=date(2026, 4, 7))
    assert (enquiry.next_deadline, enquiry.next_deadline_clock) == (None, "")
    enquiry_services.enquiry_book_initial_visit(
        enquiry=enquiry, by=recruiter, visit_on=date(2026, 4, 20)
    )
    assert (enquiry.next_deadline, enquiry.next_deadline_clock) == (None, "")
    enquiry_services.enquiry_mark_initial_visit_done(
        enquiry=enquiry, by=recruiter, on=date(2026, 4, 20)
    )
    # Then the Registration of Interest is chased: ENQUIRY_ROI_CHASE_WORKING_DAYS (10).
    assert (enquiry.next_deadline, enquiry.next_deadline_clock) == (
        date(2026, 5, 5),  # the early May bank holiday (4 May) is skipped
        Clock.ROI_CHASE,
    )
    enquiry_services.enquiry_mark_roi_received(
        enquiry=enquiry, by=recruiter, received_on_day=date(2026, 5, 22)
    )
    enquiry.refresh_from_db()
    assert (enquiry.next_deadline, enquiry.next_deadline_clock) == (
        date(2026, 6, 1),
        Clock.ROI_DECISION,
    )
    enquiry_services.enquiry_close(
        enquiry=enquiry, by=recruiter, reason=Enquiry.ClosedReason.WITHDREW
    )
    assert enquiry.next_deadline is None


def test_overdue_means_the_deadline_day_has_passed():
    enquiry = EnquiryFactory(received_at=london(date(2026, 4, 2)))
    assert enquiry.next_deadline == date(2026, 4, 7)
    assert not enquiry.is_overdue(today=date(2026, 4, 7))
    assert enquiry.is_overdue(today=date(2026, 4, 8))


# -- reminders -----------------------------------------------------------------------------


def overdue_reminders(**filters):
    return Notification.objects.filter(template="enquiries/enquiry_overdue", **filters)


def test_reminders_wait_for_the_morning_after_each_deadline(settings):
    enquiry = submit(now=london(date(2026, 4, 2), 16)).enquiry
    rows = {row.key.split(":")[3]: row for row in overdue_reminders()}
    # The pack went with the acknowledgement: only first contact is on the clock.
    assert set(rows) == {Clock.FIRST_CONTACT}
    # First contact due Tuesday 7 April: reminded on Wednesday 8 April at 9am.
    assert rows[Clock.FIRST_CONTACT].due_at == london(date(2026, 4, 8), 9)
    # Nobody is assigned: the team mailbox is reminded.
    assert {row.to for row in rows.values()} == {settings.RECRUITMENT_TEAM_EMAIL}
    assert enquiry.next_deadline == date(2026, 4, 7)


def test_reaching_a_stage_withdraws_its_reminder(recruiter):
    enquiry = submit().enquiry
    enquiry_services.enquiry_mark_contacted(enquiry=enquiry, by=recruiter)
    assert overdue_reminders(key__contains=":first_contact:").get().status == "withdrawn"
    enquiry_services.enquiry_book_initial_visit(
        enquiry=enquiry, by=recruiter, visit_on=timezone.localdate()
    )
    enquiry_services.enquiry_mark_initial_visit_done(enquiry=enquiry, by=recruiter)
    assert overdue_reminders(key__contains=":roi_chase:").get().status == "pending"
    enquiry_services.enquiry_close(
        enquiry=enquiry, by=recruiter, reason=Enquiry.ClosedReason.WITHDREW
    )
    assert not overdue_reminders(withdrawn_at__isnull=True).exists()


def test_reminders_follow_the_assigned_person(recruiter, make_staff, settings):
    enquiry = submit().enquiry
    enquiry_services.enquiry_assign(enquiry=enquiry, to=recruiter, by=recruiter)
    pending = overdue_reminders(withdrawn_at__isnull=True)
    assert set(pending.values_list("to", flat=True)) == {recruiter.email}
    assert pending.count() == 1
    other = make_staff(Role.RECRUITMENT_TEAM)
    enquiry_services.enquiry_assign(enquiry=enquiry, to=other, by=recruiter)
    enquiry_services.enquiry_assign(enquiry=enquiry, to=recruiter, by=recruiter)
    # Back to the first person: their reminders are queued again, not blocked by the
    # withdrawn ones.
    pending = overdue_reminders(withdrawn_at__isnull=True)
    assert set(pending.values_list("to", flat=True)) == {recruiter.email}
    assert pending.count() == 1
    enquiry_services.enquiry_assign(enquiry=enquiry, to=None, by=recruiter)
    pending = overdue_reminders(withdrawn_at__isnull=True)
    assert set(pending.values_list("to", flat=True)) == {settings.RECRUITMENT_TEAM_EMAIL}


def test_an_overdue_reminder_is_sent_once_without_personal_details(recruiter):
    received = timezone.now() - timedelta(days=14)
    enquiry = submit(now=received).enquiry
    enquiry_services.enquiry_assign(enquiry=enquiry, to=recruiter, by=recruiter)
    mail.outbox.clear()
    assert deliver_due() >= 2  # acknowledgement, team notice and the overdue reminder
    reminders = [m for m in mail.outbox if m.subject.startswith("Overdue")]
    assert {m.to[0] for m in reminders} == {recruiter.email}
    assert len(reminders) == 1
    first_contact = next(m for m in reminders if "first contact" in m.subject)
    assert first_contact.subject == f"Overdue: first contact for enquiry {enquiry.reference}"
    assert "Hello Rafi," in first_contact.body
    assert f"/admin/enquiries/enquiry/{enquiry.pk}/change/" in first_contact.body
    for message in reminders:
        text = message.subject + message.body + message.alternatives[0][0]
        for personal in ("Jo", "Bloggs", "jo.bloggs", "01632", "OK1", "Sam"):
            assert personal not in text
    # Recording another stage re-plans the reminders; the one already sent is not repeated.
    enquiry_services.enquiry_mark_contacted(enquiry=enquiry, by=recruiter)
    mail.outbox.clear()
    deliver_due()
    assert not [m for m in mail.outbox if m.subject.startswith("Overdue")]

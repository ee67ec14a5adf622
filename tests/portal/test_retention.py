"""The retention schedule: each class's rows either side of their day, legal holds, the
job safe to run twice, its report, and the schedule the README and privacy page show."""

import json
import re
from datetime import date, datetime, timedelta
from html import unescape
from io import StringIO
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings as django_settings
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command

from carers.models import Household
from enquiries.models import Booking, Enquiry
from enquiries.services import enquiries as enquiry_services
from placements.models import Child, CourtOrder
from portal import retention, tasks
from portal.models import LegalHold, Notification, RetentionRun
from portal.roles import Role
from tests.carers import factories as carer_factories
from tests.enquiries.enquiries.factories import submit
from tests.enquiries.events.factories import BookingFactory, InformationEventFactory
from tests.placements import factories as placement_factories

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
# Every run below is on this day.
TODAY = date(2026, 6, 15)
NOW = datetime(2026, 6, 15, 3, 0, tzinfo=LONDON)


def at(day: date, hour: int = 12) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=LONDON)


def run(**kwargs):
    return retention.run(**{"today": TODAY, "now": NOW, **kwargs})


@pytest.fixture
def manager(make_staff):
    return make_staff(Role.TEAM_MANAGERS)


def closed_enquiry(by, closed_on: date) -> Enquiry:
    enquiry = submit(now=at(closed_on) - timedelta(days=20)).enquiry
    return enquiry_services.enquiry_close(
        enquiry=enquiry, by=by, reason=Enquiry.ClosedReason.WITHDREW, now=at(closed_on)
    )


def booking_for_event_on(day: date, **fields) -> Booking:
    event = InformationEventFactory(starts_at=at(day, 18), ends_at=at(day, 20))
    return BookingFactory(event=event, **fields)


def sent_email(sent_on: date, key: str) -> Notification:
    return Notification.objects.create(
        key=key, to="someone@example.com", template="x", sent_at=at(sent_on)
    )


def closed_household(by, *, closed_on: date, foster_carer_approved_on=None) -> Household:
    household = carer_factories.household(by)
    Household.objects.filter(pk=household.pk).update(
        status=Household.Status.CLOSED,
        closed_on=closed_on,
        foster_carer_approved_on=foster_carer_approved_on,
    )
    return household


def child_born(by, born: date) -> Child:
    """A child whose record was kept from long ago (the form takes only children's dates)."""
    child = placement_factories.child(by, born=date(2024, 1, 10))
    Child.objects.filter(pk=child.pk).update(date_of_birth=born, entered_care_on=born)
    return child


def adopted_child(by, *, order_on: date) -> Child:
    child = child_born(by, date(order_on.year - 1, 1, 10))
    CourtOrder.objects.create(
        child=child, kind=CourtOrder.Kind.ADOPTION_ORDER, made_on=order_on, recorded_by=by
    )
    return child


# -- each class, either side of its day --------------------------------------------------------


def test_enquiries_closed_12_months_before_the_day_before_are_anonymised(manager):
    # Closed 14 June 2025: 12 months end on 14 June 2026, due from 15 June 2026.
    due = closed_enquiry(manager, date(2025, 6, 14))
    kept = closed_enquiry(manager, date(2025, 6, 15))
    report = run(keys=["enquiries.closed"]).report["enquiries.closed"]
    assert report == {"action": "anonymise", "due": 1, "held": 0, "done": 1}
    due.refresh_from_db()
    kept.refresh_from_db()
    assert due.anonymised_at == NOW and due.first_name == "" and due.email == ""
    assert kept.anonymised_at is None and kept.first_name == "Jo"


def test_bookings_are_anonymised_12_months_after_the_event_and_the_counts_stay():
    # Event on 14 June 2025: kept until 14 June 2026, anonymised from 15 June 2026.
    due = booking_for_event_on(date(2025, 6, 14), places=2, phone="01632 960000")
    kept = booking_for_event_on(date(2025, 6, 15))
    report = run(keys=["enquiries.bookings"]).report["enquiries.bookings"]
    assert report == {"action": "anonymise", "due": 1, "held": 0, "done": 1}
    due.refresh_from_db()
    kept.refresh_from_db()
    assert (due.name, due.email, due.phone, due.access_needs) == ("", "", "", "")
    assert due.anonymised_at == NOW
    assert due.places == 2 and due.status == Booking.Status.CONFIRMED
    assert kept.anonymised_at is None and kept.email.endswith("@example.com")


def test_two_anonymised_bookings_of_one_event_do_not_collide():
    event = InformationEventFactory(
        starts_at=at(date(2025, 1, 10), 18), ends_at=at(date(2025, 1, 10), 20)
    )
    BookingFactory(event=event)
    BookingFactory(event=event)
    assert run(keys=["enquiries.bookings"]).report["enquiries.bookings"]["done"] == 2
    assert set(Booking.objects.values_list("email", flat=True)) == {""}


def test_delivered_emails_are_deleted_90_days_after_they_were_sent():
    # 90 days before 15 June 2026 is 17 March 2026: sent on 16 March, due on 15 June.
    sent_email(date(2026, 3, 16), "old")
    sent_email(date(2026, 3, 17), "recent")
    Notification.objects.create(
        key="never-sent", to="a@example.com", template="x", due_at=at(date(2025, 1, 1))
    )
    report = run(keys=["portal.outbox_delivered"]).report["portal.outbox_delivered"]
    assert report == {"action": "delete", "due": 1, "held": 0, "done": 1}
    assert set(Notification.objects.values_list("key", flat=True)) == {"recent", "never-sent"}


def test_foster_carers_records_are_due_for_review_10_years_after_approval_ends(manager):
    due = closed_household(
        manager, closed_on=date(2016, 6, 14), foster_carer_approved_on=date(2012, 3, 1)
    )
    closed_household(
        manager, closed_on=date(2016, 6, 15), foster_carer_approved_on=date(2012, 3, 1)
    )
    assert list(retention._registry["carers.foster_carers"].due(TODAY)) == [due]
    report = run(keys=["carers.foster_carers"]).report["carers.foster_carers"]
    # Listed, never deleted.
    assert report == {"action": "review", "due": 1, "held": 0, "done": 0}
    assert Household.objects.filter(pk=due.pk).exists()


def test_applicants_not_approved_are_due_for_review_3_years_after_closing(manager, settings):
    due = closed_household(manager, closed_on=date(2023, 6, 14))
    closed_household(manager, closed_on=date(2023, 6, 15))
    # Approved foster carers follow their own class, not this one.
    closed_household(manager, closed_on=date(2020, 1, 1), foster_carer_approved_on=date(2019, 1, 1))
    assert list(retention._registry["carers.not_approved"].due(TODAY)) == [due]
    assert run().report["carers.not_approved"] == {
        "action": "review",
        "due": 1,
        "held": 0,
        "done": 0,
    }
    # The policy setting cannot go below the fostering regulations' 3 years.
    settings.CARERS_NOT_APPROVED_RETENTION_YEARS = 1
    assert list(retention._registry["carers.not_approved"].due(TODAY)) == [due]
    settings.CARERS_NOT_APPROVED_RETENTION_YEARS = 5
    assert list(retention._registry["carers.not_approved"].due(TODAY)) == []


def test_adoption_case_records_are_due_for_review_100_years_after_the_order(manager):
    due = adopted_child(manager, order_on=date(1926, 6, 14))
    kept = adopted_child(manager, order_on=date(1926, 6, 15))
    assert list(retention._registry["placements.adopted"].due(TODAY)) == [due]
    assert run().report["placements.adopted"]["due"] == 1
    assert Child.objects.filter(pk__in=[due.pk, kept.pk]).count() == 2


def test_looked_after_childrens_records_are_due_on_the_75th_birthday(manager):
    due = child_born(manager, date(1951, 6, 15))
    child_born(manager, date(1951, 6, 16))
    # Adopted: the adoption class keeps the record, for 100 years from the order.
    adopted_child(manager, order_on=date(1952, 5, 1))
    assert list(retention._registry["placements.looked_after"].due(TODAY)) == [due]
    assert run().report["placements.looked_after"] == {
        "action": "review",
        "due": 1,
        "held": 0,
        "done": 0,
    }


# -- legal holds, batches, twice -------------------------------------------------------------


def hold(record, by) -> LegalHold:
    return LegalHold.objects.create(
        content_type=ContentType.objects.get_for_model(record),
        object_id=record.pk,
        reason="A complaint under investigation",
        set_by=by,
    )


def test_a_legal_hold_keeps_its_record_until_it_is_lifted(manager):
    held = closed_enquiry(manager, date(2025, 1, 10))
    other = closed_enquiry(manager, date(2025, 1, 10))
    legal_hold = hold(held, manager)
    report = run().report["enquiries.closed"]
    assert report == {"action": "anonymise", "due": 1, "held": 1, "done": 1}
    held.refresh_from_db()
    other.refresh_from_db()
    assert held.anonymised_at is None and held.first_name == "Jo"
    assert other.anonymised_at == NOW

    legal_hold.delete()
    assert run().report["enquiries.closed"]["done"] == 1
    held.refresh_from_db()
    assert held.anonymised_at == NOW


def test_a_hold_names_a_kind_of_record_as_well_as_its_number(manager):
    booking = booking_for_event_on(date(2025, 1, 10))
    LegalHold.objects.create(
        content_type=ContentType.objects.get_for_model(Enquiry),
        object_id=booking.pk,
        reason="An enquiry with the booking's number",
        set_by=manager,
    )
    report = run().report["enquiries.bookings"]
    assert (report["held"], report["done"]) == (0, 1)


def test_the_job_takes_every_due_row_in_batches(settings):
    settings.RETENTION_BATCH_SIZE = 2
    for n in range(5):
        sent_email(date(2026, 1, 5), f"old-{n}")
    assert run().report["portal.outbox_delivered"]["done"] == 5
    assert not Notification.objects.exists()


def test_running_twice_changes_nothing_the_second_time(manager):
    closed_enquiry(manager, date(2025, 1, 10))
    booking_for_event_on(date(2025, 1, 10))
    sent_email(date(2026, 1, 5), "old")
    closed_household(manager, closed_on=date(2016, 1, 1), foster_carer_approved_on=date(2012, 1, 1))
    first = run().report
    assert {key: entry["done"] for key, entry in first.items() if entry["done"]} == {
        "enquiries.closed": 1,
        "enquiries.bookings": 1,
        "portal.outbox_delivered": 1,
    }

    def snapshot():
        return (
            list(Enquiry.objects.values().order_by("pk")),
            list(Booking.objects.values().order_by("pk")),
            list(Notification.objects.values().order_by("pk")),
            list(Household.objects.values().order_by("pk")),
        )

    before = snapshot()
    second = run(now=datetime(2026, 6, 15, 9, 0, tzinfo=LONDON)).report
    assert all(entry["done"] == 0 for entry in second.values())
    assert second["carers.foster_carers"]["due"] == 1  # still listed for review
    assert snapshot() == before
    assert RetentionRun.objects.count() == 2


def test_the_report_holds_counts_never_names(manager):
    closed_enquiry(manager, date(2025, 1, 10))
    booking_for_event_on(date(2025, 1, 10), name="Alex Bookerson")
    retention_run = RetentionRun.objects.get(pk=run().pk)
    text = json.dumps(retention_run.report)
    assert "Jo" not in text and "Bookerson" not in text and "@" not in text
    assert set(retention_run.report) == {rc.key for rc in retention.registered()}
    assert retention_run.done == 2


def test_the_beat_job_applies_the_schedule():
    schedule = django_settings.CELERY_BEAT_SCHEDULE["retention-schedule"]
    assert schedule["task"] == "portal.tasks.apply_retention_schedule"
    Notification.objects.create(
        key="sent-long-ago",
        to="a@example.com",
        template="x",
        sent_at=datetime(2020, 1, 1, tzinfo=LONDON),
    )
    assert tasks.apply_retention_schedule() == 1
    assert RetentionRun.objects.get().trigger == "beat"


def test_the_command_dry_run_reports_and_changes_nothing(manager):
    closed_enquiry(manager, date(2020, 1, 10))
    out = StringIO()
    call_command("retention", "--dry-run", stdout=out)
    assert "Dry run" in out.getvalue()
    assert "Enquiries that do not go further: 1 due, 0 held, 0" in out.getvalue()
    assert not Enquiry.objects.filter(anonymised_at__isnull=False).exists()
    assert not RetentionRun.objects.exists()
    call_command("retention", stdout=StringIO())
    assert Enquiry.objects.filter(anonymised_at__isnull=False).count() == 1


# -- the legal hold admin ---------------------------------------------------------------------


def test_team_managers_set_and_lift_a_hold_in_the_admin(team_manager_client, manager):
    enquiry = closed_enquiry(manager, date(2025, 1, 10))
    content_type = ContentType.objects.get_for_model(Enquiry)
    add_url = "/admin/portal/legalhold/add/"
    refused = team_manager_client.post(
        add_url, {"content_type": content_type.pk, "object_id": 999999, "reason": "Claim"}
    )
    assert refused.status_code == 200 and "There is no" in refused.content.decode()
    response = team_manager_client.post(
        add_url, {"content_type": content_type.pk, "object_id": enquiry.pk, "reason": "Claim"}
    )
    assert response.status_code == 302
    legal_hold = LegalHold.objects.get()
    assert legal_hold.set_by == team_manager_client.user
    assert run().report["enquiries.closed"]["held"] == 1

    team_manager_client.post(f"/admin/portal/legalhold/{legal_hold.pk}/delete/", {"post": "yes"})
    assert not LegalHold.objects.exists()


# -- the schedule in words: README and privacy page --------------------------------------------


def test_the_readme_table_is_the_registry():
    readme = (Path(django_settings.BASE_DIR) / "README.md").read_text()
    assert retention.schedule_markdown() in readme


def test_the_privacy_page_shows_every_class_of_the_registry(client):
    html = unescape(client.get("/privacy/").content.decode())
    table = html[
        html.index('id="retention-schedule"') : html.index(
            "</table>", html.index('id="retention-schedule"')
        )
    ]
    titles = re.findall(r'<th scope="row" class="govuk-table__header">([^<]+)<br>', table)
    assert titles == [rc.title for rc in retention.registered()]
    for row in retention.schedule_rows():
        for value in (row["period"], row["runs_from"], row["then"], row["basis"]):
            assert value in table, value


def test_the_booking_rule_is_what_the_privacy_notice_says(client, settings):
    html = client.get("/privacy/").content.decode()
    row = re.search(r"Event bookings<br>.*?</tr>", html, re.S).group(0)
    assert '<td class="govuk-table__cell">12 months</td>' in row
    assert "the day of the event" in row and "anonymised" in row
    # 12 months after an event on 14 June 2025: kept on 14 June 2026, gone on 15 June.
    booking = booking_for_event_on(date(2025, 6, 14))
    assert retention.run(today=date(2026, 6, 14), now=NOW).report["enquiries.bookings"]["done"] == 0
    assert retention.run(today=date(2026, 6, 15), now=NOW).report["enquiries.bookings"]["done"] == 1
    booking.refresh_from_db()
    assert booking.anonymised_at == NOW
    # One source: a different policy changes the notice and the job together.
    settings.BOOKING_RETENTION_MONTHS = 6
    assert '<td class="govuk-table__cell">6 months</td>' in client.get("/privacy/").content.decode()

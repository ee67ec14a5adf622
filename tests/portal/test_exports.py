"""Every CSV download (enquiries, event attendees, EP measures) begins with the personal
data notice and writes one export log row: who, which export, how many rows, the filter;
never the rows, a name or a search's words. A role without the export gets no file and
leaves no row. Team managers read the log in the admin; no one changes it."""

import csv
import io

import pytest

from enquiries.models import Booking, Enquiry
from portal.models import ExportLog
from portal.roles import Role
from tests.enquiries.enquiries.factories import EnquiryFactory
from tests.enquiries.events.factories import BookingFactory, InformationEventFactory

pytestmark = pytest.mark.django_db

ENQUIRIES_URL = "/admin/enquiries/enquiry/"
EVENTS_URL = "/admin/enquiries/informationevent/"
MEASURES_CSV_URL = "/admin/placements/placement/measures.csv"
LOG_URL = "/admin/portal/exportlog/"

NOTICE = [
    "# This file holds personal data. Keep it securely, share it only with those who need "
    "it, and delete it when done."
]


def read(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_an_enquiries_export_is_logged_with_its_count_and_filter(staff_client):
    client = staff_client(Role.RECRUITMENT_TEAM)
    chosen = [
        EnquiryFactory(first_name="Ada", last_name="Lovelace", status=Enquiry.Status.NEW),
        EnquiryFactory(first_name="Bea", last_name="Lovelace", status=Enquiry.Status.NEW),
    ]
    EnquiryFactory(first_name="Cy", status=Enquiry.Status.NEW)  # not ticked
    response = client.post(
        f"{ENQUIRIES_URL}?status__exact=new&q=Lovelace&p=1",
        {"action": "export_csv", "_selected_action": [e.pk for e in chosen]},
    )
    notice, header, *rows = read(response)
    assert notice == NOTICE
    assert header[:3] == ["Reference", "Received", "Status"]
    assert len(rows) == 2

    log = ExportLog.objects.get()
    assert (log.export, log.by, log.rows) == ("Enquiries", client.user, 2)
    assert log.filters == {
        "status__exact": "new",
        "search": "yes (the words are not kept)",
        "selected": 2,
    }
    assert "Lovelace" not in str(log.filters) and "Ada" not in str(log.filters)


def test_all_matching_enquiries_are_logged_as_such(staff_client):
    client = staff_client(Role.TEAM_MANAGERS)
    enquiries = [EnquiryFactory(), EnquiryFactory(), EnquiryFactory()]
    response = client.post(
        ENQUIRIES_URL,
        {"action": "export_csv", "_selected_action": [enquiries[0].pk], "select_across": "1"},
    )
    _notice, _header, *rows = read(response)
    assert len(rows) == 3
    log = ExportLog.objects.get()
    assert (log.rows, log.filters) == (3, {"selected": "all matching"})


def test_an_attendees_export_is_logged_with_its_count(staff_client):
    client = staff_client(Role.EVENTS_TEAM)
    evening, morning = InformationEventFactory(places=10), InformationEventFactory(places=10)
    BookingFactory(event=evening, name="Ann Alpha")
    BookingFactory(event=evening, name="Ben Beta", status=Booking.Status.WAITING)
    BookingFactory(event=evening, name="Gone", status=Booking.Status.CANCELLED)
    BookingFactory(event=morning, name="Cat Gamma")
    response = client.post(
        f"{EVENTS_URL}?status__exact=scheduled",
        {"action": "export_attendees", "_selected_action": [evening.pk, morning.pk]},
    )
    notice, header, *rows = read(response)
    assert notice == NOTICE
    assert header[2] == "Name"
    assert sorted(row[2] for row in rows) == ["Ann Alpha", "Ben Beta", "Cat Gamma"]

    log = ExportLog.objects.get()
    assert (log.export, log.by, log.rows) == ("Event attendees", client.user, 3)
    assert log.filters == {"status__exact": "scheduled", "selected": 2}


def test_a_measures_export_is_logged_with_its_period(team_manager_client):
    # The years offered are those with placements: with none, every year is counted.
    # (tests/placements/test_measures.py checks a year and a financial year chosen.)
    response = team_manager_client.get(f"{MEASURES_CSV_URL}?financial_year=2023")
    notice, header, *rows = read(response)
    assert notice == NOTICE
    assert header == ["Measure", "Route", "Value", "Children or placements", "Out of"]
    log = ExportLog.objects.get()
    assert (log.export, log.by, log.filters) == (
        "EP measures",
        team_manager_client.user,
        {"year": "all years"},
    )
    assert log.rows == len(rows) > 0


def test_a_role_without_the_export_gets_no_file_and_leaves_no_row(staff_client):
    enquiry = EnquiryFactory()
    event = InformationEventFactory()
    BookingFactory(event=event)

    social = staff_client(Role.SOCIAL_WORKERS)
    assert social.get(MEASURES_CSV_URL).status_code == 403
    # The enquiries list opens to social workers, without the export action: the list
    # says no action was taken.
    refused = social.post(ENQUIRIES_URL, {"action": "export_csv", "_selected_action": [enquiry.pk]})
    assert refused.status_code == 302
    assert "text/csv" not in refused["Content-Type"]

    recruitment = staff_client(Role.RECRUITMENT_TEAM)
    answer = recruitment.post(
        EVENTS_URL, {"action": "export_attendees", "_selected_action": [event.pk]}
    )
    assert answer.status_code == 403

    events = staff_client(Role.EVENTS_TEAM)
    assert events.get(MEASURES_CSV_URL).status_code == 403
    assert not ExportLog.objects.exists()


def test_team_managers_read_the_log_and_no_one_changes_it(staff_client):
    recruitment = staff_client(Role.RECRUITMENT_TEAM)
    recruitment.post(
        ENQUIRIES_URL,
        {"action": "export_csv", "_selected_action": [EnquiryFactory(first_name="Zed").pk]},
    )
    log = ExportLog.objects.get()
    manager = staff_client(Role.TEAM_MANAGERS)
    listing = manager.get(LOG_URL)
    assert listing.status_code == 200
    assert "Enquiries" in listing.content.decode()
    record = manager.get(f"{LOG_URL}{log.pk}/change/")
    assert record.status_code == 200
    assert 'name="_save"' not in record.content.decode()
    assert manager.post(f"{LOG_URL}{log.pk}/delete/", {"post": "yes"}).status_code == 403
    assert manager.get(f"{LOG_URL}add/").status_code == 403
    assert ExportLog.objects.count() == 1

    for role in (Role.RECRUITMENT_TEAM, Role.SOCIAL_WORKERS, Role.EVENTS_TEAM):
        assert staff_client(role).get(LOG_URL).status_code == 403

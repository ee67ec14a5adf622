"""Subject access requests: the one-month clock, one ZIP with every app's records of the
person and nobody else's, team managers only, the log with its overdue requests; and
an enquirer's withdrawal of consent to keep their sensitive details."""

import io
import json
import re
import zipfile
from datetime import date

import pytest
from auditlog.models import LogEntry
from django.core.management import call_command
from django.utils import timezone
from pypdf import PdfReader

from carers import services as carers_services
from carers.models import HouseholdMember, StatutoryCheck, SupportNetworkMember
from enquiries.models import Enquiry
from portal import subject_access
from portal.models import SubjectAccessRequest
from portal.roles import Role
from tests.carers import factories as carer_factories
from tests.enquiries.enquiries.factories import EnquiryFactory, submit
from tests.enquiries.events.factories import BookingFactory, InformationEventFactory
from tests.pdf_checks import assert_accessible_pdf

pytestmark = pytest.mark.django_db

ADD = "/admin/portal/subjectaccessrequest/"

# The person asking, and the people their records name who must not be in their copy.
PERSON = {
    "email": "jo.bloggs@example.com",
    "first_name": "Jo",
    "last_name": "Bloggs",
    "date_of_birth": date(1985, 6, 1),
}
PARTNER = "Tobias Wrenfield"
CHILD = ("Poppy", "Wrenfield-Bloggs")
REFEREE = "Rowena Fairweather"
SUPPORTER = "Quentin Ashdown"
STRANGER = "Imogen Strangeways"
SENSITIVE = "I finished IVF treatment last year."


# -- the clock ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("received", "due"),
    [
        (date(2025, 1, 31), date(2025, 2, 28)),  # no 31 February: the month's last day
        (date(2024, 1, 31), date(2024, 2, 29)),  # a leap year
        (date(2025, 8, 30), date(2025, 9, 30)),
        (date(2025, 9, 3), date(2025, 10, 3)),  # the ICO's example: 3 September to 3 October
        (date(2025, 12, 15), date(2026, 1, 15)),  # into the next year
        (date(2025, 3, 31), date(2025, 4, 30)),
    ],
)
def test_an_answer_is_due_on_the_corresponding_day_of_the_next_month(received, due):
    assert subject_access.due_on(received) == due


@pytest.mark.parametrize(
    ("received", "extended"),
    [
        (date(2025, 1, 31), date(2025, 4, 30)),
        (date(2025, 11, 30), date(2026, 2, 28)),
        (date(2025, 8, 30), date(2025, 11, 30)),
    ],
)
def test_an_extension_adds_two_further_months(received, extended):
    assert subject_access.extended_to(received) == extended


# -- one person in several apps ----------------------------------------------------------------


@pytest.fixture
def person_everywhere(make_staff, settings, tmp_path):
    """Jo Bloggs enquired (with a partner and children), booked an event and became an
    applicant, with their partner, a child at home, a support network and a referee."""
    settings.PRIVATE_STORAGE_ROOT = tmp_path / "private"
    social_worker = make_staff(Role.SOCIAL_WORKERS)
    submit(
        first_name="Jo",
        last_name="Bloggs",
        email="Jo.Bloggs@example.com",
        partner_name=PARTNER,
        children_ages=[4, 9],
        sensitive_details=SENSITIVE,
    )
    BookingFactory(
        event=InformationEventFactory(title="Early Permanence evening"),
        name="Jo Bloggs",
        email="jo.bloggs@example.com",
        access_needs="A hearing loop, please.",
    )
    # Someone else entirely, who must not appear.
    EnquiryFactory(first_name="Imogen", last_name="Strangeways", email="imogen@example.com")
    BookingFactory(name=STRANGER, email="imogen@example.com")
    household = carers_services.household_create(
        by=social_worker,
        social_worker=social_worker,
        applicants=[
            carer_factories.applicant_data(
                1,
                first_name="Jo",
                last_name="Bloggs",
                email="",  # found by name and date of birth
                date_of_birth=PERSON["date_of_birth"],
            ),
            carer_factories.applicant_data(
                2, first_name="Tobias", last_name="Wrenfield", email="tobias@example.com"
            ),
        ],
        roi_received_on=None,
        address_line_1="12 Orchard Lane",
        town="Oakford",
        postcode="ok1 2ab",
        local_authority="Oakshire",
    )
    HouseholdMember.objects.create(
        household=household,
        first_name=CHILD[0],
        last_name=CHILD[1],
        relationship="daughter",
        date_of_birth=date(2016, 5, 4),
    )
    SupportNetworkMember.objects.create(
        household=household, name=SUPPORTER, relationship="neighbour", phone="01632 960 555"
    )
    jo = household.applicants.get(first_name="Jo")
    reference = jo.checks.filter(kind=StatutoryCheck.Kind.PERSONAL_REFERENCE).first()
    reference.referee_name = REFEREE
    reference.requested_on = date(2025, 4, 1)
    reference.received_on = date(2025, 4, 15)
    reference.save()
    return household


def _record(client, **overrides) -> SubjectAccessRequest:
    data = {
        **{k: v.isoformat() if isinstance(v, date) else v for k, v in PERSON.items()},
        "received_on": "2025-08-30",
        **overrides,
    }
    response = client.post(f"{ADD}add/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    return SubjectAccessRequest.objects.latest("pk")


def _zip(client, record) -> tuple[dict, bytes]:
    response = client.get(f"{ADD}{record.pk}/produce/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert "no-store" in response["Cache-Control"]
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert sorted(archive.namelist()) == ["records.json", "records.pdf"]
    return json.loads(archive.read("records.json")), archive.read("records.pdf")


def _pdf_text(data: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_one_zip_holds_the_person_in_every_app_and_nobody_else(
    person_everywhere, team_manager_client, settings, tmp_path
):
    settings.PDF_CACHE_DIR = tmp_path / "pdf-cache"
    record = _record(team_manager_client)
    assert record.due_on == date(2025, 9, 30)

    data, pdf = _zip(team_manager_client, record)

    assert data["request"] == record.reference
    titles = [section["title"] for section in data["sections"]]
    assert {section["source"] for section in data["sections"]} == {"enquiries", "carers"}
    assert any(title.startswith("Enquiry EQ") for title in titles)
    assert "Booking: Early Permanence evening" in titles
    household = person_everywhere.reference
    assert f"Carer household {household}: applicant" in titles
    rows = {(row["label"], row["value"]) for section in data["sections"] for row in section["rows"]}
    assert ("Email address", "jo.bloggs@example.com") in rows
    assert ("Date of birth", "1 June 1985") in rows
    assert ("Access needs", "A hearing loop, please.") in rows
    assert ("Contact 1: sensitive details they shared", SENSITIVE) in rows
    assert (
        "Personal reference",
        "received; requested 1 April 2025; received 15 April 2025",
    ) in rows
    removed = [line for section in data["sections"] for line in section["removed"]]
    assert "Partner's name: removed: details of another person" in removed
    assert "Personal reference: the referee: removed: details of another person" in removed
    assert "The other applicant: removed: details of another person" in removed

    text = json.dumps(data, ensure_ascii=False)
    pdf_text = _pdf_text(pdf)
    for other in (PARTNER, "Tobias", *CHILD, REFEREE, SUPPORTER, STRANGER, "imogen@"):
        assert other not in text, other
        assert other not in pdf_text, other
    # The PDF says what the JSON says, and is tagged like every PDF of the portal.
    for said in ("Jo", "Bloggs", "jo.bloggs@example.com", "A hearing loop, please.", household):
        assert said in pdf_text
    assert "removed: details of another person" in pdf_text
    assert_accessible_pdf(pdf, title=f"Your personal data: request {record.reference}")

    entry = LogEntry.objects.get(additional_data__action="portal.subjectaccessrequest.produced")
    assert entry.actor == team_manager_client.user
    assert entry.object_pk == str(record.pk)
    # Nothing of the copy is written to disk.
    assert not (tmp_path / "pdf-cache").exists()


def test_a_person_known_only_by_email_gets_no_one_found_by_name(
    person_everywhere, team_manager_client, settings, tmp_path
):
    settings.PDF_CACHE_DIR = tmp_path / "pdf-cache"
    record = _record(team_manager_client, first_name="", last_name="", date_of_birth="")
    data, _ = _zip(team_manager_client, record)
    sources = {section["source"] for section in data["sections"]}
    # The applicant row has no email: without a name and date of birth it is not found.
    assert sources == {"enquiries"}


def test_a_household_member_gets_their_own_row_and_not_the_applicants(
    person_everywhere, team_manager_client, settings, tmp_path
):
    settings.PDF_CACHE_DIR = tmp_path / "pdf-cache"
    record = _record(
        team_manager_client,
        email="",
        first_name=CHILD[0],
        last_name=CHILD[1],
        date_of_birth="2016-05-04",
    )
    data, pdf = _zip(team_manager_client, record)
    assert [section["title"] for section in data["sections"]] == [
        f"Carer household {person_everywhere.reference}: household member",
        f"Carer household {person_everywhere.reference}: checks",
    ]
    text = json.dumps(data, ensure_ascii=False) + _pdf_text(pdf)
    assert CHILD[0] in text
    assert "The applicants: removed: details of another person" in text
    for other in ("Jo", PARTNER, SUPPORTER, "jo.bloggs@"):
        assert other not in text, other


def test_a_request_must_say_who_is_asking(team_manager_client):
    response = team_manager_client.post(
        f"{ADD}add/", {"first_name": "Jo", "last_name": "Bloggs", "received_on": "2025-08-30"}
    )
    assert response.status_code == 200
    assert "Give their email address, or their name and date of birth." in response.content.decode()
    assert not SubjectAccessRequest.objects.exists()


def test_a_social_worker_may_not_record_or_produce(staff_client, make_staff):
    manager = make_staff(Role.TEAM_MANAGERS)
    record = subject_access.subject_access_request_record(
        request_record=SubjectAccessRequest(email="jo@example.com", received_on=date(2025, 8, 30)),
        by=manager,
    )
    client = staff_client(Role.SOCIAL_WORKERS)
    assert client.get(f"{ADD}{record.pk}/produce/").status_code == 403
    assert client.get(ADD).status_code == 403
    assert client.get(f"{ADD}add/").status_code == 403
    assert not LogEntry.objects.filter(
        additional_data__action="portal.subjectaccessrequest.produced"
    ).exists()


# -- the log -----------------------------------------------------------------------------------


def test_the_log_shows_the_overdue_requests(team_manager_client, make_staff, settings, tmp_path):
    settings.PDF_CACHE_DIR = tmp_path / "pdf-cache"
    late = _record(team_manager_client, email="late@example.com", received_on="2025-01-31")
    answered = _record(team_manager_client, email="done@example.com", received_on="2025-01-30")
    _zip(team_manager_client, answered)
    response = team_manager_client.post(
        ADD, {"action": "mark_answered", "_selected_action": [answered.pk]}
    )
    assert response.status_code == 302
    answered.refresh_from_db()
    assert answered.completed_by == team_manager_client.user
    assert late.due_on == date(2025, 2, 28)
    assert answered.due_on == date(2025, 2, 28)

    # Received today and extended: not overdue.
    fresh = _record(
        team_manager_client,
        email="fresh@example.com",
        received_on=timezone.localdate().isoformat(),
    )
    subject_access.subject_access_request_extend(
        request_record=fresh, reason="Many records.", by=team_manager_client.user
    )

    page = team_manager_client.get(ADD, {"answer": "overdue"}).content.decode()
    overdue = page[page.index('id="result_list"') :]
    overdue = overdue[: overdue.index("</table>")]
    assert late.reference in overdue
    assert answered.reference not in overdue
    assert fresh.reference not in overdue
    assert "Overdue" in overdue
    assert "28 February 2025" in overdue


def test_a_copy_is_produced_before_a_request_is_answered_and_extended_only_in_time(
    team_manager_client,
):
    record = _record(team_manager_client, received_on="2025-01-31")
    team_manager_client.post(ADD, {"action": "mark_answered", "_selected_action": [record.pk]})
    record.refresh_from_db()
    assert record.completed_on is None
    with pytest.raises(subject_access.SubjectAccessError, match="within the first month"):
        subject_access.subject_access_request_extend(
            request_record=record, reason="Many records.", by=team_manager_client.user
        )


# -- withdrawing consent -----------------------------------------------------------------------


def test_withdrawing_consent_clears_the_sensitive_answers_and_records_it(staff_client):
    submission = submit(sensitive_details=SENSITIVE)
    enquiry = submission.enquiry
    assert enquiry.sensitive_consent_at is not None
    client = staff_client(Role.TEAM_MANAGERS)

    response = client.post(
        "/admin/enquiries/enquiry/",
        {"action": "withdraw_sensitive_consent", "_selected_action": [enquiry.pk]},
    )

    assert response.status_code == 302
    enquiry = Enquiry.objects.get(pk=enquiry.pk)  # kept
    assert enquiry.sensitive_consent_at is None
    assert enquiry.sensitive_consent_withdrawn_at is not None
    assert enquiry.sensitive_consent_withdrawn_by == client.user
    assert list(enquiry.contacts.values_list("sensitive_details", flat=True)) == [""]
    assert enquiry.contacts.get().question == "Can we apply while we both work?"
    entry = LogEntry.objects.get(
        additional_data__action="enquiries.enquiry.sensitive_consent_withdrawn"
    )
    assert entry.actor == client.user
    assert SENSITIVE not in json.dumps(list(LogEntry.objects.values_list("changes", flat=True)))


def test_consent_cannot_be_withdrawn_where_nothing_sensitive_is_kept(staff_client):
    enquiry = submit(sensitive_details="", sensitive_consent=False).enquiry
    client = staff_client(Role.RECRUITMENT_TEAM)
    response = client.post(
        "/admin/enquiries/enquiry/",
        {"action": "withdraw_sensitive_consent", "_selected_action": [enquiry.pk]},
        follow=True,
    )
    assert "keeps no sensitive details to withdraw consent for" in response.content.decode()
    enquiry.refresh_from_db()
    assert enquiry.sensitive_consent_withdrawn_at is None


def test_a_social_worker_is_not_offered_the_withdrawal(staff_client):
    enquiry = submit(sensitive_details=SENSITIVE).enquiry
    client = staff_client(Role.SOCIAL_WORKERS)
    page = client.get("/admin/enquiries/enquiry/").content.decode()
    assert 'value="withdraw_sensitive_consent"' not in page
    client.post(
        "/admin/enquiries/enquiry/",
        {"action": "withdraw_sensitive_consent", "_selected_action": [enquiry.pk]},
    )
    enquiry.refresh_from_db()
    assert enquiry.sensitive_consent_at is not None


def test_a_demo_applicants_copy_has_their_data_and_nobody_elses(
    team_manager_client, settings, tmp_path
):
    settings.DEBUG = True
    settings.PDF_CACHE_DIR = tmp_path / "pdf-cache"
    settings.PRIVATE_STORAGE_ROOT = tmp_path / "private"
    call_command("seed_demo")
    # Gwen and Rhys Evans, approved on both tracks: checks and references received.
    record = _record(
        team_manager_client,
        email="gwen.evans@demo.example",
        first_name="",
        last_name="",
        date_of_birth="",
    )
    data, pdf = _zip(team_manager_client, record)
    text = json.dumps(data, ensure_ascii=False) + _pdf_text(pdf)
    assert "gwen.evans@demo.example" in text
    assert "Gwen" in text
    assert "Rhys" not in text
    assert "rhys.evans@demo.example" not in text
    # The demo's referees are "Referee 1", "Referee 2"...; Gwen's references are there.
    assert re.search(r"Referee \d", text) is None
    assert "Personal reference: the referee: removed: details of another person" in text
    assert "removed: details of another person" in text

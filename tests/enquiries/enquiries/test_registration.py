"""The Registration of Interest filled in online: the link staff email after the initial
visit, the enquirer's answers saved as they go and sent once, the enquiry moving to
"Registration of Interest received", and the household made from the answers."""

import html
import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from enquiries.models import Enquiry, RegistrationOfInterest, token_digest
from enquiries.services import enquiries as enquiry_services
from enquiries.services import registration as services
from enquiries.subject_access import enquiry_sections
from portal.models import Notification
from portal.roles import Role
from portal.subject_access import Person

from .test_services import enquiry_in

pytestmark = pytest.mark.django_db

Status = Enquiry.Status
LONDON = ZoneInfo("Europe/London")
LIST_URL = "/admin/enquiries/enquiry/"


@pytest.fixture
def recruitment(staff_client):
    return staff_client(Role.RECRUITMENT_TEAM, first_name="Rafi")


def visited(by, **fields) -> Enquiry:
    """An enquiry whose initial visit is done: the form can be sent."""
    enquiry = enquiry_in(Status.INITIAL_VISIT_DONE, by)
    if fields:
        Enquiry.objects.filter(pk=enquiry.pk).update(**fields)
        enquiry.refresh_from_db()
    return enquiry


def form_url(token: str) -> str:
    return f"/register-interest/{token}/"


def complete(**overrides) -> dict:
    """The POST of a whole form for a couple with one child at home."""
    data = {
        "date_of_birth_0": "27",
        "date_of_birth_1": "3",
        "date_of_birth_2": "1985",
        "partner_first_name": "Sam",
        "partner_last_name": "Bloggs",
        "partner_date_of_birth_0": "14",
        "partner_date_of_birth_1": "10",
        "partner_date_of_birth_2": "1983",
        "address_line_1": "4 Orchard Row",
        "address_line_2": "",
        "town": "Oakway",
        "postcode": "ok1 2ab",
        "local_authority": "Oakway City Council",
        "has_pets": "no",
        "child_1_first_name": "Ada",
        "child_1_last_name": "Bloggs",
        "child_1_relationship": "Daughter",
        "child_1_date_of_birth_0": "2",
        "child_1_date_of_birth_1": "5",
        "child_1_date_of_birth_2": str(timezone.localdate().year - 7),
        "why": "We have room in our lives and our home for a baby who needs it.",
        "declaration": "on",
    }
    data.update(overrides)
    return data


@pytest.fixture
def couple(recruitment):
    enquiry = visited(
        recruitment.user,
        household=Enquiry.Household.COUPLE,
        partner_name="Sam Bloggs",
        children_ages=[7],
    )
    token = services.registration_link_send(enquiry=enquiry, by=recruitment.user)
    return enquiry, token


# -- the link --------------------------------------------------------------------------------


def test_staff_email_the_link_from_the_enquiry_after_the_initial_visit(recruitment):
    enquiry = visited(recruitment.user)
    page = recruitment.get(f"{LIST_URL}{enquiry.pk}/change/").content.decode()
    assert "Email the Registration of Interest form" in page
    url = f"{LIST_URL}{enquiry.pk}/registration-form/"
    assert "private link" in recruitment.get(url).content.decode()
    response = recruitment.post(url, {})
    assert response.status_code == 302

    email = Notification.objects.get(template="enquiries/roi_form_link")
    assert email.to == enquiry.email
    token = re.fullmatch(r"http://[^/]+/register-interest/([\w-]+)/", email.context["form_url"])[1]
    registration = RegistrationOfInterest.objects.get(enquiry=enquiry)
    # Only a digest of the token is kept; the link is in the email alone.
    assert registration.token_digest == token_digest(token) != token
    assert registration.link_sent_by == recruitment.user
    page = recruitment.get(f"{LIST_URL}{enquiry.pk}/change/").content.decode()
    assert "Registration of Interest form emailed." in page
    assert "Email a new link to the Registration of Interest form" in page


@pytest.mark.parametrize("status", [Status.CONTACTED, Status.INITIAL_VISIT_BOOKED])
def test_the_form_is_not_sent_before_the_initial_visit(recruitment, status):
    enquiry = enquiry_in(status, recruitment.user)
    assert (
        "Registration of Interest form"
        not in recruitment.get(f"{LIST_URL}{enquiry.pk}/change/").content.decode()
    )
    response = recruitment.post(f"{LIST_URL}{enquiry.pk}/registration-form/", {})
    assert response.status_code == 200
    assert "sent after the initial visit" in response.content.decode()
    assert not RegistrationOfInterest.objects.exists()
    assert not Notification.objects.filter(template="enquiries/roi_form_link").exists()


def test_those_who_may_only_look_cannot_email_it(staff_client, recruitment):
    enquiry = visited(recruitment.user)
    manager = staff_client(Role.SOCIAL_WORKERS)
    assert manager.post(f"{LIST_URL}{enquiry.pk}/registration-form/", {}).status_code == 403
    assert not RegistrationOfInterest.objects.exists()


def test_a_new_link_replaces_the_old_one_and_keeps_the_answers(client, couple, recruitment):
    enquiry, old = couple
    client.post(form_url(old), complete(town="Oakway Vale", save="1"))
    new = services.registration_link_send(enquiry=enquiry, by=recruitment.user)

    gone = client.get(form_url(old))
    assert gone.status_code == 404
    assert "This link does not work" in gone.content.decode()
    page = client.get(form_url(new))
    assert page.status_code == 200
    assert 'value="Oakway Vale"' in page.content.decode()
    assert Notification.objects.filter(template="enquiries/roi_form_link").count() == 2
    notes = list(enquiry.notes.values_list("text", flat=True))
    assert notes[-1].startswith("Registration of Interest form emailed again")


def test_a_token_no_link_carries_finds_nothing(client, couple):
    for token in ("nope", "x" * 65, couple[1][:-1]):
        response = client.get(form_url(token))
        assert response.status_code == 404
        assert "no-store" in response["Cache-Control"]


# -- filling it in ----------------------------------------------------------------------------


def test_the_page_is_private_and_addresses_the_enquirer(client, couple):
    enquiry, token = couple
    response = client.get(form_url(token))
    body = response.content.decode()
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert "noindex" in response["X-Robots-Tag"]
    assert f"{enquiry.first_name} {enquiry.last_name}" in body
    assert "Your partner" in body
    assert "Child 1 living with you (aged 7 when you enquired)" in body


def test_unfinished_answers_are_saved_with_nothing_sent(client, couple):
    enquiry, token = couple
    response = client.post(
        form_url(token),
        {"date_of_birth_0": "27", "date_of_birth_2": "1985", "town": "Oakway", "save": "1"},
    )
    assert response.status_code == 302
    registration = RegistrationOfInterest.objects.get()
    assert registration.data["date_of_birth"] == ["27", "", "1985"]
    assert registration.data["town"] == "Oakway"
    assert registration.saved_at is not None and registration.submitted_at is None
    enquiry.refresh_from_db()
    assert enquiry.status == Status.INITIAL_VISIT_DONE
    page = client.get(form_url(token)).content.decode()
    assert 'value="27"' in page and 'value="1985"' in page and 'value="Oakway"' in page
    assert "Your answers are saved" in page


def test_sending_with_gaps_keeps_the_answers_and_says_what_is_missing(client, couple):
    enquiry, token = couple
    response = client.post(
        form_url(token),
        complete(
            date_of_birth_1="",
            partner_last_name="",
            postcode="OK1 2",
            has_pets="",
            child_1_relationship="",
            why="",
            declaration="",
            send="1",
        ),
    )
    body = html.unescape(response.content.decode())
    assert response.status_code == 200
    assert "There is a problem" in body
    for message in (
        "Your date of birth must include a month",
        "Enter your partner's last name",
        "Enter a real UK postcode, like OK1 2AB",
        "Select yes if you have pets at home",
        "Say who child 1 (aged 7 when you enquired) is to you",
        "Tell us why you want to care for a child through Early Permanence",
        "Confirm that what you have told us is true",
    ):
        assert message in body, message
    # The summary's link reaches the first box of the date.
    assert 'href="#id_date_of_birth_0"' in body
    registration = RegistrationOfInterest.objects.get()
    assert registration.submitted_at is None
    assert registration.data["town"] == "Oakway"
    enquiry.refresh_from_db()
    assert enquiry.status == Status.INITIAL_VISIT_DONE


def test_an_answer_too_long_is_refused_and_nothing_is_saved(client, couple):
    _, token = couple
    response = client.post(
        form_url(token), complete(town="x" * 81, postcode="OK1 2AB 3CD", save="1")
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "This answer must be 80 characters or fewer" in body
    assert "Enter a real UK postcode, like OK1 2AB" in body
    assert RegistrationOfInterest.objects.get().saved_at is None
    # The service refuses it too, whoever calls it.
    registration = services.registration_for_token(token)
    with pytest.raises(ValidationError) as refusal:
        services.registration_save(registration=registration, data={"why": "x" * 2001})
    assert refusal.value.message_dict == {"why": ["This answer must be 2000 characters or fewer"]}


def test_sending_moves_the_enquiry_once_and_tells_the_team_nothing_of_it(client, couple):
    enquiry, token = couple
    first = client.post(form_url(token), complete(send="1"))
    # The second press of a double click comes back to the page, which shows it sent.
    second = client.post(form_url(token), complete(send="1", town="Elsewhere"))
    assert first.status_code == second.status_code == 302

    enquiry.refresh_from_db()
    assert enquiry.status == Status.ROI_RECEIVED
    assert enquiry.roi_received_on == timezone.localdate()
    change = enquiry.status_changes.get(to_status=Status.ROI_RECEIVED)
    assert (change.by, change.note) == (None, "Sent online by the enquirer.")
    registration = RegistrationOfInterest.objects.get()
    assert registration.data["town"] == "Oakway"  # the second press changed nothing
    notices = Notification.objects.filter(template="enquiries/roi_form_received")
    assert notices.count() == 1
    context = str(notices.get().context)
    for personal in (enquiry.first_name, "Orchard", "Oakway City", "Sam", "Ada", "1985"):
        assert personal not in context

    page = client.get(form_url(token)).content.decode()
    assert "Registration of Interest sent" in page
    assert "4 Orchard Row, Oakway, OK1 2AB" in page
    assert "Ada Bloggs, Daughter, born 2 May" in page
    assert f"within {5} working days" in page


def test_the_team_notice_goes_to_the_assigned_person(client, couple, recruitment):
    enquiry, token = couple
    Enquiry.objects.filter(pk=enquiry.pk).update(assigned_to=recruitment.user)
    client.post(form_url(token), complete(send="1"))
    assert Notification.objects.get(template="enquiries/roi_form_received").to == (
        recruitment.user.email
    )


def test_staff_read_the_answers_on_the_enquiry_once_sent(client, couple, recruitment):
    enquiry, token = couple
    client.post(form_url(token), complete(save="1"))
    page = recruitment.get(f"{LIST_URL}{enquiry.pk}/change/").content.decode()
    assert "they are not sent yet" in page
    assert "Orchard Row" not in page
    client.post(form_url(token), complete(send="1"))
    page = recruitment.get(f"{LIST_URL}{enquiry.pk}/change/").content.decode()
    assert "Sent by the enquirer on" in page
    assert "4 Orchard Row, Oakway, OK1 2AB" in page
    assert "Email a new link" not in page


def test_a_link_works_for_the_set_number_of_days(client, couple, settings):
    settings.ROI_FORM_LINK_DAYS = 28
    enquiry, token = couple
    registration = RegistrationOfInterest.objects.get()
    # Emailed 27 days and 23 hours ago: still open.
    registration.link_sent_at = timezone.now() - timedelta(days=27, hours=23)
    registration.save()
    assert client.get(form_url(token)).status_code == 200
    registration.link_sent_at = timezone.now() - timedelta(days=28, minutes=1)
    registration.save()
    response = client.get(form_url(token))
    assert response.status_code == 410
    assert "This link has expired" in response.content.decode()
    assert client.post(form_url(token), complete(send="1")).status_code == 410
    enquiry.refresh_from_db()
    assert enquiry.status == Status.INITIAL_VISIT_DONE
    with pytest.raises(services.RegistrationClosed, match="expired"):
        services.registration_save(registration=registration, data={})


def test_the_form_closes_when_the_enquiry_closes(client, couple, recruitment):
    enquiry, token = couple
    enquiry_services.enquiry_close(
        enquiry=enquiry, by=recruitment.user, reason=Enquiry.ClosedReason.WITHDREW
    )
    response = client.get(form_url(token))
    assert response.status_code == 410
    assert "This form is closed" in response.content.decode()


def test_staff_recording_it_received_closes_the_form(client, couple, recruitment):
    enquiry, token = couple
    enquiry_services.enquiry_mark_roi_received(enquiry=enquiry, by=recruitment.user)
    assert client.post(form_url(token), complete(send="1")).status_code == 410
    registration = RegistrationOfInterest.objects.get()
    assert registration.submitted_at is None


# -- the law in the checks ---------------------------------------------------------------------


def born(day: date) -> dict:
    return {"date_of_birth": [str(day.day), str(day.month), str(day.year)]}


@pytest.mark.parametrize(
    ("birthday", "today", "refused"),
    [
        # 21 on the day itself (ACA 2002 s.51(1)): worked by hand.
        (date(2005, 12, 1), date(2026, 12, 1), False),
        (date(2005, 12, 2), date(2026, 12, 1), True),
        # Born on 29 February: 21 on 1 March in a year with no 29 February.
        (date(2004, 2, 29), date(2025, 2, 28), True),
        (date(2004, 2, 29), date(2025, 3, 1), False),
        # On a bank holiday (Boxing Day) as on any day.
        (date(2005, 12, 26), date(2026, 12, 25), True),
        (date(2005, 12, 26), date(2026, 12, 26), False),
    ],
)
def test_an_applicant_younger_than_21_is_refused(recruitment, birthday, today, refused):
    enquiry = visited(recruitment.user)
    problems = services.registration_problems(enquiry, born(birthday), today=today)
    if refused:
        assert "you must be 21 or over to adopt" in problems["date_of_birth"]
    else:
        assert "date_of_birth" not in problems


def test_dates_that_cannot_be_right_are_refused_in_words(recruitment):
    enquiry = visited(recruitment.user, children_ages=[3])
    today = date(2026, 12, 1)
    data = {
        **born(date(2026, 12, 2)),
        "child_1_date_of_birth": ["31", "2", "2023"],
    }
    problems = services.registration_problems(enquiry, data, today=today)
    assert "cannot be in the future" in problems["date_of_birth"]
    assert problems["child_1_date_of_birth"] == (
        "The date of birth of child 1 (aged 3 when you enquired) must be a real date"
    )
    data["child_1_date_of_birth"] = ["1", "12", "2008"]  # 18 today: not a child
    problems = services.registration_problems(enquiry, data, today=today)
    assert "17 or under" in problems["child_1_date_of_birth"]
    data["child_1_date_of_birth"] = ["2", "12", "2008"]  # 17 until tomorrow
    problems = services.registration_problems(enquiry, data, today=today)
    assert "child_1_date_of_birth" not in problems
    data["date_of_birth"] = ["1", "12", "85"]
    problems = services.registration_problems(enquiry, data, today=today)
    assert "four figures" in problems["date_of_birth"]


def test_a_single_applicant_is_not_asked_about_a_partner(recruitment):
    enquiry = visited(recruitment.user)
    fields = services.registration_fields(enquiry)
    assert "partner_first_name" not in fields
    assert not [name for name in fields if name.startswith("child_")]


# -- what follows from it ----------------------------------------------------------------------


def test_converting_the_enquiry_starts_from_the_answers(client, couple, staff_client):
    enquiry, token = couple
    client.post(form_url(token), complete(send="1"))
    worker = staff_client(Role.SOCIAL_WORKERS)
    page = worker.post(
        LIST_URL, {"action": "convert_to_household", "_selected_action": [enquiry.pk]}
    ).content.decode()
    assert "filled in: check them" in page
    for value in ('value="4 Orchard Row"', 'value="OK1 2AB"', 'value="1985-03-27"'):
        assert value in page, value
    assert 'value="1983-10-14"' in page
    assert 'value="Ada"' in page and 'value="Daughter"' in page


def test_subject_access_gives_their_own_answers_not_other_peoples(client, couple):
    enquiry, token = couple
    client.post(form_url(token), complete(send="1"))
    sections = enquiry_sections(Person(email=enquiry.email))
    roi = next(s for s in sections if s.title.endswith("Registration of Interest"))
    text = str(roi.rows)
    assert "4 Orchard Row" in text
    assert "Sam" not in text and "Ada" not in text


def test_anonymising_the_enquiry_removes_the_answers(client, couple, recruitment):
    enquiry, token = couple
    client.post(form_url(token), complete(save="1"))
    enquiry_services.enquiry_close(
        enquiry=enquiry, by=recruitment.user, reason=Enquiry.ClosedReason.WITHDREW
    )
    enquiry_services.enquiry_anonymise(enquiry=enquiry)
    assert not RegistrationOfInterest.objects.exists()
    assert client.get(form_url(token)).status_code == 404


def test_a_save_before_the_double_press_is_not_lost(couple):
    enquiry, token = couple
    registration = services.registration_for_token(token)
    data = {"town": "Oakway"}
    services.registration_save(registration=registration, data=data)
    with pytest.raises(ValidationError) as refusal:
        services.registration_send(registration=registration, data=data)
    assert "date_of_birth" in refusal.value.message_dict
    assert services.registration_for_token(token).data["town"] == "Oakway"


def test_dates_shown_are_the_days_in_london(couple):
    enquiry, token = couple
    registration = services.registration_for_token(token)
    late = datetime(2026, 6, 30, 23, 30, tzinfo=ZoneInfo("UTC"))  # 1 July in London
    registration.link_sent_at = late
    assert timezone.localdate(registration.link_expires_at, LONDON) == date(2026, 7, 29)

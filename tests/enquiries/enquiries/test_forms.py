"""The public enquiry form at /enquire/: each step's validation, the session, the submit."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from enquiries.models import Enquiry, EnquiryContact
from portal.models import Notification

from .factories import EnquiryFactory

pytestmark = pytest.mark.django_db

STEP_DATA = {
    "about-you": {
        "first_name": "Jo",
        "last_name": "Bloggs",
        "email": "Jo.Bloggs@example.com",
        "postcode": "ok12ab",
        "aged_21_or_over": "yes",
        "website": "",
    },
    "contact": {
        "contact_method": "either",
        "phone": "01632 960 001",
        "contact_time": "evening",
        "website": "",
    },
    "household": {
        "household": "couple",
        "partner_name": "Sam Bloggs",
        "children_at_home": "yes",
        "children_ages": "4, 9",
        "website": "",
    },
    "interest": {
        "route": "concurrent_planning",
        "heard_about": "event",
        "question": "Can we apply while we both work?",
        "sensitive_details": "I finished IVF treatment last year.",
        "sensitive_consent": "on",
        "website": "",
    },
}
SUBMIT_DATA = {"privacy_acknowledged": "on", "website": ""}


def answer_steps(client, **overrides):
    """Post every step; ``overrides`` maps a step to changes of its data."""
    for step, data in STEP_DATA.items():
        response = client.post(f"/enquire/{step}/", {**data, **overrides.get(step, {})})
        assert response.status_code == 302, (step, response.content.decode()[:2000])
    return response


def complete_the_form(client, submit_data=None, **overrides):
    answer_steps(client, **overrides)
    return client.post("/enquire/check/", submit_data or SUBMIT_DATA)


def error_summary_links(html: str) -> list[tuple[str, str]]:
    summary = html.split('class="govuk-error-summary"', 1)[1].split("</ul>", 1)[0]
    return re.findall(r'<a href="#([^"]+)">([^<]+)</a>', summary)


def test_the_start_page_explains_and_starts_the_form(client):
    response = client.get("/enquire/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'href="/enquire/about-you/"' in html
    assert "Start now" in html


def test_a_whole_enquiry_is_saved_only_at_the_end(client):
    answer = answer_steps(client)
    assert answer["Location"] == "/enquire/check/"
    assert not Enquiry.objects.exists()
    assert not Notification.objects.exists()
    check = client.get("/enquire/check/").content.decode()
    for shown in ("Jo Bloggs", "jo.bloggs<wbr>@example.com", "OK1 2AB", "Sam Bloggs", "Aged 4, 9"):
        assert shown in check
    response = client.post("/enquire/check/", SUBMIT_DATA)
    assert response.status_code == 302
    assert response["Location"] == "/enquire/sent/"
    enquiry = Enquiry.objects.get()
    assert (enquiry.first_name, enquiry.email, enquiry.postcode) == (
        "Jo",
        "jo.bloggs@example.com",
        "OK1 2AB",
    )
    assert enquiry.children_ages == [4, 9]
    assert enquiry.contacts.get().question == "Can we apply while we both work?"
    assert (
        Notification.objects.filter(key__startswith=f"enquiry:{enquiry.pk}:contact:").count() == 2
    )
    # The answers leave the session with the submit.
    assert client.get("/enquire/check/")["Location"] == "/enquire/about-you/"
    assert client.get("/enquire/sent/").status_code == 200


def test_without_consent_the_step_refuses_the_details_and_the_session_never_holds_them(client):
    answer_steps(client)
    interest = {**STEP_DATA["interest"], "sensitive_details": "I am a Quaker with MS."}
    del interest["sensitive_consent"]
    response = client.post("/enquire/interest/", interest)
    assert response.status_code == 200
    html = response.content.decode()
    assert error_summary_links(html) == [
        (
            "id_sensitive_consent",
            "Tick the box to agree that we may keep the personal details you shared, "
            "or leave that box empty and tell us when we talk",
        )
    ]
    # Neither the session nor anything else saved holds the words.
    stored = str(dict(client.session.items()))
    assert "Quaker" not in stored
    assert "IVF" in stored  # the earlier, consented answer is still there
    assert not Enquiry.objects.exists()


def test_without_any_details_no_consent_is_needed_and_the_rest_is_kept(client):
    complete_the_form(client, interest={"sensitive_details": "", "sensitive_consent": ""})
    enquiry = Enquiry.objects.get()
    contact = enquiry.contacts.get()
    # What we need to answer them is kept: neither is special-category data in itself.
    assert enquiry.children_ages == [4, 9]
    assert contact.question == "Can we apply while we both work?"
    assert contact.sensitive_details == ""
    assert contact.sensitive_withheld is False
    assert enquiry.sensitive_consent_at is None


def test_with_consent_the_sensitive_details_are_kept(client):
    complete_the_form(client)
    enquiry = Enquiry.objects.get()
    contact = enquiry.contacts.get()
    assert contact.sensitive_details == "I finished IVF treatment last year."
    assert contact.sensitive_withheld is False
    assert enquiry.sensitive_consent_at is not None


def test_the_consent_sits_beside_the_personal_details_box_with_its_explanation(client):
    answer_steps(client)
    html = client.get("/enquire/interest/").content.decode()
    details = html.index('name="sensitive_details"')
    consent = html.index('name="sensitive_consent"')
    explanation = html.index("we keep them only if you agree")
    assert details < explanation < consent or details < consent < explanation
    check = client.get("/enquire/check/").content.decode()
    assert "sensitive_consent" not in check
    assert "I finished IVF treatment last year." in check
    assert 'name="privacy_acknowledged"' in check


def test_the_check_page_breaks_the_email_address_only_at_its_at_sign(client):
    answer_steps(client)
    html = client.get("/enquire/check/").content.decode()
    assert "jo.bloggs<wbr>@example.com" in html


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("4 and 7", [4, 7]),
        ("4 & 7", [4, 7]),
        ("4 years", [4]),
        ("4, 7", [4, 7]),
        ("4 7", [4, 7]),
        ("4 years and 7 years old", [4, 7]),
        ("18 months", [1]),
        ("0", [0]),
    ],
)
def test_childrens_ages_are_accepted_as_people_write_them_and_stored_as_numbers(
    client, typed, kept
):
    complete_the_form(client, household={"children_ages": typed})
    assert Enquiry.objects.get().children_ages == kept


@pytest.mark.parametrize("typed", ["four", "4x", "-1", "31", "4 years 7 years"])
def test_ages_that_are_not_ages_get_a_message_in_words(client, typed):
    client.post("/enquire/about-you/", STEP_DATA["about-you"])
    client.post("/enquire/contact/", STEP_DATA["contact"])
    response = client.post(
        "/enquire/household/", {**STEP_DATA["household"], "children_ages": typed}
    )
    assert response.status_code == 200
    assert "Enter each age in years, like 4 and 7" in response.content.decode()


def test_the_sent_page_and_the_acknowledgement_carry_the_reference(client):
    complete_the_form(client)
    enquiry = Enquiry.objects.get()
    page = client.get("/enquire/sent/").content.decode()
    assert enquiry.reference in page
    acknowledgement = Notification.objects.get(key__endswith=":acknowledgement")
    assert acknowledgement.context["reference"] == enquiry.reference


def test_someone_under_21_can_register_their_interest_for_later(client):
    html = client.get("/enquire/about-you/").content.decode()
    assert "register my interest for later" in html
    complete_the_form(client, **{"about-you": {"aged_21_or_over": "no"}})
    enquiry = Enquiry.objects.get()
    assert enquiry.aged_21_or_over is False
    acknowledgement = Notification.objects.get(key__endswith=":acknowledgement")
    assert acknowledgement.context["for_later"] is True
    # The sent page says the same as the email: no visit or assessment yet.
    page = client.get("/enquire/sent/").content.decode()
    assert "We will keep in touch until you are 21" in page
    assert "your assessment can begin" not in page


def test_the_sent_page_of_someone_21_or_over_offers_the_visit(client):
    complete_the_form(client)
    page = client.get("/enquire/sent/").content.decode()
    assert "your assessment can begin" in page
    assert "We will keep in touch until you are 21" not in page


def test_steps_cannot_be_skipped(client):
    assert client.get("/enquire/household/")["Location"] == "/enquire/about-you/"
    assert client.get("/enquire/check/")["Location"] == "/enquire/about-you/"
    client.post("/enquire/about-you/", STEP_DATA["about-you"])
    assert client.get("/enquire/interest/")["Location"] == "/enquire/contact/"
    assert client.get("/enquire/nonsense/").status_code == 404


def test_a_change_from_the_check_page_returns_to_it(client):
    answer_steps(client)
    page = client.get("/enquire/contact/").content.decode()
    assert 'value="01632 960 001"' in page  # the answer is shown again
    response = client.post("/enquire/contact/", {**STEP_DATA["contact"], "contact_time": "any"})
    assert response["Location"] == "/enquire/check/"
    assert "Any time" in client.get("/enquire/check/").content.decode()


# -- validation and the error summary -----------------------------------------------------


@pytest.mark.parametrize(
    ("step", "data", "expected"),
    [
        (
            "about-you",
            {},
            [
                ("id_first_name", "Enter your first name"),
                ("id_last_name", "Enter your last name"),
                ("id_email", "Enter your email address"),
                ("id_postcode", "Enter your postcode"),
                ("id_aged_21_or_over_1", "Select yes if you are 21 or over"),
            ],
        ),
        (
            "about-you",
            {**STEP_DATA["about-you"], "email": "jo@", "postcode": "NOTAPOSTCODE"},
            [
                (
                    "id_email",
                    "Enter an email address in the correct format, like name@example.com",
                ),
                ("id_postcode", "Enter a real UK postcode, like OK1 2AB"),
            ],
        ),
        (
            "about-you",
            {**STEP_DATA["about-you"], "first_name": "J" * 51, "last_name": "   "},
            [
                ("id_first_name", "First name must be 50 characters or fewer"),
                ("id_last_name", "Enter your last name"),
            ],
        ),
        (
            "contact",
            {},
            [
                ("id_contact_method_1", "Select how you would like us to contact you"),
                ("id_contact_time_1", "Select the best time to contact you"),
            ],
        ),
        (
            "contact",
            {"contact_method": "phone", "contact_time": "any", "phone": ""},
            [("id_phone", "Enter a phone number, or choose email as the way to contact you")],
        ),
        (
            "contact",
            {"contact_method": "email", "contact_time": "any", "phone": "call me"},
            [("id_phone", "Enter a phone number, like 01632 960 001 or +44 7700 900 982")],
        ),
        (
            "household",
            {},
            [
                ("id_household_1", "Select whether you would apply on your own or with a partner"),
                ("id_children_at_home_1", "Select yes if any children live with you"),
            ],
        ),
        (
            "household",
            {"household": "couple", "children_at_home": "yes"},
            [
                ("id_partner_name", "Enter your partner’s name"),
                ("id_children_ages", "Enter the ages of the children who live with you"),
            ],
        ),
        (
            "household",
            {"household": "single", "children_at_home": "yes", "children_ages": "four"},
            [
                (
                    "id_children_ages",
                    "Enter each age in years, like 4 and 7 (use 0 for a baby under 1)",
                )
            ],
        ),
        (
            "household",
            {"household": "single", "children_at_home": "yes", "children_ages": "1," * 11},
            [("id_children_ages", "Enter up to 10 ages")],
        ),
        (
            "interest",
            {"heard_about": "telepathy", "question": "x" * 2001},
            [
                (
                    "id_route_1",
                    "Select the kind of Early Permanence that interests you, or not sure",
                ),
                ("id_heard_about", "Choose an answer from the list"),
                ("id_question", "Your question must be 2,000 characters or fewer"),
            ],
        ),
    ],
)
def test_each_step_explains_its_errors_in_a_govuk_summary(client, step, data, expected):
    earlier = list(STEP_DATA)[: list(STEP_DATA).index(step)]
    for previous in earlier:
        client.post(f"/enquire/{previous}/", STEP_DATA[previous])
    response = client.post(f"/enquire/{step}/", data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<title>Error: " in html
    assert error_summary_links(html) == expected
    for anchor, message in expected:
        assert f'id="{anchor}"' in html, f"the summary links to a missing #{anchor}"
        assert message in html.split("govuk-error-summary__list", 1)[1]
    assert not Enquiry.objects.exists()


def test_the_last_page_needs_the_privacy_notice_acknowledged(client):
    answer_steps(client)
    response = client.post("/enquire/check/", {})
    assert response.status_code == 200
    html = response.content.decode()
    assert error_summary_links(html) == [
        ("id_privacy_acknowledged", "Confirm that you have read the privacy notice")
    ]
    assert not Enquiry.objects.exists()


# -- abuse and repeats ---------------------------------------------------------------------


@pytest.mark.parametrize("where", ["about-you", "check"])
def test_a_filled_honeypot_looks_sent_and_keeps_nothing(client, where):
    if where == "check":
        answer_steps(client)
        response = client.post("/enquire/check/", {**SUBMIT_DATA, "website": "http://spam"})
    else:
        response = client.post(
            "/enquire/about-you/", {**STEP_DATA["about-you"], "website": "http://spam"}
        )
    assert response["Location"] == "/enquire/sent/"
    assert not Enquiry.objects.exists()
    assert not Notification.objects.exists()
    assert client.get("/enquire/check/")["Location"] == "/enquire/about-you/"


def test_submissions_are_rate_limited_per_address(client, settings):
    settings.ENQUIRY_RATE_LIMIT_PER_HOUR = 1
    assert complete_the_form(client).status_code == 302
    client.cookies.clear()
    response = complete_the_form(client)
    assert response.status_code == 429
    [(anchor, message)] = error_summary_links(response.content.decode())
    assert (anchor, "too many times" in message) == ("id_privacy_acknowledged", True)
    assert Enquiry.objects.count() == 1
    assert EnquiryContact.objects.count() == 1


def test_steps_are_rate_limited_too(client, settings):
    settings.ENQUIRY_STEP_RATE_LIMIT_PER_HOUR = 1
    client.post("/enquire/about-you/", STEP_DATA["about-you"])
    response = client.post("/enquire/contact/", STEP_DATA["contact"])
    assert response.status_code == 429
    # The message links to the first question, never to the hidden honeypot.
    [(anchor, message)] = error_summary_links(response.content.decode())
    assert anchor == "id_contact_method_1"
    assert "too many times" in message


def test_enquiring_again_through_the_form_adds_a_contact(client):
    complete_the_form(client)
    client.cookies.clear()
    complete_the_form(client, interest={"question": "One more thing"})
    enquiry = Enquiry.objects.get()
    assert list(enquiry.contacts.values_list("question", flat=True)) == [
        "Can we apply while we both work?",
        "One more thing",
    ]


# -- query budgets -------------------------------------------------------------------------


def count_queries(fn) -> int:
    with CaptureQueriesContext(connection) as context:
        response = fn()
    assert response.status_code in (200, 302)
    return len(context.captured_queries)


def journey_queries(client, email: str) -> tuple[int, ...]:
    client.cookies.clear()
    counts = [count_queries(lambda: client.get("/enquire/"))]
    counts.append(count_queries(lambda: client.get("/enquire/about-you/")))
    for step, data in STEP_DATA.items():
        if step == "about-you":
            data = {**data, "email": email}
        counts.append(
            count_queries(lambda step=step, data=data: client.post(f"/enquire/{step}/", data))
        )
    counts.append(count_queries(lambda: client.get("/enquire/check/")))
    counts.append(count_queries(lambda: client.post("/enquire/check/", SUBMIT_DATA)))
    return tuple(counts)


def test_the_form_has_a_query_budget_unchanged_with_ten_times_the_enquiries(client):
    journey_queries(client, "warm-up@example.com")  # content types, permissions
    EnquiryFactory.create_batch(5)
    small = journey_queries(client, "first@example.com")
    small_repeat = journey_queries(client, "first@example.com")
    EnquiryFactory.create_batch(45)
    large = journey_queries(client, "second@example.com")
    large_repeat = journey_queries(client, "second@example.com")
    assert (small, small_repeat) == (large, large_repeat)
    # Pages and steps read and write the session only; the submit saves the enquiry,
    # its contact, the outbox rows and the audit entries.
    assert max(small[:-1]) <= 4
    assert small[-1] <= 30
    assert small_repeat[-1] <= 30
    print("enquiry form queries (start, step, 4 posts, check, submit):", large)
    print("a repeat submit:", large_repeat[-1])


# -- no input gives a server error -------------------------------------------------------

text = st.text(max_size=300)


@hypothesis_settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    first_name=text,
    email=text,
    postcode=text,
    ages=text,
    household=text,
    question=st.text(max_size=2100),
)
def test_no_input_breaks_the_form(client, first_name, email, postcode, ages, household, question):
    for step, data in (
        ("about-you", {"first_name": first_name, "email": email, "postcode": postcode}),
        ("household", {"household": household, "children_at_home": "yes", "children_ages": ages}),
        ("interest", {"route": household, "question": question}),
    ):
        response = client.post(f"/enquire/{step}/", data)
        if any("\x00" in value for value in data.values()):
            # NUL is refused before any view, in words (portal.middleware).
            assert response.status_code == 400
            continue
        assert response.status_code in (200, 302)
    assert not Enquiry.objects.exists()


def test_a_bots_pretend_sent_page_shows_no_earlier_reference(client):
    complete_the_form(client)
    reference = Enquiry.objects.get().reference
    assert reference in client.get("/enquire/sent/").content.decode()
    client.post("/enquire/about-you/", {**STEP_DATA["about-you"], "website": "http://spam"})
    assert reference not in client.get("/enquire/sent/").content.decode()

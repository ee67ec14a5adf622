"""Random and hostile input to every public form: never a 500, never a half-saved row,
always a clear message.

Already covered elsewhere, and not repeated here:
- sign-up and sign-in (tests/portal/test_account_input.py: error summary, no user made);
- the booking form's fields (tests/enquiries/events/test_forms.py: nothing half-saved);
- three enquiry steps with random text (tests/enquiries/enquiries/test_forms.py: no 500).

Added here: each enquiry step and the check-your-answers page with hostile values for every
field (NUL bytes, markup, huge strings, repeated fields, wrong types), the booking form the
same way with its error summary checked, each eligibility question with any token, booking
pages reached with a hostile token, and raw request bodies that are not valid form
encoding at all. Each example starts with an empty cache, so a rate limit never answers in
place of the form.
"""

import re
from urllib.parse import quote

import pytest
from allauth.account.models import EmailAddress
from auditlog.models import LogEntry
from django.core.cache import cache
from django.test import Client
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from content import eligibility
from content.models import EligibilityCompletionCount, ServedPostcodeArea
from enquiries.forms.enquiries import STEPS
from enquiries.models import Booking, Enquiry, EnquiryContact
from portal.models import Notification, User
from tests.enquiries.events.factories import InformationEventFactory

pytestmark = pytest.mark.django_db

HOSTILE_STRINGS = [
    "",
    " ",
    "\x00",
    "jo\x00@example.com",
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "' OR 1=1 --",
    "'; DROP TABLE enquiries_enquiry; --",
    "{{ settings.SECRET_KEY }}",
    "{% debug %}",
    "${jndi:ldap://example.org/a}",
    "../../../../etc/passwd",
    "jo@example.com\r\nBcc: everyone@example.org",
    "\u202egnp.exe",
    "🙂" * 60,
    "ünïcödé@exämple.com",
    "a" * 5000,
    "1" * 400,
    "-1",
    "0",
    "1e309",
    "NaN",
    "on",
    "yes",
    "true",
    "None",
    "[]",
    "{}",
]
hostile_text = st.one_of(st.text(max_size=300), st.sampled_from(HOSTILE_STRINGS))


def value(*valid: str):
    """A field's value: hostile, valid, or the field sent twice (a list)."""
    single = st.one_of(hostile_text, st.sampled_from(valid)) if valid else hostile_text
    return st.one_of(single, st.lists(single, min_size=2, max_size=3))


def form(fields: dict[str, tuple[str, ...]], valid: dict[str, str]):
    """A valid answer with any of its fields dropped, and any (or the honeypot) replaced
    by hostile or other valid values. Shrinks towards the valid answer, so both the
    refusals and the successes are reached."""
    replaced = st.fixed_dictionaries(
        {}, optional={name: value(*ok) for name, ok in {**fields, "website": ()}.items()}
    )
    dropped = st.sets(st.sampled_from(sorted(valid))) if valid else st.just(set())
    return st.builds(
        lambda replace, drop: {
            **{name: v for name, v in valid.items() if name not in drop},
            **replace,
        },
        replaced,
        dropped,
    )


HYPOTHESIS = settings(
    max_examples=35,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# -- what every answer must be -------------------------------------------------------------

SUMMARY_ITEM = re.compile(r'<li><a href="#[^"]+">\s*([^<]*?)\s*</a></li>')


def error_messages(html: str) -> list[str]:
    """The messages of the GOV.UK error summary, each linked to its field."""
    if 'class="govuk-error-summary"' not in html:
        return []
    summary = html.split('class="govuk-error-summary"', 1)[1].split("</ul>", 1)[0]
    return SUMMARY_ITEM.findall(summary)


def refused_as_unstorable(response) -> bool:
    """NUL, which the database cannot store, is refused before any form sees it
    (portal.middleware.RefuseUnstorableInputMiddleware): a plain 400 page in words."""
    return response.status_code == 400 and "cannot be used" in response.content.decode()


def assert_clear_refusal(response):
    """A refused form answers 200 with a GOV.UK error summary of real messages."""
    if refused_as_unstorable(response):
        return
    assert response.status_code == 200, response.status_code
    messages = error_messages(response.content.decode())
    assert messages, "a refusal without an error summary"
    assert all(len(m) > 5 for m in messages), messages


def row_counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (
            Enquiry,
            EnquiryContact,
            Booking,
            Notification,
            LogEntry,
            EligibilityCompletionCount,
            User,
            EmailAddress,
        )
    }


def fresh_client() -> Client:
    cache.clear()  # the per-IP rate limits are tested elsewhere; here they would mask the form
    return Client(REMOTE_ADDR="203.0.113.9")


# -- the enquiry form ----------------------------------------------------------------------

VALID_STEPS = {
    "about-you": {
        "first_name": "Jo",
        "last_name": "Bloggs",
        "email": "jo.bloggs@example.com",
        "postcode": "OK1 2AB",
        "aged_21_or_over": "yes",
    },
    "contact": {"contact_method": "email", "phone": "", "contact_time": "any"},
    "household": {"household": "single", "children_at_home": "no"},
    "interest": {"route": "not_sure", "heard_about": "", "question": ""},
}
STEP_FIELDS = {
    "about-you": {
        "first_name": ("Jo",),
        "last_name": ("Bloggs",),
        "email": ("jo@example.com", "JO@EXAMPLE.COM"),
        "postcode": ("OK1 2AB", "ok12ab", "SW1A 1AA"),
        "aged_21_or_over": ("yes", "no", "on"),
    },
    "contact": {
        "contact_method": ("email", "phone", "either"),
        "phone": ("01632 960 001", "+44 7700 900 982"),
        "contact_time": ("any", "morning", "evening"),
    },
    "household": {
        "household": ("single", "couple"),
        "partner_name": ("Sam Bloggs",),
        "children_at_home": ("yes", "no"),
        "children_ages": (
            "4, 9",
            "0",
            "31",
            "1,2,3,4,5,6,7,8,9,10,11",
            "4 and 7",
            "4 & 7",
            "4 years",
        ),
    },
    "interest": {
        "route": ("concurrent_planning", "fostering_for_adoption", "not_sure"),
        "heard_about": ("", "event", "search"),
        "question": ("Can we apply while we both work?", "q" * 2001),
        "sensitive_details": ("I finished IVF treatment last year.", "s" * 2001),
        "sensitive_consent": ("on", ""),
    },
}


def answered_until(client: Client, step: str) -> None:
    """Answer the steps before ``step`` correctly, so the hostile post reaches its form."""
    for earlier in STEPS:
        if earlier.slug == step:
            return
        response = client.post(f"/enquire/{earlier.slug}/", VALID_STEPS[earlier.slug])
        assert response.status_code == 302


@pytest.mark.parametrize("step", [s.slug for s in STEPS])
def test_each_enquiry_step_answers_any_input_clearly(step):
    @HYPOTHESIS
    @given(data=form(STEP_FIELDS[step], VALID_STEPS[step]))
    def check(data):
        client = fresh_client()
        answered_until(client, step)
        before = row_counts()
        response = client.post(f"/enquire/{step}/", data)
        event(f"answered {response.status_code}")
        # Nothing is saved before the enquiry is sent, whatever the answer.
        assert row_counts() == before
        if response.status_code == 302:
            # Accepted (to the next step or the check page), or a bot's pretend success.
            assert response["Location"].startswith("/enquire/")
        else:
            assert_clear_refusal(response)

    check()


@HYPOTHESIS
@given(
    data=form(
        {"privacy_acknowledged": ("on", "true")},
        {"privacy_acknowledged": "on"},
    ),
    with_sensitive=st.booleans(),
)
def test_the_check_page_saves_all_or_nothing(data, with_sensitive):
    client = fresh_client()
    for step, answers in VALID_STEPS.items():
        if with_sensitive and step == "interest":
            answers = {**answers, "question": "Can we apply while we both work?"}
        assert client.post(f"/enquire/{step}/", answers).status_code == 302
    before = row_counts()
    response = client.post("/enquire/check/", data)
    after = row_counts()
    event(f"answered {response.status_code}")
    if response.status_code == 302 and after["EnquiryContact"] > before["EnquiryContact"]:
        # Sent: the enquiry (or a contact on the open one) with its emails, all together.
        assert response["Location"] == "/enquire/sent/"
        assert after["EnquiryContact"] == before["EnquiryContact"] + 1
        assert after["Enquiry"] - before["Enquiry"] in (0, 1)
        assert after["Notification"] > before["Notification"]
    elif response.status_code == 302:
        # Only a filled-in honeypot looks sent without being sent.
        assert data.get("website") not in (None, "", [])
        assert after == before
    else:
        assert after == before
        assert_clear_refusal(response)


# -- booking a place -------------------------------------------------------------------------

BOOKING_FIELDS = {
    "name": ("Jo Bloggs",),
    "email": ("jo@example.com", "JO@example.com"),
    "phone": ("01632 960 001",),
    "places": ("1", "2", "3"),
    "access_needs": ("A hearing loop",),
    "heard_about": ("", *Booking.HeardAbout.values),
}
VALID_BOOKING = {"name": "Jo Bloggs", "email": "jo@example.com", "places": "1"}


@HYPOTHESIS
@given(data=form(BOOKING_FIELDS, VALID_BOOKING))
def test_the_booking_form_answers_any_input_clearly(data):
    client = fresh_client()
    information_event = InformationEventFactory()
    before = row_counts()
    response = client.post(information_event.get_absolute_url(), data)
    after = row_counts()
    event(f"answered {response.status_code}")
    booked = Booking.objects.filter(event=information_event)
    if response.status_code == 302 and data.get("website") in (None, "", []):
        # A booking, complete with its confirmation or waiting-list email.
        booking = booked.get()
        check = f"/events/{information_event.slug}/check-your-email/"
        assert response["Location"] == check
        assert Notification.objects.filter(key__startswith=f"booking:{booking.pk}:").exists()
    elif refused_as_unstorable(response) or (
        response.status_code == 200 and error_messages(response.content.decode())
    ):
        assert not booked.exists()
        assert after == before
    else:
        # The honeypot: the same answer as a success, and nothing kept.
        assert response.status_code == 302
        assert response["Location"] == f"/events/{information_event.slug}/check-your-email/"
        assert data.get("website") not in (None, "", [])
        assert after == before


@settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    token=st.one_of(
        st.text(min_size=1, max_size=200),
        st.sampled_from(["../admin", "%00", "' OR 1=1 --", "a" * 2000, "<script>", "ｔｏｋｅｎ"]),
    ),
    page=st.sampled_from(["", "booked/", "cancel/", "calendar.ics"]),
    method=st.sampled_from(["get", "post"]),
)
def test_a_hostile_booking_token_is_refused_plainly(token, page, method):
    client = fresh_client()
    before = row_counts()
    response = getattr(client, method)(f"/bookings/{quote(token, safe='')}/{page}")
    if response.status_code == 400:  # a control character in the address
        assert refused_as_unstorable(response)
        assert any(ord(ch) < 0x20 or ch == "\x7f" for ch in token)
    else:
        assert response.status_code in (404, 405), response.status_code
    assert row_counts() == before


# -- the eligibility checker --------------------------------------------------------------

VALID_ELIGIBILITY = {
    "age": "yes",
    "residence": "yes",
    "area": "LS",
    "at_home": "yes",
    "applying": "partner",
    "children": "no",
}
ELIGIBILITY_VALUES = {
    "age": ("yes", "no"),
    "residence": ("yes", "no"),
    "area": ("LS6 1AA", "LS6", "HD9", "ZZ99", "12345"),
    "at_home": ("yes", "not-sure", "no"),
    "applying": ("alone", "partner"),
    "children": ("yes", "no"),
}


@pytest.mark.parametrize("question", eligibility.QUESTIONS, ids=lambda q: q.slug)
def test_each_eligibility_question_answers_any_input_clearly(question):
    @HYPOTHESIS
    @given(
        data=form(
            {"answer": ELIGIBILITY_VALUES[question.key]},
            {"answer": ELIGIBILITY_VALUES[question.key][0]},
        )
    )
    def check(data):
        client = fresh_client()
        ServedPostcodeArea.objects.get_or_create(
            code="LS", defaults={"name": "Leeds", "travel_note": "Close by."}
        )
        earlier = {}
        for q in eligibility.QUESTIONS:
            if q.key == question.key:
                break
            earlier[q.key] = VALID_ELIGIBILITY[q.key]
        token = eligibility.answers_dump(earlier) if earlier else ""
        query = f"?answers={token}" if token else ""
        before = row_counts()
        response = client.post(f"/eligibility/{question.slug}/{query}", data)
        after = row_counts()
        event(f"answered {response.status_code}")
        if response.status_code == 302:
            assert response["Location"].startswith("/eligibility/")
            # Only finishing the last question counts a completion; nothing else is kept.
            completions = after.pop("EligibilityCompletionCount") - before.pop(
                "EligibilityCompletionCount"
            )
            assert after == before
            assert completions in ((0, 1) if question is eligibility.QUESTIONS[-1] else (0,))
        else:
            assert after == before
            assert_clear_refusal(response)

    check()


# -- bodies that are not form encoding at all ------------------------------------------------

PUBLIC_FORMS = [
    "/enquire/about-you/",
    "/enquire/check/",
    "/eligibility/age/",
    "/accounts/signup/",
    "/accounts/login/",
    "/accounts/password/reset/",
]


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    body=st.one_of(
        st.binary(max_size=2000),
        st.sampled_from(
            [
                b"%ZZ%%%",
                b"name=%FF%FE%00&email=%C0%AE",
                b"a=" + b"b" * 20000,
                b"&".join(b"f%d=1" % n for n in range(500)),
                b"places=1&places=2&places=",
            ]
        ),
    ),
    content_type=st.sampled_from(
        [
            "application/x-www-form-urlencoded",
            "multipart/form-data; boundary=xyz",
            "multipart/form-data",
            "text/plain",
            "application/json",
        ]
    ),
    url=st.sampled_from([*PUBLIC_FORMS, "booking"]),
)
def test_a_body_that_is_not_a_form_is_refused_plainly(body, content_type, url):
    client = fresh_client()
    if url == "booking":
        url = InformationEventFactory().get_absolute_url()
    before = row_counts()
    response = client.generic("POST", url, body, content_type=content_type)
    event(f"answered {response.status_code}")
    # A page with errors, a redirect, or a plain "bad request"; never a server error.
    assert response.status_code in (200, 302, 400), response.status_code
    after = row_counts()
    for name in ("Enquiry", "EnquiryContact", "Booking", "User", "EmailAddress"):
        assert after[name] == before[name], name

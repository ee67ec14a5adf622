"""The eligibility checker: every branch explains, none rejects; nothing is stored."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.core import signing
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from content import eligibility
from content.models import EligibilityCompletionCount

pytestmark = pytest.mark.django_db

ALL_CLEAR = {
    "age": "yes",
    "living-in-the-uk": "yes",
    "postcode": "LS6 1AA",
    "time-at-home": "yes",
    "applying": "partner",
    "children": "no",
}


def answer(client, url, value):
    response = client.post(url, {"answer": value})
    assert response.status_code == 302, response.content.decode()[:2000]
    return response["Location"]


def complete(client, **overrides):
    """Walk the checker from the first question to the result; return the result page."""
    answers = {**ALL_CLEAR, **overrides}
    url = "/eligibility/age/"
    while "/eligibility/result/" not in url:
        slug = urlsplit(url).path.strip("/").split("/")[-1]
        url = answer(client, url, answers[slug])
    response = client.get(url)
    assert response.status_code == 200
    return response


def total_completions():
    return sum(EligibilityCompletionCount.objects.values_list("completions", flat=True))


def test_the_start_page_leads_to_the_first_question(client):
    html = client.get("/eligibility/").content.decode()
    assert 'href="/eligibility/age/"' in html
    assert "Nothing you enter is stored" in html


def test_all_clear(client, served_areas):
    html = complete(client).content.decode()
    assert "You could be an Early Permanence carer" in html
    assert "Leeds" in html and "About 30 minutes away." in html
    assert 'href="/events/"' in html and 'href="/enquire/"' in html
    assert total_completions() == 1


@pytest.mark.parametrize(
    ("overrides", "explanation"),
    [
        ({"age": "no"}, "You need to be 21 or over to be approved as an adopter"),
        ({"living-in-the-uk": "no"}, "lived in the UK for at least a year before"),
        ({"postcode": "SW1A 1AA"}, "Your postcode is not in one of the areas we usually cover"),
        ({"time-at-home": "no"}, "does need one carer at home full time for at least 9 months"),
        ({"time-at-home": "not-sure"}, "That is a common answer at this stage"),
    ],
)
def test_each_answer_to_talk_about_is_explained_never_refused(
    client, served_areas, overrides, explanation
):
    html = complete(client, **overrides).content.decode()
    assert "Let’s talk about your situation" in html
    assert explanation in html
    assert "not eligible" not in html.lower()
    assert 'href="/events/"' in html and 'href="/enquire/"' in html


@pytest.mark.parametrize(
    ("overrides", "explanation"),
    [
        ({"applying": "alone"}, "Single applicants are welcome"),
        ({"applying": "partner"}, "Couples are welcome"),
        ({"children": "yes"}, "Families with children are welcome"),
    ],
)
def test_household_answers_are_explained(client, served_areas, overrides, explanation):
    html = complete(client, **overrides).content.decode()
    assert "You could be an Early Permanence carer" in html
    assert explanation in html


def test_a_district_in_the_list_counts_as_in_the_area(client, served_areas):
    html = complete(client, postcode="hd9").content.decode()
    assert "Holmfirth" in html and "About an hour from our office." in html


def test_without_served_areas_the_postcode_question_is_skipped(client):
    location = answer(client, "/eligibility/living-in-the-uk/?" + _token({"age": "yes"}), "yes")
    assert urlsplit(location).path == "/eligibility/time-at-home/"
    html = complete(client).content.decode()
    assert "Ask us whether that includes where you live" in html
    assert "Where you live" not in html.split("What your answers mean")[0]


def _token(answers):
    return "answers=" + eligibility.answers_dump(answers)


def test_the_token_holds_answers_and_not_the_postcode(client, served_areas):
    location = answer(
        client, "/eligibility/postcode/?" + _token({"age": "yes", "residence": "yes"}), "LS6 1AA"
    )
    token = parse_qs(urlsplit(location).query)["answers"][0]
    assert eligibility.answers_load(token) == {"age": "yes", "residence": "yes", "area": "LS"}
    assert "LS6" not in signing.loads(token, salt=eligibility.SALT).values()


def test_a_forged_token_is_ignored(client):
    forged = signing.dumps({"age": "yes"}, salt="something-else")
    response = client.get(f"/eligibility/children/?answers={forged}")
    assert response.status_code == 302
    assert urlsplit(response["Location"]).path == "/eligibility/age/"


def test_questions_cannot_be_skipped(client):
    response = client.get("/eligibility/result/?" + _token({"age": "yes"}))
    assert urlsplit(response["Location"]).path == "/eligibility/living-in-the-uk/"


@pytest.mark.parametrize(
    ("slug", "value", "message"),
    [
        ("age", "", "Select yes if you are 21 or over"),
        ("living-in-the-uk", "", "Select yes if you have lived in the UK for at least a year"),
        ("postcode", "", "Enter the first part of your postcode"),
        ("postcode", "12345", "Enter the first part of a UK postcode, like LS6"),
        ("time-at-home", "maybe", "Select whether one of you could be at home full time"),
        ("applying", "", "Select whether you are applying on your own or with a partner"),
        ("children", "", "Select yes if any children live in your home"),
    ],
)
def test_each_question_shows_errors_the_govuk_way(client, served_areas, slug, value, message):
    earlier = {
        "age": "yes",
        "residence": "yes",
        "area": "LS",
        "at_home": "yes",
        "applying": "alone",
    }
    keys = [q.key for q in eligibility.QUESTIONS]
    question = eligibility.BY_SLUG[slug]
    answers = {k: v for k, v in earlier.items() if keys.index(k) < keys.index(question.key)}
    response = client.post(f"/eligibility/{slug}/?{_token(answers)}", {"answer": value})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: " in html
    assert 'class="govuk-error-summary"' in html
    assert html.count(message) >= 2, "in the summary and by the field"
    assert total_completions() == 0


def test_changing_an_answer_returns_to_the_result_and_counts_once(client, served_areas):
    result = complete(client)
    change = (
        [
            line
            for line in result.content.decode().split('href="')
            if line.startswith("/eligibility/children/")
        ][0]
        .split('"')[0]
        .replace("&amp;", "&")
    )
    location = answer(client, change, "yes")
    assert urlsplit(location).path == "/eligibility/result/"
    assert "Families with children are welcome" in client.get(location).content.decode()
    assert total_completions() == 1


def test_a_bot_filling_the_honeypot_is_not_counted(client):
    token = _token({"age": "yes", "residence": "yes", "at_home": "yes", "applying": "alone"})
    response = client.post(f"/eligibility/children/?{token}", {"answer": "no", "website": "x"})
    assert response.status_code == 302
    assert total_completions() == 0


def test_too_many_answers_from_one_address_are_slowed_down(client, settings):
    settings.ELIGIBILITY_RATE_LIMIT_PER_MINUTE = 3
    for _ in range(3):
        assert client.post("/eligibility/age/", {"answer": "yes"}).status_code == 302
    response = client.post("/eligibility/age/", {"answer": "yes"})
    assert response.status_code == 429
    assert "Please wait a minute" in response.content.decode()


def test_policy_figures_come_from_settings(client, settings):
    settings.ELIGIBILITY_MIN_AGE = 25
    html = client.get("/eligibility/age/").content.decode()
    assert "Are you 25 or over?" in html


@pytest.mark.parametrize(
    ("text", "outward"),
    [
        ("LS6", "LS6"),
        ("ls6 1aa", "LS6"),
        (" HD9 2XY ", "HD9"),
        ("SW1A1AA", "SW1A"),
        ("EC1A", "EC1A"),
    ],
)
def test_postcodes_are_reduced_to_their_first_half(text, outward):
    assert eligibility.parse_outward_code(text) == outward


@pytest.mark.parametrize("text", ["", "12345", "LS", "LEEDS", "LS6 1A", "6LS"])
def test_things_that_are_not_postcodes_are_refused(text):
    assert eligibility.parse_outward_code(text) is None


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    slug=st.sampled_from([q.slug for q in eligibility.QUESTIONS] + ["result", "nope"]),
    data=st.dictionaries(
        st.sampled_from(["answer", "website", "csrfmiddlewaretoken", "x"]),
        st.text(max_size=300),
        max_size=4,
    ),
    token=st.one_of(st.none(), st.text(max_size=100)),
)
def test_no_input_causes_a_server_error(client, slug, data, token):
    from django.core.cache import cache

    cache.clear()  # the rate limit counts every example
    query = f"?answers={token}" if token is not None else ""
    response = client.post(f"/eligibility/{slug}/{query}", data)
    if "\x00" in query + "".join(data) + "".join(data.values()):
        # NUL is refused before any view, in words (portal.middleware).
        assert response.status_code == 400, response.status_code
        return
    assert response.status_code in (200, 302, 404, 405), response.status_code


def test_under_21s_are_offered_a_route_to_register_interest_for_later(client, served_areas):
    html = complete(client, age="no").content.decode()
    assert "register your interest for later" in html
    assert "Register your interest for later</a>" in html
    # The form they are sent to takes them (answering no to 21 or over).
    form = client.get("/enquire/about-you/").content.decode()
    assert "No, I would like to register my interest for later" in form


def test_over_21s_are_offered_an_enquiry(client, served_areas):
    html = complete(client).content.decode()
    assert "Make an enquiry</a>" in html
    assert "Register your interest for later</a>" not in html

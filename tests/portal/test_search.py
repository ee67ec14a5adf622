"""The staff search (portal/search.py): who finds what, how names and references match,
what the results page says, and its query budget at two sizes."""

import re
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from portal.roles import Role
from portal.search import SHOWN_PER_KIND
from tests.carers import factories as carer_factories
from tests.enquiries.enquiries.factories import EnquiryFactory
from tests.placements import factories as placement_factories

pytestmark = pytest.mark.django_db

URL = "/admin/search/"
KINDS = ("households", "applicants", "children", "enquiries")
SUPERUSER = "Superusers"

# What each role finds: the kinds of record its permissions let it see in the staff area.
MAY_FIND = {
    Role.EVENTS_TEAM: set(),
    Role.RECRUITMENT_TEAM: {"enquiries"},
    Role.SOCIAL_WORKERS: {"households", "applicants", "children", "enquiries"},
    Role.TEAM_MANAGERS: {"households", "applicants", "children", "enquiries"},
    Role.CONTENT_EDITORS: set(),
    SUPERUSER: {"households", "applicants", "children", "enquiries"},
}


@pytest.fixture
def worker(make_staff):
    return make_staff(Role.SOCIAL_WORKERS, first_name="Sam", last_name="Worker")


def quillon_records(worker, n=1):
    """``n`` of each kind of record, all carrying the surname Quillon."""
    households = [
        carer_factories.household(
            worker,
            applicants=1,
            postcode="OK4 9ZZ",
            **{},
        )
        for _ in range(n)
    ]
    for household in households:
        household.applicants.update(first_name="Alex", last_name="Quillon")
    children = [
        placement_factories.child(
            worker, first_name="Willow", last_name="Quillon", social_worker=worker
        )
        for _ in range(n)
    ]
    enquiries = [
        EnquiryFactory(first_name="Jo", last_name="Quillon", email=f"jo{i}@quillon.example")
        for i in range(n)
    ]
    return households, children, enquiries


def client_for(client, make_staff, actor, worker=None):
    """Signed in as ``actor``; a social worker is the one whose caseload holds the records
    (only their own are found: portal.access)."""
    if actor == Role.SOCIAL_WORKERS and worker is not None:
        user = worker
    else:
        user = make_staff(superuser=True) if actor == SUPERUSER else make_staff(actor)
    client.force_login(user)
    return client


def found_kinds(html: str) -> set[str]:
    return set(re.findall(r'id="staff-search-(households|applicants|children|enquiries)"', html))


@pytest.mark.parametrize("actor", list(MAY_FIND))
def test_each_role_finds_exactly_the_kinds_it_may_see(client, make_staff, worker, actor):
    households, children, enquiries = quillon_records(worker)
    client = client_for(client, make_staff, actor, worker)
    response = client.get(URL, {"q": "quillon"})
    html = response.content.decode()
    if not MAY_FIND[actor]:
        # Nothing to search: no page, and no box on the staff pages.
        assert response.status_code == 403
        assert 'id="staff-search-q"' not in client.get("/admin/").content.decode()
        return
    assert response.status_code == 200
    assert found_kinds(html) == MAY_FIND[actor]
    links = {
        "households": households[0].get_absolute_url(),
        "children": children[0].get_absolute_url(),
        "enquiries": enquiries[0].get_absolute_url(),
    }
    for kind, link in links.items():
        assert (f'href="{link}"' in html) == (kind in MAY_FIND[actor]), kind
    if "children" not in MAY_FIND[actor]:
        assert children[0].reference not in html and "Willow" not in html
    # Every staff page carries the box for those who may search.
    assert 'id="staff-search-q"' in client.get("/admin/").content.decode()


def test_a_childs_name_finds_the_child_shown_as_the_list_shows_it(client, make_staff, worker):
    _, children, _ = quillon_records(worker)
    client.force_login(worker)
    html = client.get(URL, {"q": "Willow Quillon"}).content.decode()
    child = children[0]
    assert f"{child.reference} (W.Q.)" in html
    assert "born January 2024" in html
    # Found by the name, shown without it (the list shows initials only).
    results = html.split('id="content-main"')[1]
    assert "Willow" not in results.replace('value="Willow Quillon"', "")
    html = client.get(URL, {"q": child.reference.lower()}).content.decode()
    assert found_kinds(html) == {"children"}


def test_households_are_found_by_reference_applicant_and_postcode(client, worker):
    households, _, _ = quillon_records(worker)
    household = households[0]
    client.force_login(worker)
    for term in (household.reference, "Alex Quillon", "ok49zz", "OK4 9ZZ"):
        html = client.get(URL, {"q": term}).content.decode()
        assert f'href="{household.get_absolute_url()}"' in html, term
        assert "households" in found_kinds(html), term
    html = client.get(URL, {"q": "Alex Quillon"}).content.decode()
    assert f"{household.reference}: Alex Quillon" in html
    assert "In assessment, social worker Sam Worker" in html
    assert f"Applicant in household {household.reference}" in html


def test_enquiries_are_found_by_reference_name_and_email_without_showing_the_email(
    client, make_staff, worker
):
    _, _, enquiries = quillon_records(worker)
    enquiry = enquiries[0]
    client = client_for(client, make_staff, Role.RECRUITMENT_TEAM)
    for term in (enquiry.reference, "Jo Quillon", "jo0@quillon.example"):
        html = client.get(URL, {"q": term}).content.decode()
        assert f"{enquiry.reference}: Jo Quillon" in html, term
        assert "New, received" in html
        body = html.split('id="content-main"')[1].split("</form>", 1)[1]
        assert "@quillon.example" not in body, term


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ({}, None),
        ({"q": ""}, "Enter a name, a reference, a postcode or an email address to search."),
        ({"q": "  "}, "Enter a name, a reference, a postcode or an email address to search."),
        ({"q": "q"}, "Enter at least 2 letters or numbers to search."),
        ({"q": "x" * 101}, "Enter at most 100 characters to search."),
        (
            {"q": "Zebedee"},
            "Nothing found for “Zebedee” in carer households, applicants, children or enquiries.",
        ),
    ],
)
def test_empty_short_long_and_fruitless_searches_say_so(client, worker, query, words):
    quillon_records(worker)
    client.force_login(worker)
    response = client.get(URL, query)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Searches carer households, applicants, children and enquiries." in html
    assert not found_kinds(html)
    if words:
        assert words in html
    else:
        assert "Nothing found" not in html and "errornote" not in html


def test_each_kind_shows_its_first_rows_and_links_to_its_list_for_all(client, worker):
    quillon_records(worker, n=SHOWN_PER_KIND + 2)
    client.force_login(worker)
    html = client.get(URL, {"q": "Quillon"}).content.decode()
    n = SHOWN_PER_KIND + 2
    assert (
        f"Found {n} in carer households, {n} in applicants, {n} in children and {n} in enquiries."
        in html
    )
    for kind in KINDS:
        section = html.split(f'id="staff-search-{kind}"')[1].split("</section>")[0]
        assert section.count("<li>") == SHOWN_PER_KIND, kind
    assert "See all 7 in the carer households list</a>" in html
    assert 'href="/admin/carers/household/?q=Quillon"' in html
    assert "See all 7 applicants in the carer households list" in html
    assert 'href="/admin/placements/child/?q=Quillon"' in html
    assert 'href="/admin/enquiries/enquiry/?q=Quillon"' in html
    # The list it leads to finds the same rows.
    for url in (
        "/admin/enquiries/enquiry/",
        "/admin/placements/child/",
        "/admin/carers/household/",
    ):
        assert client.get(url, {"q": "Quillon"}).context_data["cl"].result_count == 7, url


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(URL, {"q": "Quillon"})
    assert response.status_code == 302
    assert "login" in response["Location"]


def queries(client, term) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(URL, {"q": term})
    assert response.status_code == 200
    return len(captured)


def test_the_results_page_costs_the_same_queries_at_two_sizes(client, worker):
    client.force_login(worker)
    quillon_records(worker, n=5)
    client.get(URL, {"q": "Quillon"})  # the session and permission caches warm up
    small = queries(client, "Quillon")
    quillon_records(worker, n=45)
    large = queries(client, "Quillon")
    assert small == large
    assert small <= 20


def test_no_search_is_written_to_the_audit_trail(client, worker):
    from auditlog.models import LogEntry

    quillon_records(worker)
    client.force_login(worker)
    before = LogEntry.objects.count()
    client.get(URL, {"q": "Quillon"})
    assert LogEntry.objects.count() == before


def test_a_childs_date_of_birth_is_shown_as_a_month(client, worker):
    child = placement_factories.child(
        worker, born=date(2025, 2, 20), last_name="Quillon", social_worker=worker
    )
    client.force_login(worker)
    html = client.get(URL, {"q": child.reference}).content.decode()
    assert "born February 2025" in html
    assert "20 February" not in html

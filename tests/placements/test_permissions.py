"""Child data is for social workers and team managers only: every other role sees none of it,
in lists, search, autocomplete, exports, PDFs or URLs typed in directly."""

from datetime import date

import pytest

from placements import services
from portal.roles import Role

from . import factories

pytestmark = pytest.mark.django_db

NO_CHILD_DATA = [Role.EVENTS_TEAM, Role.RECRUITMENT_TEAM, Role.CONTENT_EDITORS]


@pytest.fixture
def records(ep_household, adopters_only, social_worker, manager):
    child = factories.child(
        social_worker, first_name="Willow", last_name="Hartington", born=date(2025, 2, 20)
    )
    placement = factories.placement(
        social_worker, ep_household, children=[child], placed_on=date(2025, 3, 3)
    )
    waiting = factories.child(social_worker, first_name="Ash", last_name="Waiting")
    approval = services.temporary_approval_grant(
        household=adopters_only, child=waiting, approved_on=date(2025, 3, 1), by=manager
    )
    group = services.sibling_group_create(by=social_worker)
    session = factories.family_time_record(social_worker, child)
    return {
        "child": child,
        "placement": placement,
        "approval": approval,
        "group": group,
        "session": session,
        "deadline": placement.deadlines.first(),
    }


def child_urls(records) -> list[str]:
    p, c = records["placement"].pk, records["child"].pk
    base = "/admin/placements/"
    return [
        f"{base}",
        f"{base}placement/",
        f"{base}placement/?q=Hartington",
        f"{base}placement/add/",
        f"{base}placement/{p}/change/",
        f"{base}placement/{p}/history/",
        f"{base}placement/{p}/action/end_other/",
        f"{base}placement/{p}/action/record_court_order/",
        f"{base}placement/{p}/adoption-leave-letter.pdf",
        f"{base}placement/measures/",
        f"{base}placement/measures.csv",
        f"{base}placement/measures.csv?year=2025",
        f"{base}child/",
        f"{base}child/?q=Willow",
        f"{base}child/add/",
        f"{base}child/{c}/change/",
        f"{base}child/{c}/history/",
        f"{base}siblinggroup/",
        f"{base}siblinggroup/{records['group'].pk}/change/",
        f"{base}temporaryapproval/",
        f"{base}temporaryapproval/add/",
        f"{base}temporaryapproval/{records['approval'].pk}/change/",
        f"{base}temporaryapproval/{records['approval'].pk}/end/",
        f"{base}familytimesession/",
        f"{base}familytimesession/{records['session'].pk}/change/",
        f"{base}placementdeadline/",
        f"{base}placementdeadline/{records['deadline'].pk}/change/",
        "/admin/autocomplete/?app_label=placements&model_name=placement&field_name=children&term=W",
        "/admin/autocomplete/?app_label=placements&model_name=temporaryapproval&field_name=child&term=",
        "/admin/autocomplete/?app_label=placements&model_name=child&field_name=sibling_group&term=",
        "/admin/auditlog/logentry/",
        "/admin/portal/notification/",
    ]


@pytest.mark.parametrize("role", NO_CHILD_DATA)
def test_other_roles_see_no_child_data_anywhere(records, client, make_staff, role):
    client.force_login(make_staff(role))
    for url in child_urls(records):
        response = client.get(url)
        assert response.status_code in (403, 404), f"{role} on {url}: {response.status_code}"
        body = response.content.decode()
        for private in ("Willow", "Hartington", "W.H.", records["child"].reference):
            assert private not in body, f"{role} saw {private} on {url}"
    # Nor does the staff home page list the placements pages.
    home = client.get("/admin/").content.decode()
    assert "/admin/placements/" not in home and "Placements" not in home


@pytest.mark.parametrize("role", NO_CHILD_DATA)
def test_other_roles_cannot_post_to_child_records(records, client, make_staff, role):
    client.force_login(make_staff(role))
    p = records["placement"]
    for url, data in [
        (
            f"/admin/placements/placement/{p.pk}/action/end_other/",
            {"on": "2025-09-01", "note": "x"},
        ),
        ("/admin/placements/child/add/", {"last_name": "Sneaky"}),
        (f"/admin/placements/placement/{p.pk}/change/", {"court": "x"}),
    ]:
        assert client.post(url, data).status_code == 403, url
    p.refresh_from_db()
    assert p.is_open


def test_social_workers_keep_the_records_but_not_the_measures(records, client, social_worker):
    client.force_login(social_worker)
    for url in child_urls(records):
        response = client.get(url)
        if (
            "measures" in url
            or url.endswith(("/add/", "/end/"))
            and "temporaryapproval" in url
            or "auditlog" in url
            or "notification" in url
        ):
            assert response.status_code == 403, url
        else:
            assert response.status_code == 200, f"{url}: {response.status_code}"


def test_team_managers_see_everything_including_the_measures(records, client, manager):
    client.force_login(manager)
    for url in child_urls(records):
        assert client.get(url).status_code == 200, url


def test_the_public_is_sent_to_sign_in(records, client):
    for url in child_urls(records):
        response = client.get(url)
        assert response.status_code == 302, url
        assert "/login/" in response["Location"]


def test_the_autocomplete_shows_references_and_initials_only(records, client, social_worker):
    client.force_login(social_worker)
    response = client.get(
        "/admin/autocomplete/",
        {
            "app_label": "placements",
            "model_name": "temporaryapproval",
            "field_name": "child",
            "term": "Willow",
        },
    )
    assert response.json()["results"] == [
        {"id": str(records["child"].pk), "text": f"{records['child'].reference} (W.H.)"}
    ]

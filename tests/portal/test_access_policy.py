"""Access by relationship (portal.access): two social workers with separate caseloads,
their team manager, a manager of another team, senior staff with every record, break-glass,
restricted records (set by hand, and a colleague's own family) and sealed children."""

from datetime import date, timedelta

import pytest
from auditlog.models import LogEntry
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from carers.models import Household
from placements import selectors as placements_selectors
from placements import services as placements_services
from placements.models import Child, CourtOrder
from portal import access
from portal.models import BreakGlassOpening, RecordShare, Restriction, Team
from portal.roles import Role
from tests.carers import factories as carer_factories
from tests.placements import factories as placement_factories

pytestmark = pytest.mark.django_db

SOCIAL, MANAGERS = Role.SOCIAL_WORKERS, Role.TEAM_MANAGERS
HOUSEHOLDS = "/admin/carers/household/"
CHILDREN = "/admin/placements/child/"
PLACEMENTS = "/admin/placements/placement/"
ON = date(2025, 1, 2)


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _listed(client, url, **params) -> set[int]:
    response = client.get(url, params)
    assert response.status_code == 200
    return {row.pk for row in response.context["cl"].result_list}


class Case:
    """A worker's caseload: an approved household, a child placed there, its document."""

    def __init__(self, *, worker, manager, surname, child_name):
        self.worker = worker
        self.household = placement_factories.approved_household(
            by=worker, manager=manager, on=ON, surname=surname
        )
        self.child = placement_factories.child(worker, first_name=child_name, last_name=surname)
        self.placement = placement_factories.placement(
            worker, self.household, children=[self.child], placed_on=date(2025, 3, 3)
        )
        self.document = self.household.documents.order_by("pk").first()
        self.child_document = placements_services.child_document_add(
            child=self.child,
            kind="cpr",
            title="Child permanence report",
            file=SimpleUploadedFile("cpr.pdf", b"%PDF-1.4 report"),
            by=worker,
        )

    def urls(self) -> dict[str, str]:
        h, c, p = self.household.pk, self.child.pk, self.placement.pk
        return {
            "household": f"{HOUSEHOLDS}{h}/change/",
            "household history": f"{HOUSEHOLDS}{h}/history/",
            "household delete": f"{HOUSEHOLDS}{h}/delete/",
            "panel paper": f"{HOUSEHOLDS}{h}/panel-paper.pdf",
            "letters": f"{HOUSEHOLDS}{h}/letters/",
            "child": f"{CHILDREN}{c}/change/",
            "child history": f"{CHILDREN}{c}/history/",
            "placement": f"{PLACEMENTS}{p}/change/",
            "leave letter": f"{PLACEMENTS}{p}/adoption-leave-letter.pdf",
            "household document": f"/admin/carers/document/{self.document.pk}/download/",
            "child document": (
                f"/admin/placements/childdocument/{self.child_document.pk}/download/"
            ),
        }


@pytest.fixture
def world(make_staff):
    carer_factories.ensure_training_catalogue()
    manager = make_staff(MANAGERS, team=False)
    first, second = make_staff(SOCIAL, team=False), make_staff(SOCIAL, team=False)
    team = Team.objects.create(name="Family placement")
    team.managers.add(manager)
    team.members.add(first, second)
    mine = Case(worker=first, manager=manager, surname="Rivers", child_name="Willow")
    theirs = Case(worker=second, manager=manager, surname="Ashby", child_name="Juniper")
    return {"manager": manager, "first": first, "second": second, "mine": mine, "theirs": theirs}


def test_each_worker_lists_and_searches_only_their_own_caseload(world):
    mine, theirs = world["mine"], world["theirs"]
    client = _client(world["first"])
    assert _listed(client, HOUSEHOLDS) == {mine.household.pk}
    assert _listed(client, CHILDREN) == {mine.child.pk}
    assert _listed(client, PLACEMENTS) == {mine.placement.pk}
    assert _listed(client, "/admin/carers/document/") == set(
        mine.household.documents.values_list("pk", flat=True)
    )
    # The staff search: the other worker's applicants and child are not found.
    page = client.get("/admin/search/", {"q": "Ashby"}).content.decode()
    assert theirs.household.reference not in page and theirs.child.reference not in page
    page = client.get("/admin/search/", {"q": "Rivers"}).content.decode()
    assert mine.household.reference in page
    # The autocomplete (the children of proceedings) offers only their own child.
    response = client.get(
        "/admin/autocomplete/",
        {"app_label": "placements", "model_name": "proceedings", "field_name": "children"},
    )
    assert {int(r["id"]) for r in response.json()["results"]} == {mine.child.pk}


def test_the_other_workers_records_by_their_address_are_refused(world):
    client = _client(world["first"])
    for name, url in world["mine"].urls().items():
        # Only team managers delete a household.
        assert client.get(url).status_code == (403 if "delete" in name else 200), name
    for name, url in world["theirs"].urls().items():
        response = client.get(url)
        assert response.status_code in (403, 404), (name, response.status_code)
        assert "Ashby" not in response.content.decode(), name
    # A record's own page offers break-glass.
    page = client.get(world["theirs"].urls()["household"]).content.decode()
    assert "Not in your caseload" in page and "Open the record" in page


def test_the_team_manager_sees_both_caseloads_and_another_team_sees_neither(world, make_staff):
    both = {world["mine"].household.pk, world["theirs"].household.pk}
    assert _listed(_client(world["manager"]), HOUSEHOLDS) == both
    outsider = make_staff(MANAGERS, team=False)
    Team.objects.create(name="Fostering").managers.add(outsider)
    assert _listed(_client(outsider), HOUSEHOLDS) == set()
    assert _client(outsider).get(world["mine"].urls()["child"]).status_code == 403


def test_senior_staff_with_the_all_records_permission_see_every_record(world, make_staff):
    senior = make_staff(SOCIAL, team=False)
    senior.user_permissions.add(Permission.objects.get(codename="view_all_records"))
    both = {world["mine"].child.pk, world["theirs"].child.pk}
    assert _listed(_client(senior), CHILDREN) == both


def test_the_childs_worker_sees_the_carers_household_and_the_carers_worker_the_child(
    world, make_staff
):
    childs_worker = make_staff(SOCIAL, team=False)
    child = world["theirs"].child
    child.social_worker = childs_worker
    child.save(update_fields=["social_worker"])
    client = _client(childs_worker)
    assert _listed(client, HOUSEHOLDS) == {world["theirs"].household.pk}
    assert _listed(client, PLACEMENTS) == {world["theirs"].placement.pk}
    assert _listed(_client(world["second"]), CHILDREN) == {child.pk}


def test_a_record_shared_by_the_manager_opens_to_the_worker(world):
    theirs = world["theirs"]
    RecordShare.objects.create(
        content_type=ContentType.objects.get_for_model(Household),
        object_id=theirs.household.pk,
        shared_with=world["first"],
        reason="Covering a visit",
        shared_by=world["manager"],
    )
    client = _client(world["first"])
    assert theirs.household.pk in _listed(client, HOUSEHOLDS)
    assert client.get(theirs.urls()["household"]).status_code == 200


def test_break_glass_needs_a_reason_in_words_and_is_audited_and_shown_to_the_manager(
    world, settings
):
    settings.BREAK_GLASS_MINUTES = 30
    theirs, worker = world["theirs"], world["first"]
    client = _client(worker)
    url = theirs.urls()["child"]
    for reason, said in (
        ("", "This field is required"),
        ("   ", "This field is required"),
        ("!!!", "Say why you need to open this record, in words."),
    ):
        response = client.post(url, {"reason": reason})
        assert response.status_code == 403 and said in response.content.decode()
    assert not BreakGlassOpening.objects.exists()

    response = client.post(url, {"reason": "Police called out of hours about the child"})
    assert response.status_code == 302 and response["Location"] == url
    opening = BreakGlassOpening.objects.get()
    assert opening.user == worker and opening.object_id == theirs.child.pk
    assert opening.until - opening.opened_at == timedelta(minutes=30)
    entry = LogEntry.objects.get(additional_data__action="placements.child.break_glass")
    assert entry.actor == worker and entry.object_pk == str(theirs.child.pk)
    assert entry.additional_data["reason"] == "Police called out of hours about the child"
    assert client.get(url).status_code == 200
    # The other records stay closed.
    assert client.get(theirs.urls()["household"]).status_code == 403

    home = _client(world["manager"]).get("/admin/").content.decode()
    assert "Records opened outside a caseload" in home and "Police called out of hours" in home
    listed = _client(world["manager"]).get("/admin/portal/breakglassopening/")
    assert [o.pk for o in listed.context["cl"].result_list] == [opening.pk]

    # When the time is up, the record closes again.
    BreakGlassOpening.objects.update(until=opening.opened_at)
    assert client.get(url).status_code == 403


def test_break_glass_is_not_offered_to_staff_whose_role_has_no_such_records(world, make_staff):
    """A panel member (or the events team) has no access to households or children at all:
    opening one outside a caseload would not let them read it, so it is not offered."""
    theirs = world["theirs"]
    for role in (Role.PANEL_MEMBERS, Role.EVENTS_TEAM):
        user = make_staff(role)
        client = _client(user)
        for url in (theirs.urls()["household"], theirs.urls()["child"]):
            response = client.get(url)
            page = response.content.decode()
            assert response.status_code == 403, (role, url)
            assert "Open the record" not in page and "Not in your caseload" not in page
            response = client.post(url, {"reason": "Police called out of hours"})
            assert response.status_code == 403
        # The service refuses in words, whoever calls it.
        with pytest.raises(access.Refused) as refused:
            access.break_glass_open(record=theirs.household, user=user, reason="Out of hours")
        assert refused.value.message == (
            "Your role gives no access to households: opening this one outside your "
            "caseload would not let you read it."
        )
    assert not BreakGlassOpening.objects.exists()
    # A social worker outside the caseload is still offered it (the test above).
    page = _client(world["first"]).get(theirs.urls()["household"]).content.decode()
    assert "Open the record" in page


def _restrict(record, *, staff, by) -> Restriction:
    restriction = Restriction(
        content_type=ContentType.objects.get_for_model(record),
        object_id=record.pk,
        reason="A case in the news",
    )
    return access.restriction_set(restriction=restriction, staff=staff, by=by)


def test_a_restricted_record_opens_to_named_staff_only(world, make_staff):
    mine, worker, manager = world["mine"], world["first"], world["manager"]
    _restrict(mine.child, staff=[manager], by=manager)
    assert LogEntry.objects.filter(additional_data__action="placements.child.restricted").exists()
    assert _listed(_client(worker), CHILDREN) == set()
    assert _client(manager).get(mine.urls()["child"]).status_code == 200
    # Not even the all-records permission opens it, and the worker's break-glass is refused.
    senior = make_staff(SOCIAL, team=False)
    senior.user_permissions.add(Permission.objects.get(codename="view_all_records"))
    assert mine.child.pk not in _listed(_client(senior), CHILDREN)
    response = _client(worker).post(mine.urls()["child"], {"reason": "An emergency call"})
    assert response.status_code == 403 and "restricted to named staff" in response.content.decode()
    assert not BreakGlassOpening.objects.exists()
    # A superuser may break the glass, with a reason, audited.
    superuser = make_staff(superuser=True)
    client = _client(superuser)
    assert client.get(mine.urls()["child"]).status_code == 403
    assert (
        client.post(mine.urls()["child"], {"reason": "Data protection inquiry"}).status_code == 302
    )
    assert client.get(mine.urls()["child"]).status_code == 200
    assert LogEntry.objects.filter(
        additional_data__action="placements.child.break_glass", actor=superuser
    ).exists()


def test_a_colleagues_own_family_is_restricted_from_everyone_and_from_them(world, make_staff):
    worker, manager = world["first"], world["manager"]
    colleague = make_staff(SOCIAL, team=False, email="sam.colleague@oakway.example")
    household = carer_factories.household(worker, applicants=1)
    applicant = household.applicants.get()
    applicant.email = "Sam.Colleague@oakway.example"
    applicant.save(update_fields=["email"])
    Team.objects.get().members.add(colleague)
    for user in (worker, manager, colleague):
        assert household.pk not in _listed(_client(user), HOUSEHOLDS), user
    response = _client(colleague).post(
        f"{HOUSEHOLDS}{household.pk}/change/", {"reason": "I want to see my file"}
    )
    assert response.status_code == 403 and "your own family" in response.content.decode()
    # Named staff open it; the colleague never, even when named.
    _restrict(household, staff=[manager, colleague], by=make_staff(superuser=True))
    assert household.pk in _listed(_client(manager), HOUSEHOLDS)
    assert household.pk not in _listed(_client(colleague), HOUSEHOLDS)


def _adopt(case, by):
    placement = case.placement
    placements_services.court_order_record(
        placement=placement,
        children=[case.child],
        kind=CourtOrder.Kind.PLACEMENT_ORDER,
        made_on=date(2025, 4, 1),
        by=by,
    )
    placements_services.placement_place_for_adoption(
        placement=placement, on=date(2025, 4, 2), notice_on=date(2025, 4, 2), by=by
    )
    placements_services.placement_record_adoption_application(
        placement=placement, on=date(2025, 6, 2), by=by
    )
    placements_services.placement_record_adoption_order(
        placement=placement, on=date(2025, 9, 1), by=by
    )


def test_the_adoption_order_seals_the_child(world):
    mine, worker, manager = world["mine"], world["first"], world["manager"]
    child = mine.child
    child.adoptive_first_name, child.adoptive_last_name = "Wren", "Rivers"
    child.save(update_fields=["adoptive_first_name", "adoptive_last_name"])
    _adopt(mine, manager)
    child.refresh_from_db()
    assert child.sealed_on == date(2025, 9, 1)
    assert LogEntry.objects.filter(
        additional_data__action="placements.child.sealed", object_pk=str(child.pk)
    ).exists()
    # Every entry about the child, before the seal too, names it by its reference alone.
    labels = set(
        LogEntry.objects.filter(content_type__model="child", object_pk=str(child.pk)).values_list(
            "object_repr", flat=True
        )
    )
    assert labels == {child.reference}
    # Adopted, the child is no longer looked after: no review, visit or health dates.
    assert placements_selectors.child_clocks_now(child=child) == []

    # The worker still sees that it exists, under a neutral label, and cannot open it.
    client = _client(worker)
    page = client.get(CHILDREN).content.decode()
    assert f"{child.reference} (sealed record)" in page or "sealed record" in page
    assert "sealed record" in page and "W.H." not in page and "Willow" not in page
    assert client.get(f"{CHILDREN}{child.pk}/change/").status_code == 403
    assert (
        client.get("/admin/search/", {"q": "Willow"}).content.decode().count(child.reference) == 0
    )
    # What belongs to the child follows the seal.
    assert client.get(mine.urls()["child document"]).status_code == 404

    # A team manager (view_sealed_child) opens it: one identity, each opening audited.
    response = _client(manager).get(f"{CHILDREN}{child.pk}/change/")
    assert response.status_code == 200
    body = response.content.decode()
    assert 'value="Wren"' in body and 'value="Willow"' not in body
    _client(manager).get(f"{CHILDREN}{child.pk}/change/")
    opened = LogEntry.objects.filter(
        additional_data__action="placements.child.sealed_opened", object_pk=str(child.pk)
    )
    assert opened.count() == 2 and {e.actor for e in opened} == {manager}


def test_lists_keep_their_query_budget_with_the_policy_and_ten_times_the_rows(world):
    worker = world["first"]
    client = _client(worker)

    def count(url) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    def grow(times: int):
        for _ in range(times):
            carer_factories.household(worker, applicants=1)
            placement_factories.child(worker, last_name="Extra", social_worker=worker)
            # Rows of someone else's, that the policy leaves out.
            carer_factories.household(world["second"], applicants=1)

    grow(2)
    before = {url: count(url) for url in (HOUSEHOLDS, CHILDREN, PLACEMENTS)}
    grow(20)
    after = {url: count(url) for url in (HOUSEHOLDS, CHILDREN, PLACEMENTS)}
    assert after == before
    assert Household.objects.count() > 40 and Child.objects.count() > 20

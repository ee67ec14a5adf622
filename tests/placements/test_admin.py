"""The staff pages for placements: lists with initials, buttons, inlines, the access log,
the adoption leave letter and query budgets."""

import io
import re
import subprocess
from datetime import date, timedelta

import pytest
from auditlog.models import LogEntry
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from pypdf import PdfReader

from placements import services
from placements.models import (
    Child,
    CourtOrder,
    Hearing,
    Placement,
    PlacementDeadline,
    ProceedingsExtension,
)
from portal.roles import Role
from tests.pdf_checks import Structure, assert_accessible_pdf
from tests.requirements import require

from . import factories
from .helpers import form_data

pytestmark = pytest.mark.django_db

LIST_URL = "/admin/placements/placement/"


def change_url(placement):
    return f"{LIST_URL}{placement.pk}/change/"


def proceedings_url(placement):
    """The page of the proceedings about the placement's children."""
    return f"/admin/placements/proceedings/{factories.proceedings_of(placement).pk}/change/"


def post_proceedings(client, placement, **fields):
    """Save the proceedings page as a browser would, with ``fields`` changed."""
    url = proceedings_url(placement)
    html = client.get(url).content.decode()
    return client.post(url, form_data(html, **fields))


def section_url(placement, section):
    """The page's section that holds these records (portal/admin_sections.py)."""
    return f"{change_url(placement)}{section}/" if section else change_url(placement)


def section_for(fields) -> str:
    if any(name.startswith(("reviews", "visits")) for name in fields):
        return "reviews"
    if any(name.startswith(("hearings", "proceedings_extensions")) for name in fields):
        return "court"
    return ""


@pytest.fixture
def sw_client(client, social_worker):
    client.force_login(social_worker)
    return client


@pytest.fixture
def placement(ep_household, social_worker):
    child = factories.child(
        social_worker, first_name="Willow", last_name="Hartington", born=date(2025, 2, 20)
    )
    return factories.placement(
        social_worker, ep_household, children=[child], placed_on=date(2025, 3, 3)
    )


def test_the_list_shows_initials_never_full_names(placement, sw_client):
    html = sw_client.get(LIST_URL).content.decode()
    assert "W.H." in html
    assert "Willow" not in html and "Hartington" not in html
    assert placement.reference in html
    assert "Concurrency" in html
    assert placement.household.reference in html
    assert "3 Mar 2025" in html or "March 3, 2025" in html or "3 March 2025" in html
    assert "overdue" in html  # the review and visit dates have passed


def test_search_by_surname_finds_the_placement_but_shows_initials(placement, sw_client):
    html = sw_client.get(LIST_URL, {"q": "Hartington"}).content.decode()
    assert placement.reference in html
    # The rows show initials; only the links carry the search back to the list.
    rows = re.sub(r'href="[^"]*"', "", html.split("<tbody>")[1].split("</tbody>")[0])
    assert "W.H." in rows and "Hartington" not in rows


def test_the_child_list_and_the_placement_inline_show_initials(placement, sw_client):
    html = sw_client.get("/admin/placements/child/").content.decode()
    assert "W.H." in html and "Willow" not in html
    html = sw_client.get(change_url(placement)).content.decode()
    assert "Willow" not in html and "Hartington" not in html
    assert "W.H." in html


def test_opening_a_childs_record_is_written_to_the_audit_trail(placement, sw_client, social_worker):
    child = placement.children.get()
    response = sw_client.get(f"/admin/placements/child/{child.pk}/change/")
    assert response.status_code == 200
    assert "Hartington" in response.content.decode()  # the record itself has the name
    entry = LogEntry.objects.get_for_object(child).filter(action=LogEntry.Action.ACCESS).get()
    assert entry.actor == social_worker
    assert entry.object_repr == f"{child.reference} (W. H.)"
    # Saving is not viewing: a POST writes changes, not another access entry.
    sw_client.get(f"/admin/placements/child/{child.pk}/change/")
    assert LogEntry.objects.get_for_object(child).filter(action=LogEntry.Action.ACCESS).count() == 2


def test_opening_a_placement_is_written_to_the_audit_trail(placement, sw_client, social_worker):
    sw_client.get(change_url(placement))
    entries = LogEntry.objects.get_for_object(placement).filter(action=LogEntry.Action.ACCESS)
    assert {e.actor for e in entries} == {social_worker}
    assert any(
        (e.additional_data or {}).get("children") == [placement.children.get().reference]
        for e in entries
    )


def test_names_and_notes_are_hidden_in_the_audit_trail(placement, social_worker):
    child = placement.children.get()
    child.last_name = "Hartington-Cole"
    services.child_update(child=child, by=social_worker)
    entry = (
        LogEntry.objects.get_for_object(child).filter(action=LogEntry.Action.UPDATE).latest("pk")
    )
    assert "Hartington" not in str(entry.changes)
    assert entry.changes_dict["last_name"] == ["[hidden]", "[hidden]"]


def test_status_is_not_an_editable_field_and_the_moves_are_buttons(placement, sw_client):
    html = sw_client.get(change_url(placement)).content.decode()
    assert 'name="status"' not in html and 'name="outcome"' not in html
    for name in ("record_return_home", "record_kin_placement", "end_other", "record_court_order"):
        assert f"/action/{name}/" in html
    # Placed for adoption is offered, but blocked until there is an authority to place.
    assert "has no placement order made by" in html
    assert "/action/place_for_adoption/" not in html


def test_a_button_runs_the_transition(placement, sw_client):
    url = f"{change_url(placement).replace('change/', '')}action/record_return_home/"
    response = sw_client.post(url, {"on": "2025-09-01", "note": ""})
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    response = sw_client.post(url, {"on": "2025-09-01", "note": "The court decided."})
    assert response.status_code == 302
    placement.refresh_from_db()
    assert placement.outcome == Placement.Outcome.RETURNED_HOME


def test_a_refused_move_is_explained(placement, sw_client):
    url = f"{change_url(placement).replace('change/', '')}action/end_other/"
    response = sw_client.post(url, {"on": "2025-01-01", "note": "x"})
    html = response.content.decode()
    assert "Not done:" in html
    assert "The date cannot be before 3 March 2025" in html
    placement.refresh_from_db()
    assert placement.status == Placement.Status.FOSTERING


def test_recording_a_court_order_and_placing_for_adoption_by_buttons(placement, sw_client):
    base = change_url(placement).replace("change/", "")
    child = placement.children.get()
    response = sw_client.post(
        f"{base}action/record_court_order/",
        {"on": "2025-06-02", "kind": "placement_order", "children": [child.pk]},
    )
    assert response.status_code == 302
    assert CourtOrder.objects.filter(child=child, kind="placement_order").exists()
    html = sw_client.get(change_url(placement)).content.decode()
    assert "/action/place_for_adoption/" in html
    response = sw_client.post(
        f"{base}action/place_for_adoption/", {"on": "2025-06-03", "notice_on": "2025-06-02"}
    )
    assert response.status_code == 302
    placement.refresh_from_db()
    assert placement.status == Placement.Status.PLACED_FOR_ADOPTION
    assert placement.adoption_notice_on == date(2025, 6, 2)
    # From the reg 35(5) notice of Mon 2 Jun 2025: the first adoption review by Mon 30 Jun
    # (4 weeks), the first visit by Mon 9 Jun (a week).
    deadlines = {d.kind: d.due_on for d in placement.deadlines.all()}
    assert deadlines[PlacementDeadline.Kind.REVIEW] == date(2025, 6, 30)
    assert deadlines[PlacementDeadline.Kind.VISIT] == date(2025, 6, 9)
    html = sw_client.get(change_url(placement)).content.decode()
    assert "may apply for an adoption order from <strong>12 May 2025</strong>" in html


def test_logging_a_hearing_and_a_review_on_the_page(placement, sw_client):
    child = placement.children.get()
    add_url = f"/admin/placements/proceedings/add/?children={child.pk}"
    data = form_data(
        sw_client.get(add_url).content.decode(),
        issued_on="2025-02-24",
        court="Oakford Family Court",
        **{
            "hearings-TOTAL_FORMS": "1",
            "hearings-0-held_on": "2025-03-20",
            "hearings-0-kind": "case_management",
            "hearings-0-outcome_note": "Timetable set.",
        },
    )
    response = sw_client.post(add_url, data)
    assert response.status_code == 302, response.context["errors"] if response.context else ""
    proceedings = factories.proceedings_of(placement)
    assert proceedings.court == "Oakford Family Court"
    sections = {
        "reviews": {"reviews-TOTAL_FORMS": "1", "reviews-0-held_on": "2025-03-28"},
    }
    for section, fields in sections.items():
        url = section_url(placement, section)
        data = form_data(sw_client.get(url).content.decode(), **fields, _continue="Save")
        response = sw_client.post(url, data)
        assert response.status_code == 302, response.context["errors"] if response.context else ""
        assert response["Location"] == url
    assert Hearing.objects.get(proceedings=proceedings).outcome_note == "Timetable set."
    proceedings.refresh_from_db()
    # Issued Mon 24 Feb 2025: 24 Feb + 182 days = Mon 25 Aug; the 26th week beginning with
    # the issue day ends the day before, Sun 24 Aug 2025.
    assert proceedings.target_on == date(2025, 8, 24)
    deadlines = {d.kind: d.due_on for d in placement.deadlines.all()}
    assert deadlines[PlacementDeadline.Kind.REVIEW] == date(2025, 6, 28)
    assert deadlines[PlacementDeadline.Kind.PROCEEDINGS] == date(2025, 8, 24)
    html = sw_client.get(change_url(placement)).content.decode()
    assert "Saturday 28 June 2025" in html  # the next review, in the deadlines table


def test_an_extension_on_the_page_is_checked_against_the_8_week_limit(
    placement, sw_client, social_worker
):
    proceedings = factories.issue(placement, issued_on=date(2025, 2, 24), by=social_worker)
    url = proceedings_url(placement)
    html = sw_client.get(url).content.decode()
    fields = {
        "extensions-TOTAL_FORMS": "1",
        # Granted Mon 25 Aug 2025, the day after the 26 weeks ended (Sun 24 Aug): the
        # latest end is 25 Aug + 56 days = Mon 20 Oct 2025.
        "extensions-0-granted_on": "2025-08-25",
        "extensions-0-ends_on": "2025-10-21",
    }
    response = sw_client.post(url, form_data(html, **fields))
    assert response.status_code == 200
    assert "no later than 20 October 2025" in response.content.decode()
    assert not proceedings.extensions.exists()
    fields["extensions-0-ends_on"] = "2025-10-20"
    response = sw_client.post(url, form_data(html, **fields))
    assert response.status_code == 302
    proceedings.refresh_from_db()
    assert proceedings.extended_to == date(2025, 10, 20)
    deadline = placement.deadlines.get(kind=PlacementDeadline.Kind.PROCEEDINGS)
    assert deadline.due_on == date(2025, 10, 20)


def test_an_unchanged_extension_is_not_checked_again_when_the_page_is_saved(
    placement, sw_client, social_worker
):
    # Issued Mon 24 Feb 2025; granted Mon 25 Aug, the latest end today's rule allows is
    # Mon 20 Oct. One moved by the clock migration ends a day later, as the court set it.
    proceedings = factories.issue(placement, issued_on=date(2025, 2, 24), by=social_worker)
    extension = ProceedingsExtension.objects.create(
        proceedings=proceedings, granted_on=date(2025, 8, 25), ends_on=date(2025, 10, 21)
    )
    url = proceedings_url(placement)
    html = sw_client.get(url).content.decode()
    data = form_data(
        html,
        **{
            "hearings-TOTAL_FORMS": "1",
            "hearings-0-held_on": "2025-03-20",
            "hearings-0-kind": "case_management",
        },
    )
    assert data["extensions-0-ends_on"] == "2025-10-21"
    response = sw_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[-3000:]
    assert proceedings.hearings.count() == 1
    extension.refresh_from_db()
    assert extension.ends_on == date(2025, 10, 21)
    # Changing it is checked as ever.
    data = form_data(sw_client.get(url).content.decode(), **{"extensions-0-ends_on": "2025-10-22"})
    response = sw_client.post(url, data)
    assert response.status_code == 200
    assert "no later than 20 October 2025" in response.content.decode()


def test_records_before_the_placement_or_in_the_future_are_refused(placement, sw_client):
    html = sw_client.get(section_url(placement, "reviews")).content.decode()
    data = form_data(
        html,
        **{
            # A review is the child's: one before this placement counts; not one ahead.
            "reviews-TOTAL_FORMS": "1",
            "reviews-0-held_on": "2999-01-01",
            "visits-TOTAL_FORMS": "1",
            "visits-0-visited_on": "2025-03-01",
        },
    )
    response = sw_client.post(section_url(placement, "reviews"), data)
    assert response.status_code == 200
    text = response.content.decode()
    assert "The date cannot be before the placement began (3 March 2025)." in text
    assert "The date cannot be in the future." in text


def test_recording_a_placement_goes_through_the_guard(
    ep_household, adopters_only, sw_client, social_worker
):
    child = factories.child(social_worker, born=date(2025, 2, 1), social_worker=social_worker)
    url = f"{LIST_URL}add/"
    assert sw_client.get(url).status_code == 200
    data = {
        "household": adopters_only.pk,
        "children": [child.pk],
        "route": "concurrency",
        "placed_on": "2025-03-03",
        "came_from": "hospital",
    }
    response = sw_client.post(url, data)
    assert response.status_code == 200
    assert "Concurrency needs carers approved as foster carers" in response.content.decode()
    response = sw_client.post(url, {**data, "household": ep_household.pk})
    placement = Placement.objects.get()
    assert response.status_code == 302 and response["Location"] == change_url(placement)
    assert list(placement.children.all()) == [child]


def test_the_child_autocomplete_offers_only_children_not_placed(
    placement, sw_client, social_worker
):
    waiting = factories.child(
        social_worker, first_name="Ash", last_name="Waiting", social_worker=social_worker
    )
    response = sw_client.get(
        "/admin/autocomplete/",
        {
            "app_label": "placements",
            "model_name": "placement",
            "field_name": "children",
            "term": "",
        },
    )
    ids = {int(r["id"]) for r in response.json()["results"]}
    assert ids == {waiting.pk}
    assert "Waiting" not in response.content.decode()  # initials only


def test_the_adoption_leave_letter_names_the_carers_and_the_date_not_the_child(
    placement, sw_client, social_worker
):
    response = sw_client.get(f"{LIST_URL}{placement.pk}/adoption-leave-letter.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "Alex Rivers and Jordan Rivers" in text
    assert "3 March 2025" in text
    assert "Concurrency" in text
    assert placement.reference in text
    for private in ("Willow", "Hartington", placement.children.get().reference, "W.H."):
        assert private not in text
    entry = (
        LogEntry.objects.get_for_object(placement)
        .filter(action=LogEntry.Action.ACCESS)
        .latest("pk")
    )
    assert entry.additional_data["action"] == "placements.placement.leave_letter_issued"


def test_the_adoption_leave_letter_is_a_tagged_pdf(placement, sw_client, tmp_path):
    import shutil

    require(shutil.which("pdfinfo") is not None, "pdfinfo (poppler-utils) is not installed")
    path = tmp_path / "letter.pdf"
    path.write_bytes(sw_client.get(f"{LIST_URL}{placement.pk}/adoption-leave-letter.pdf").content)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    assert "Tagged:          yes" in info
    assert "Title:           Confirmation of placement for adoption leave" in info
    data = path.read_bytes()
    assert_accessible_pdf(data, title="Confirmation of placement for adoption leave")
    # Each label stays with its value: row headers, not loose list items.
    structure = Structure(data)
    assert structure.table_header_scopes() == [
        ("Date of this letter", "/Row"),
        ("Our reference", "/Row"),
        ("Carers", "/Row"),
        ("Date of placement", "/Row"),
        ("Type of placement", "/Row"),
    ]
    assert not [element for element in structure.elements if element["/S"] == "/L"]


def _populate(by, household, n: int) -> None:
    # Half of these stay open: a household approved for as many children as it is given
    # (the terms of approval count every child placed with it).
    household.assessments.update(approved_number_of_children=F("approved_number_of_children") + n)
    for i in range(n):
        child = factories.child(by, born=date(2025, 2, 1))
        placement = factories.placement(by, household, children=[child], placed_on=date(2025, 3, 3))
        proceedings = factories.issue(placement, issued_on=date(2025, 3, 10), by=by)
        services.hearing_record(
            proceedings=proceedings, held_on=date(2025, 4, 1), kind="final", by=by
        )
        factories.family_time_record(by, child)
        if i % 2:
            services.placement_end_other(placement=placement, on=date(2025, 5, 1), by=by, note="x")


def test_the_lists_have_a_query_budget_unchanged_with_ten_times_the_rows(
    ep_household, social_worker, sw_client
):
    urls = [
        LIST_URL,
        "/admin/placements/child/",
        "/admin/placements/familytimesession/",
        "/admin/placements/placementdeadline/",
        "/admin/placements/temporaryapproval/",
    ]

    def counts():
        result = []
        for url in urls:
            with CaptureQueriesContext(connection) as context:
                assert sw_client.get(url).status_code == 200
            result.append(len(context.captured_queries))
        return result

    _populate(social_worker, ep_household, 2)
    counts()  # warm-up
    small = counts()
    _populate(social_worker, ep_household, 18)
    assert Placement.objects.count() == 20
    large = counts()
    assert small == large
    print("placements admin list queries (placements, children, sessions, deadlines, 25A):", large)


def test_the_placement_page_has_a_query_budget_unchanged_with_more_records(
    ep_household, social_worker, sw_client
):
    placement = factories.placement(social_worker, ep_household, placed_on=date(2025, 3, 3))
    proceedings = factories.issue(placement, issued_on=date(2025, 3, 10), by=social_worker)

    offsets = iter(range(100))

    def add_records(n):
        for _ in range(n):
            on = date(2025, 4, 1) + timedelta(days=next(offsets))
            by = social_worker
            services.hearing_record(
                proceedings=proceedings, held_on=on, kind="case_management", by=by
            )
            services.review_record(placement=placement, held_on=on, by=by)
            services.visit_record(placement=placement, visited_on=on, by=by)
            factories.family_time_record(by, placement.children.get())
            note = services.note_add(
                case=placement, kind="visit", happened_on=on, text="Seen.", by=by
            )
            services.note_correct(note=note, kind="visit", happened_on=on, text="Seen well.", by=by)

    child = factories.child(social_worker, born=date(2025, 2, 1), social_worker=social_worker)
    urls = [change_url(placement)] + [
        section_url(placement, section) for section in ("court", "family-time", "reviews", "notes")
    ]
    urls.append(proceedings_url(placement))
    placed = placement.children.get()
    urls += [
        f"/admin/placements/child/{placed.pk}/change/{section}"
        for section in ("", "legal/", "reviews/", "health/", "people/")
    ]
    urls += [f"/admin/placements/child/{child.pk}/change/{section}" for section in ("", "legal/")]
    urls.append(f"/admin/placements/child/{child.pk}/change/notes/")

    def count():
        counts = []
        for url in urls:
            with CaptureQueriesContext(connection) as context:
                assert sw_client.get(url).status_code == 200, url
            counts.append(len(context.captured_queries))
        return counts

    def add_child_records(n):
        for _ in range(n):
            note = services.note_add(
                case=child,
                kind="call",
                happened_on=date(2025, 3, 1),
                text="Call.",
                by=social_worker,
            )
            services.note_correct(
                note=note, kind="call", happened_on=note.happened_on, text="Call.", by=social_worker
            )

    add_records(2)
    add_child_records(2)
    count()
    small = count()
    add_records(18)
    add_child_records(18)
    assert count() == small
    print("placement and child sections' queries:", small)


def test_a_child_record_can_be_added_and_edited(sw_client):
    url = "/admin/placements/child/add/"
    blank = form_data(sw_client.get(url).content.decode())
    response = sw_client.post(
        url,
        {
            **blank,
            "first_name": "",
            "last_name": "Sinclair",
            "expected_on": "2027-02-01",
            "sex": "not_known",
            "placing_authority": factories.oakshire().pk,
            "legal_status": "accommodated",
        },
    )
    assert response.status_code == 302
    child = Child.objects.get()
    assert child.reference == f"C{child.pk:05d}" and str(child) == f"{child.reference} (S.)"
    response = sw_client.post(
        url,
        {
            **blank,
            "last_name": "Nodate",
            "sex": "female",
            "placing_authority": factories.oakshire().pk,
            "legal_status": "accommodated",
        },
    )
    assert "Give the date of birth, or the expected date for an unborn baby." in (
        response.content.decode()
    )
    # Born: the date of birth is added on the child's page; the legal status stays read-only.
    page = sw_client.get(f"/admin/placements/child/{child.pk}/change/").content.decode()
    assert 'name="legal_status"' not in page
    response = sw_client.post(
        f"/admin/placements/child/{child.pk}/change/",
        form_data(page, date_of_birth="2026-11-01", first_name="Skye"),
    )
    assert response.status_code == 302
    child.refresh_from_db()
    assert (child.first_name, child.date_of_birth) == ("Skye", date(2026, 11, 1))


def test_a_health_assessment_is_recorded_on_the_childs_own_page(social_worker, sw_client):
    # The row belongs to the child whose page it is: nothing to choose.
    child = factories.child(
        social_worker,
        born=date(2024, 9, 2),
        entered_care_on=date(2025, 3, 3),
        social_worker=social_worker,
    )
    url = f"/admin/placements/child/{child.pk}/change/health/"
    page = sw_client.get(url).content.decode()
    assert "Choose the child" not in page
    data = form_data(
        page,
        **{
            "health_assessments-TOTAL_FORMS": "1",
            "health_assessments-0-kind": "initial",
            "health_assessments-0-done_on": "2025-03-20",
            "health_assessments-0-note": "Seen by the looked-after children's nurse.",
        },
    )
    response = sw_client.post(url, data)
    assert response.status_code == 302
    assessment = child.health_assessments.get()
    assert (assessment.kind, assessment.done_on) == ("initial", date(2025, 3, 20))


def test_team_managers_record_a_reg_25a_approval_in_the_admin(
    adopters_only, social_worker, make_staff, client
):
    child = factories.child(social_worker, born=date(2025, 2, 1), social_worker=social_worker)
    manager = make_staff(Role.TEAM_MANAGERS)
    client.force_login(manager)
    url = "/admin/placements/temporaryapproval/add/"
    response = client.post(
        url, {"household": adopters_only.pk, "child": child.pk, "approved_on": "2024-12-01"}
    )
    assert "were not approved adopters on 1 December 2024" in response.content.decode()
    response = client.post(
        url, {"household": adopters_only.pk, "child": child.pk, "approved_on": "2025-03-01"}
    )
    assert response.status_code == 302
    approval = child.temporary_approvals.get()
    response = client.post(
        f"/admin/placements/temporaryapproval/{approval.pk}/end/",
        {"on": "2025-03-05", "reason": "withdrawn"},
    )
    assert response.status_code == 302
    approval.refresh_from_db()
    assert approval.end_reason == "withdrawn"


def test_clashing_records_are_explained_not_a_server_error(placement, sw_client, social_worker):
    services.review_record(placement=placement, held_on=date(2025, 3, 28), by=social_worker)
    url = section_url(placement, "reviews")
    data = form_data(
        sw_client.get(url).content.decode(),
        **{
            "visits-TOTAL_FORMS": "1",
            "visits-0-visited_on": "2025-03-20",
            "reviews-TOTAL_FORMS": "2",
            "reviews-1-held_on": "2025-03-28",
        },
    )
    response = sw_client.post(url, data)
    assert response.status_code == 200
    text = response.content.decode()
    # The service's words, on the row; its refusal undoes the whole save.
    assert "A review on 28 March 2025 is already recorded." in text
    assert not placement.visits.exists()
    assert placement.reviews.count() == 1


# -- the records on the page are saved by their services ------------------------------------


def post_page(client, placement, **fields):
    """Save the placement page as a browser would, with ``fields`` changed."""
    url = section_url(placement, section_for(fields))
    html = client.get(url).content.decode()
    return client.post(url, form_data(html, **fields))


def test_an_extension_after_the_proceedings_concluded_is_refused_as_the_service_does(
    placement, sw_client, social_worker
):
    # The page used to accept it; proceedings_extend refuses it, and the page now agrees.
    factories.issue(placement, issued_on=date(2025, 2, 24), by=social_worker)
    services.proceedings_conclude(
        proceedings=factories.proceedings_of(placement), on=date(2025, 6, 2), by=social_worker
    )
    response = post_proceedings(
        sw_client,
        placement,
        **{
            "extensions-TOTAL_FORMS": "1",
            "extensions-0-granted_on": "2025-08-25",
            "extensions-0-ends_on": "2025-10-20",
            "hearings-TOTAL_FORMS": "1",
            "hearings-0-held_on": "2025-03-20",
            "hearings-0-kind": "case_management",
        },
    )
    assert response.status_code == 200
    assert "The care proceedings have concluded." in response.content.decode()
    proceedings = factories.proceedings_of(placement)
    assert not proceedings.extensions.exists()
    assert not proceedings.hearings.exists()


def test_an_extension_ending_before_the_latest_one_is_refused_as_the_service_does(
    placement, sw_client, social_worker
):
    factories.issue(placement, issued_on=date(2025, 2, 24), by=social_worker)
    services.proceedings_extend(
        proceedings=factories.proceedings_of(placement),
        granted_on=date(2025, 8, 20),
        ends_on=date(2025, 10, 15),
        by=social_worker,
    )
    response = post_proceedings(
        sw_client,
        placement,
        **{
            "extensions-TOTAL_FORMS": "2",
            "extensions-1-granted_on": "2025-08-21",
            "extensions-1-ends_on": "2025-10-01",
        },
    )
    assert response.status_code == 200
    assert (
        "The proceedings already run to 15 October 2025: an extension ends after that."
        in response.content.decode()
    )
    assert factories.proceedings_of(placement).extensions.count() == 1


def test_correcting_a_review_on_the_page_goes_through_the_service(
    placement, sw_client, social_worker
):
    services.review_record(placement=placement, held_on=date(2025, 3, 28), by=social_worker)
    services.review_record(placement=placement, held_on=date(2025, 6, 20), by=social_worker)
    html = sw_client.get(section_url(placement, "reviews")).content.decode()
    # Moved onto the other review's day: refused in the service's words, nothing changed.
    response = sw_client.post(
        section_url(placement, "reviews"), form_data(html, **{"reviews-1-held_on": "2025-03-28"})
    )
    assert response.status_code == 200
    assert "A review on 28 March 2025 is already recorded." in response.content.decode()
    assert sorted(placement.reviews.values_list("held_on", flat=True)) == [
        date(2025, 3, 28),
        date(2025, 6, 20),
    ]
    # Moved to a free day: saved, and the next review follows it.
    response = sw_client.post(
        section_url(placement, "reviews"), form_data(html, **{"reviews-1-held_on": "2025-06-27"})
    )
    assert response.status_code == 302
    assert placement.reviews.filter(held_on=date(2025, 6, 27)).exists()
    deadline = placement.deadlines.get(kind=PlacementDeadline.Kind.REVIEW)
    assert deadline.due_on == date(2025, 12, 27)


def test_a_record_withdrawn_on_the_page_goes_through_the_service(
    placement, client, manager, social_worker
):
    factories.issue(placement, issued_on=date(2025, 2, 24), by=social_worker)
    extension = services.proceedings_extend(
        proceedings=factories.proceedings_of(placement),
        granted_on=date(2025, 8, 20),
        ends_on=date(2025, 10, 15),
        by=social_worker,
    )
    client.force_login(manager)
    url = proceedings_url(placement)
    html = client.get(url).content.decode()
    # Nobody deletes a record: the box is not there, and posting it removes nothing.
    assert 'name="extensions-0-DELETE"' not in html
    client.post(url, form_data(html, **{"extensions-0-DELETE": "on"}))
    assert ProceedingsExtension.objects.filter(pk=extension.pk).exists()
    withdraw = url.replace("change/", f"withdraw/placements.proceedingsextension/{extension.pk}/")
    assert withdraw in html
    response = client.post(withdraw, {"reason": "Recorded on the wrong proceedings"})
    assert response.status_code == 302
    assert not ProceedingsExtension.objects.filter(pk=extension.pk).exists()
    assert ProceedingsExtension.all_objects.get(pk=extension.pk).withdrawn_by == manager
    page = client.get(url).content.decode()
    assert "Recorded on the wrong proceedings" in page
    # The extended date follows the extensions left (none): back to the 26 weeks, from
    # issue on Monday 24 February 2025, 26 weeks on: Sunday 24 August 2025.
    assert factories.proceedings_of(placement).extended_to is None
    assert placement.deadlines.get(kind=PlacementDeadline.Kind.PROCEEDINGS).due_on == date(
        2025, 8, 24
    )
    assert not LogEntry.objects.get_for_object(extension).filter(action=LogEntry.Action.DELETE)


def test_a_sibling_groups_notes_are_saved_through_the_service(sw_client, social_worker):
    group = services.sibling_group_create(by=social_worker, notes="Two brothers")
    url = f"/admin/placements/siblinggroup/{group.pk}/change/"
    html = sw_client.get(url).content.decode()
    response = sw_client.post(url, form_data(html, notes="Two brothers and a sister"))
    assert response.status_code == 302
    group.refresh_from_db()
    assert (group.reference, group.notes) == (f"SG{group.pk:05d}", "Two brothers and a sister")


# -- the one staff form page ----------------------------------------------------------------


def test_the_action_page_names_each_help_text_as_aria_describedby_says(placement, sw_client):
    url = f"{change_url(placement).replace('change/', '')}action/record_return_home/"
    html = sw_client.get(url).content.decode()
    assert 'aria-describedby="id_note_helptext"' in html
    assert 'id="id_note_helptext"' in html


def test_a_blocked_action_posted_directly_is_refused_and_nothing_is_saved(placement, sw_client):
    url = f"{change_url(placement).replace('change/', '')}action/place_for_adoption/"
    response = sw_client.post(url, {"on": "2025-06-05", "note": ""})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Not done: this cannot be done<" in html
    assert "has no placement order made by" in html
    placement.refresh_from_db()
    assert placement.status == Placement.Status.FOSTERING
    assert not LogEntry.objects.filter(
        additional_data__action="placements.placement.placed_for_adoption"
    ).exists()

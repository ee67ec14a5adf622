"""The staff pages for carer households, as social workers and team managers use them."""

import shutil
import subprocess
from datetime import date, timedelta

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from carers import services
from carers.models import (
    Applicant,
    Assessment,
    Deadline,
    Document,
    Household,
    Stage,
    StatutoryCheck,
    Track,
)
from portal.roles import Role
from tests.carers import factories as f
from tests.carers.helpers import form_data
from tests.pdf_checks import Structure, assert_accessible_pdf
from tests.requirements import require

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/carers/household/"


def change_url(household):
    return reverse("admin:carers_household_change", args=[household.pk])


def section_url(household, section):
    return reverse("admin:carers_household_section", args=[household.pk, section])


def action_url(household, assessment, action):
    return reverse("admin:carers_household_action", args=[household.pk, assessment.pk, action])


@pytest.fixture
def sw_client(client, social_worker):
    client.force_login(social_worker)
    return client


@pytest.fixture
def manager_client(client, manager):
    client.force_login(manager)
    return client


# -- the changelist -----------------------------------------------------------------------------


def test_the_changelist_shows_what_a_social_worker_needs(sw_client, social_worker):
    household = f.household(
        social_worker, roi_received_on=timezone.localdate() - timedelta(days=30)
    )
    response = sw_client.get(CHANGELIST)
    assert response.status_code == 200
    html = response.content.decode()
    for text in (
        household.reference,
        "Alex Rivers and Jordan Rivers",
        "Registration of Interest received",
        "Not started",
        "Decide on the Registration of Interest",
        "1 overdue",
        "Sam Worker",
    ):
        assert text in html
    row = response.context["cl"].result_list[0]
    assert row.overdue_count == 1


def test_filters_for_my_caseload_overdue_and_stage(sw_client, social_worker, make_staff, manager):
    colleague = make_staff(Role.SOCIAL_WORKERS)
    mine = f.household(social_worker)
    theirs = f.household(colleague, roi_received_on=timezone.localdate() - timedelta(days=30))
    f.to_stage(mine, Stage.STAGE_1, social_worker)

    def listed(query):
        response = sw_client.get(CHANGELIST + query)
        assert response.status_code == 200
        return {h.pk for h in response.context["cl"].result_list}

    # A worker's list holds their own caseload only (portal.access); their team manager
    # sees both workers' households and filters them.
    assert listed("") == listed("?caseload=mine") == {mine.pk}
    sw_client.force_login(manager)
    assert listed("") == {mine.pk, theirs.pk}
    assert listed("?overdue=yes") == {theirs.pk}
    assert listed("?overdue=no") == {mine.pk}
    assert listed("?stage=adoption:stage_1") == {mine.pk}
    assert listed("?stage=adoption:roi_received") == {theirs.pk}


def test_search_by_reference_name_or_postcode(sw_client, social_worker):
    household = f.household(social_worker, postcode="ok1 2ab")
    other = f.household(social_worker, postcode="M1 1AE")
    Applicant.objects.filter(household=other).update(last_name="Moss")

    def found(term):
        response = sw_client.get(CHANGELIST, {"q": term})
        return {h.pk for h in response.context["cl"].result_list}

    assert found(household.reference) == {household.pk}
    assert found("Rivers") == {household.pk}
    assert found("ok12ab") == {household.pk}
    assert found("M1 1AE") == {other.pk}


def bulk_households(count, social_worker, offset=0):
    """Many households fast: bulk_create, bypassing the services on purpose."""
    today = timezone.localdate()
    households = Household.objects.bulk_create(
        Household(
            reference=f"BK{offset + n:07d}",
            address_line_1=f"{n} Long Road",
            town="Oakford",
            postcode="OK1 2AB",
            local_authority="Oakshire",
            social_worker=social_worker if n % 2 else None,
        )
        for n in range(count)
    )
    Assessment.objects.bulk_create(
        Assessment(
            household=h,
            track=track,
            stage=Stage.STAGE_1 if track == Track.ADOPTION else Stage.NOT_STARTED,
            stage_entered_on=today - timedelta(days=n % 90),
            stage_1_started_on=today,
            roi_accepted_on=today,
        )
        for n, h in enumerate(households)
        for track in Track.values
    )
    Applicant.objects.bulk_create(
        Applicant(
            household=h,
            position=1,
            first_name="Pat",
            last_name=f"Applicant{n}",
            date_of_birth=date(1985, 1, 1),
        )
        for n, h in enumerate(households)
    )
    Deadline.objects.bulk_create(
        Deadline(
            household=h,
            kind=kind,
            subject=f"assessment:{h.pk}",
            label=label,
            due_on=today + timedelta(days=days),
        )
        for h in households
        for kind, label, days in (
            ("stage_1", "Stage 1 decision (target)", 20),
            ("approval", "Approval (target)", -3),
        )
    )
    # A reference asked for and not back on each: what the home page lists as waiting.
    StatutoryCheck.objects.bulk_create(
        StatutoryCheck(
            household=h,
            kind=StatutoryCheck.Kind.PERSONAL_REFERENCE,
            referee_name=f"Referee {n}",
            requested_on=today - timedelta(days=10),
        )
        for n, h in enumerate(households)
    )


def changelist_queries(client, query=""):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(CHANGELIST + query)
    assert response.status_code == 200
    return len(queries), response


CHANGELIST_QUERIES = [
    "",
    "?caseload=mine&overdue=yes",
    "?q=Applicant1",
    "?o=6",
    "?stage=adoption:stage_1",
]


def test_the_changelist_query_count_stays_the_same_with_ten_thousand_households(
    sw_client, social_worker
):
    bulk_households(5_000, social_worker)
    changelist_queries(sw_client)  # warm caches (content types, permissions)
    with_5000 = {}
    for query in CHANGELIST_QUERIES:
        with_5000[query], response = changelist_queries(sw_client, query)
        assert response.context["cl"].result_list, query
    assert len(changelist_queries(sw_client)[1].context["cl"].result_list) == 50
    bulk_households(5_000, social_worker, offset=5_000)
    with_10000 = {query: changelist_queries(sw_client, query)[0] for query in CHANGELIST_QUERIES}
    assert with_5000 == with_10000
    assert max(with_10000.values()) <= 14


def test_the_deadline_list_query_count_does_not_grow(sw_client, social_worker):
    bulk_households(500, social_worker)
    sw_client.get("/admin/carers/deadline/")
    before, _ = changelist_queries_for(sw_client, "/admin/carers/deadline/")
    bulk_households(500, social_worker, offset=500)
    after, _ = changelist_queries_for(sw_client, "/admin/carers/deadline/")
    assert before == after <= 14


def changelist_queries_for(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), response


# -- the change page and its buttons -------------------------------------------------------------


def test_the_change_page_shows_the_next_steps_and_what_blocks_them(sw_client, social_worker):
    household = f.household(social_worker, applicants=1)
    f.to_stage(household, Stage.STAGE_1, social_worker)
    response = sw_client.get(change_url(household))
    assert response.status_code == 200
    html = response.content.decode()
    a = f.adoption(household)
    assert f'href="{action_url(household, a, "record_stage_1_plan")}"' in html
    assert f'href="{action_url(household, a, "withdraw")}"' in html
    # The Stage 1 decision is shown, disabled, with what is missing.
    assert f'href="{action_url(household, a, "complete_stage_1")}"' not in html
    assert "Stage 1 decision: go on to Stage 2" in html
    assert "Record the date the written Stage 1 plan was agreed." in html
    assert "Personal references for Alex Rivers: 0 of 3 received." in html
    assert "Stage 1 decision (target)" in html


def test_a_social_worker_sees_the_decision_button_disabled(sw_client, social_worker):
    household = f.household(social_worker)
    a = f.to_stage(household, Stage.PANEL_RECOMMENDED, social_worker)
    html = sw_client.get(change_url(household)).content.decode()
    assert "Only the agency decision maker for adoption records this decision." in html
    assert f'href="{action_url(household, a, "record_decision")}"' not in html
    response = sw_client.post(
        action_url(household, a, "record_decision"),
        {"on": timezone.localdate().isoformat(), "decision": "approved"},
    )
    assert (
        "Only the agency decision maker for adoption records this decision."
        in response.content.decode()
    )
    a.refresh_from_db()
    assert a.stage == Stage.PANEL_RECOMMENDED


def test_a_button_opens_a_form_that_makes_the_move(sw_client, social_worker):
    household = f.household(social_worker)
    a = f.adoption(household)
    url = action_url(household, a, "accept_roi")
    form = sw_client.get(url)
    assert form.status_code == 200
    assert 'name="on"' in form.content.decode()
    response = sw_client.post(url, {"on": timezone.localdate().isoformat(), "note": "Welcome."})
    assert response.status_code == 302
    assert response["Location"] == change_url(household)
    a.refresh_from_db()
    assert a.stage == Stage.ROI_ACCEPTED
    assert a.changes.latest("id").note == "Welcome."


def test_a_refused_move_shows_its_reasons_and_changes_nothing(sw_client, social_worker):
    household = f.household(social_worker)
    a = f.to_stage(household, Stage.STAGE_1, social_worker)
    url = action_url(household, a, "complete_stage_1")
    page = sw_client.get(url).content.decode()
    assert "This cannot be done:" in page
    assert "Record the date the written Stage 1 plan was agreed." in page
    response = sw_client.post(url, {"on": timezone.localdate().isoformat()})
    assert response.status_code == 200
    assert "Record the date the written Stage 1 plan was agreed." in response.content.decode()
    a.refresh_from_db()
    assert a.stage == Stage.STAGE_1


def test_form_errors_are_shown(sw_client, social_worker):
    household = f.household(social_worker)
    a = f.adoption(household)
    response = sw_client.post(
        action_url(household, a, "withdraw"),
        {"on": (timezone.localdate() + timedelta(days=2)).isoformat(), "note": ""},
    )
    html = response.content.decode()
    assert "The date cannot be in the future." in html
    assert "This field is required." in html


def test_a_team_manager_records_the_decision_with_its_terms(manager_client, social_worker, manager):
    household = f.household(social_worker)
    a = f.to_stage(household, Stage.PANEL_RECOMMENDED, social_worker)
    url = action_url(household, a, "record_decision")
    missing_terms = manager_client.post(
        url, {"on": timezone.localdate().isoformat(), "decision": "approved"}
    )
    assert "Give the terms of approval." in missing_terms.content.decode()
    response = manager_client.post(
        url,
        {
            "on": timezone.localdate().isoformat(),
            "decision": "approved",
            "approved_age_from": "0",
            "approved_age_to": "2",
            "approved_number_of_children": "1",
        },
    )
    assert response.status_code == 302
    household.refresh_from_db()
    assert household.is_approved_adopter


def test_closing_a_household_from_its_page(sw_client, social_worker):
    household = f.household(social_worker)
    url = reverse("admin:carers_household_close", args=[household.pk])
    response = sw_client.post(url, {"on": timezone.localdate().isoformat(), "reason": "Moved."})
    assert response.status_code == 302
    household.refresh_from_db()
    assert household.status == Household.Status.CLOSED


def test_adding_a_household_in_the_admin_opens_both_tracks(sw_client, social_worker):
    page = sw_client.get("/admin/carers/household/add/")
    data = form_data(page.content.decode(), "household_form")
    data.update(
        {
            "social_worker": str(social_worker.pk),
            "address_line_1": "4 Mill Street",
            "town": "Oakford",
            "postcode": "ok12ab",
            "local_authority": "Oakshire",
            "roi_received_on": (timezone.localdate() - timedelta(days=1)).isoformat(),
            "applicants-0-position": "1",
            "applicants-0-first_name": "Robin",
            "applicants-0-last_name": "Ash",
            "applicants-0-date_of_birth": "1990-05-01",
            "_save": "Save",
        }
    )
    response = sw_client.post("/admin/carers/household/add/", data)
    assert response.status_code == 302, response.context and response.context["errors"]
    household = Household.objects.get(address_line_1="4 Mill Street")
    assert household.reference == f"EP{household.pk:05d}"
    assert household.postcode == "OK1 2AB"
    assert set(household.assessments.values_list("track", "stage")) == {
        ("adoption", "roi_received"),
        ("fostering", "not_started"),
    }
    assert household.checks.filter(applicant__first_name="Robin").count() == 7
    assert household.deadlines.filter(kind="roi_decision").exists()


def test_editing_checks_on_the_page_updates_expiry_and_clocks(sw_client, social_worker):
    household = f.household(social_worker, applicants=1)
    page = sw_client.get(section_url(household, "checks"))
    html = page.content.decode()
    data = form_data(html, "household_form")
    dbs = household.checks.get(kind="dbs")
    prefix = next(
        key.removesuffix("-id")
        for key, value in data.items()
        if key.startswith("checks-") and key.endswith("-id") and value == str(dbs.pk)
    )
    data[f"{prefix}-requested_on"] = "2025-01-06"
    data[f"{prefix}-received_on"] = "2025-02-03"
    data[f"{prefix}-outcome"] = "satisfactory"
    data["_continue"] = "Save and continue editing"
    response = sw_client.post(section_url(household, "checks"), data)
    assert response.status_code == 302, response.context and response.context["errors"]
    dbs.refresh_from_db()
    assert dbs.expires_on == date(2028, 2, 3)
    assert household.deadlines.filter(kind="check_expiry", due_on=date(2028, 2, 3)).exists()


def test_editing_a_household_goes_through_the_service(sw_client, social_worker, monkeypatch):
    household = f.household(social_worker)
    html = sw_client.get(change_url(household)).content.decode()
    data = form_data(html, "household_form")
    data.update({"town": "Elmbridge", "postcode": "ok1 2ab", "_continue": "Save and continue"})
    # The service's postcode rule, in its words, and nothing saved.
    response = sw_client.post(change_url(household), {**data, "postcode": "12345"})
    assert response.status_code == 200
    assert "Enter a real UK postcode, like OK1 2AB" in response.content.decode()
    household.refresh_from_db()
    assert household.town != "Elmbridge"
    # A refusal when saving undoes the whole save, and the page says why.
    refusal = ValidationError("This household's address cannot change now.")
    monkeypatch.setattr(
        services, "household_update", lambda **kwargs: (_ for _ in ()).throw(refusal)
    )
    response = sw_client.post(change_url(household), data)
    assert response.status_code == 200
    assert "This household&#x27;s address cannot change now." in response.content.decode()
    household.refresh_from_db()
    assert household.town != "Elmbridge"
    monkeypatch.undo()
    response = sw_client.post(change_url(household), data)
    assert response.status_code == 302, response.context and response.context["errors"]
    household.refresh_from_db()
    assert (household.town, household.postcode) == ("Elmbridge", "OK1 2AB")


# -- documents ----------------------------------------------------------------------------------


def upload_through_the_page(client, household, name="par.pdf", content=b"%PDF-1.4 report"):
    html = client.get(section_url(household, "documents")).content.decode()
    data = form_data(html, "household_form")
    data.update(
        {
            "documents-0-kind": "par",
            "documents-0-title": "PAR",
            "documents-0-file": SimpleUploadedFile(name, content, content_type="application/pdf"),
            "_continue": "Save and continue editing",
        }
    )
    return client.post(section_url(household, "documents"), data)


def test_a_document_uploaded_on_the_page_goes_to_private_storage(
    sw_client, social_worker, settings
):
    household = f.household(social_worker)
    response = upload_through_the_page(sw_client, household)
    assert response.status_code == 302, response.context and response.context["errors"]
    document = household.documents.get()
    assert document.uploaded_by == social_worker
    assert document.file.path.startswith(str(settings.PRIVATE_STORAGE_ROOT))
    assert "par" not in document.file.name.split("/")[-1]
    assert not str(settings.PRIVATE_STORAGE_ROOT).startswith(str(settings.STATIC_ROOT))


def test_one_save_takes_at_most_documents_per_save_new_documents(
    sw_client, social_worker, settings
):
    settings.DOCUMENTS_PER_SAVE = 2
    household = f.household(social_worker)
    html = sw_client.get(section_url(household, "documents")).content.decode()
    data = form_data(html, "household_form")
    added = 3
    for n in range(added):
        data.update(
            {
                f"documents-{n}-kind": "par",
                f"documents-{n}-title": f"PAR part {n + 1}",
                f"documents-{n}-file": SimpleUploadedFile(
                    f"par{n}.pdf", b"%PDF-1.4 report", content_type="application/pdf"
                ),
            }
        )
    # The page offers one upload form; a browser that added more sends them all.
    assert data["documents-TOTAL_FORMS"] == "1"
    data["documents-TOTAL_FORMS"] = str(added)
    data["_continue"] = "Save and continue editing"
    response = sw_client.post(section_url(household, "documents"), data)
    assert response.status_code == 200
    assert "Add at most 2 new documents in one save (you added 3)" in response.content.decode()
    assert not household.documents.exists()
    data["documents-TOTAL_FORMS"] = str(added - 1)
    for n in range(added - 1):
        data[f"documents-{n}-file"].seek(0)
    response = sw_client.post(section_url(household, "documents"), data)
    assert response.status_code == 302, response.context and response.context["errors"]
    assert household.documents.count() == 2


def test_the_body_limit_covers_documents_per_save_documents():
    from django.conf import settings as defaults

    assert defaults.DOCUMENTS_PER_SAVE == 3
    assert defaults.REQUEST_BODY_MAX_BYTES == (3 * defaults.CARERS_DOCUMENT_MAX_MB + 2) * 2**20


def test_an_unsafe_upload_is_refused(sw_client, social_worker):
    household = f.household(social_worker)
    response = upload_through_the_page(sw_client, household, name="run.exe")
    assert response.status_code == 200
    assert "Upload a PDF, Word, OpenDocument, text or image file." in response.content.decode()
    assert not household.documents.exists()


def test_a_document_is_withdrawn_on_the_page_never_deleted(manager_client, manager, social_worker):
    household = f.household(social_worker)
    document = f.upload(household, Document.Kind.PAR, social_worker)
    name = document.file.name
    # Nobody deletes a document: not from the list, not with a box on the page.
    url = reverse("admin:carers_document_delete", args=[document.pk])
    assert manager_client.post(url, {"post": "yes"}).status_code == 403
    html = manager_client.get(section_url(household, "documents")).content.decode()
    assert "-DELETE" not in html
    withdraw = f"/admin/carers/household/{household.pk}/withdraw/carers.document/{document.pk}/"
    assert withdraw in html
    response = manager_client.post(withdraw, {"reason": "Belongs to another household"})
    assert response.status_code == 302
    assert not household.documents.exists()
    assert document.file.storage.exists(name)
    html = manager_client.get(section_url(household, "documents")).content.decode()
    assert "Belongs to another household" in html
    entry = LogEntry.objects.get_for_object(document).latest("timestamp")
    assert (entry.actor, entry.additional_data["action"]) == (manager, "carers.document.withdrawn")
    uploaded = LogEntry.objects.get_for_object(document).get(action=LogEntry.Action.CREATE)
    assert uploaded.additional_data["action"] == "carers.document.uploaded"


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (Role.SOCIAL_WORKERS, 200),
        (Role.TEAM_MANAGERS, 200),
        (Role.EVENTS_TEAM, 403),
        (Role.RECRUITMENT_TEAM, 403),
        (Role.CONTENT_EDITORS, 403),
    ],
)
def test_document_downloads_are_for_permitted_staff_only(
    client, make_staff, social_worker, role, status
):
    household = f.household(social_worker)
    document = f.upload(household, Document.Kind.PAR, social_worker)
    # The household's own worker (another worker's download is refused: portal.access).
    client.force_login(social_worker if role == Role.SOCIAL_WORKERS else make_staff(role))
    for url in (document.get_absolute_url(), document.file.url):
        response = client.get(url)
        assert response.status_code == status, url
        if status == 200:
            assert b"".join(response.streaming_content) == b"%PDF-1.4 test"
            assert response["Content-Disposition"].startswith("attachment;")
            assert response["X-Content-Type-Options"] == "nosniff"
            assert "no-store" in response["Cache-Control"]
    if status == 200:
        assert LogEntry.objects.filter(
            action=LogEntry.Action.ACCESS, object_pk=str(document.pk)
        ).exists()


def test_document_downloads_need_a_sign_in(client, social_worker):
    household = f.household(social_worker)
    document = f.upload(household, Document.Kind.PAR, social_worker)
    response = client.get(document.get_absolute_url())
    assert response.status_code == 302
    assert "/login/" in response["Location"]


# -- roles on the household pages --------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.EVENTS_TEAM, Role.RECRUITMENT_TEAM, Role.CONTENT_EDITORS])
def test_other_roles_see_nothing_of_a_household(client, make_staff, social_worker, role):
    household = f.household(social_worker)
    a = f.adoption(household)
    client.force_login(make_staff(role))
    for url in (
        change_url(household),
        action_url(household, a, "accept_roi"),
        reverse("admin:carers_household_close", args=[household.pk]),
        reverse("admin:carers_household_panel_paper", args=[household.pk]),
    ):
        assert client.get(url).status_code == 403, url
    home = client.get("/admin/").content.decode()
    assert "carers-dashboard" not in home
    a.refresh_from_db()
    assert a.stage == Stage.ROI_RECEIVED


def test_nobody_but_a_superuser_deletes_a_household(manager_client, social_worker):
    household = f.household(social_worker)
    response = manager_client.get(reverse("admin:carers_household_delete", args=[household.pk]))
    assert response.status_code == 403


# -- the dashboard on the staff home page -------------------------------------------------------


def test_the_dashboard_shows_my_overdue_and_coming_deadlines(sw_client, social_worker, make_staff):
    today = timezone.localdate()
    late = f.household(social_worker, roi_received_on=today - timedelta(days=30))
    soon = f.household(social_worker)
    f.to_stage(soon, Stage.STAGE_1, social_worker)
    Deadline.objects.filter(household=soon, kind="stage_1").update(due_on=today + timedelta(days=3))
    other = f.household(make_staff(Role.SOCIAL_WORKERS), roi_received_on=today - timedelta(days=30))
    response = sw_client.get("/admin/")
    html = response.content.decode()
    dashboard = response.context["dashboard"]
    assert [d.household_id for d in dashboard.overdue] == [late.pk]
    assert soon.pk in {d.household_id for d in dashboard.upcoming}
    assert other.reference not in html
    assert "Overdue (1)" in html
    assert "Decide on the Registration of Interest" in html
    assert "Stage 1 decision (target)" in html


def test_each_dashboard_row_says_since_when_and_links_the_action_that_clears_it(
    sw_client, social_worker
):
    today = timezone.localdate()
    late = f.household(social_worker, roi_received_on=today - timedelta(days=30))
    page = reverse("admin:carers_household_change", args=[late.pk])
    response = sw_client.get("/admin/")
    [item] = response.context["dashboard"].overdue
    assert item.action == "Decide on the Registration of Interest"
    assert item.action_url.startswith(page)
    html = response.content.decode()
    assert f'href="{item.action_url}"' in html
    assert "To clear it" in html
    assert "ago)" in html


def test_the_dashboard_lists_what_waits_on_someone_else(sw_client, social_worker, make_staff):
    today = timezone.localdate()
    household = f.household(social_worker)
    asked = StatutoryCheck.objects.create(
        household=household,
        kind=StatutoryCheck.Kind.PERSONAL_REFERENCE,
        referee_name="Robin Referee",
        requested_on=today - timedelta(days=5),
    )
    # Back already, not asked yet, and someone else's: none of them waits on anyone for me.
    StatutoryCheck.objects.create(
        household=household,
        kind=StatutoryCheck.Kind.PERSONAL_REFERENCE,
        referee_name="Back Already",
        requested_on=today - timedelta(days=20),
        received_on=today - timedelta(days=2),
    )
    StatutoryCheck.objects.create(
        household=household, kind=StatutoryCheck.Kind.PERSONAL_REFERENCE, referee_name="Not Asked"
    )
    other = f.household(make_staff(Role.SOCIAL_WORKERS))
    StatutoryCheck.objects.create(
        household=other,
        kind=StatutoryCheck.Kind.PERSONAL_REFERENCE,
        referee_name="Someone Elses",
        requested_on=today - timedelta(days=3),
    )
    response = sw_client.get("/admin/")
    waiting = response.context["dashboard"].waiting
    assert [item.check for item in waiting] == [asked]
    html = response.content.decode()
    assert "Waiting on someone else (1)" in html
    assert "Record it received" in html
    assert "(5\xa0days ago)" in html
    # The link goes to the household's checks, where the quick button records it.
    checks = reverse("admin:carers_household_section", args=[household.pk, "checks"])
    assert waiting[0].action_url == checks
    assert "Received today" in sw_client.get(checks).content.decode()


def test_the_dashboard_query_count_does_not_grow(sw_client, social_worker):
    bulk_households(300, social_worker)
    sw_client.get("/admin/")
    with CaptureQueriesContext(connection) as first:
        sw_client.get("/admin/")
    bulk_households(300, social_worker, offset=300)
    with CaptureQueriesContext(connection) as second:
        sw_client.get("/admin/")
    assert len(first) == len(second)


def test_team_managers_see_decisions_waiting_and_overdue_by_caseload(manager_client, social_worker):
    household = f.household(
        social_worker, roi_received_on=timezone.localdate() - timedelta(days=30)
    )
    waiting = f.household(social_worker)
    f.to_stage(waiting, Stage.PANEL_RECOMMENDED, social_worker)
    response = manager_client.get("/admin/")
    html = response.content.decode()
    assert "Waiting for an agency decision (1)" in html
    assert waiting.reference in html
    assert "Sam Worker" in html
    assert "Overdue items by caseload" in html
    # Each worker's count links to that worker's overdue list, which shows just those items.
    [row] = response.context["dashboard"].team_overdue
    assert row["url"].endswith(f"?caseload={social_worker.pk}&overdue=yes")
    assert f'href="{row["url"]}"'.replace("&", "&amp;") in html
    listed = manager_client.get(row["url"])
    assert listed.status_code == 200
    shown = {d.household_id for d in listed.context["cl"].result_list}
    assert shown == {household.pk}
    assert listed.context["cl"].result_count == row["overdue"]


# -- the panel paper ----------------------------------------------------------------------------


def test_the_panel_paper_is_a_tagged_pdf_of_the_assessment(sw_client, social_worker, tmp_path):
    household = f.household(social_worker)
    f.to_stage(household, Stage.PANEL_BOOKED, social_worker)
    response = sw_client.get(reverse("admin:carers_household_panel_paper", args=[household.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    from io import BytesIO

    from pypdf import PdfReader

    reader = PdfReader(BytesIO(response.content))
    text = " ".join(page.extract_text() for page in reader.pages)
    for expected in (
        f"Panel paper: household {household.reference}",
        "Alex Rivers",
        "Statutory checks and references",
        "Enhanced DBS check",
        "Adoption preparation training",
        "Booked for panel",
        "Prospective Adopter Report (PAR)",
    ):
        assert expected in text, expected
    assert reader.metadata.title == f"Panel paper: household {household.reference}"
    require(
        shutil.which("pdfinfo") is not None, "pdfinfo is missing: apt-get install poppler-utils"
    )
    path = tmp_path / "paper.pdf"
    path.write_bytes(response.content)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
    assert "Tagged:          yes" in info.stdout
    assert_accessible_pdf(response.content, title=f"Panel paper: household {household.reference}")
    scopes = Structure(response.content).table_header_scopes()
    assert ("Applicants", "/Row") in scopes and ("Support network", "/Row") in scopes
    assert ("Track", "/Column") in scopes and ("Expires", "/Column") in scopes


# -- the training catalogue ---------------------------------------------------------------------


def test_changing_a_course_moves_due_dates_on_every_household(
    manager_client, social_worker, django_capture_on_commit_callbacks
):
    from dateutil.relativedelta import relativedelta

    from carers.models import TrainingCourse

    household = f.household(social_worker)
    f.to_stage(household, Stage.STAGE_1, social_worker)
    started = f.adoption(household).stage_1_started_on
    course = TrainingCourse.objects.get(name="Adoption preparation training")
    url = reverse("admin:carers_trainingcourse_change", args=[course.pk])
    data = form_data(manager_client.get(url).content.decode(), "trainingcourse_form")
    data["due_within_months"] = "3"
    with django_capture_on_commit_callbacks(execute=True):
        response = manager_client.post(url, data)
    assert response.status_code == 302
    records = household.training.filter(course=course)
    assert {r.due_on for r in records} == {started + relativedelta(months=3)}


def test_a_course_in_use_is_not_deleted_and_its_page_counts_the_records(
    client, make_staff, social_worker
):
    from carers.models import TrainingCourse

    client.force_login(make_staff(superuser=True))
    course = TrainingCourse.objects.get(name="Adoption preparation training")
    households = [f.household(social_worker, applicants=2) for _ in range(2)]
    for household in households:
        f.to_stage(household, Stage.STAGE_1, social_worker)
    in_use = course.records.count()
    assert in_use == 4, "each applicant of both households has a record on the course"
    url = reverse("admin:carers_trainingcourse_delete", args=[course.pk])

    page = client.get(url).content.decode()
    assert "4 applicants&#x27; training records" in page or "4 applicants' training records" in page
    assert "untick “Is active” instead" in page
    assert "Yes, I’m sure" not in page
    response = client.post(url, {"post": "yes"})
    assert response.status_code == 200
    assert TrainingCourse.objects.filter(pk=course.pk).exists()
    assert course.records.count() == in_use

    unused = TrainingCourse.objects.create(
        name="Life story work", due_from="stage_2_start", due_within_months=3, is_mandatory=False
    )
    assert (
        client.post(
            reverse("admin:carers_trainingcourse_delete", args=[unused.pk]), {"post": "yes"}
        ).status_code
        == 302
    )
    assert not TrainingCourse.objects.filter(pk=unused.pk).exists()


def test_the_household_page_query_count_does_not_grow_with_its_rows(sw_client, social_worker):
    from carers.models import HouseholdMember

    small = f.household(social_worker, applicants=1)
    f.to_stage(small, Stage.STAGE_2, social_worker)
    large = f.household(social_worker, applicants=2, has_pets=True)
    for n in range(3):
        HouseholdMember.objects.create(
            household=large,
            first_name=f"Member{n}",
            last_name="Rivers",
            relationship="adult child",
            date_of_birth=date(1995 + n, 1, 1),
        )
    services.household_after_edit(household=large)
    f.to_stage(large, Stage.STAGE_2, social_worker)
    for _ in range(3):
        f.upload(large, Document.Kind.OTHER, social_worker)
    # Case notes, each corrected once: the list shows both beside each other.
    for n in range(10):
        note = services.note_add(
            case=large,
            kind="call",
            happened_on=timezone.localdate(),
            text=f"Call {n}.",
            by=social_worker,
        )
        services.note_correct(
            note=note,
            kind="call",
            happened_on=note.happened_on,
            text=f"Call {n}, put right.",
            by=social_worker,
        )
    assert large.checks.count() > 2 * small.checks.count()
    sw_client.get(change_url(small))
    counts = []
    for household in (small, large):
        with CaptureQueriesContext(connection) as queries:
            assert sw_client.get(change_url(household)).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 45


# -- the one staff form page ----------------------------------------------------------------


def test_the_action_page_names_each_help_text_as_aria_describedby_says(sw_client, social_worker):
    household = f.household(social_worker)
    page = sw_client.get(action_url(household, f.adoption(household), "accept_roi")).content
    html = page.decode()
    assert 'aria-describedby="id_note_helptext"' in html
    assert 'id="id_note_helptext"' in html


def test_a_blocked_action_posted_directly_is_refused_and_nothing_is_saved(sw_client, social_worker):
    """Blocked today (Stage 1 decided too long ago), a POST with an earlier date that the
    service alone would accept is still refused with the page's reasons."""
    household = f.household(social_worker)
    a = f.to_stage(household, Stage.STAGE_1, social_worker)
    decided = timezone.localdate() - timedelta(days=400)
    Assessment.objects.filter(pk=a.pk).update(
        stage=Stage.STAGE_1_COMPLETE, stage_entered_on=decided, stage_1_decision_on=decided
    )
    changes = a.changes.count()
    url = action_url(household, a, "start_stage_2")
    response = sw_client.post(url, {"on": (decided + timedelta(days=1)).isoformat()})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Not done: this cannot be done<" in html
    assert "Stage 1 has to start again." in html
    a.refresh_from_db()
    assert a.stage == Stage.STAGE_1_COMPLETE
    assert a.changes.count() == changes


def test_a_refusal_of_the_service_is_shown_in_the_error_summary(sw_client, social_worker):
    household = f.household(social_worker)
    a = f.adoption(household)
    before = (a.stage_entered_on - timedelta(days=1)).isoformat()
    response = sw_client.post(action_url(household, a, "accept_roi"), {"on": before})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Not done: there is a problem" in html
    assert "The date cannot be before" in html
    a.refresh_from_db()
    assert a.stage == Stage.ROI_RECEIVED


def test_moving_a_panel_sitting_moves_the_agency_decision_clock(sw_client, social_worker):
    # Agency decision: 7 working days after the panel sits (carers/clocks.py). Worked out
    # by hand from Monday 21 December 2026: 22, 23, 24 December; Christmas Day (Friday)
    # and Boxing Day's substitute (Monday 28) skipped; 29, 30, 31 December; New Year's Day
    # (Friday) skipped; Monday 4 January 2027 is the seventh.
    household = f.household(social_worker)
    assessment = f.to_stage(household, Stage.PANEL_BOOKED, social_worker)
    sitting = assessment.panel
    url = reverse("admin:carers_panelsitting_change", args=[sitting.pk])
    data = form_data(sw_client.get(url).content.decode(), "panelsitting_form")
    data["sits_on"] = "2026-12-21"
    response = sw_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    deadline = household.deadlines.get(kind="agency_decision")
    assert deadline.due_on == date(2027, 1, 4)

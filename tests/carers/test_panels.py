"""Panels as bodies: the quorum of each kind of panel, several sittings a day, the
recommendation only at a quorate sitting, the final minutes and the decision's clock, and
panel papers for members who are not staff."""

import re
import shutil
import subprocess
from datetime import date, timedelta

import pytest
from auditlog.models import LogEntry
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from carers import services
from carers.models import Document, PanelMember, PanelSitting, Stage
from carers.quorum import quorum_problems
from carers.services import panels as panel_services
from portal.formats import day
from portal.models import Notification
from portal.roles import Role
from tests.carers import factories as f
from tests.carers.helpers import form_data
from tests.pdf_checks import assert_accessible_pdf
from tests.requirements import require

pytestmark = pytest.mark.django_db

ADOPTION, FOSTERING, JOINT = (
    PanelSitting.Kind.ADOPTION,
    PanelSitting.Kind.FOSTERING,
    PanelSitting.Kind.JOINT,
)
R = PanelMember.Role


def member(role=R.MEMBER, *, adoption=True, fostering=True, **facts) -> PanelMember:
    return PanelMember(
        name=f"{role} member",
        role=role,
        sits_on_adoption=adoption,
        sits_on_fostering=fostering,
        **facts,
    )


def quorate() -> list[PanelMember]:
    """Five members: the chair (independent), a vice chair, a social worker of three
    years' post-qualifying experience and two independent members."""
    return [
        member(R.CHAIR, independent=True),
        member(R.VICE_CHAIR),
        member(social_worker_three_years=True),
        member(independent=True),
        member(independent=True),
    ]


# -- the quorum, for each kind of panel ------------------------------------------------------


@pytest.mark.parametrize("kind", [ADOPTION, FOSTERING, JOINT])
def test_five_members_with_the_chair_and_an_experienced_social_worker_are_quorate(kind):
    assert quorum_problems(kind, quorate()) == []


@pytest.mark.parametrize("kind", [ADOPTION, FOSTERING, JOINT])
def test_four_members_are_not_quorate(kind):
    panel = PanelSitting.Kind(kind).label.lower()
    assert quorum_problems(kind, quorate()[:4]) == [
        f"The {panel} needs at least 5 members present; 4 are."
    ]


@pytest.mark.parametrize("kind", [ADOPTION, FOSTERING, JOINT])
def test_without_the_chair_or_a_vice_chair_or_the_social_worker_it_is_not_quorate(kind):
    panel = PanelSitting.Kind(kind).label.lower()
    no_chair = [member(), member(), *quorate()[2:]]
    assert quorum_problems(kind, no_chair) == [
        f"The {panel} needs its chair or a vice chair present."
    ]
    no_social_worker = [*quorate()[:2], member(), *quorate()[3:]]
    assert quorum_problems(kind, no_social_worker) == [
        f"The {panel} needs a social worker with at least three years' relevant "
        "post-qualifying experience present."
    ]
    # A vice chair in the chair is enough.
    vice_chair_only = [member(R.VICE_CHAIR), *quorate()[1:]]
    assert quorum_problems(kind, vice_chair_only) == []


def test_the_medical_adviser_counts_on_the_panels_they_are_appointed_to():
    # On the adoption central list by law (AAR reg 3(1)(b)); on the fostering panel only
    # when the agency appoints them to it (FS(E)R reg 23 neither requires nor excludes it).
    four_and_the_doctor = [*quorate()[:4], member(R.MEDICAL_ADVISER, fostering=False)]
    assert quorum_problems(ADOPTION, four_and_the_doctor) == []
    assert quorum_problems(FOSTERING, four_and_the_doctor) == [
        "The fostering panel needs at least 5 members present; 4 are."
    ]
    appointed_to_both = [*quorate()[:4], member(R.MEDICAL_ADVISER)]
    assert quorum_problems(FOSTERING, appointed_to_both) == []
    assert quorum_problems(JOINT, appointed_to_both) == []
    # The legal adviser advises: never a member.
    assert quorum_problems(ADOPTION, [*quorate()[:4], member(R.LEGAL_ADVISER)]) == [
        "The adoption panel needs at least 5 members present; 4 are."
    ]


def test_a_joint_sitting_counts_only_members_of_both_panels():
    members = [*quorate()[:4], member(fostering=False)]
    assert quorum_problems(ADOPTION, members) == []
    assert quorum_problems(JOINT, members) == [
        "The joint adoption and fostering panel needs at least 5 members present; 4 are."
    ]
    assert quorum_problems(FOSTERING, members) == [
        "The fostering panel needs at least 5 members present; 4 are."
    ]


def test_the_agencys_constitution_may_ask_more_but_never_less_than_the_law(settings):
    settings.CARERS_PANEL_QUORUM_MEMBERS = 6
    assert quorum_problems(ADOPTION, quorate()) == [
        "The adoption panel needs at least 6 members present; 5 are."
    ]
    settings.CARERS_PANEL_QUORUM_MEMBERS = 3  # below the regulations' five: five it stays
    assert quorum_problems(ADOPTION, quorate()[:4]) == [
        "The adoption panel needs at least 5 members present; 4 are."
    ]
    no_independents = [m for m in quorate() if not m.independent] + [member(), member(), member()]
    settings.CARERS_PANEL_QUORUM_INDEPENDENT = 1
    assert quorum_problems(FOSTERING, no_independents) == [
        "The agency's constitution asks for at least 1 independent member present at the "
        "fostering panel."
    ]
    settings.CARERS_PANEL_QUORUM_INDEPENDENT = 0
    assert quorum_problems(FOSTERING, no_independents) == []


# -- the central list: a member's sign-in, picked by whoever keeps the list --------------------


def test_a_team_manager_picks_a_members_sign_in_without_the_user_admin(
    client, manager, social_worker, make_staff
):
    from portal.models import User

    pat = make_staff(Role.PANEL_MEMBERS, first_name="Pat", last_name="Quorn")
    User.objects.filter(pk=pat.pk).update(is_staff=False)  # not staff: a Panel members account
    make_staff(first_name="Pam", last_name="Quorn", is_active=False)  # left: not offered
    member = f.panel_member("Pat Quorn", R.MEMBER, independent=True)
    search = reverse("admin:autocomplete") + (
        "?app_label=carers&model_name=panelmember&field_name=account&term=Quorn"
    )
    client.force_login(manager)
    answer = client.get(search)
    assert answer.status_code == 200
    assert [row["text"] for row in answer.json()["results"]] == ["Pat Quorn"]
    # The list of accounts itself stays closed to them.
    assert client.get(reverse("admin:portal_user_changelist")).status_code == 403
    assert client.get(reverse("admin:portal_user_change", args=[pat.pk])).status_code == 403
    # The member's page offers the search and saves the account picked.
    url = reverse("admin:carers_panelmember_change", args=[member.pk])
    data = form_data(client.get(url).content.decode(), "panelmember_form")
    assert client.post(url, {**data, "account": str(pat.pk)}).status_code == 302
    member.refresh_from_db()
    assert member.account == pat
    # An account outside the choices (a former member of staff) is refused in words.
    gone = User.objects.get(first_name="Pam")
    page = client.post(url, {**data, "account": str(gone.pk)})
    assert "Select a valid choice." in page.content.decode()
    # Pat's account is switched off: her entry still shows it, and an edit keeps it.
    User.objects.filter(pk=pat.pk).update(is_active=False)
    page = client.get(url).content.decode()
    assert re.search(rf'<option value="{pat.pk}" selected>\s*Pat Quorn', page)
    data = form_data(page, "panelmember_form")
    assert client.post(url, {**data, "name": "Pat Quorn-Lee"}).status_code == 302
    member.refresh_from_db()
    assert (member.name, member.account) == ("Pat Quorn-Lee", pat)
    # A social worker sees the central list but does not keep it: no search for them.
    client.force_login(social_worker)
    assert client.get(search).status_code == 403


# -- a recommendation only at a quorate sitting -----------------------------------------------


def test_a_recommendation_is_refused_at_a_sitting_without_a_quorum(social_worker):
    today = timezone.localdate()
    household = f.household(social_worker)
    sitting = f.panel(sits_on=today, quorate=False)
    members = f.quorum(sitting)
    # The chair sent apologies (the vice chair may take the chair): four are present.
    f.seat(sitting, members[:1], present=False)
    a = f.to_stage(household, Stage.PANEL_BOOKED, social_worker)
    with pytest.raises(services.TransitionRefused) as refused:
        services.assessment_record_recommendation(
            assessment=a, recommendation="suitable", by=social_worker
        )
    assert refused.value.messages == [
        "The sitting was not quorate, so it cannot make a recommendation. Record who was "
        "present under Panel sittings. The joint adoption and fostering panel needs at least "
        "5 members present; 4 are."
    ]
    a.refresh_from_db()
    assert (a.stage, a.panel_recommendation) == (Stage.PANEL_BOOKED, "")
    # The chair came after all.
    f.seat(sitting, members[:1], present=True)
    services.assessment_record_recommendation(
        assessment=a, recommendation="suitable", by=social_worker
    )
    a.refresh_from_db()
    assert a.stage == Stage.PANEL_RECOMMENDED


def test_attendance_is_kept_on_the_sittings_page_and_refused_for_a_member_of_another_panel(
    client, social_worker
):
    sitting = PanelSitting.objects.create(sits_on=date(2025, 3, 3), kind=ADOPTION)
    chair = f.panel_member("Ada Chair", R.CHAIR, independent=True)
    fostering_only = f.panel_member("Fern Foster", sits_on_adoption=False)
    client.force_login(social_worker)
    url = reverse("admin:carers_panelsitting_change", args=[sitting.pk])
    from tests.carers.test_admin import form_data

    data = form_data(client.get(url).content.decode(), "panelsitting_form")
    data |= {
        "attendance-TOTAL_FORMS": "2",
        "attendance-0-member": str(chair.pk),
        "attendance-0-present": "on",
        "attendance-1-member": str(fostering_only.pk),
        "attendance-1-present": "on",
    }
    page = client.post(url, data)
    assert page.status_code == 200
    assert "Fern Foster does not sit on the adoption panel." in page.content.decode()
    assert not sitting.attendance.exists()  # nothing half-saved
    data |= {"attendance-TOTAL_FORMS": "1"}
    assert client.post(url, data).status_code == 302
    assert [(row.member, row.present) for row in sitting.attendance.all()] == [(chair, True)]
    page = client.get(url).content.decode()
    assert "Not quorate: The adoption panel needs at least 5 members present; 1 is." in page
    entry = LogEntry.objects.get_for_object(sitting).latest("id")
    assert entry.additional_data["action"] == "carers.panel_sitting.member_added"


def test_a_new_sitting_is_saved_with_its_members_in_one_go(client, social_worker):
    chair = f.panel_member("Ada Chair", R.CHAIR, independent=True)
    client.force_login(social_worker)
    url = reverse("admin:carers_panelsitting_add")
    from tests.carers.test_admin import form_data

    data = form_data(client.get(url).content.decode(), "panelsitting_form")
    data |= {
        "sits_on": "2025-03-03",
        "kind": ADOPTION,
        "attendance-TOTAL_FORMS": "1",
        "attendance-0-member": str(chair.pk),
        "attendance-0-present": "on",
    }
    page = client.post(url, data)
    assert page.status_code == 302, page.content.decode()[:2000]
    sitting = PanelSitting.objects.get(sits_on=date(2025, 3, 3), kind=ADOPTION)
    assert [(row.member, row.present) for row in sitting.attendance.all()] == [(chair, True)]


# -- several sittings of one kind on a day ----------------------------------------------------


def test_two_adoption_panels_sit_on_one_day(social_worker, make_staff):
    on = date(2025, 3, 3)
    morning = PanelSitting.objects.create(sits_on=on, kind=ADOPTION, part="morning")
    afternoon = PanelSitting.objects.create(sits_on=on, kind=ADOPTION, part="afternoon")
    assert str(morning) == "Adoption panel, 3 March 2025 (morning)"
    assert str(afternoon) == "Adoption panel, 3 March 2025 (afternoon)"
    with pytest.raises(IntegrityError), transaction.atomic():
        PanelSitting.objects.create(sits_on=on, kind=ADOPTION, part="morning")
    # Each hears its own households, with its own quorum.
    f.quorum(morning)
    f.quorum(afternoon)
    first = f.household(social_worker, roi_received_on=date(2025, 1, 2))
    second = f.household(make_staff(Role.SOCIAL_WORKERS), roi_received_on=date(2025, 1, 2))
    for household, sitting in ((first, morning), (second, afternoon)):
        a = f.to_stage(household, Stage.STAGE_2, social_worker, on=on)
        f.complete_training(household, ["stage_1_decision", "panel"], on)
        f.upload(household, Document.Kind.PAR, social_worker)
        f.report_shared(a, social_worker, on)
        services.assessment_book_panel(assessment=a, panel=sitting, on=on, by=social_worker)
        services.assessment_record_recommendation(
            assessment=a, recommendation="suitable", by=social_worker
        )
    assert [a.household for a in morning.agenda.all()] == [first]
    assert [a.household for a in afternoon.agenda.all()] == [second]


# -- the final minutes and the decision's clock -----------------------------------------------


def approve(assessment, *, on, by):
    return services.assessment_record_decision(
        assessment=assessment,
        decision="approved",
        on=on,
        by=by,
        approved_age_from=0,
        approved_age_to=2,
        approved_number_of_children=1,
    )


def test_the_decision_clock_runs_seven_working_days_from_the_final_minutes(social_worker, manager):
    # The panel sits on Monday 15 December 2025. Before the minutes come, the clock runs
    # from that day: 16, 17, 18, 19, 22, 23, 24 December, so Wednesday 24 December.
    # The final minutes come on Wednesday 17 December: 18, 19, 22, 23, 24 December (1-5);
    # Christmas Day and Boxing Day are bank holidays; 29 December (6), 30 December (7).
    sat_on, minutes_on = date(2025, 12, 15), date(2025, 12, 17)
    household = f.household(social_worker, roi_received_on=date(2025, 9, 1))
    a = f.to_stage(household, Stage.PANEL_BOOKED, social_worker, on=sat_on)
    services.assessment_record_recommendation(
        assessment=a, recommendation="suitable", by=social_worker
    )
    deadline = household.deadlines.get(kind="agency_decision")
    assert (deadline.due_on, deadline.label) == (
        date(2025, 12, 24),
        "Agency decision after adoption panel",
    )
    a.refresh_from_db()
    minutes = f.upload(household, Document.Kind.PANEL_MINUTES, social_worker)
    with pytest.raises(services.TransitionRefused) as refused:
        approve(a, on=date(2025, 12, 16), by=manager)
    assert refused.value.messages == [
        "Record the final panel minutes first: the decision is made from them."
    ]
    services.assessment_record_minutes(
        assessment=a, minutes=minutes, on=minutes_on, by=social_worker
    )
    deadline = household.deadlines.get(kind="agency_decision")
    assert (deadline.due_on, deadline.label) == (
        date(2025, 12, 30),
        "Agency decision after adoption panel (from the final minutes)",
    )
    with pytest.raises(services.TransitionRefused) as refused:
        approve(a, on=date(2025, 12, 16), by=manager)
    assert refused.value.messages == [
        f"The decision cannot come before the final minutes were received, on {day(minutes_on)}."
    ]
    approve(a, on=date(2025, 12, 29), by=manager)
    a.refresh_from_db()
    assert a.stage == Stage.APPROVED
    assert not household.deadlines.filter(kind="agency_decision").exists()


def test_minutes_must_be_this_households_panel_minutes(social_worker, make_staff):
    on = date(2025, 3, 3)
    household = f.household(social_worker, roi_received_on=date(2025, 1, 2))
    a = f.to_stage(household, Stage.PANEL_BOOKED, social_worker, on=on)
    services.assessment_record_recommendation(
        assessment=a, recommendation="suitable", by=social_worker
    )
    report = f.upload(household, Document.Kind.PAR, social_worker)
    other = f.household(make_staff(Role.SOCIAL_WORKERS))
    elsewhere = f.upload(other, Document.Kind.PANEL_MINUTES, social_worker)
    for document in (report, elsewhere):
        with pytest.raises(services.TransitionRefused) as refused:
            services.assessment_record_minutes(
                assessment=a, minutes=document, on=on, by=social_worker
            )
        assert refused.value.messages == ["Choose panel minutes uploaded to this household."]
    assert not a.panel_minutes.exists()


def test_the_final_minutes_are_recorded_once_and_then_no_longer_offered(client, social_worker):
    # Panel on Monday 3 March 2025; the final minutes come on Wednesday 5 March.
    on = date(2025, 3, 3)
    household = f.household(social_worker, roi_received_on=date(2025, 1, 2))
    a = f.to_stage(household, Stage.PANEL_BOOKED, social_worker, on=on)
    services.assessment_record_recommendation(
        assessment=a, recommendation="suitable", by=social_worker
    )
    minutes = f.upload(household, Document.Kind.PANEL_MINUTES, social_worker)
    client.force_login(social_worker)
    page_url = reverse("admin:carers_household_change", args=[household.pk])
    action_url = reverse(
        "admin:carers_household_action", args=[household.pk, a.pk, "record_minutes"]
    )
    assert action_url in client.get(page_url).content.decode()
    form = {"on": "2025-03-05", "minutes": str(minutes.pk)}
    assert client.post(action_url, form).status_code == 302
    assert [(m.received_on, m.document) for m in a.panel_minutes.all()] == [
        (date(2025, 3, 5), minutes)
    ]
    # Recorded: the button is gone from the household's page ...
    assert action_url not in client.get(page_url).content.decode()
    # ... and its page, asked for all the same, refuses in words, and so does a POST.
    refusal = (
        "The final panel minutes of this item were already recorded: received on "
        "5 March 2025. The agency decision&#x27;s clock runs from that day."
    )
    assert refusal in client.get(action_url).content.decode()
    page = client.post(action_url, {**form, "on": "2025-03-06"})
    assert refusal in page.content.decode()
    assert [m.received_on for m in a.panel_minutes.all()] == [date(2025, 3, 5)]
    with pytest.raises(services.TransitionRefused) as refused:
        services.assessment_record_minutes(
            assessment=a, minutes=minutes, on=date(2025, 3, 6), by=social_worker
        )
    assert refused.value.message == refusal.replace("&#x27;", "'")


# -- the members of a sitting are frozen once it has recommended ------------------------------


def test_attendance_is_frozen_once_a_recommendation_is_recorded_at_the_sitting(
    client, social_worker
):
    on = date(2025, 3, 3)
    household = f.household(social_worker, roi_received_on=date(2025, 1, 2))
    a = f.to_stage(household, Stage.PANEL_BOOKED, social_worker, on=on)
    sitting = a.panel
    url = reverse("admin:carers_panelsitting_change", args=[sitting.pk])
    client.force_login(social_worker)
    # Before the recommendation the members may change: the inline offers its rows.
    assert 'name="attendance-0-present"' in client.get(url).content.decode()
    services.assessment_record_recommendation(
        assessment=a, recommendation="suitable", by=social_worker
    )
    frozen = (
        f"The members of this sitting can no longer change: the panel&#x27;s recommendation on "
        f"{household} (adoption) was recorded from the quorum of those present."
    )
    page = client.get(url).content.decode()
    assert "Quorate: the members present meet the quorum" in page
    assert frozen in page
    # Shown, not offered: no field to untick a member's presence, none to add one.
    assert 'name="attendance-0-present"' not in page
    assert "Add another member of the sitting" not in page
    # A POST that tries all the same (the chair marked absent) changes nothing.
    chair = sitting.attendance.select_related("member").get(member__role=R.CHAIR)
    data = form_data(page, "panelsitting_form")
    data |= {
        "attendance-TOTAL_FORMS": "1",
        "attendance-INITIAL_FORMS": "1",
        "attendance-0-id": str(chair.pk),
        "attendance-0-member": str(chair.member_id),
        "attendance-0-DELETE": "on",
    }
    client.post(url, data)
    assert sitting.attendance.filter(present=True).count() == 5
    # The services refuse in words, whoever calls them.
    chair.present = False
    with pytest.raises(services.TransitionRefused) as refused:
        panel_services.panel_attendance_save(attendance=chair, by=social_worker)
    assert refused.value.message == frozen.replace("&#x27;", "'")
    with pytest.raises(services.TransitionRefused):
        panel_services.panel_attendance_remove(attendance=chair, by=social_worker)
    assert sitting.attendance.filter(present=True).count() == 5


def test_a_sitting_that_has_recommended_keeps_its_date_and_kind(client, manager, social_worker):
    """The decision's clock and the check that it was the right panel read the sitting's
    day and kind: once it has recommended they stand (its venue and notes may change)."""
    on = date(2025, 3, 3)
    household = f.household(social_worker, roi_received_on=date(2025, 1, 2))
    a = f.to_stage(household, Stage.PANEL_BOOKED, social_worker, on=on)
    sitting = a.panel
    url = reverse("admin:carers_panelsitting_change", args=[sitting.pk])
    client.force_login(manager)
    # Before the recommendation the date may move (the panel was put back a day).
    data = form_data(client.get(url).content.decode(), "panelsitting_form")
    moved_on = sitting.sits_on + timedelta(days=1)
    assert client.post(url, {**data, "sits_on": moved_on.isoformat()}).status_code == 302
    sitting.refresh_from_db()
    assert sitting.sits_on == moved_on
    services.assessment_record_recommendation(
        assessment=a, recommendation="suitable", by=social_worker
    )
    data = form_data(client.get(url).content.decode(), "panelsitting_form")
    answer = client.post(
        url, {**data, "sits_on": (moved_on + timedelta(days=1)).isoformat(), "kind": "fostering"}
    )
    assert answer.status_code == 200
    assert (
        "The date and kind of this sitting can no longer change: a recommendation was "
        "recorded at it, and its clocks run from them."
    ) in answer.content.decode()
    sitting.refresh_from_db()
    assert (sitting.sits_on, sitting.kind) == (moved_on, PanelSitting.Kind.JOINT)
    assert client.post(url, {**data, "venue": "Room 2"}).status_code == 302
    sitting.refresh_from_db()
    assert (sitting.sits_on, sitting.venue) == (moved_on, "Room 2")


# -- panel papers for members -----------------------------------------------------------------


def pdf_pages(data: bytes, tmp_path) -> list[str]:
    """The text of each page, as pdftotext reads it (pages end with a form feed)."""
    require(shutil.which("pdftotext") is not None, "pdftotext is missing: install poppler-utils")
    path = tmp_path / "paper.pdf"
    path.write_bytes(data)
    out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True).stdout
    return [" ".join(page.split()) for page in out.split("\f") if page.strip()]


def booked(social_worker, sitting):
    household = f.household(social_worker, roi_received_on=timezone.localdate())
    a = f.to_stage(household, Stage.STAGE_2, social_worker)
    f.complete_training(household, ["stage_1_decision", "panel"])
    f.upload(household, Document.Kind.PAR, social_worker)
    f.report_shared(a, social_worker)
    services.assessment_book_panel(
        assessment=a, panel=sitting, on=timezone.localdate(), by=social_worker
    )
    return household


@pytest.fixture
def papers(social_worker, make_staff):
    """Two upcoming sittings, each with its own member and household."""
    soon = timezone.localdate() + timedelta(days=3)
    first = PanelSitting.objects.create(sits_on=soon, kind=JOINT, part="morning")
    second = PanelSitting.objects.create(sits_on=soon, kind=JOINT, part="afternoon")
    pat = make_staff(Role.PANEL_MEMBERS, first_name="Pat", last_name="Panel")
    quinn = make_staff(Role.PANEL_MEMBERS, first_name="Quinn", last_name="Other")
    pat_member = f.panel_member("Pat Panel", account=pat, independent=True)
    quinn_member = f.panel_member("Quinn Other", account=quinn)
    f.seat(first, [pat_member])
    f.seat(second, [quinn_member])
    return {
        "pat": pat,
        "quinn": quinn,
        "first": first,
        "second": second,
        "mine": booked(social_worker, first),
        "theirs": booked(social_worker, second),
    }


PAPERS_URL = "/admin/carers/panelsitting/papers/"


def paper_links(html: str) -> list[str]:
    return re.findall(r'href="(/admin/carers/panelsitting/papers/[^"]+/paper\.pdf)"', html)


def test_a_member_sees_only_the_papers_of_their_sittings(client, papers, tmp_path, mailoutbox):
    client.force_login(papers["pat"])
    home = client.get("/admin/").content.decode()
    assert PAPERS_URL in home
    html = client.get(PAPERS_URL).content.decode()
    assert papers["mine"].reference in html
    assert papers["theirs"].reference not in html
    assert str(papers["second"]) not in html
    (link,) = paper_links(html)
    notifications = Notification.objects.count()

    response = client.get(link)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    pages = pdf_pages(response.content, tmp_path)
    assert pages
    for page in pages:  # the watermark: the member's name on every page
        assert "Copy for Pat Panel" in page
    assert f"Panel paper: household {papers['mine'].reference}" in pages[0]
    # The member's copy is as accessible as the staff copy: tagged, PDF/UA, its running
    # text (the name included) marked as artifacts.
    assert_accessible_pdf(
        response.content, title=f"Panel paper: household {papers['mine'].reference}"
    )
    opened = LogEntry.objects.get_for_object(papers["mine"]).latest("id")
    assert (opened.actor, opened.additional_data["action"]) == (
        papers["pat"],
        "carers.panel_paper.opened",
    )
    # No papers by email: nothing queued, nothing sent.
    assert Notification.objects.count() == notifications
    assert mailoutbox == []


def test_another_members_link_is_refused(client, papers):
    client.force_login(papers["quinn"])
    (quinns,) = paper_links(client.get(PAPERS_URL).content.decode())
    client.force_login(papers["pat"])
    response = client.get(quinns)
    assert response.status_code == 200  # the page opens and says why
    assert "This link is for another panel member." in response.content.decode()
    tampered = quinns.replace("/paper.pdf", "x/paper.pdf")
    assert "This link to a panel paper is not valid." in client.get(tampered).content.decode()


def test_the_link_expires_after_the_sitting(client, papers):
    client.force_login(papers["pat"])
    (link,) = paper_links(client.get(PAPERS_URL).content.decode())
    assert client.get(link).status_code == 200
    sat_on = timezone.localdate() - timedelta(days=1)
    PanelSitting.objects.filter(pk=papers["first"].pk).update(sits_on=sat_on)
    response = client.get(link)
    assert response.status_code == 200  # the page opens and says why
    assert f"This link expired after the sitting on {day(sat_on)}." in response.content.decode()
    assert papers["mine"].reference not in client.get(PAPERS_URL).content.decode()


def test_a_household_taken_off_the_agenda_takes_its_paper_with_it(client, papers, social_worker):
    client.force_login(papers["pat"])
    (link,) = paper_links(client.get(PAPERS_URL).content.decode())
    a = papers["mine"].assessments.get(track="adoption")
    services.assessment_defer_panel(
        assessment=a, on=timezone.localdate(), by=social_worker, note="Report not ready."
    )
    response = client.get(link)
    assert "That household is no longer on the sitting&#x27;s agenda." in response.content.decode()


def test_staff_without_the_role_have_no_papers_page(client, papers, social_worker):
    client.force_login(social_worker)
    assert client.get(PAPERS_URL).status_code == 403
    client.force_login(papers["pat"])
    # A panel member opens nothing else of the staff area.
    for url in (
        "/admin/carers/household/",
        "/admin/carers/panelsitting/",
        "/admin/carers/panelmember/",
    ):
        assert client.get(url).status_code == 403, url


def test_a_panel_member_signs_in_with_mfa_like_staff(client, make_staff):
    member_without_mfa = make_staff(Role.PANEL_MEMBERS, mfa=False)
    client.force_login(member_without_mfa)
    response = client.get(PAPERS_URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_activate_totp"))


def papers_page_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(PAPERS_URL)
    assert response.status_code == 200
    return len(queries)


def test_the_papers_page_query_count_does_not_grow(client, papers, social_worker):
    client.force_login(papers["pat"])
    papers_page_queries(client)
    few = papers_page_queries(client)
    pat_member = papers["pat"].panel_member
    for n in range(4):
        sitting = PanelSitting.objects.create(
            sits_on=timezone.localdate() + timedelta(days=10 + n), kind=JOINT
        )
        f.seat(sitting, [pat_member])
        booked(social_worker, sitting)
        booked(social_worker, sitting)
    html = client.get(PAPERS_URL).content.decode()
    assert len(paper_links(html)) == 9
    assert papers_page_queries(client) == few

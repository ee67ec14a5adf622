"""Segregation of duties: whoever assessed a household (its social worker, or whoever
recorded the start of the assessment proper) cannot record its agency decision, even
with the permission: the decision page and the service refuse in words. Another team
manager records it. Nor may a member of the panel sitting that made the recommendation
(marked present there) decide; and each track has its own decision maker's permission."""

from datetime import date

import pytest
from django.urls import reverse

from carers import services
from carers.models import Assessment, Stage
from portal.models import Team
from portal.roles import Role
from tests.carers import factories as f
from tests.conftest import TEST_TEAM

pytestmark = pytest.mark.django_db

REFUSED = "The agency decision maker cannot be the household's assessing social worker."
REFUSED_ON_A_PAGE = (
    "The agency decision maker cannot be the household&#x27;s assessing social worker."
)
ROI = date(2025, 1, 2)
ON = date(2025, 3, 3)
DECIDED_ON = date(2025, 3, 10)


def decision_url(household, assessment) -> str:
    return reverse(
        "admin:carers_household_action", args=[household.pk, assessment.pk, "record_decision"]
    )


def decide(assessment, by):
    return services.assessment_record_decision(
        assessment=assessment,
        decision=Assessment.Decision.APPROVED,
        on=DECIDED_ON,
        by=by,
        approved_age_from=0,
        approved_age_to=2,
        approved_number_of_children=1,
    )


DECISION_FORM = {
    "on": "2025-03-10",
    "decision": "approved",
    "approved_age_from": "0",
    "approved_age_to": "2",
    "approved_number_of_children": "1",
}


@pytest.fixture
def assessing_manager(make_staff):
    """A team manager who is also the household's assessing social worker."""
    return make_staff(Role.TEAM_MANAGERS, first_name="Ash", last_name="Assessor")


@pytest.fixture
def recommended(assessing_manager):
    # The assessor holds the case as a member of the team, whose other managers see it.
    Team.objects.get(name=TEST_TEAM).members.add(assessing_manager)
    household = f.household(assessing_manager, roi_received_on=ROI)
    f.to_stage(household, Stage.PANEL_RECOMMENDED, assessing_manager, on=ON)
    return household


def test_the_service_refuses_the_households_social_worker(recommended, assessing_manager):
    a = f.adoption(recommended)
    with pytest.raises(services.TransitionRefused) as refused:
        decide(a, assessing_manager)
    assert refused.value.messages == [REFUSED]
    a.refresh_from_db()
    assert (a.stage, a.agency_decision, a.agency_decision_by) == (
        Stage.PANEL_RECOMMENDED,
        "",
        None,
    )


def test_another_team_manager_records_the_decision(recommended, manager):
    a = decide(f.adoption(recommended), manager)
    assert (a.stage, a.agency_decision_on, a.agency_decision_by) == (
        Stage.APPROVED,
        date(2025, 3, 10),
        manager,
    )


def test_the_decision_page_refuses_the_assessor_in_words(client, recommended, assessing_manager):
    a = f.adoption(recommended)
    client.force_login(assessing_manager)
    page = client.get(decision_url(recommended, a))
    assert page.status_code == 200
    html = page.content.decode()
    assert REFUSED_ON_A_PAGE in html
    assert 'name="decision"' not in html
    posted = client.post(decision_url(recommended, a), DECISION_FORM)
    assert REFUSED_ON_A_PAGE in posted.content.decode()
    a.refresh_from_db()
    assert a.stage == Stage.PANEL_RECOMMENDED
    # The household's page shows the button greyed out, with the reason.
    household_page = client.get(reverse("admin:carers_household_change", args=[recommended.pk]))
    assert REFUSED_ON_A_PAGE in household_page.content.decode()


def test_the_decision_page_lets_another_manager_decide(client, recommended, manager):
    a = f.adoption(recommended)
    client.force_login(manager)
    page = client.get(decision_url(recommended, a)).content.decode()
    assert REFUSED_ON_A_PAGE not in page
    assert 'name="decision"' in page
    response = client.post(decision_url(recommended, a), DECISION_FORM)
    assert response.status_code == 302
    a.refresh_from_db()
    assert (a.stage, a.agency_decision_by) == (Stage.APPROVED, manager)


def test_whoever_recorded_the_start_of_stage_2_is_an_assessor(social_worker, make_staff):
    started_it = make_staff(Role.TEAM_MANAGERS)
    other = make_staff(Role.TEAM_MANAGERS)
    household = f.household(social_worker, roi_received_on=ROI)
    f.to_stage(household, Stage.STAGE_1_COMPLETE, social_worker, on=ON)
    a = f.adoption(household)
    services.assessment_start_stage_2(assessment=a, on=ON, by=started_it)
    f.to_stage(household, Stage.PANEL_RECOMMENDED, social_worker, on=ON)
    with pytest.raises(services.TransitionRefused) as refused:
        decide(a, started_it)
    assert refused.value.message == REFUSED
    assert decide(a, other).stage == Stage.APPROVED


def test_even_a_superuser_who_assessed_is_refused(make_staff):
    assessor = make_staff(superuser=True)
    household = f.household(assessor, roi_received_on=ROI)
    f.to_stage(household, Stage.PANEL_RECOMMENDED, assessor, on=ON)
    with pytest.raises(services.TransitionRefused) as refused:
        decide(f.adoption(household), assessor)
    assert refused.value.messages == [REFUSED]


# -- the decision maker did not sit on the panel, and decides for their track only ------------

ON_THE_PANEL = (
    "The agency decision maker cannot be a member of the panel sitting that made the "
    "recommendation: you are a member of it. Another decision maker records it."
)


@pytest.fixture
def sat_on_the_panel(make_staff):
    """A team manager who is also on the central list of panel members."""
    return make_staff(Role.TEAM_MANAGERS, first_name="Pen", last_name="Panellist")


@pytest.fixture
def heard(social_worker, sat_on_the_panel):
    household = f.household(social_worker, roi_received_on=ROI)
    a = f.to_stage(household, Stage.PANEL_RECOMMENDED, social_worker, on=ON)
    member = f.panel_member("Pen Panellist", account=sat_on_the_panel)
    f.seat(a.panel, [member])
    return household


def test_a_member_of_the_sitting_cannot_decide(heard, sat_on_the_panel, manager):
    a = f.adoption(heard)
    with pytest.raises(services.TransitionRefused) as refused:
        decide(a, sat_on_the_panel)
    assert refused.value.messages == [ON_THE_PANEL]
    a.refresh_from_db()
    assert (a.stage, a.agency_decision_by) == (Stage.PANEL_RECOMMENDED, None)
    assert decide(a, manager).agency_decision_by == manager


def test_a_member_who_sent_apologies_is_still_a_member_and_may_not_decide(heard, sat_on_the_panel):
    # AAR 2005 reg 30B(3): "No member of the adoption panel may take part in any decision";
    # apologies for one sitting do not end a member's membership of the panel.
    a = f.adoption(heard)
    f.seat(a.panel, [sat_on_the_panel.panel_member], present=False)
    with pytest.raises(services.TransitionRefused) as refused:
        decide(a, sat_on_the_panel)
    assert refused.value.messages == [ON_THE_PANEL]


def test_the_decision_page_refuses_a_member_of_the_sitting_in_words(
    client, heard, sat_on_the_panel
):
    a = f.adoption(heard)
    client.force_login(sat_on_the_panel)
    page = client.get(decision_url(heard, a)).content.decode()
    assert ON_THE_PANEL.replace("'", "&#x27;") in page
    assert 'name="decision"' not in page
    client.post(decision_url(heard, a), DECISION_FORM)
    a.refresh_from_db()
    assert a.stage == Stage.PANEL_RECOMMENDED


def test_each_track_has_its_own_decision_maker(make_staff, social_worker):
    """An agency may give the adoption and the fostering decisions to different people."""
    from django.contrib.auth.models import Permission

    household = f.household(social_worker, roi_received_on=ROI)
    adoption = f.to_stage(household, Stage.PANEL_RECOMMENDED, social_worker, on=ON)
    fostering_decider = make_staff(first_name="Fay", last_name="Fostering")
    fostering_decider.user_permissions.add(
        Permission.objects.get(codename="record_fostering_decision")
    )
    with pytest.raises(services.TransitionRefused) as refused:
        decide(adoption, fostering_decider)
    assert refused.value.messages == [
        "Only the agency decision maker for adoption records this decision."
    ]
    adoption_decider = make_staff(first_name="Ade", last_name="Adoption")
    adoption_decider.user_permissions.add(
        Permission.objects.get(codename="record_adoption_decision")
    )
    assert decide(adoption, adoption_decider).agency_decision_by == adoption_decider

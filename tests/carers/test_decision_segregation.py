"""Segregation of duties: whoever assessed a household (its social worker, or whoever
recorded the start of the assessment proper) cannot record its agency decision, even
with the permission: the decision page and the service refuse in words. Another team
manager records it."""

from datetime import date

import pytest
from django.urls import reverse

from carers import services
from carers.models import Assessment, Stage
from portal.roles import Role
from tests.carers import factories as f

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

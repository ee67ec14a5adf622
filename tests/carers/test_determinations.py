"""A refusal is first a proposal (a qualifying determination): the applicants' window,
representations or the Independent Review Mechanism, then the final decision; and the
assessment report shared with the applicants before panel.

Every date below is worked out by hand on the England and Wales bank holidays (Christmas
2025: 25, 26 December and 1 January; Easter 2026: Good Friday 3 April and Easter Monday
6 April; early May bank holiday: Monday 4 May 2026), never with the calendar module.
"""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from carers import clocks, services
from carers.models import Assessment, Deadline, Document, Household, Stage
from tests.carers import factories as f

pytestmark = pytest.mark.django_db

ROI = date(2026, 1, 5)
PANEL = date(2026, 2, 27)
SENT = date(2026, 3, 2)  # a Monday
TERMS = {"approved_age_from": 0, "approved_age_to": 2, "approved_number_of_children": 1}


# -- the windows, on hand-worked dates ---------------------------------------------------


# AAR 2005 reg 30B(5)(c): 40 working days beginning with the day the notice is sent.
# Sent Monday 2 March 2026 (day 1): 2-6 March days 1-5, 9-13 6-10, 16-20 11-15, 23-27
# 16-20, 30 March-2 April 21-24 (Good Friday 3 April and Easter Monday 6 April do not
# count), 7-10 April 25-28, 13-17 29-33, 20-24 34-38, Monday 27 April 39, Tuesday 28
# April 40. Sent on Boxing Day, Friday 26 December 2025, the first working day after it is
# day 1: 29-31 December 1-3 (1 January does not count), 2 January 4, 5-9 January 5-9,
# 12-16 10-14, 19-23 15-19, 26-30 20-24, 2-6 February 25-29, 9-13 30-34, 16-20 35-39,
# Monday 23 February 40.
@pytest.mark.parametrize(
    "sent, last_day",
    [(SENT, date(2026, 4, 28)), (date(2025, 12, 26), date(2026, 2, 23))],
)
def test_adopters_window_is_40_working_days_beginning_with_the_notice(sent, last_day):
    assert clocks.representations_due(sent, adoption=True) == last_day


# FS(E)R 2011 reg 27(6)(b): within 28 days of the notice. Sent on Good Friday, 3 April
# 2026: 3 + 28 = 31 April, that is 1 May; bank holidays make no difference.
def test_foster_carers_window_is_28_days_even_across_easter():
    assert clocks.representations_due(date(2026, 4, 3), adoption=False) == date(2026, 5, 1)


# FS(E)R 2011 reg 29(2): within ten working days of receipt of the notification (the day
# of receipt not counted). Told on Thursday 2 April 2026: Good Friday and Easter Monday
# do not count; 7-10 April 1-4, 13-17 5-9, Monday 20 April 10.
def test_documents_go_to_the_irm_within_10_working_days_of_receipt():
    assert clocks.irm_documents_due(date(2026, 4, 2)) == date(2026, 4, 20)


# AAR 2005 reg 30(2): 10 working days beginning with the day the report is sent. Sent on
# Christmas Eve, Wednesday 24 December 2025 (day 1): 29-31 December 2-4, 2 January 5,
# 5-9 January 6-10: Friday 9 January 2026.
def test_observations_on_the_report_have_10_working_days_beginning_with_the_sending():
    assert clocks.report_observations_due(date(2025, 12, 24)) == date(2026, 1, 9)


# -- the journey -------------------------------------------------------------------------


@pytest.fixture
def recommended(social_worker):
    """Both tracks recommended by the panel on Friday 27 February 2026."""
    household = f.household(social_worker, roi_received_on=ROI)
    f.to_stage(household, Stage.PANEL_BOOKED, social_worker, on=PANEL)
    fostering = f.fostering(household)
    services.assessment_start_form_f(assessment=fostering, on=PANEL, by=social_worker)
    f.upload(household, Document.Kind.FORM_F, social_worker)
    f.report_shared(fostering, social_worker, PANEL)
    services.assessment_book_panel(
        assessment=fostering, panel=f.panel(sits_on=PANEL), on=PANEL, by=social_worker
    )
    for a in (f.adoption(household), fostering):
        services.assessment_record_recommendation(
            assessment=a, recommendation=Assessment.Recommendation.NOT_SUITABLE, by=social_worker
        )
        # The decision maker proposes the refusal from the final minutes.
        f.record_minutes(a, social_worker, on=PANEL)
    return household


def reasons(household, by):
    return f.upload(household, Document.Kind.REFUSAL_REASONS, by, name="notice.pdf")


def propose(household, track_assessment, manager, on=SENT):
    return services.determination_propose(
        assessment=track_assessment, on=on, reasons=reasons(household, manager), by=manager
    )


def deadlines(household, kind):
    return list(
        Deadline.objects.filter(household=household, kind=kind).values_list("due_on", flat=True)
    )


def test_not_approving_after_panel_is_refused_as_a_final_decision(recommended, manager):
    with pytest.raises(services.TransitionRefused) as refused:
        services.assessment_record_decision(
            assessment=f.adoption(recommended),
            decision=Assessment.Decision.NOT_APPROVED,
            on=SENT,
            by=manager,
        )
    assert "A refusal is first a proposal" in refused.value.message
    assert f.adoption(recommended).stage == Stage.PANEL_RECOMMENDED


def test_an_adopters_refusal_becomes_final_only_after_the_window(recommended, manager):
    a = propose(recommended, f.adoption(recommended), manager)
    assert a.stage == Stage.PROPOSED_REFUSAL
    assert a.agency_decision == ""
    assert deadlines(recommended, Deadline.Kind.REPRESENTATIONS) == [
        date(2026, 4, 28),
        # The fostering track is still awaiting its decision: no window of its own yet.
    ]
    # 7 working days after Tuesday 28 April: 29, 30 April, 1 May, (4 May is a bank
    # holiday) 5, 6, 7, 8 May: Friday 8 May 2026.
    assert deadlines(recommended, Deadline.Kind.FINAL_DECISION) == [date(2026, 5, 8)]

    def decide(on):
        return services.determination_decide(
            assessment=a, decision=Assessment.Decision.NOT_APPROVED, on=on, by=manager
        )

    with pytest.raises(services.TransitionRefused) as refused:
        decide(date(2026, 4, 28))
    assert refused.value.messages == [
        "The applicants have until 28 April 2026 to make representations or apply for a "
        "review (40 working days beginning with the day the notice was sent): the final "
        "decision can be made from 29 April 2026."
    ]
    a = decide(date(2026, 4, 29))
    assert (a.stage, a.agency_decision, a.agency_decision_on) == (
        Stage.NOT_APPROVED,
        Assessment.Decision.NOT_APPROVED,
        date(2026, 4, 29),
    )
    assert deadlines(recommended, Deadline.Kind.REPRESENTATIONS) == []
    assert deadlines(recommended, Deadline.Kind.FINAL_DECISION) == []


def test_an_irm_recommendation_is_considered_before_the_final_decision(
    recommended, manager, social_worker
):
    a = propose(recommended, f.fostering(recommended), manager)
    # 28 days of Monday 2 March: Monday 30 March.
    assert deadlines(recommended, Deadline.Kind.REPRESENTATIONS) == [date(2026, 3, 30)]
    services.determination_record_irm_application(
        assessment=a, on=date(2026, 3, 16), by=social_worker
    )
    # Ten working days of Monday 16 March: 17-20 March 1-4, 23-27 5-9, Monday 30 March 10.
    assert deadlines(recommended, Deadline.Kind.IRM_DOCUMENTS) == [date(2026, 3, 30)]
    assert deadlines(recommended, Deadline.Kind.REPRESENTATIONS) == []
    # Representations and a review are alternatives.
    with pytest.raises(services.TransitionRefused, match="not both"):
        services.determination_record_representations(
            assessment=a, on=date(2026, 3, 20), by=social_worker
        )
    # Long after the window, still no decision without the review panel's recommendation.
    with pytest.raises(services.TransitionRefused) as refused:
        services.determination_decide(
            assessment=a, decision="approved", on=date(2026, 4, 17), by=manager, **TERMS
        )
    assert "record the independent review panel's recommendation first" in refused.value.message
    services.determination_record_irm_documents_sent(
        assessment=a, on=date(2026, 3, 26), by=social_worker
    )
    assert deadlines(recommended, Deadline.Kind.IRM_DOCUMENTS) == []
    services.determination_record_irm_recommendation(
        assessment=a,
        panel_on=date(2026, 4, 20),
        on=date(2026, 4, 22),
        recommendation="suitable",
        by=social_worker,
    )
    # 7 working days after Wednesday 22 April: 23, 24, 27, 28, 29, 30 April, 1 May.
    assert deadlines(recommended, Deadline.Kind.FINAL_DECISION) == [date(2026, 5, 1)]
    with pytest.raises(services.TransitionRefused, match="before 22 April 2026"):
        services.determination_decide(
            assessment=a, decision="approved", on=date(2026, 4, 21), by=manager, **TERMS
        )
    a = services.determination_decide(
        assessment=a, decision="approved", on=date(2026, 4, 24), by=manager, **TERMS
    )
    assert a.stage == Stage.APPROVED
    recommended.refresh_from_db()
    assert recommended.foster_carer_approved_on == date(2026, 4, 24)


def test_foster_carers_representations_go_back_to_the_panel(recommended, manager, social_worker):
    a = propose(recommended, f.fostering(recommended), manager)
    with pytest.raises(services.TransitionRefused, match="The window closed on 30 March 2026"):
        services.determination_record_representations(
            assessment=a, on=date(2026, 3, 31), by=social_worker
        )
    services.determination_record_representations(
        assessment=a, on=date(2026, 3, 30), by=social_worker
    )
    with pytest.raises(services.TransitionRefused, match="go back to the fostering panel"):
        services.determination_decide(
            assessment=a, decision="not_approved", on=date(2026, 4, 2), by=manager
        )
    services.determination_record_panel_reconsideration(
        assessment=a, on=date(2026, 4, 10), recommendation="not_suitable", by=social_worker
    )
    a = services.determination_decide(
        assessment=a, decision="not_approved", on=date(2026, 4, 13), by=manager
    )
    assert a.stage == Stage.NOT_APPROVED


def test_adopters_representations_may_be_decided_on_without_the_panel(
    recommended, manager, social_worker
):
    a = propose(recommended, f.adoption(recommended), manager)
    services.determination_record_representations(
        assessment=a, on=date(2026, 3, 20), by=social_worker
    )
    a = services.determination_decide(
        assessment=a, decision="not_approved", on=date(2026, 3, 23), by=manager
    )
    assert a.stage == Stage.NOT_APPROVED


def test_no_review_when_the_refusal_rests_on_the_criminal_record(recommended, manager):
    a = services.determination_propose(
        assessment=f.adoption(recommended),
        on=SENT,
        reasons=reasons(recommended, manager),
        by=manager,
        irm_excluded=True,
    )
    with pytest.raises(services.TransitionRefused, match=r"reg 30B\(5A\)"):
        services.determination_record_irm_application(assessment=a, on=date(2026, 3, 5), by=manager)


def test_the_applicants_may_withdraw_during_the_window(recommended, manager, social_worker):
    a = propose(recommended, f.adoption(recommended), manager)
    a = services.assessment_withdraw(
        assessment=a, on=date(2026, 3, 9), by=social_worker, note="They withdrew."
    )
    assert a.stage == Stage.WITHDRAWN
    assert deadlines(recommended, Deadline.Kind.REPRESENTATIONS) == []
    assert deadlines(recommended, Deadline.Kind.FINAL_DECISION) == []


def test_the_proposal_needs_the_notice_and_is_dated_in_order(recommended, manager):
    a = f.adoption(recommended)
    with pytest.raises(services.TransitionRefused, match="Upload the notice"):
        services.determination_propose(assessment=a, on=SENT, reasons=None, by=manager)
    other = f.household(manager, roi_received_on=ROI, address_line_1="3 Other Road")
    with pytest.raises(services.TransitionRefused, match="this household's documents"):
        services.determination_propose(
            assessment=a, on=SENT, reasons=reasons(other, manager), by=manager
        )
    with pytest.raises(services.TransitionRefused, match="cannot be before"):
        propose(recommended, a, manager, on=date(2026, 2, 20))
    assert f.adoption(recommended).stage == Stage.PANEL_RECOMMENDED


# -- who may do what ---------------------------------------------------------------------


def action_url(household, assessment, name):
    return reverse("admin:carers_household_action", args=[household.pk, assessment.pk, name])


def test_only_a_decision_maker_who_did_not_assess_proposes_a_refusal(
    client, recommended, social_worker, manager
):
    a = f.adoption(recommended)
    with pytest.raises(services.TransitionRefused, match="Only the agency decision maker"):
        propose(recommended, a, social_worker)
    recommended.social_worker = manager
    recommended.save(update_fields=["social_worker"])
    with pytest.raises(services.TransitionRefused, match="assessing social worker"):
        propose(recommended, a, manager)


def test_the_proposal_and_the_decision_through_the_pages(
    client, recommended, social_worker, manager
):
    a = f.adoption(recommended)
    notice = reasons(recommended, manager)
    url = action_url(recommended, a, "propose_refusal")
    client.force_login(social_worker)
    assert "Only the agency decision maker" in client.get(url).content.decode()
    client.force_login(manager)
    page = client.get(url).content.decode()
    assert 'name="reasons"' in page and 'name="irm_excluded"' in page
    response = client.post(url, {"on": "2026-03-02", "reasons": str(notice.pk)})
    assert response.status_code == 302
    a.refresh_from_db()
    assert a.stage == Stage.PROPOSED_REFUSAL
    # The social worker records what the applicants do; the page shows the window.
    client.force_login(social_worker)
    household_page = client.get(reverse("admin:carers_household_change", args=[recommended.pk]))
    assert "28 April 2026" in household_page.content.decode()
    response = client.post(
        action_url(recommended, a, "record_representations"), {"on": "2026-03-20"}
    )
    assert response.status_code == 302
    final = action_url(recommended, a, "record_final_decision")
    assert "Only the agency decision maker" in client.get(final).content.decode()
    client.force_login(manager)
    response = client.post(final, {"on": "2026-03-23", "decision": "not_approved"})
    assert response.status_code == 302
    a.refresh_from_db()
    assert a.stage == Stage.NOT_APPROVED


def test_the_proposal_page_query_count_does_not_grow_with_documents(client, recommended, manager):
    url = action_url(recommended, f.adoption(recommended), "propose_refusal")
    client.force_login(manager)
    counts = []
    for wanted in (1, 10):
        while recommended.documents.filter(kind=Document.Kind.REFUSAL_REASONS).count() < wanted:
            reasons(recommended, manager)
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            html = client.get(url).content.decode()
        assert html.count('name="reasons"') == 1
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_the_panels_section_query_count_does_not_grow_with_steps(
    client, recommended, manager, social_worker
):
    url = reverse("admin:carers_household_section", args=[recommended.pk, "panels"])
    tracks = [propose(recommended, a, manager) for a in recommended.assessments.all()]
    client.force_login(manager)

    def count():
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            html = client.get(url).content.decode()
        return len(queries), html

    before, html = count()
    assert html.count("Proposed refusal sent") == 2
    for a in tracks:
        services.determination_record_irm_application(
            assessment=a, on=date(2026, 3, 16), by=social_worker
        )
        services.determination_record_irm_documents_sent(
            assessment=a, on=date(2026, 3, 20), by=social_worker
        )
        services.determination_record_irm_recommendation(
            assessment=a,
            panel_on=date(2026, 4, 20),
            on=date(2026, 4, 22),
            recommendation="not_suitable",
            document=f.upload(recommended, Document.Kind.IRM_RECOMMENDATION, social_worker),
            by=social_worker,
        )
    after, html = count()
    assert html.count("Not suitable to be approved (sat 20 April 2026") == 2
    assert before == after


# -- the report before panel -------------------------------------------------------------


def test_the_panel_waits_for_the_applicants_observations_on_the_report(social_worker):
    household = f.household(social_worker, roi_received_on=date(2025, 11, 3))
    f.to_stage(household, Stage.STAGE_2, social_worker, on=date(2025, 12, 1))
    f.complete_training(household, ["stage_1_decision", "panel"], date(2025, 12, 1))
    f.upload(household, Document.Kind.PAR, social_worker)
    a = f.adoption(household)
    sitting = f.panel(sits_on=date(2026, 1, 20))

    def book(on):
        return services.assessment_book_panel(assessment=a, panel=sitting, on=on, by=social_worker)

    with pytest.raises(services.TransitionRefused, match="for their observations first"):
        book(date(2025, 12, 24))
    services.assessment_share_report(assessment=a, on=date(2025, 12, 24), by=social_worker)
    assert deadlines(household, Deadline.Kind.REPORT_OBSERVATIONS) == [date(2026, 1, 9)]
    with pytest.raises(services.TransitionRefused, match="until 9 January 2026"):
        book(date(2026, 1, 9))
    assert book(date(2026, 1, 12)).stage == Stage.PANEL_BOOKED
    assert deadlines(household, Deadline.Kind.REPORT_OBSERVATIONS) == []


def test_observations_received_let_the_panel_be_booked_at_once(social_worker):
    household = f.household(social_worker, roi_received_on=date(2025, 11, 3))
    f.to_stage(household, Stage.STAGE_2, social_worker, on=date(2025, 12, 1))
    f.complete_training(household, ["stage_1_decision", "panel"], date(2025, 12, 1))
    f.upload(household, Document.Kind.PAR, social_worker)
    a = f.adoption(household)
    services.assessment_share_report(assessment=a, on=date(2025, 12, 24), by=social_worker)
    with pytest.raises(services.TransitionRefused, match="before the report was sent"):
        services.assessment_record_observations(
            assessment=a, on=date(2025, 12, 23), by=social_worker
        )
    services.assessment_record_observations(assessment=a, on=date(2025, 12, 30), by=social_worker)
    a = services.assessment_book_panel(
        assessment=a,
        panel=f.panel(sits_on=date(2026, 1, 20)),
        on=date(2025, 12, 30),
        by=social_worker,
    )
    assert a.stage == Stage.PANEL_BOOKED
    assert Household.objects.get(pk=household.pk).status == Household.Status.ASSESSING


def test_a_notice_withdrawn_by_mistake_leaves_the_proposal_and_the_household_deletable(
    recommended, manager
):
    a = propose(recommended, f.adoption(recommended), manager)
    notice = a.determination.reasons
    # Documents are withdrawn, never deleted (portal.versions): the proposal keeps its
    # notice, readable in the household's history.
    services.document_withdraw(document=notice, reason="Uploaded twice.", by=manager)
    a.refresh_from_db()
    assert (a.stage, a.determination.reasons_id) == (Stage.PROPOSED_REFUSAL, notice.pk)
    # Erased at the end of its retention period, the household goes with all of it.
    Household.objects.filter(pk=recommended.pk).delete()
    assert not Household.objects.filter(pk=recommended.pk).exists()

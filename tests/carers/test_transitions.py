"""Every allowed and every refused move on both tracks, and what each guard says."""

from datetime import date, timedelta

import pytest
from auditlog.models import LogEntry
from dateutil.relativedelta import relativedelta
from django.utils import timezone

from carers import services
from carers.models import (
    ADOPTION_STAGES,
    FOSTERING_STAGES,
    Assessment,
    Document,
    Household,
    HouseholdMember,
    PanelMinutes,
    PanelSitting,
    Stage,
    StageChange,
    StatutoryCheck,
    Track,
)
from carers.services import TransitionRefused
from tests.carers import factories as f

pytestmark = pytest.mark.django_db

A, F = Track.ADOPTION, Track.FOSTERING

# The steps after a proposed refusal (``services.determinations``; their own tests in
# test_determinations.py, which set up the proposal they need).
DETERMINATION_STEPS = {
    "record_representations",
    "record_panel_reconsideration",
    "record_irm_application",
    "record_irm_documents_sent",
    "record_irm_recommendation",
    "record_final_decision",
}
# The specification: which actions each stage offers. Closed stages offer nothing.
EXPECTED_ACTIONS = {
    (A, Stage.ROI_RECEIVED): {"accept_roi", "decline_roi", "withdraw"},
    (A, Stage.ROI_ACCEPTED): {"start_stage_1", "fast_track", "withdraw"},
    (A, Stage.STAGE_1): {"record_stage_1_plan", "complete_stage_1", "end_at_stage_1", "withdraw"},
    (A, Stage.STAGE_1_COMPLETE): {"pause", "start_stage_2", "withdraw"},
    (A, Stage.PAUSED): {"start_stage_2", "restart_stage_1", "withdraw"},
    (A, Stage.STAGE_2): {
        "extend_stage_2",
        "share_report",
        "record_observations",
        "book_panel",
        "withdraw",
    },
    (A, Stage.PANEL_BOOKED): {
        "extend_stage_2",
        "record_recommendation",
        "defer_panel",
        "withdraw",
    },
    # ``force`` records the item's final minutes, so recording them is no longer offered
    # (test_panels: before they arrive it is, and the decision is not).
    (A, Stage.PANEL_RECOMMENDED): {
        "extend_stage_2",
        "record_decision",
        "propose_refusal",
        "withdraw",
    },
    (A, Stage.PROPOSED_REFUSAL): {*DETERMINATION_STEPS, "withdraw"},
    (F, Stage.NOT_STARTED): {"start_form_f", "withdraw"},
    (F, Stage.FORM_F): {"share_report", "record_observations", "book_panel", "withdraw"},
    (F, Stage.PANEL_BOOKED): {"record_recommendation", "defer_panel", "withdraw"},
    (F, Stage.PANEL_RECOMMENDED): {
        "record_decision",
        "propose_refusal",
        "withdraw",
    },
    (F, Stage.PROPOSED_REFUSAL): {*DETERMINATION_STEPS, "withdraw"},
}
ALL_STATES = [(A, s) for s in ADOPTION_STAGES] + [(F, s) for s in FOSTERING_STAGES]

# Where each allowed action leads (the decision is recorded as "approved" here).
EXPECTED_TARGET = {
    "accept_roi": Stage.ROI_ACCEPTED,
    "decline_roi": Stage.NOT_PROCEEDING,
    "start_stage_1": Stage.STAGE_1,
    "complete_stage_1": Stage.STAGE_1_COMPLETE,
    "end_at_stage_1": Stage.NOT_PROCEEDING,
    "pause": Stage.PAUSED,
    "start_stage_2": Stage.STAGE_2,
    "fast_track": Stage.STAGE_2,
    "restart_stage_1": Stage.STAGE_1,
    "start_form_f": Stage.FORM_F,
    "book_panel": Stage.PANEL_BOOKED,
    "record_recommendation": Stage.PANEL_RECOMMENDED,
    "record_decision": Stage.APPROVED,
    "withdraw": Stage.WITHDRAWN,
}
DEFER_TARGET = {A: Stage.STAGE_2, F: Stage.FORM_F}
# Actions that record a fact without moving the stage.
NOT_MOVES = {
    "record_stage_1_plan",
    "extend_stage_2",
    "share_report",
    "record_observations",
    "record_minutes",
}


def kwargs_for(action, today, household=None):
    if action == "record_minutes":
        minutes = f.upload(household, Document.Kind.PANEL_MINUTES, None, name="minutes.pdf")
        return {"on": today, "minutes": minutes}
    return {
        "accept_roi": {"on": today},
        "decline_roi": {"on": today, "note": "Lives too far away."},
        "start_stage_1": {"on": today},
        "record_stage_1_plan": {"agreed_on": today},
        "complete_stage_1": {"on": today},
        "end_at_stage_1": {"on": today, "note": "Not suitable at this time."},
        "pause": {"on": today},
        "start_stage_2": {"on": today},
        "fast_track": {"on": today, "basis": "approved_foster_carer", "since": today},
        "restart_stage_1": {"on": today},
        "extend_stage_2": {"until": today + relativedelta(months=6), "note": "At their request."},
        "start_form_f": {"on": today},
        "book_panel": {"on": today, "panel": f.panel(sits_on=today)},
        "defer_panel": {"on": today, "note": "Report not ready."},
        "record_recommendation": {"recommendation": Assessment.Recommendation.SUITABLE},
        "record_decision": {
            "on": today,
            "decision": Assessment.Decision.APPROVED,
            "approved_age_from": 0,
            "approved_age_to": 2,
            "approved_number_of_children": 1,
        },
        "withdraw": {"on": today, "note": "They have decided not to go on."},
        "share_report": {"on": today},
        "record_observations": {"on": today},
        "propose_refusal": {"on": today, "reasons": None},
        "record_representations": {"on": today},
        "record_panel_reconsideration": {"on": today, "recommendation": "suitable"},
        "record_irm_application": {"on": today},
        "record_irm_documents_sent": {"on": today},
        "record_irm_recommendation": {"on": today, "panel_on": today, "recommendation": "suitable"},
        "record_final_decision": {
            "on": today,
            "decision": Assessment.Decision.APPROVED,
            "approved_age_from": 0,
            "approved_age_to": 2,
            "approved_number_of_children": 1,
        },
    }[action]


@pytest.fixture
def ready(social_worker):
    """A household with everything a guard could ask for: checks, training, reports."""
    today = timezone.localdate()
    household = f.household(social_worker, roi_received_on=today)
    f.to_stage(household, Stage.STAGE_1, social_worker)
    services.assessment_record_stage_1_plan(
        assessment=f.adoption(household), agreed_on=today, by=social_worker
    )
    f.receive_all_checks(household)
    f.complete_training(household)
    f.upload(household, Document.Kind.PAR, social_worker)
    f.upload(household, Document.Kind.FORM_F, social_worker)
    # The reports went to the applicants, whose observations came back (``reports``).
    household.assessments.update(report_shared_on=today, observations_received_on=today)
    return household


@pytest.fixture
def bare(social_worker):
    """A plain new household: enough where only the stage matters."""
    return f.household(social_worker)


def force(assessment, stage, **fields):
    """Test set-up only: put an assessment straight into a stage."""
    today = timezone.localdate()
    values = {"stage": stage, "stage_entered_on": today, **fields}
    if stage in (Stage.STAGE_1_COMPLETE, Stage.PAUSED, Stage.STAGE_2, Stage.PANEL_BOOKED):
        values.setdefault("stage_1_decision_on", today)
    if stage in (Stage.STAGE_2, Stage.PANEL_BOOKED, Stage.PANEL_RECOMMENDED):
        values.setdefault("notice_to_proceed_on", today)
    if stage in (Stage.PANEL_BOOKED, Stage.PANEL_RECOMMENDED):
        values.setdefault("panel", f.panel(sits_on=today))
    if stage == Stage.PANEL_RECOMMENDED:
        values.setdefault("panel_recommendation", Assessment.Recommendation.SUITABLE)
    Assessment.objects.filter(pk=assessment.pk).update(**values)
    assessment.refresh_from_db()
    if stage == Stage.PANEL_RECOMMENDED:
        # The decision is made from the item's final minutes.
        PanelMinutes.objects.get_or_create(
            sitting=assessment.panel,
            assessment=assessment,
            defaults={
                "received_on": today,
                "document": f.upload(assessment.household, Document.Kind.PANEL_MINUTES, None),
            },
        )
    return assessment


def test_the_table_covers_every_open_stage_of_each_track():
    for track, table in services.ALLOWED_TRANSITIONS.items():
        stages = ADOPTION_STAGES if track == A else FOSTERING_STAGES
        open_stages = {s for s in stages if s not in services.CLOSED_STAGES}
        assert set(table) == open_stages


@pytest.mark.parametrize(("track", "stage"), ALL_STATES, ids=lambda v: str(v))
def test_each_stage_offers_exactly_its_actions(bare, manager, track, stage):
    assessment = force(bare.assessments.get(track=track), stage)
    facts = services.household_facts(household=bare)
    applicants = services.household_applicants(household=bare)
    offered = services.actions_for(
        assessment=assessment,
        facts=facts,
        applicants=applicants,
        user=manager,
        on=timezone.localdate(),
    )
    assert {o.action.name for o in offered} == EXPECTED_ACTIONS.get((track, stage), set())


ALLOWED = [
    (t, s, a)
    for (t, s), actions in EXPECTED_ACTIONS.items()
    for a in sorted(actions)
    if a not in DETERMINATION_STEPS and a != "propose_refusal"
]


@pytest.mark.parametrize(("track", "stage", "action"), ALLOWED, ids=lambda v: str(v))
def test_every_allowed_move_is_made_and_recorded(ready, manager, track, stage, action):
    today = timezone.localdate()
    assessment = force(ready.assessments.get(track=track), stage)
    changes_before = StageChange.objects.filter(assessment=assessment).count()

    services.TRANSITION_SERVICES[action](
        assessment=assessment, by=manager, **kwargs_for(action, today, assessment.household)
    )

    assessment.refresh_from_db()
    if action in NOT_MOVES:
        assert assessment.stage == stage
        assert StageChange.objects.filter(assessment=assessment).count() == changes_before
    else:
        expected = DEFER_TARGET[track] if action == "defer_panel" else EXPECTED_TARGET[action]
        assert assessment.stage == expected
        change = StageChange.objects.filter(assessment=assessment).latest("recorded_at", "id")
        assert (change.from_stage, change.to_stage) == (stage, expected)
        assert change.recorded_by == manager
        assert change.effective_on == today
    entry = LogEntry.objects.get_for_object(assessment).order_by("-id").first()
    assert entry.actor == manager
    assert entry.additional_data["action"].startswith("carers.assessment.")


# Recording the final minutes a second time is refused for what it is, not for the stage
# ("already recorded: received on ...", test_panels).
REFUSED_FOR_THEIR_OWN_REASON = {(t, Stage.PANEL_RECOMMENDED, "record_minutes") for t in (A, F)}
REFUSED = [
    (t, s, a)
    for (t, s) in ALL_STATES
    for a in sorted(services.ACTIONS)
    if t in services.ACTIONS[a].applies.tracks
    and a not in EXPECTED_ACTIONS.get((t, s), set())
    and (t, s, a) not in REFUSED_FOR_THEIR_OWN_REASON
]


@pytest.mark.parametrize(("track", "stage", "action"), REFUSED, ids=lambda v: str(v))
def test_every_refused_move_says_where_the_assessment_is(bare, manager, track, stage, action):
    assessment = force(bare.assessments.get(track=track), stage)
    with pytest.raises(TransitionRefused) as refusal:
        services.TRANSITION_SERVICES[action](
            assessment=assessment,
            by=manager,
            **kwargs_for(action, timezone.localdate(), assessment.household),
        )
    label = services.ACTIONS[action].label
    track_name = Track(track).label.lower()
    assert refusal.value.messages == [
        f"{label} is not possible: the {track_name} assessment is at “{Stage(stage).label}”."
    ]
    assessment.refresh_from_db()
    assert assessment.stage == stage


# -- guards ---------------------------------------------------------------------------------


def refused(call) -> list[str]:
    with pytest.raises(TransitionRefused) as refusal:
        call()
    return refusal.value.messages


def test_stage_1_needs_an_applicant_and_a_social_worker(social_worker):
    household = f.household(social_worker, applicants=0, social_worker=None)
    a = f.adoption(household)
    services.assessment_accept_roi(assessment=a, on=timezone.localdate(), by=social_worker)
    assert refused(
        lambda: services.assessment_start_stage_1(
            assessment=a, on=timezone.localdate(), by=social_worker
        )
    ) == ["Add at least one applicant.", "Assign a social worker to the household."]


def test_the_stage_1_decision_lists_every_missing_check_and_course(social_worker):
    household = f.household(social_worker, applicants=1)
    a = f.to_stage(household, Stage.STAGE_1, social_worker)
    messages = refused(
        lambda: services.assessment_complete_stage_1(
            assessment=a, on=timezone.localdate(), by=social_worker
        )
    )
    assert messages == [
        "Record the date the written Stage 1 plan was agreed.",
        "Enhanced DBS check for Alex Rivers: not received.",
        "Local authority checks for Alex Rivers: not received.",
        "Medical (GP report) for Alex Rivers: not received.",
        "Employer reference for Alex Rivers: not received.",
        "Personal references for Alex Rivers: 0 of 3 received.",
        "Personal references for Alex Rivers: at least 2 must come from people who are not "
        "relatives (0 so far).",
        "Home health and safety check for the household: not received.",
        "Adoption preparation training: not completed by Alex Rivers.",
    ]


def test_references_need_two_referees_who_are_not_relatives(social_worker):
    household = f.household(social_worker, applicants=1)
    a = f.to_stage(household, Stage.STAGE_1, social_worker)
    services.assessment_record_stage_1_plan(
        assessment=a, agreed_on=timezone.localdate(), by=social_worker
    )
    f.receive_all_checks(household)
    f.complete_training(household)
    household.checks.filter(kind=StatutoryCheck.Kind.PERSONAL_REFERENCE).update(
        referee_is_relative=True
    )
    StatutoryCheck.objects.filter(
        pk=household.checks.filter(kind=StatutoryCheck.Kind.PERSONAL_REFERENCE).first().pk
    ).update(referee_is_relative=False)
    assert refused(
        lambda: services.assessment_complete_stage_1(
            assessment=a, on=timezone.localdate(), by=social_worker
        )
    ) == [
        "Personal references for Alex Rivers: at least 2 must come from people who are not "
        "relatives (1 so far)."
    ]


def test_an_unsatisfactory_check_and_an_adult_without_dbs_block_the_decision(social_worker):
    household = f.household(social_worker, applicants=1, has_pets=True)
    a = f.to_stage(household, Stage.STAGE_1, social_worker)
    services.assessment_record_stage_1_plan(
        assessment=a, agreed_on=timezone.localdate(), by=social_worker
    )
    f.receive_all_checks(household)
    f.complete_training(household)
    household.checks.filter(kind=StatutoryCheck.Kind.MEDICAL).update(
        outcome=StatutoryCheck.Outcome.UNSATISFACTORY
    )
    HouseholdMember.objects.create(
        household=household,
        first_name="Robin",
        last_name="Rivers",
        relationship="son",
        date_of_birth=timezone.localdate() - relativedelta(years=19),
    )
    services.household_after_edit(household=household)
    assert refused(
        lambda: services.assessment_complete_stage_1(
            assessment=a, on=timezone.localdate(), by=social_worker
        )
    ) == [
        "Enhanced DBS check for Robin Rivers: not received.",
        "Medical (GP report) for Alex Rivers is recorded as unsatisfactory.",
    ]


def test_booking_panel_needs_the_report_and_checks_still_in_date(ready, social_worker):
    today = timezone.localdate()
    a = force(f.adoption(ready), Stage.STAGE_2)
    ready.documents.filter(kind=Document.Kind.PAR).delete()
    dbs = ready.checks.filter(kind=StatutoryCheck.Kind.DBS).first()
    dbs.received_on = today - relativedelta(years=3, days=1)
    dbs.requested_on = dbs.received_on
    dbs.save()
    services.household_after_edit(household=ready)
    messages = refused(
        lambda: services.assessment_book_panel(
            assessment=a, panel=f.panel(sits_on=today), on=today, by=social_worker
        )
    )
    expired_on = services.day(dbs.received_on + relativedelta(years=3))
    assert messages == [
        f"Enhanced DBS check for {dbs.applicant.full_name} expired on {expired_on}.",
        "Upload the Prospective Adopter Report (PAR) as a document.",
    ]


def test_the_fostering_track_needs_form_f_before_panel(ready, social_worker):
    today = timezone.localdate()
    a = force(f.fostering(ready), Stage.FORM_F, form_f_started_on=today)
    ready.documents.filter(kind=Document.Kind.FORM_F).delete()
    assert refused(
        lambda: services.assessment_book_panel(
            assessment=a, panel=f.panel(sits_on=today), on=today, by=social_worker
        )
    ) == ["Upload the Form F (fostering assessment report) as a document."]


def test_a_panel_must_hear_the_track_and_not_have_sat_already(ready, social_worker):
    today = timezone.localdate()
    a = force(f.adoption(ready), Stage.STAGE_2)
    fostering_panel = f.panel(kind=PanelSitting.Kind.FOSTERING, sits_on=today)
    assert refused(
        lambda: services.assessment_book_panel(
            assessment=a, panel=fostering_panel, on=today, by=social_worker
        )
    ) == ["The fostering panel does not hear adoption cases."]
    past = f.panel(kind=PanelSitting.Kind.ADOPTION, sits_on=today - timedelta(days=1))
    assert refused(
        lambda: services.assessment_book_panel(assessment=a, panel=past, on=today, by=social_worker)
    ) == [
        f"That panel sat on {services.day(past.sits_on)}: choose one on or after {services.day(today)}."
    ]


def test_a_recommendation_waits_for_the_panel_day(ready, social_worker):
    later = f.panel(sits_on=timezone.localdate() + timedelta(days=10))
    a = force(f.adoption(ready), Stage.PANEL_BOOKED, panel=later)
    assert refused(
        lambda: services.assessment_record_recommendation(
            assessment=a, recommendation="suitable", by=social_worker
        )
    ) == [
        f"The panel sits on {services.day(later.sits_on)}: record its recommendation from that day."
    ]


def test_only_team_managers_record_the_agency_decision(ready, social_worker, manager):
    a = force(f.adoption(ready), Stage.PANEL_RECOMMENDED)
    kwargs = kwargs_for("record_decision", timezone.localdate())
    assert refused(
        lambda: services.assessment_record_decision(assessment=a, by=social_worker, **kwargs)
    ) == ["Only the agency decision maker for adoption records this decision."]
    services.assessment_record_decision(assessment=a, by=manager, **kwargs)
    a.refresh_from_db()
    assert (a.stage, a.agency_decision_by, a.approved_number_of_children) == (
        Stage.APPROVED,
        manager,
        1,
    )


def test_an_approval_needs_its_terms(ready, manager):
    a = force(f.adoption(ready), Stage.PANEL_RECOMMENDED)
    assert refused(
        lambda: services.assessment_record_decision(
            assessment=a,
            decision="approved",
            on=timezone.localdate(),
            by=manager,
            approved_age_from=3,
            approved_age_to=1,
        )
    ) == [
        "Give the number of children the approval is for.",
        "The youngest age of the approval must not be above the oldest.",
    ]


def test_dates_cannot_be_in_the_future_or_before_the_stage_began(ready, social_worker):
    today = timezone.localdate()
    a = force(f.adoption(ready), Stage.STAGE_1_COMPLETE)
    assert refused(
        lambda: services.assessment_pause(
            assessment=a, on=today + timedelta(days=1), by=social_worker
        )
    ) == ["The date cannot be in the future."]
    assert refused(
        lambda: services.assessment_pause(
            assessment=a, on=today - timedelta(days=1), by=social_worker
        )
    ) == [
        f"The date cannot be before {services.day(today)}, when "
        "“Stage 1 decision: may go on to Stage 2” began."
    ]


@pytest.mark.parametrize(
    ("action", "stage", "what"),
    [
        ("withdraw", Stage.STAGE_2, "the assessment is withdrawn"),
        ("decline_roi", Stage.ROI_RECEIVED, "the Registration of Interest is not accepted"),
        ("end_at_stage_1", Stage.STAGE_1, "the assessment does not proceed"),
        ("defer_panel", Stage.PANEL_BOOKED, "the household comes off the panel agenda"),
    ],
)
def test_moves_that_end_or_undo_need_a_reason(ready, social_worker, action, stage, what):
    a = force(f.adoption(ready), stage)
    assert refused(
        lambda: services.TRANSITION_SERVICES[action](
            assessment=a, on=timezone.localdate(), by=social_worker, note="  "
        )
    ) == [f"Say why {what}."]


def test_after_six_months_paused_stage_1_has_to_start_again(ready, social_worker):
    today = timezone.localdate()
    decided = today - relativedelta(months=6, days=1)
    a = force(
        f.adoption(ready), Stage.PAUSED, stage_1_decision_on=decided, stage_entered_on=decided
    )
    assert refused(
        lambda: services.assessment_start_stage_2(assessment=a, on=today, by=social_worker)
    ) == [
        f"More than 6 months have passed since the Stage 1 decision on {services.day(decided)}: "
        "Stage 1 has to start again."
    ]
    services.assessment_restart_stage_1(assessment=a, on=today, by=social_worker)
    a.refresh_from_db()
    assert (a.stage, a.stage_1_started_on, a.stage_1_decision_on) == (Stage.STAGE_1, today, None)


def test_the_fostering_assessment_runs_alongside_stage_1(social_worker):
    household = f.household(social_worker)
    assert refused(
        lambda: services.assessment_start_form_f(
            assessment=f.fostering(household), on=timezone.localdate(), by=social_worker
        )
    ) == [
        "Start Stage 1 of the adoption assessment first (or Stage 2 on the fast track): "
        "the fostering assessment runs alongside it."
    ]


def test_a_stage_2_extension_must_be_later(ready, social_worker):
    today = timezone.localdate()
    a = force(f.adoption(ready), Stage.STAGE_2)
    current = today + relativedelta(months=4)
    assert refused(
        lambda: services.assessment_extend_stage_2(
            assessment=a, until=current, by=social_worker, note="Their request."
        )
    ) == [f"The new date must be after the current one, {services.day(current)}."]


def test_other_roles_cannot_move_an_assessment(ready, make_staff):
    from portal.roles import Role

    editor = make_staff(Role.CONTENT_EDITORS)
    assert refused(
        lambda: services.assessment_withdraw(
            assessment=f.adoption(ready), on=timezone.localdate(), by=editor, note="x"
        )
    ) == ["You do not have permission to change assessments."]


# -- the whole journey and its effects -------------------------------------------------------


def test_both_tracks_to_approval_make_the_household_ready_for_early_permanence(
    social_worker, manager, mailoutbox
):
    today = timezone.localdate()
    household = f.household(social_worker)
    f.to_stage(household, Stage.STAGE_2, social_worker)
    fostering = f.fostering(household)
    services.assessment_start_form_f(assessment=fostering, on=today, by=social_worker)
    f.upload(household, Document.Kind.FORM_F, social_worker)
    f.to_stage(household, Stage.PANEL_RECOMMENDED, social_worker)
    f.report_shared(fostering, social_worker, today)
    services.assessment_book_panel(
        assessment=fostering, panel=f.panel(sits_on=today), on=today, by=social_worker
    )
    services.assessment_record_recommendation(
        assessment=fostering, recommendation="suitable", by=social_worker
    )
    f.record_minutes(fostering, social_worker)
    household.refresh_from_db()
    assert household.status == Household.Status.ASSESSING
    assert set(household.deadlines.values_list("kind", flat=True)) >= {"agency_decision"}

    f.to_stage(household, Stage.APPROVED, social_worker, manager=manager)
    household.refresh_from_db()
    assert household.is_approved_adopter and not household.is_approved_foster_carer
    assert household.status == Household.Status.APPROVED

    services.assessment_record_decision(
        assessment=fostering,
        decision="approved",
        on=today,
        by=manager,
        approved_age_from=0,
        approved_age_to=4,
        approved_number_of_children=2,
    )
    household.refresh_from_db()
    assert household.is_approved_for_early_permanence
    assert (household.adopter_approved_on, household.foster_carer_approved_on) == (today, today)
    assert list(Household.objects.approved_for_early_permanence()) == [household]
    review = household.foster_reviews.get(track=Track.FOSTERING)
    assert (review.due_on, review.goes_to_panel) == (today + relativedelta(months=12), True)
    adopters = household.foster_reviews.get(track=Track.ADOPTION)
    assert (adopters.due_on, adopters.goes_to_panel) == (today + relativedelta(months=12), False)
    kinds = set(household.deadlines.values_list("kind", flat=True))
    assert "approval" not in kinds and "agency_decision" not in kinds
    assert {"foster_review", "training", "check_expiry"} <= kinds
    tsd = household.training.get(
        course__name="Training, Support and Development Standards", applicant__position=1
    )
    assert tsd.due_on == today + relativedelta(months=12)


def test_a_recommendation_tells_the_team_managers(ready, social_worker, manager):
    from portal.models import Notification

    a = force(f.adoption(ready), Stage.PANEL_BOOKED)
    services.assessment_record_recommendation(
        assessment=a, recommendation="suitable", by=social_worker
    )
    notice = Notification.objects.get(template="carers/decision_waiting")
    assert notice.to == manager.email
    assert notice.context == {
        "first_name": "Morgan",
        "path": f"/admin/carers/household/{ready.pk}/change/",
    }


def test_ending_at_stage_1_ends_fostering_and_closes_the_household(social_worker):
    household = f.household(social_worker)
    a = f.to_stage(household, Stage.STAGE_1, social_worker)
    services.assessment_end_at_stage_1(
        assessment=a, on=timezone.localdate(), by=social_worker, note="Not the right time."
    )
    household.refresh_from_db()
    assert f.fostering(household).stage == Stage.WITHDRAWN
    assert household.status == Household.Status.CLOSED
    assert household.closed_reason == "Every assessment track has ended."
    assert not household.deadlines.exists()


def test_closing_a_household_withdraws_tracks_and_stops_reminders(social_worker):
    from portal.models import Notification

    household = f.household(social_worker)
    f.to_stage(household, Stage.STAGE_1, social_worker)
    assert Notification.objects.pending().filter(key__startswith="carers:deadline:").exists()
    services.household_close(
        household=household, on=timezone.localdate(), reason="Moved abroad.", by=social_worker
    )
    household.refresh_from_db()
    assert household.status == Household.Status.CLOSED
    assert set(household.assessments.values_list("stage", flat=True)) == {Stage.WITHDRAWN}
    assert not household.deadlines.exists()
    assert not Notification.objects.pending().filter(key__startswith="carers:deadline:").exists()
    with pytest.raises(TransitionRefused) as refusal:
        services.household_close(
            household=household, on=timezone.localdate(), reason="Again.", by=social_worker
        )
    assert refusal.value.messages == ["The household is closed: it cannot become closed."]


def test_each_move_is_audited_with_a_dotted_action(social_worker):
    household = f.household(social_worker)
    a = f.adoption(household)
    services.assessment_accept_roi(assessment=a, on=timezone.localdate(), by=social_worker)
    entry = LogEntry.objects.get_for_object(a).get(
        additional_data__action="carers.assessment.roi_accepted"
    )
    assert entry.actor == social_worker
    assert entry.changes["stage"] == ["roi_received", "roi_accepted"]


def test_stage_and_track_must_agree_in_the_database(social_worker):
    from django.db import IntegrityError, transaction

    household = f.household(social_worker)
    with pytest.raises(IntegrityError), transaction.atomic():
        Assessment.objects.filter(pk=f.fostering(household).pk).update(stage=Stage.STAGE_1)


def test_a_household_has_at_most_two_applicants(social_worker):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        f.household(social_worker, applicants=3)


def test_postcodes_are_tidied_and_checked():
    from django.core.exceptions import ValidationError

    assert services.postcode_normalise(" sw1a1aa ") == "SW1A 1AA"
    assert services.postcode_normalise("M1 1AE") == "M1 1AE"
    with pytest.raises(ValidationError):
        services.postcode_normalise("not a postcode")


def test_day_formats_without_leading_zero():
    assert services.day(date(2025, 6, 3)) == "3 June 2025"

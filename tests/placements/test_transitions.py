"""Each move of a placement, allowed and refused, and what follows it."""

from datetime import date

import pytest
from auditlog.models import LogEntry
from django.db import IntegrityError, transaction

from carers import services as carers_services
from carers.models import Assessment, Document, PanelSitting, Track
from placements import services
from placements.models import (
    Child,
    CourtOrder,
    FamilyTimePlan,
    Placement,
    PlacementDeadline,
    TemporaryApproval,
)
from portal.models import Notification
from portal.roles import Role
from tests.carers import factories as carer_factories

from . import factories

pytestmark = pytest.mark.django_db

Status, Outcome, Kind = Placement.Status, Placement.Outcome, CourtOrder.Kind
PLACED = date(2025, 3, 3)


def refused(fn, **kwargs) -> list[str]:
    with pytest.raises(services.TransitionRefused) as error:
        fn(**kwargs)
    return error.value.messages


def actions(placement) -> list[str]:
    return [
        entry.additional_data["action"]
        for entry in LogEntry.objects.get_for_object(placement).order_by("timestamp", "pk")
        if entry.additional_data
    ]


@pytest.fixture
def placement(ep_household, social_worker):
    return factories.placement(social_worker, ep_household, placed_on=PLACED)


def placement_order(placement, by, on=date(2025, 6, 2)):
    return services.court_order_record(
        placement=placement,
        children=list(placement.children.all()),
        kind=Kind.PLACEMENT_ORDER,
        made_on=on,
        by=by,
    )


def test_the_allowed_moves_from_each_status():
    assert services.ALLOWED_TRANSITIONS == {
        Status.FOSTERING: (
            Status.PLACED_FOR_ADOPTION,
            Outcome.RETURNED_HOME,
            Outcome.PLACED_WITH_KIN,
            Outcome.OTHER,
        ),
        Status.PLACED_FOR_ADOPTION: (Outcome.ADOPTED, Outcome.OTHER),
        Status.ENDED: (),
    }


def test_placed_for_adoption_needs_the_placement_order(placement, social_worker):
    messages = refused(
        services.placement_place_for_adoption,
        placement=placement,
        on=date(2025, 6, 5),
        by=social_worker,
    )
    child = placement.children.get()
    assert messages == [
        f"{child} has no placement order made by 5 June 2025.",
        f"Record the agency's decision that {child} should be placed for adoption "
        "(Adoption Agencies Regulations 2005, reg 19) first.",
        f"Record the birth mother's consent (s19) for {child}, or the placement order.",
    ]

    placement_order(placement, social_worker, on=date(2025, 6, 2))
    messages = refused(
        services.placement_place_for_adoption,
        placement=placement,
        on=date(2025, 6, 1),
        by=social_worker,
    )
    assert messages[0] == f"{child} has no placement order made by 1 June 2025."

    services.placement_place_for_adoption(
        placement=placement, on=date(2025, 6, 5), notice_on=date(2025, 6, 5), by=social_worker
    )
    placement.refresh_from_db()
    assert placement.status == Status.PLACED_FOR_ADOPTION
    assert placement.placed_for_adoption_on == date(2025, 6, 5)
    assert Child.objects.get(pk=child.pk).legal_status == Child.LegalStatus.PLACEMENT_ORDER
    assert actions(placement)[-1] == "placements.placement.placed_for_adoption"


def test_the_adoption_application_is_possible_from_10_weeks_after_placement(
    placement, social_worker
):
    messages = refused(
        services.placement_record_adoption_application,
        placement=placement,
        on=date(2025, 6, 5),
        by=social_worker,
    )
    assert messages == [
        "Record the adoption order application is not possible: the placement is "
        "“Fostering while the court decides”."
    ]
    # Placed for adoption early (the placement order came quickly): the 10 weeks still count.
    placement_order(placement, social_worker, on=date(2025, 4, 1))
    services.placement_place_for_adoption(
        placement=placement, on=date(2025, 4, 2), notice_on=date(2025, 4, 2), by=social_worker
    )
    deadline = placement.deadlines.get(kind=PlacementDeadline.Kind.ADOPTION_APPLICATION)
    assert deadline.due_on == date(2025, 5, 12)
    assert not deadline.is_overdue(today=date(2025, 6, 1))

    messages = refused(
        services.placement_record_adoption_application,
        placement=placement,
        on=date(2025, 5, 11),
        by=social_worker,
    )
    assert messages == [
        "The carers may apply from 12 May 2025, once the child has lived with them for 10 weeks."
    ]
    services.placement_record_adoption_application(
        placement=placement, on=date(2025, 5, 12), by=social_worker
    )
    assert not placement.deadlines.filter(kind=PlacementDeadline.Kind.ADOPTION_APPLICATION).exists()
    messages = refused(
        services.placement_record_adoption_application,
        placement=placement,
        on=date(2025, 5, 20),
        by=social_worker,
    )
    assert messages == ["The application was recorded on 12 May 2025."]


def test_the_adoption_order_ends_the_placement(ep_household, adopters_only, social_worker, manager):
    child = factories.child(social_worker, born=date(2025, 2, 1))
    approval = services.temporary_approval_grant(
        household=adopters_only, child=child, approved_on=date(2025, 3, 1), by=manager
    )
    placement = factories.placement(
        social_worker, adopters_only, children=[child], route=Placement.Route.FFA, placed_on=PLACED
    )
    factories.family_time_plan(social_worker, child, starts_on=PLACED)
    placement_order(placement, social_worker)
    services.placement_place_for_adoption(
        placement=placement, on=date(2025, 6, 5), notice_on=date(2025, 6, 5), by=social_worker
    )
    messages = refused(
        services.placement_record_adoption_order,
        placement=placement,
        on=date(2025, 9, 1),
        by=social_worker,
    )
    assert messages == ["Record the carers' adoption order application first."]
    services.placement_record_adoption_application(
        placement=placement, on=date(2025, 6, 10), by=social_worker
    )
    messages = refused(
        services.placement_record_adoption_order,
        placement=placement,
        on=date(2025, 6, 9),
        by=social_worker,
    )
    assert messages == ["The order cannot come before the application (10 June 2025)."]

    services.placement_record_adoption_order(
        placement=placement, on=date(2025, 10, 1), by=social_worker
    )
    placement.refresh_from_db()
    assert (placement.status, placement.outcome, placement.outcome_on) == (
        Status.ENDED,
        Outcome.ADOPTED,
        date(2025, 10, 1),
    )
    assert CourtOrder.objects.filter(child=child, kind=Kind.ADOPTION_ORDER).count() == 1
    assert Child.objects.get(pk=child.pk).legal_status == Child.LegalStatus.ADOPTED
    assert not placement.placement_children.filter(is_current=True).exists()
    assert placement.deadlines.count() == 0
    approval.refresh_from_db()
    assert (approval.ends_on, approval.end_reason) == (
        date(2025, 10, 1),
        TemporaryApproval.EndReason.PLACEMENT_ENDED,
    )
    assert FamilyTimePlan.objects.get(child=child).ends_on == date(2025, 10, 1)
    assert (
        Notification.objects.pending().filter(key__startswith="placements:deadline:").count() == 0
    )
    assert actions(placement)[-1] == "placements.placement.adopted"


def test_returned_home_is_a_normal_ending_from_fostering(placement, social_worker):
    messages = refused(
        services.placement_record_return_home,
        placement=placement,
        on=date(2025, 9, 1),
        by=social_worker,
        note=" ",
    )
    assert messages == ["Say why the child is returning home (the court's decision)."]
    services.placement_record_return_home(
        placement=placement, on=date(2025, 9, 1), by=social_worker, note="Final hearing."
    )
    placement.refresh_from_db()
    assert (placement.outcome, placement.outcome_note) == (Outcome.RETURNED_HOME, "Final hearing.")
    assert placement.children.get().legal_status == Child.LegalStatus.LEFT_CARE
    assert actions(placement)[-1] == "placements.placement.returned_home"


def test_after_the_placement_order_a_return_home_is_not_offered(placement, social_worker):
    placement_order(placement, social_worker)
    services.placement_place_for_adoption(
        placement=placement, on=date(2025, 6, 5), notice_on=date(2025, 6, 5), by=social_worker
    )
    for fn in (services.placement_record_return_home, services.placement_record_kin_placement):
        messages = refused(
            fn, placement=placement, on=date(2025, 9, 1), by=social_worker, note="Court."
        )
        assert messages[0].endswith("the placement is “Placed for adoption”.")


def test_placed_with_kin_from_fostering(placement, social_worker):
    services.placement_record_kin_placement(
        placement=placement, on=date(2025, 9, 1), by=social_worker, note="Special guardianship."
    )
    placement.refresh_from_db()
    assert placement.outcome == Outcome.PLACED_WITH_KIN
    assert actions(placement)[-1] == "placements.placement.placed_with_kin"


def test_other_endings_need_a_reason_and_leave_the_child_looked_after(placement, social_worker):
    messages = refused(
        services.placement_end_other,
        placement=placement,
        on=date(2025, 9, 1),
        by=social_worker,
        note="",
    )
    assert messages == ["Say why the placement ends."]
    services.placement_end_other(
        placement=placement, on=date(2025, 9, 1), by=social_worker, note="Moved on."
    )
    placement.refresh_from_db()
    assert placement.outcome == Outcome.OTHER
    assert placement.children.get().legal_status == Child.LegalStatus.ACCOMMODATED


def test_an_ended_placement_moves_no_further(placement, social_worker):
    services.placement_end_other(
        placement=placement, on=date(2025, 9, 1), by=social_worker, note="Moved on."
    )
    for name, fn in services.TRANSITION_SERVICES.items():
        if name == "record_court_order":
            continue
        with pytest.raises(services.TransitionRefused) as error:
            fn(placement=placement, on=date(2025, 9, 2), by=social_worker, note="x")
        assert error.value.messages[0].endswith("the placement is “Ended”."), name


def test_dates_in_the_future_or_before_the_current_status_are_refused(placement, social_worker):
    messages = refused(
        services.placement_end_other,
        placement=placement,
        on=date(2025, 3, 2),
        by=social_worker,
        note="x",
    )
    assert messages == [
        "The date cannot be before 3 March 2025, when the placement became "
        "“Fostering while the court decides”."
    ]
    messages = refused(
        services.placement_end_other,
        placement=placement,
        on=date(2999, 1, 1),
        by=social_worker,
        note="x",
    )
    assert messages == ["The date cannot be in the future."]


def test_only_staff_who_may_change_placements_move_them(placement, make_staff):
    editor = make_staff(Role.CONTENT_EDITORS)
    messages = refused(
        services.placement_end_other, placement=placement, on=date(2025, 9, 1), by=editor, note="x"
    )
    assert messages == ["You do not have permission to change placements."]


def test_a_childs_legal_status_follows_their_latest_order(placement, social_worker):
    child = placement.children.get()
    record = services.court_order_record
    record(
        placement=placement,
        children=[child],
        kind=Kind.CARE_ORDER,
        made_on=date(2025, 5, 1),
        by=social_worker,
    )
    assert Child.objects.get(pk=child.pk).legal_status == Child.LegalStatus.CARE_ORDER
    # An earlier interim order recorded late does not turn the status back.
    record(
        placement=placement,
        children=[child],
        kind=Kind.INTERIM_CARE_ORDER,
        made_on=date(2025, 3, 10),
        by=social_worker,
    )
    assert Child.objects.get(pk=child.pk).legal_status == Child.LegalStatus.CARE_ORDER
    other = factories.child(social_worker)
    messages = refused(
        record,
        placement=placement,
        children=[other],
        kind=Kind.CARE_ORDER,
        made_on=date(2025, 5, 1),
        by=social_worker,
    )
    assert messages == [f"{other} is not in this placement."]
    messages = refused(
        record,
        placement=placement,
        children=[child],
        kind=Kind.ADOPTION_ORDER,
        made_on=date(2025, 5, 1),
        by=social_worker,
    )
    assert "Record the adoption order" in messages[0]


def test_the_database_keeps_outcomes_to_ended_placements(placement):
    with pytest.raises(IntegrityError), transaction.atomic():
        Placement.objects.filter(pk=placement.pk).update(outcome=Outcome.ADOPTED)
    with pytest.raises(IntegrityError), transaction.atomic():
        Placement.objects.filter(pk=placement.pk).update(
            status=Status.ENDED, outcome=Outcome.ADOPTED, outcome_on=date(2025, 9, 1)
        )  # adopted without ever being placed for adoption


def _approve_fostering(household, by, manager, on):
    track = household.assessments.get(track=Track.FOSTERING)
    carers_services.assessment_start_form_f(assessment=track, on=on, by=by)
    factories._upload(household, Document.Kind.FORM_F, by)
    panel, _ = PanelSitting.objects.get_or_create(sits_on=on, kind=PanelSitting.Kind.JOINT)
    carers_services.assessment_share_report(assessment=track, on=on, by=by)
    carers_services.assessment_record_observations(assessment=track, on=on, by=by)
    carer_factories.quorum(panel)
    carers_services.assessment_book_panel(assessment=track, panel=panel, on=on, by=by)
    carers_services.assessment_record_recommendation(
        assessment=track, recommendation=Assessment.Recommendation.SUITABLE, by=by
    )
    carer_factories.record_minutes(track, by, on=on)
    carers_services.assessment_record_decision(
        assessment=track,
        decision=Assessment.Decision.APPROVED,
        on=on,
        by=manager,
        approved_age_from=0,
        approved_age_to=4,
        approved_number_of_children=2,
    )


def test_the_sweep_ends_reg_25a_approvals_overtaken_by_the_carers_approval(
    adopters_only, social_worker, manager
):
    first = factories.child(social_worker, born=date(2025, 2, 1))
    approval = services.temporary_approval_grant(
        household=adopters_only, child=first, approved_on=date(2025, 3, 1), by=manager
    )
    assert services.temporary_approvals_reconcile() == 0
    _approve_fostering(adopters_only, social_worker, manager, date(2025, 4, 1))
    assert services.temporary_approvals_reconcile() == 1
    approval.refresh_from_db()
    assert (approval.ends_on, approval.end_reason) == (
        date(2025, 4, 1),
        TemporaryApproval.EndReason.FOSTER_APPROVAL,
    )
    assert services.temporary_approvals_reconcile() == 0  # safe to run again


def test_the_sweep_ends_reg_25a_approvals_when_the_adopter_approval_ends(
    adopters_only, social_worker, manager
):
    child = factories.child(social_worker, born=date(2025, 2, 1))
    approval = services.temporary_approval_grant(
        household=adopters_only, child=child, approved_on=date(2025, 3, 1), by=manager
    )
    carers_services.household_close(
        household=adopters_only, on=date(2025, 5, 1), reason="Moved away.", by=social_worker
    )
    assert services.temporary_approvals_reconcile() == 1
    approval.refresh_from_db()
    assert (approval.ends_on, approval.end_reason) == (
        date(2025, 5, 1),
        TemporaryApproval.EndReason.ADOPTER_APPROVAL_ENDED,
    )


def test_a_reg_25a_approval_can_be_ended_by_hand_once(adopters_only, social_worker, manager):
    child = factories.child(social_worker, born=date(2025, 2, 1))
    approval = services.temporary_approval_grant(
        household=adopters_only, child=child, approved_on=date(2025, 3, 1), by=manager
    )
    services.temporary_approval_end(
        approval=approval, on=date(2025, 3, 5), reason="withdrawn", by=manager
    )
    messages = refused(
        services.temporary_approval_end,
        approval=approval,
        on=date(2025, 3, 6),
        reason="withdrawn",
        by=manager,
    )
    assert messages == ["This temporary approval has already ended."]

"""The assessment workflow: the tracks' transition tables (``ALLOWED_TRANSITIONS``), the
guards that say what is missing, the actions offered as buttons (``ASSESSMENT``,
``actions_for``) and one function per move, by action name in ``TRANSITION_SERVICES``.

Stages move only through the functions below, on the core engine (``portal.workflow``):
each locks the household and the assessment, checks the move against
``ALLOWED_TRANSITIONS`` and its guard, saves with ``update_fields``, records a
``StageChange`` (who, when, note) and a dotted audit entry, and brings the household's
deadlines up to date, all in one transaction.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone

from portal import audit, dates
from portal.formats import day
from portal.workflow import Action, Offered, Table, Workflow, lock, lock_all

from .. import clocks, reminders
from ..clocks import HouseholdFacts
from ..models import (
    AgesIn,
    Applicant,
    Assessment,
    Document,
    FastTrackBasis,
    Household,
    PanelMinutes,
    PanelSitting,
    Stage,
    StageChange,
    StatutoryCheck,
    Track,
    TrainingCourse,
)
from ..selectors import household_applicants, household_document_kinds, household_facts
from ..terms import terms_problems
from .approvals import review_open
from .households import _household_move, _household_settle, _open_stages
from .panels import (
    decision_permission,
    decision_permission_refused,
    guard_final_minutes,
    guard_not_on_the_panel,
    guard_quorate,
    item_minutes,
    sitting_attendance_frozen,
)
from .records import (
    NON_RELATIVE_REFERENCES_NEEDED,
    PERSONAL_REFERENCES_NEEDED,
    Kind,
    TransitionRefused,
    _lock_household,
    _not_in_future,
    _required_kinds,
    adopter_age_problems,
    deadlines_refresh,
    training_records_sync,
)

ALLOWED_TRANSITIONS: dict[str, dict[str, tuple[str, ...]]] = {
    Track.ADOPTION: {
        Stage.ROI_RECEIVED: (Stage.ROI_ACCEPTED, Stage.NOT_PROCEEDING, Stage.WITHDRAWN),
        # The fast track goes straight to Stage 2 (``assessment_fast_track``).
        Stage.ROI_ACCEPTED: (Stage.STAGE_1, Stage.STAGE_2, Stage.WITHDRAWN),
        Stage.STAGE_1: (Stage.STAGE_1_COMPLETE, Stage.NOT_PROCEEDING, Stage.WITHDRAWN),
        Stage.STAGE_1_COMPLETE: (Stage.PAUSED, Stage.STAGE_2, Stage.WITHDRAWN),
        # After a pause longer than the limit, Stage 1 starts again.
        Stage.PAUSED: (Stage.STAGE_2, Stage.STAGE_1, Stage.WITHDRAWN),
        Stage.STAGE_2: (Stage.PANEL_BOOKED, Stage.WITHDRAWN),
        # A deferred panel sends the assessment back to Stage 2.
        Stage.PANEL_BOOKED: (Stage.PANEL_RECOMMENDED, Stage.STAGE_2, Stage.WITHDRAWN),
        # Not approving is first a proposal (``determinations``): the applicants' window.
        Stage.PANEL_RECOMMENDED: (Stage.APPROVED, Stage.PROPOSED_REFUSAL, Stage.WITHDRAWN),
        Stage.PROPOSED_REFUSAL: (Stage.APPROVED, Stage.NOT_APPROVED, Stage.WITHDRAWN),
    },
    Track.FOSTERING: {
        Stage.NOT_STARTED: (Stage.FORM_F, Stage.WITHDRAWN),
        Stage.FORM_F: (Stage.PANEL_BOOKED, Stage.WITHDRAWN),
        Stage.PANEL_BOOKED: (Stage.PANEL_RECOMMENDED, Stage.FORM_F, Stage.WITHDRAWN),
        # Not approving is first a proposal (``determinations``): the applicants' window.
        Stage.PANEL_RECOMMENDED: (Stage.APPROVED, Stage.PROPOSED_REFUSAL, Stage.WITHDRAWN),
        Stage.PROPOSED_REFUSAL: (Stage.APPROVED, Stage.NOT_APPROVED, Stage.WITHDRAWN),
    },
}

TRACK_TABLES = {track: Table(moves, field="stage") for track, moves in ALLOWED_TRANSITIONS.items()}


CHANGE_PERMISSION = "carers.change_assessment"


# ---------------------------------------------------------------------------
# Guards: what is missing, in plain words
# ---------------------------------------------------------------------------


def _person_name(check: StatutoryCheck) -> str:
    person = check.person
    return person.full_name if person else "the household"


def checks_outstanding(
    *, facts: HouseholdFacts, applicants: list[Applicant], on: date
) -> list[str]:
    """Every statutory check not yet received, unsatisfactory or out of date on ``on``."""
    messages: list[str] = []
    checks = facts.checks
    # A check dated after ``on`` has not been received yet, whatever was typed.
    received = [c for c in checks if c.received_on and c.received_on <= on]

    def have(kind, applicant=None, member=None) -> bool:
        return any(
            c.kind == kind
            and c.applicant_id == (applicant.pk if applicant else None)
            and c.member_id == (member.pk if member else None)
            for c in received
        )

    for applicant in applicants:
        name = applicant.full_name
        for kind in _required_kinds(applicant):
            if kind != Kind.PERSONAL_REFERENCE and not have(kind, applicant=applicant):
                messages.append(f"{Kind(kind).label} for {name}: not received.")
        references = [
            c
            for c in received
            if c.kind == Kind.PERSONAL_REFERENCE and c.applicant_id == applicant.pk
        ]
        if len(references) < PERSONAL_REFERENCES_NEEDED:
            messages.append(
                f"Personal references for {name}: {len(references)} of "
                f"{PERSONAL_REFERENCES_NEEDED} received."
            )
        non_relatives = [c for c in references if not c.referee_is_relative]
        if len(non_relatives) < NON_RELATIVE_REFERENCES_NEEDED:
            messages.append(
                f"Personal references for {name}: at least {NON_RELATIVE_REFERENCES_NEEDED} "
                f"must come from people who are not relatives ({len(non_relatives)} so far)."
            )
    for member in facts.members:
        if member.is_adult(on) and not have(Kind.DBS, member=member):
            messages.append(f"{Kind.DBS.label} for {member.full_name}: not received.")
    if not have(Kind.HOME_SAFETY):
        messages.append(f"{Kind.HOME_SAFETY.label} for the household: not received.")
    if facts.household.has_pets and not have(Kind.PETS):
        messages.append(f"{Kind.PETS.label} for the household: not received.")
    for check in checks:
        who = _person_name(check)
        if check not in received and check.kind != Kind.PERSONAL_REFERENCE:
            messages.append(f"{check.get_kind_display()} for {who}: not received.")
        elif check.outcome == StatutoryCheck.Outcome.UNSATISFACTORY:
            messages.append(f"{check.get_kind_display()} for {who} is recorded as unsatisfactory.")
        elif check in received and not check.outcome:
            messages.append(f"{check.get_kind_display()} for {who}: record its outcome.")
    messages.extend(_expired_checks(checks, on))
    return list(dict.fromkeys(messages))


def _expired_checks(checks: list[StatutoryCheck], on: date) -> list[str]:
    newest: dict[tuple, StatutoryCheck] = {}
    for check in checks:
        if check.expires_on is None:
            continue
        key = (check.kind, check.applicant_id, check.member_id)
        if key not in newest or check.expires_on > newest[key].expires_on:
            newest[key] = check
    return [
        f"{check.get_kind_display()} for {_person_name(check)} expired on {day(check.expires_on)}."
        for check in newest.values()
        if check.expires_on < on
    ]


def training_outstanding(
    *, facts: HouseholdFacts, applicants: list[Applicant], milestones: Sequence[str]
) -> list[str]:
    courses = TrainingCourse.objects.filter(is_active=True, complete_before__in=milestones)
    done = {(r.applicant_id, r.course_id) for r in facts.training if r.completed_on}
    return [
        f"{course.name}: not completed by {applicant.full_name}."
        for course in courses
        for applicant in applicants
        if (applicant.pk, course.pk) not in done
    ]


REPORT_FOR_TRACK = {Track.ADOPTION: Document.Kind.PAR, Track.FOSTERING: Document.Kind.FORM_F}


def _guard_start_stage_1(facts, assessment, applicants, on):
    messages = []
    if not applicants:
        messages.append("Add at least one applicant.")
    for applicant in applicants:
        messages += dates.messages(
            adopter_age_problems(
                name=applicant.full_name, date_of_birth=applicant.date_of_birth, on=on
            )
        )
    if facts.household.social_worker_id is None:
        messages.append("Assign a social worker to the household.")
    return messages


def _guard_complete_stage_1(facts, assessment, applicants, on):
    messages = []
    if assessment.stage_1_plan_agreed_on is None:
        messages.append("Record the date the written Stage 1 plan was agreed.")
    messages += checks_outstanding(facts=facts, applicants=applicants, on=on)
    messages += training_outstanding(
        facts=facts,
        applicants=applicants,
        milestones=[TrainingCourse.Milestone.STAGE_1_DECISION],
    )
    return messages


def _guard_start_stage_2(facts, assessment, applicants, on):
    if assessment.stage_1_decision_on is None:
        return ["Record the Stage 1 decision first."]
    limit = clocks.stage_2_notice_due(assessment.stage_1_decision_on)
    if on > limit:
        return [
            f"More than {clocks.MAX_PAUSE_MONTHS} months have passed since the Stage 1 decision "
            f"on {day(assessment.stage_1_decision_on)}: Stage 1 has to start again."
        ]
    return []


def _guard_start_form_f(facts, assessment, applicants, on):
    adoption = facts.track(Track.ADOPTION)
    if not applicants:
        return ["Add at least one applicant."]
    if adoption is None or (
        adoption.stage_1_started_on is None and adoption.notice_to_proceed_on is None
    ):
        return [
            "Start Stage 1 of the adoption assessment first (or Stage 2 on the fast track): "
            "the fostering assessment runs alongside it."
        ]
    return []


def _guard_book_panel(facts, assessment, applicants, on):
    messages = checks_outstanding(facts=facts, applicants=applicants, on=on)
    report = REPORT_FOR_TRACK[assessment.track]
    if report not in household_document_kinds(household=facts.household):
        messages.append(f"Upload the {Document.Kind(report).label} as a document.")
    messages += training_outstanding(
        facts=facts,
        applicants=applicants,
        milestones=[TrainingCourse.Milestone.STAGE_1_DECISION, TrainingCourse.Milestone.PANEL],
    )
    return messages


def _guard_report_shared(facts, assessment, applicants, on):
    """The applicants see the report before panel, with time for their observations
    (``clocks.REPORT_OBSERVATIONS_WORKING_DAYS``, AAR 2005 reg 30(2)-(3))."""
    report = Document.Kind(REPORT_FOR_TRACK[assessment.track]).label
    if assessment.report_shared_on is None:
        return [
            f"Send the {report} to the applicants for their observations first "
            "(“Record the report sent to the applicants”)."
        ]
    if assessment.observations_received_on is not None:
        return []
    last_day = clocks.report_observations_due(assessment.report_shared_on)
    if on <= last_day:
        return [
            f"The applicants have until {day(last_day)} to send their observations on the "
            f"{report}: book the panel after that day, or once their observations arrive."
        ]
    return []


def _guard_record_recommendation(facts, assessment, applicants, on):
    if assessment.panel is None:
        return ["Book the household for panel first."]
    if assessment.panel.sits_on > on:
        return [
            f"The panel sits on {day(assessment.panel.sits_on)}: record its recommendation "
            "from that day."
        ]
    return []


def _guard_record_decision(facts, assessment, applicants, on):
    if not assessment.panel_recommendation:
        return ["Record the panel's recommendation first."]
    if assessment.panel and assessment.panel.sits_on > on:
        return [f"The decision cannot come before the panel on {day(assessment.panel.sits_on)}."]
    return []


ASSESSOR_DECIDING = "The agency decision maker cannot be the household's assessing social worker."


def assessor_ids(assessment: Assessment, household: Household) -> set[int]:
    """Who assessed ``assessment``: the household's social worker, and whoever recorded the
    start of the assessment proper (Stage 2, Form F). A move back to Stage 2 from a panel
    booking is a deferral, not the assessment, and does not count."""
    started_by = (
        StageChange.objects.filter(
            assessment=assessment,
            to_stage__in=(Stage.STAGE_2, Stage.FORM_F),
            recorded_by__isnull=False,
        )
        .exclude(from_stage=Stage.PANEL_BOOKED)
        .values_list("recorded_by", flat=True)
    )
    return {pk for pk in (household.social_worker_id, *started_by) if pk is not None}


def _guard_not_the_assessor(assessment: Assessment, context: "Context") -> list[str]:
    """Segregation of duties: whoever assessed the household does not decide on it, even
    with the permission (a superuser included)."""
    user = context.user
    if user is None or user.pk not in assessor_ids(assessment, context.facts.household):
        return []
    return [ASSESSOR_DECIDING]


# ---------------------------------------------------------------------------
# The actions offered on an assessment (the admin shows them as buttons)
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Context:
    """What the guards read: the household's facts and applicants, the day of the move and
    who makes it (None when no one in particular: a check of the record alone)."""

    facts: HouseholdFacts
    applicants: list[Applicant]
    on: date
    user: Any = None


def _guard(check: Callable[[HouseholdFacts, Assessment, list[Applicant], date], list[str]]):
    """A guard above, as the engine calls it: ``(assessment, context)``."""
    return lambda assessment, context: check(
        context.facts, assessment, context.applicants, context.on
    )


@dataclass(frozen=True)
class Tracks:
    """An action belongs to these tracks only (``Action.applies``)."""

    tracks: tuple[str, ...]

    def __call__(self, assessment: Assessment) -> bool:
        return assessment.track in self.tracks


ADOPTION_ONLY = Tracks((Track.ADOPTION,))
FOSTERING_ONLY = Tracks((Track.FOSTERING,))
BOTH_TRACKS = Tracks((Track.ADOPTION, Track.FOSTERING))


@dataclass(frozen=True)
class TracksUntilMinutes(Tracks):
    """These tracks, until the item's final minutes are recorded: the decision's clock runs
    from the day they came, so they are recorded once (``minutes_recorded``)."""

    def __call__(self, assessment: Assessment) -> bool:
        return super().__call__(assessment) and not minutes_recorded(assessment)


UNTIL_MINUTES = TracksUntilMinutes((Track.ADOPTION, Track.FOSTERING))


def minutes_recorded(assessment: Assessment) -> bool:
    """Whether the final minutes of the item are recorded: from the household's facts
    (``minutes_received_on``, annotated by ``household_facts``) when read with them, else
    one query."""
    if hasattr(assessment, "minutes_received_on"):
        return assessment.minutes_received_on is not None
    return item_minutes(assessment=assessment) is not None


def action_not_open(action: Action, assessment: Assessment) -> str:
    """Why ``action`` is not possible on ``assessment`` in its state, in words."""
    if action.name == "record_minutes" and assessment.stage == Stage.PANEL_RECOMMENDED:
        minutes = item_minutes(assessment=assessment)
        if minutes is not None:
            return (
                f"The final panel minutes of this item were already recorded: received on "
                f"{day(minutes.received_on)}. The agency decision's clock runs from that day."
            )
    return (
        f"{action.label} is not possible: the {assessment.get_track_display().lower()} "
        f"assessment is at “{assessment.get_stage_display()}”."
    )


ASSESSMENT = Workflow(
    table=lambda assessment: TRACK_TABLES[assessment.track],
    audit_prefix="carers.assessment",
    permission=CHANGE_PERMISSION,
    permission_refused="You do not have permission to change assessments.",
    target_label=lambda stage: Stage(stage).label,
    not_open=action_not_open,
    actions=[
        Action(
            "accept_roi",
            "Accept the Registration of Interest",
            (Stage.ROI_ACCEPTED,),
            applies=ADOPTION_ONLY,
        ),
        Action(
            "decline_roi",
            "Do not accept the Registration of Interest",
            (Stage.NOT_PROCEEDING,),
            states=(Stage.ROI_RECEIVED,),
            applies=ADOPTION_ONLY,
            warning=True,
            needs_note=True,
        ),
        Action(
            "start_stage_1",
            "Start Stage 1",
            (Stage.STAGE_1,),
            states=(Stage.ROI_ACCEPTED,),
            applies=ADOPTION_ONLY,
            guards=(_guard(_guard_start_stage_1),),
        ),
        Action(
            "record_stage_1_plan",
            "Record the Stage 1 plan",
            states=(Stage.STAGE_1,),
            applies=ADOPTION_ONLY,
            fields=("agreed_on",),
        ),
        Action(
            "complete_stage_1",
            "Stage 1 decision: go on to Stage 2",
            (Stage.STAGE_1_COMPLETE,),
            applies=ADOPTION_ONLY,
            guards=(_guard(_guard_complete_stage_1),),
        ),
        Action(
            "end_at_stage_1",
            "Stage 1 decision: do not proceed",
            (Stage.NOT_PROCEEDING,),
            states=(Stage.STAGE_1,),
            applies=ADOPTION_ONLY,
            warning=True,
            needs_note=True,
        ),
        Action("pause", "Pause before Stage 2", (Stage.PAUSED,), applies=ADOPTION_ONLY),
        Action(
            "start_stage_2",
            "Notice to proceed: start Stage 2",
            (Stage.STAGE_2,),
            states=(Stage.STAGE_1_COMPLETE, Stage.PAUSED),
            applies=ADOPTION_ONLY,
            guards=(_guard(_guard_start_stage_2),),
        ),
        Action(
            "fast_track",
            "Fast track: start at Stage 2",
            (Stage.STAGE_2,),
            states=(Stage.ROI_ACCEPTED,),
            applies=ADOPTION_ONLY,
            guards=(_guard(_guard_start_stage_1),),
            fields=("basis", "since"),
        ),
        Action(
            "restart_stage_1",
            "Start Stage 1 again",
            (Stage.STAGE_1,),
            states=(Stage.PAUSED,),
            applies=ADOPTION_ONLY,
        ),
        Action(
            "extend_stage_2",
            "Extend the Stage 2 decision date",
            states=(Stage.STAGE_2, Stage.PANEL_BOOKED, Stage.PANEL_RECOMMENDED),
            applies=ADOPTION_ONLY,
            needs_note=True,
            fields=("until",),
        ),
        Action(
            "start_form_f",
            "Start the fostering assessment (Form F)",
            (Stage.FORM_F,),
            states=(Stage.NOT_STARTED,),
            applies=FOSTERING_ONLY,
            guards=(_guard(_guard_start_form_f),),
        ),
        Action(
            "book_panel",
            "Book for panel",
            (Stage.PANEL_BOOKED,),
            applies=BOTH_TRACKS,
            guards=(_guard(_guard_book_panel), _guard(_guard_report_shared)),
            fields=("panel",),
        ),
        Action(
            "defer_panel",
            "Take off the panel agenda",
            (Stage.STAGE_2, Stage.FORM_F),
            states=(Stage.PANEL_BOOKED,),
            applies=BOTH_TRACKS,
            warning=True,
            needs_note=True,
        ),
        Action(
            "record_recommendation",
            "Record the panel's recommendation",
            (Stage.PANEL_RECOMMENDED,),
            applies=BOTH_TRACKS,
            guards=(_guard(_guard_record_recommendation), guard_quorate),
            fields=("recommendation",),
        ),
        Action(
            "record_minutes",
            "Record the final panel minutes",
            states=(Stage.PANEL_RECOMMENDED,),
            applies=UNTIL_MINUTES,
            fields=("minutes",),
        ),
        Action(
            "record_decision",
            "Record the agency decision",
            (Stage.APPROVED,),
            states=(Stage.PANEL_RECOMMENDED,),
            # Separate decision makers for each track (services/panels.py).
            permission=decision_permission,
            permission_refused=decision_permission_refused,
            applies=BOTH_TRACKS,
            guards=(
                _guard(_guard_record_decision),
                guard_final_minutes,
                _guard_not_the_assessor,
                guard_not_on_the_panel,
            ),
            fields=(
                "decision",
                "approved_age_from",
                "approved_age_to",
                "approved_number_of_children",
                "approved_ages_in",
            ),
        ),
        Action(
            "withdraw",
            "Withdraw",
            (Stage.WITHDRAWN,),
            applies=BOTH_TRACKS,
            warning=True,
            needs_note=True,
        ),
    ],
)

# The buttons by name (the admin's URLs name them).
ACTIONS: dict[str, Action] = ASSESSMENT.actions


def actions_for(
    *, assessment: Assessment, facts: HouseholdFacts, applicants: list[Applicant], user, on: date
) -> list[Offered]:
    """The actions open to this user on this assessment now, with what blocks each one."""
    return ASSESSMENT.actions_for(
        assessment, user=user, context=Context(facts, applicants, on, user)
    )


def action_offered(
    *, assessment: Assessment, name: str, facts: HouseholdFacts, applicants, user, on: date
) -> Offered | None:
    """One action as ``actions_for`` offers it (None when it is not open now)."""
    return ASSESSMENT.offered(
        assessment, name, user=user, context=Context(facts, applicants, on, user)
    )


def action_not_possible(*, assessment: Assessment, name: str) -> str:
    """Why the action ``name`` is not open on ``assessment`` now, in words (for a page
    asked for an action that ``action_offered`` does not offer)."""
    return action_not_open(ASSESSMENT.actions[name], assessment)


# ---------------------------------------------------------------------------
# Assessment transitions: one function per move
# ---------------------------------------------------------------------------


def _begin(assessment: Assessment, action_name: str, *, by, on: date):
    """Lock, then check permission, the move, the date and the guard. Returns fresh rows."""
    household = _lock_household(assessment.household_id)
    locked = lock(assessment, related=("panel",))
    locked.household = household
    action = ASSESSMENT.check_open(locked, action_name, user=by)
    _not_in_future(on)
    if on < locked.stage_entered_on:
        raise TransitionRefused(
            [
                f"The date cannot be before {day(locked.stage_entered_on)}, when "
                f"“{locked.get_stage_display()}” began."
            ]
        )
    context = Context(
        household_facts(household=household), household_applicants(household=household), on, by
    )
    problems = ASSESSMENT.guard_problems(action, locked, context)
    if problems:
        raise TransitionRefused(problems)
    return household, locked


def _require_note(note: str, what: str) -> str:
    note = (note or "").strip()
    if not note:
        raise TransitionRefused([f"Say why {what}."])
    return note[:2000]


def _apply_move(
    assessment: Assessment, *, to: str, on: date, by, note: str, fields: dict, what: str
) -> None:
    def stage_change(assessment, from_stage, to_stage):
        StageChange.objects.create(
            assessment=assessment,
            from_stage=from_stage,
            to_stage=to_stage,
            effective_on=on,
            recorded_by=by,
            note=note,
        )

    assessment.stage_entered_on = on
    from_stage = ASSESSMENT.move(
        assessment,
        to=to,
        by=by,
        what=what,
        fields=fields,
        also_save=["stage_entered_on"],
        history=stage_change,
    )
    if from_stage == Stage.PANEL_RECOMMENDED:
        reminders.decision_waiting_withdraw(assessment_pk=assessment.pk)


def _finish(household: Household, *, on: date, by) -> None:
    _household_settle(household, on=on, by=by)
    training_records_sync(household=household)
    deadlines_refresh(household=household)


def assessment_accept_roi(*, assessment: Assessment, on: date, by, note: str = "") -> Assessment:
    with transaction.atomic():
        household, a = _begin(assessment, "accept_roi", by=by, on=on)
        _apply_move(
            a,
            to=Stage.ROI_ACCEPTED,
            on=on,
            by=by,
            note=note,
            fields={"roi_accepted_on": on},
            what="roi_accepted",
        )
        _finish(household, on=on, by=by)
    return a


def assessment_decline_roi(*, assessment: Assessment, on: date, by, note: str) -> Assessment:
    note = _require_note(note, "the Registration of Interest is not accepted")
    with transaction.atomic():
        household, a = _begin(assessment, "decline_roi", by=by, on=on)
        _apply_move(
            a,
            to=Stage.NOT_PROCEEDING,
            on=on,
            by=by,
            note=note,
            fields={"closed_on": on},
            what="roi_declined",
        )
        _close_fostering_if_adoption_ends(household, on=on, by=by, note=note)
        _finish(household, on=on, by=by)
    return a


def assessment_start_stage_1(*, assessment: Assessment, on: date, by, note: str = "") -> Assessment:
    with transaction.atomic():
        household, a = _begin(assessment, "start_stage_1", by=by, on=on)
        _apply_move(
            a,
            to=Stage.STAGE_1,
            on=on,
            by=by,
            note=note,
            fields={"stage_1_started_on": on},
            what="stage_1_started",
        )
        _finish(household, on=on, by=by)
    return a


def fast_track_problems(*, basis: str, since: date | None, on: date) -> list[str]:
    """Who may take the fast track (``clocks.FAST_TRACK_ADOPTERS_APPROVED_FROM``)."""
    if basis not in FastTrackBasis.values:
        return ["Choose the basis of the fast track: approved foster carers or adopted before."]
    if since is None:
        return ["Give the date of the approval the fast track relies on."]
    problems = dates.messages(dates.happened(since, label="The date of that approval"))
    if since > on:
        problems.append("That approval must come before the fast track starts.")
    if (
        basis == FastTrackBasis.PREVIOUS_ADOPTER
        and since < clocks.FAST_TRACK_ADOPTERS_APPROVED_FROM
    ):
        problems.append(
            "The fast track is for adopters approved in England or Wales from "
            f"{day(clocks.FAST_TRACK_ADOPTERS_APPROVED_FROM)}: start at Stage 1 instead."
        )
    if (
        basis == FastTrackBasis.APPROVED_FOSTER_CARER
        and since < clocks.FAST_TRACK_FOSTER_CARERS_APPROVED_FROM
    ):
        problems.append(
            "The fast track is for foster carers assessed under the Fostering Services "
            "(England) Regulations 2011, approved from "
            f"{day(clocks.FAST_TRACK_FOSTER_CARERS_APPROVED_FROM)}: start at Stage 1 instead."
        )
    return problems


def assessment_fast_track(
    *, assessment: Assessment, on: date, by, basis: str, since: date | None, note: str = ""
) -> Assessment:
    """Approved foster carers and people who have adopted before start at Stage 2: the
    four-month decision clock runs from ``on``, the day they notify the agency that they
    want to proceed (``clocks.stage_2_decision_due``). The household records the basis."""
    problems = fast_track_problems(basis=basis, since=since, on=on)
    if problems:
        raise TransitionRefused(problems)
    with transaction.atomic():
        household, a = _begin(assessment, "fast_track", by=by, on=on)
        _apply_move(
            a,
            to=Stage.STAGE_2,
            on=on,
            by=by,
            note=note or f"Fast track: {FastTrackBasis(basis).label.lower()}.",
            fields={"notice_to_proceed_on": on},
            what="fast_tracked",
        )
        changes = {"fast_track_basis": ["", basis], "fast_track_since": [None, since]}
        household.fast_track_basis, household.fast_track_since = basis, since
        with audit.silenced():
            household.save(update_fields=["fast_track_basis", "fast_track_since", "updated_at"])
        audit.record(household, "carers.household.fast_tracked", by=by, changes=changes)
        _finish(household, on=on, by=by)
    return a


def assessment_record_stage_1_plan(
    *, assessment: Assessment, agreed_on: date, by, note: str = ""
) -> Assessment:
    """Not a move: the date the written Stage 1 plan was agreed."""
    with transaction.atomic():
        household, a = _begin(assessment, "record_stage_1_plan", by=by, on=agreed_on)
        changes = {"stage_1_plan_agreed_on": [a.stage_1_plan_agreed_on, agreed_on]}
        a.stage_1_plan_agreed_on = agreed_on
        with audit.silenced():
            a.save(update_fields=["stage_1_plan_agreed_on"])
        audit.record(a, "carers.assessment.stage_1_plan_agreed", by=by, changes=changes)
    return a


def assessment_complete_stage_1(
    *, assessment: Assessment, on: date, by, note: str = ""
) -> Assessment:
    with transaction.atomic():
        household, a = _begin(assessment, "complete_stage_1", by=by, on=on)
        _apply_move(
            a,
            to=Stage.STAGE_1_COMPLETE,
            on=on,
            by=by,
            note=note,
            fields={"stage_1_decision_on": on},
            what="stage_1_completed",
        )
        _finish(household, on=on, by=by)
    return a


def assessment_end_at_stage_1(*, assessment: Assessment, on: date, by, note: str) -> Assessment:
    note = _require_note(note, "the assessment does not proceed")
    with transaction.atomic():
        household, a = _begin(assessment, "end_at_stage_1", by=by, on=on)
        _apply_move(
            a,
            to=Stage.NOT_PROCEEDING,
            on=on,
            by=by,
            note=note,
            fields={"stage_1_decision_on": on, "closed_on": on},
            what="stage_1_not_proceeding",
        )
        _close_fostering_if_adoption_ends(household, on=on, by=by, note=note)
        _finish(household, on=on, by=by)
    return a


def assessment_pause(*, assessment: Assessment, on: date, by, note: str = "") -> Assessment:
    with transaction.atomic():
        household, a = _begin(assessment, "pause", by=by, on=on)
        _apply_move(
            a,
            to=Stage.PAUSED,
            on=on,
            by=by,
            note=note,
            fields={"paused_on": on},
            what="paused",
        )
        _finish(household, on=on, by=by)
    return a


def assessment_start_stage_2(*, assessment: Assessment, on: date, by, note: str = "") -> Assessment:
    with transaction.atomic():
        household, a = _begin(assessment, "start_stage_2", by=by, on=on)
        _apply_move(
            a,
            to=Stage.STAGE_2,
            on=on,
            by=by,
            note=note,
            fields={"notice_to_proceed_on": on},
            what="stage_2_started",
        )
        _finish(household, on=on, by=by)
    return a


def assessment_restart_stage_1(
    *, assessment: Assessment, on: date, by, note: str = ""
) -> Assessment:
    with transaction.atomic():
        household, a = _begin(assessment, "restart_stage_1", by=by, on=on)
        _apply_move(
            a,
            to=Stage.STAGE_1,
            on=on,
            by=by,
            note=note,
            fields={
                "stage_1_started_on": on,
                "stage_1_decision_on": None,
                "stage_1_plan_agreed_on": None,
                "paused_on": None,
            },
            what="stage_1_restarted",
        )
        _finish(household, on=on, by=by)
    return a


def assessment_extend_stage_2(*, assessment: Assessment, until: date, by, note: str) -> Assessment:
    """Not a move: a later Stage 2 decision date, at the applicants' request or exceptionally."""
    note = _require_note(note, "the Stage 2 decision date is extended")
    today = timezone.localdate()
    with transaction.atomic():
        household, a = _begin(assessment, "extend_stage_2", by=by, on=today)
        current = clocks.stage_2_decision_due(a.notice_to_proceed_on, a.stage_2_extended_until)
        if until <= current:
            raise TransitionRefused(
                [f"The new date must be after the current one, {day(current)}."]
            )
        changes = {
            "stage_2_extended_until": [a.stage_2_extended_until, until],
            "stage_2_extension_reason": [a.stage_2_extension_reason, note[:300]],
        }
        a.stage_2_extended_until = until
        a.stage_2_extension_reason = note[:300]
        with audit.silenced():
            a.save(update_fields=["stage_2_extended_until", "stage_2_extension_reason"])
        audit.record(a, "carers.assessment.stage_2_extended", by=by, changes=changes)
        deadlines_refresh(household=household)
    return a


def assessment_start_form_f(*, assessment: Assessment, on: date, by, note: str = "") -> Assessment:
    with transaction.atomic():
        household, a = _begin(assessment, "start_form_f", by=by, on=on)
        _apply_move(
            a,
            to=Stage.FORM_F,
            on=on,
            by=by,
            note=note,
            fields={"form_f_started_on": on},
            what="form_f_started",
        )
        _finish(household, on=on, by=by)
    return a


def _sitting_change_problems(sitting: PanelSitting) -> None:
    """Once a recommendation rests on a sitting, its day and kind stand: the decision's
    clock, the adoption match's date and the check that it was the right panel were all
    read from them."""
    before = lock(sitting)
    moved = [
        label
        for label, field in (("date", "sits_on"), ("kind", "kind"), ("part of the day", "part"))
        if getattr(before, field) != getattr(sitting, field)
    ]
    if moved and sitting_attendance_frozen(sitting=before):
        raise TransitionRefused(
            [
                f"The {' and '.join(moved)} of this sitting can no longer change: a "
                "recommendation was recorded at it, and its clocks run from them."
            ]
        )


def panel_sitting_save(*, sitting: PanelSitting, by) -> PanelSitting:
    """Save a panel sitting; the agency-decision clock of every household on its agenda
    follows a change of date (it runs from the day the panel sits)."""
    with transaction.atomic():
        if sitting.pk is not None:
            _sitting_change_problems(sitting)
        sitting.save()
        household_pks = sorted(
            set(
                Assessment.objects.filter(
                    panel=sitting, stage__in=(Stage.PANEL_BOOKED, Stage.PANEL_RECOMMENDED)
                ).values_list("household_id", flat=True)
            )
        )
        for pk in household_pks:
            deadlines_refresh(household=_lock_household(pk))
    return sitting


def assessment_book_panel(
    *, assessment: Assessment, panel: PanelSitting, on: date, by, note: str = ""
) -> Assessment:
    with transaction.atomic():
        panel = lock(panel)  # before the household (lock order): its places are counted
        household, a = _begin(assessment, "book_panel", by=by, on=on)
        full = _sitting_full(panel, household=household)
        if full:
            raise TransitionRefused(full)
        if not panel.hears(a.track):
            raise TransitionRefused(
                [
                    f"The {panel.get_kind_display().lower()} does not hear "
                    f"{a.get_track_display().lower()} cases."
                ]
            )
        if panel.sits_on < on:
            raise TransitionRefused(
                [f"That panel sat on {day(panel.sits_on)}: choose one on or after {day(on)}."]
            )
        _apply_move(
            a,
            to=Stage.PANEL_BOOKED,
            on=on,
            by=by,
            note=note,
            fields={"panel": panel, "panel_recommendation": ""},
            what="panel_booked",
        )
        _finish(household, on=on, by=by)
    return a


def _sitting_full(sitting: PanelSitting, *, household: Household) -> list[str]:
    """Refusal if ``sitting`` (locked) already has as many other households as it hears."""
    if sitting.places is None:
        return []
    others = (
        Assessment.objects.filter(panel=sitting)
        .exclude(household=household)
        .values("household")
        .distinct()
        .count()
    )
    if others < sitting.places:
        return []
    return [
        f"The {sitting} is full: it hears {sitting.places} "
        f"household{'s' if sitting.places != 1 else ''}. Choose another sitting."
    ]


def household_move_panel(*, household: Household, to: PanelSitting, by, note: str) -> list:
    """Move every track of the household booked for panel to the sitting ``to``, together.

    All or nothing: refused in words when the sitting is in the past, the same as now,
    full, does not hear a track, sits before a track was booked, or on a day when what
    the booking needs (checks in date, reports, training) would not hold. Each track keeps its
    stage; the move is written in its timeline and audit trail, and the agency-decision
    clock follows the new date. Locks: the sitting, then the household, then its tracks.
    """
    note = _require_note(note, "the household moves to another sitting")
    today = timezone.localdate()
    with transaction.atomic():
        sitting, household = lock_all(to, household)
        booked = lock_all(
            *household.assessments.filter(stage=Stage.PANEL_BOOKED).order_by("pk"),
            related=("panel",),
        )
        if not by.has_perm(CHANGE_PERMISSION):
            raise TransitionRefused(["You may not change assessments."])
        if not booked:
            raise TransitionRefused(["No track of this household is booked for panel."])
        problems = []
        if all(a.panel_id == sitting.pk for a in booked):
            problems.append(f"The household is already booked for the {sitting}.")
        if sitting.sits_on < today:
            problems.append(
                f"That panel sat on {day(sitting.sits_on)}: choose a sitting from today on."
            )
        for a in booked:
            track = a.get_track_display().lower()
            if not sitting.hears(a.track):
                problems.append(
                    f"The {sitting.get_kind_display().lower()} does not hear {track} cases."
                )
            if sitting.sits_on < a.stage_entered_on:
                problems.append(
                    f"The {track} track was booked on {day(a.stage_entered_on)}: "
                    "choose a sitting on or after that day."
                )
        # What the booking needs (checks in date, reports, training) must hold on the day
        # the new sitting sits, not only on the day the household was booked.
        if not problems:
            context = Context(
                household_facts(household=household),
                household_applicants(household=household),
                sitting.sits_on,
            )
            for a in booked:
                problems += ASSESSMENT.guard_problems(ACTIONS["book_panel"], a, context)
        problems += _sitting_full(sitting, household=household)
        if problems:
            raise TransitionRefused(problems)
        for a in booked:
            before = a.panel
            a.panel = sitting
            with audit.silenced():
                a.save(update_fields=["panel"])
            audit.record(
                a,
                "carers.assessment.panel_moved",
                by=by,
                changes={"panel": [before, sitting]},
            )
            StageChange.objects.create(
                assessment=a,
                from_stage=Stage.PANEL_BOOKED,
                to_stage=Stage.PANEL_BOOKED,
                effective_on=today,
                recorded_by=by,
                note=f"Moved from the {before} to the {sitting}. {note}"[:2000],
            )
        deadlines_refresh(household=household)
    return booked


def assessment_defer_panel(*, assessment: Assessment, on: date, by, note: str) -> Assessment:
    note = _require_note(note, "the household comes off the panel agenda")
    with transaction.atomic():
        household, a = _begin(assessment, "defer_panel", by=by, on=on)
        back_to = Stage.STAGE_2 if a.track == Track.ADOPTION else Stage.FORM_F
        _apply_move(
            a,
            to=back_to,
            on=on,
            by=by,
            note=note,
            fields={"panel": None},
            what="panel_deferred",
        )
        _finish(household, on=on, by=by)
    return a


def assessment_record_recommendation(
    *, assessment: Assessment, recommendation: str, by, note: str = "", on: date | None = None
) -> Assessment:
    """The panel's recommendation, effective on the day it sat."""
    if recommendation not in Assessment.Recommendation.values:
        raise TransitionRefused(["Choose the panel's recommendation."])
    with transaction.atomic():
        if assessment.panel_id is not None:
            # Before the household (lock order): the attendance the quorum is read from may
            # not change while the recommendation is recorded (``sitting_attendance_frozen``).
            lock((PanelSitting, assessment.panel_id))
        today = timezone.localdate()
        household, a = _begin(assessment, "record_recommendation", by=by, on=today)
        sat_on = on or a.panel.sits_on
        _apply_move(
            a,
            to=Stage.PANEL_RECOMMENDED,
            on=max(sat_on, a.stage_entered_on),
            by=by,
            note=note,
            fields={"panel_recommendation": recommendation},
            what="panel_recommended",
        )
        deadlines_refresh(household=household)
        reminders.decision_waiting_notify(
            assessment_pk=a.pk,
            panel_pk=a.panel_id,
            household_pk=household.pk,
            team_managers=_team_managers(),
        )
    return a


def _team_managers():
    from portal.models import User
    from portal.roles import Role

    return list(
        User.objects.filter(groups__name=Role.TEAM_MANAGERS, is_active=True)
        .exclude(email="")
        .distinct()
        .order_by("pk")
    )


def assessment_record_minutes(
    *, assessment: Assessment, minutes: Document, on: date, by, note: str = ""
) -> Assessment:
    """Not a move: the final minutes of the item (uploaded as a household document) and the
    day they were received, from which the agency decision's clock runs."""
    with transaction.atomic():
        household, a = _begin(assessment, "record_minutes", by=by, on=on)
        problems = []
        if minutes.household_id != household.pk or minutes.kind != Document.Kind.PANEL_MINUTES:
            problems.append("Choose panel minutes uploaded to this household.")
        if on < a.panel.sits_on:
            problems.append(
                f"The minutes cannot be received before the panel sat, on {day(a.panel.sits_on)}."
            )
        if problems:
            raise TransitionRefused(problems)
        # Once only: ``_begin`` refused a second recording (``action_not_open``).
        PanelMinutes.objects.create(
            sitting=a.panel, assessment=a, document=minutes, received_on=on, recorded_by=by
        )
        audit.record(
            a,
            "carers.assessment.panel_minutes_received",
            by=by,
            changes={"panel_minutes_received_on": [None, on]},
            note=note,
        )
        deadlines_refresh(household=household)
    return a


def assessment_record_decision(
    *,
    assessment: Assessment,
    decision: str,
    on: date,
    by,
    note: str = "",
    approved_age_from: int | None = None,
    approved_age_to: int | None = None,
    approved_number_of_children: int | None = None,
    approved_ages_in: str = AgesIn.YEARS,
) -> Assessment:
    """The agency decision maker's decision (team managers only, and never whoever assessed
    the household: ``assessor_ids``).

    Only an approval is decided here: not approving is first a proposal, the qualifying
    determination (``determinations.determination_propose``), and the final refusal
    comes after the applicants' window (``determinations.determination_decide``)."""
    if decision not in Assessment.Decision.values:
        raise TransitionRefused(["Choose the agency decision."])
    if decision == Assessment.Decision.NOT_APPROVED:
        raise TransitionRefused([REFUSAL_IS_PROPOSED_FIRST])
    return decision_record(
        assessment=assessment,
        action="record_decision",
        decision=decision,
        on=on,
        by=by,
        note=note,
        terms={
            "approved_age_from": approved_age_from,
            "approved_age_to": approved_age_to,
            "approved_number_of_children": approved_number_of_children,
            "approved_ages_in": approved_ages_in,
        },
    )


def decision_record(
    *, assessment: Assessment, action: str, decision: str, on: date, by, note: str, terms: dict
) -> Assessment:
    """An agency decision through ``action`` (after panel, or the final decision after a
    proposed refusal): an approval needs its terms (``carers.terms``)."""
    if decision == Assessment.Decision.APPROVED:
        problems = terms_problems(
            age_from=terms["approved_age_from"],
            age_to=terms["approved_age_to"],
            number=terms["approved_number_of_children"],
            ages_in=terms["approved_ages_in"],
        )
        if problems:
            raise TransitionRefused(problems)
    with transaction.atomic():
        household, a = _begin(assessment, action, by=by, on=on)
        decision_apply(household, a, decision=decision, on=on, by=by, note=note, terms=terms)
    return a


def decision_apply(
    household: Household, a: Assessment, *, decision: str, on: date, by, note: str, terms: dict
) -> None:
    """Record an agency decision on the locked track ``a``: its stage, the decision and,
    for an approval, its terms and the household's approval."""
    approved = decision == Assessment.Decision.APPROVED
    fields = {
        "agency_decision": decision,
        "agency_decision_on": on,
        "agency_decision_by": by,
        "closed_on": on,
    }
    _apply_move(
        a,
        to=Stage.APPROVED if approved else Stage.NOT_APPROVED,
        on=on,
        by=by,
        note=note,
        fields=fields | terms if approved else fields,
        what="approved" if approved else "not_approved",
    )
    if approved:
        _household_approve(household, track=a.track, on=on, by=by)
    _finish(household, on=on, by=by)


REFUSAL_IS_PROPOSED_FIRST = (
    "A refusal is first a proposal: use “Propose not to approve (qualifying "
    "determination)”. The applicants then have their window to make representations or "
    "ask for an independent review before the final decision."
)


def _household_approve(household: Household, *, track: str, on: date, by) -> None:
    approval_field = (
        "adopter_approved_on" if track == Track.ADOPTION else "foster_carer_approved_on"
    )
    if household.status == Household.Status.ASSESSING:
        _household_move(
            household,
            Household.Status.APPROVED,
            by=by,
            fields={approval_field: on},
            what=f"approved_{track}",
        )
    else:
        changes = {approval_field: [getattr(household, approval_field), on]}
        setattr(household, approval_field, on)
        with audit.silenced():
            household.save(update_fields=[approval_field, "updated_at"])
        audit.record(household, f"carers.household.approved_{track}", by=by, changes=changes)
    # Each approval's first review: a year on (the first foster carer review goes to panel).
    review_open(
        household,
        track=track,
        due_on=clocks.review_due(track, on),
        goes_to_panel=track == Track.FOSTERING,
    )


def assessment_withdraw(*, assessment: Assessment, on: date, by, note: str) -> Assessment:
    note = _require_note(note, "the assessment is withdrawn")
    with transaction.atomic():
        household, a = _begin(assessment, "withdraw", by=by, on=on)
        _apply_move(
            a,
            to=Stage.WITHDRAWN,
            on=on,
            by=by,
            note=note,
            fields={"closed_on": on},
            what="withdrawn",
        )
        _finish(household, on=on, by=by)
    return a


def _close_fostering_if_adoption_ends(household: Household, *, on: date, by, note: str) -> None:
    """EP carers are assessed as both: if the adoption track ends early, so does fostering."""
    fostering = (
        household.assessments.select_for_update()
        .filter(track=Track.FOSTERING, stage__in=_open_stages())
        .first()
    )
    if fostering is not None:
        _apply_move(
            fostering,
            to=Stage.WITHDRAWN,
            on=max(on, fostering.stage_entered_on),
            by=by,
            note=note,
            fields={"closed_on": on},
            what="withdrawn",
        )


# Every transition by its action name, for the admin's buttons.
TRANSITION_SERVICES: dict[str, Callable] = {
    "accept_roi": assessment_accept_roi,
    "decline_roi": assessment_decline_roi,
    "start_stage_1": assessment_start_stage_1,
    "record_stage_1_plan": assessment_record_stage_1_plan,
    "complete_stage_1": assessment_complete_stage_1,
    "end_at_stage_1": assessment_end_at_stage_1,
    "pause": assessment_pause,
    "start_stage_2": assessment_start_stage_2,
    "fast_track": assessment_fast_track,
    "restart_stage_1": assessment_restart_stage_1,
    "extend_stage_2": assessment_extend_stage_2,
    "start_form_f": assessment_start_form_f,
    "book_panel": assessment_book_panel,
    "defer_panel": assessment_defer_panel,
    "record_recommendation": assessment_record_recommendation,
    "record_minutes": assessment_record_minutes,
    "record_decision": assessment_record_decision,
    "withdraw": assessment_withdraw,
}

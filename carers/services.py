"""Every write and state change for carer households and their assessments.

Stages move only through the functions below, on the core engine
(``portal.workflow``): each locks the household and the assessment, checks the
move against ``ALLOWED_TRANSITIONS`` and its guard (``ASSESSMENT``), saves with
``update_fields``, records a ``StageChange`` (who, when, note) and a dotted audit
entry, and brings the household's deadlines up to date, all in one transaction.
A refused move raises ``Refused`` (``TransitionRefused`` here) whose messages say
plainly what is missing.
"""

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from portal import audit, dates, deadlines
from portal.dates import DateProblem
from portal.formats import day
from portal.uploads import upload_check
from portal.validators import postcode_normalise
from portal.workflow import Action, Offered, Refused, Table, Workflow, lock

from . import clocks, reminders
from .clocks import HouseholdFacts
from .models import (
    CLOSED_STAGES,
    Applicant,
    Assessment,
    Document,
    FosterCarerReview,
    Household,
    HouseholdMember,
    PanelSitting,
    Stage,
    StageChange,
    StatutoryCheck,
    Track,
    TrainingCourse,
    TrainingRecord,
)
from .selectors import household_applicants, household_document_kinds, household_facts

Kind = StatutoryCheck.Kind

ALLOWED_TRANSITIONS: dict[str, dict[str, tuple[str, ...]]] = {
    Track.ADOPTION: {
        Stage.ROI_RECEIVED: (Stage.ROI_ACCEPTED, Stage.NOT_PROCEEDING, Stage.WITHDRAWN),
        Stage.ROI_ACCEPTED: (Stage.STAGE_1, Stage.WITHDRAWN),
        Stage.STAGE_1: (Stage.STAGE_1_COMPLETE, Stage.NOT_PROCEEDING, Stage.WITHDRAWN),
        Stage.STAGE_1_COMPLETE: (Stage.PAUSED, Stage.STAGE_2, Stage.WITHDRAWN),
        # After a pause longer than the limit, Stage 1 starts again.
        Stage.PAUSED: (Stage.STAGE_2, Stage.STAGE_1, Stage.WITHDRAWN),
        Stage.STAGE_2: (Stage.PANEL_BOOKED, Stage.WITHDRAWN),
        # A deferred panel sends the assessment back to Stage 2.
        Stage.PANEL_BOOKED: (Stage.PANEL_RECOMMENDED, Stage.STAGE_2, Stage.WITHDRAWN),
        Stage.PANEL_RECOMMENDED: (Stage.APPROVED, Stage.NOT_APPROVED, Stage.WITHDRAWN),
    },
    Track.FOSTERING: {
        Stage.NOT_STARTED: (Stage.FORM_F, Stage.WITHDRAWN),
        Stage.FORM_F: (Stage.PANEL_BOOKED, Stage.WITHDRAWN),
        Stage.PANEL_BOOKED: (Stage.PANEL_RECOMMENDED, Stage.FORM_F, Stage.WITHDRAWN),
        Stage.PANEL_RECOMMENDED: (Stage.APPROVED, Stage.NOT_APPROVED, Stage.WITHDRAWN),
    },
}

TRACK_TABLES = {track: Table(moves, field="stage") for track, moves in ALLOWED_TRANSITIONS.items()}

HOUSEHOLD_TRANSITIONS: dict[str, tuple[str, ...]] = {
    Household.Status.ASSESSING: (Household.Status.APPROVED, Household.Status.CLOSED),
    Household.Status.APPROVED: (Household.Status.CLOSED,),
    Household.Status.CLOSED: (),
}

CHANGE_PERMISSION = "carers.change_assessment"
DECISION_PERMISSION = "carers.record_agency_decision"
PERSONAL_REFERENCES_NEEDED = 3
NON_RELATIVE_REFERENCES_NEEDED = 2


# The core's one refusal, under the name callers of this module have always used.
TransitionRefused = Refused

HOUSEHOLD = Workflow(
    table=Table(HOUSEHOLD_TRANSITIONS),
    actions=(),
    audit_prefix="carers.household",
    target_label=lambda status: Household.Status(status).label,
)


# ---------------------------------------------------------------------------
# Households
# ---------------------------------------------------------------------------


def household_create(
    *,
    by,
    address_line_1: str,
    town: str,
    postcode: str,
    local_authority: str,
    address_line_2: str = "",
    social_worker=None,
    has_pets: bool = False,
    applicants: Sequence[dict] = (),
    roi_received_on: date | None = None,
) -> Household:
    """A new household whose adoption track starts at 'Registration of Interest received'."""
    household = Household(
        address_line_1=address_line_1,
        address_line_2=address_line_2,
        town=town,
        postcode=postcode,
        local_authority=local_authority,
        social_worker=social_worker,
        has_pets=has_pets,
    )
    return household_register(
        household=household, by=by, applicants=applicants, roi_received_on=roi_received_on
    )


def household_register(
    *,
    household: Household,
    by,
    applicants: Sequence[dict] = (),
    roi_received_on: date | None = None,
) -> Household:
    """Save a new household (built by a form or by ``household_create``) and open its tracks."""
    if household.pk is not None:
        raise ValueError("household_register is for new households")
    if len(applicants) > 2:
        raise ValidationError("A household has one or two applicants.")
    on = roi_received_on or timezone.localdate()
    _not_in_future(on)
    problems = [
        problem
        for data in applicants
        for problem in applicant_date_problems(
            name=f"{data.get('first_name', '')} {data.get('last_name', '')}".strip(),
            date_of_birth=data.get("date_of_birth"),
        )
    ]
    if problems:
        raise TransitionRefused(dates.messages(problems))
    with transaction.atomic():
        household.postcode = postcode_normalise(household.postcode)
        household.status = Household.Status.ASSESSING
        household.save()
        household.reference = f"EP{household.pk:05d}"
        with audit.silenced():
            household.save(update_fields=["reference"])
        for position, data in enumerate(applicants, start=1):
            Applicant.objects.create(household=household, position=position, **data)
        adoption = Assessment.objects.create(
            household=household,
            track=Track.ADOPTION,
            stage=Stage.ROI_RECEIVED,
            stage_entered_on=on,
            roi_received_on=on,
        )
        fostering = Assessment.objects.create(
            household=household, track=Track.FOSTERING, stage=Stage.NOT_STARTED, stage_entered_on=on
        )
        for assessment in (adoption, fostering):
            StageChange.objects.create(
                assessment=assessment, to_stage=assessment.stage, effective_on=on, recorded_by=by
            )
        audit.record(
            household,
            "carers.household.created",
            by=by,
            changes={"reference": [None, household.reference]},
        )
        checks_sync_required(household=household)
        deadlines_refresh(household=household)
    return household


HOUSEHOLD_DETAIL_FIELDS = (
    "social_worker",
    "has_pets",
    "address_line_1",
    "address_line_2",
    "town",
    "postcode",
    "local_authority",
)


def household_update(*, household: Household, by) -> Household:
    """Staff edited a household's address, pets or social worker (auditlog keeps the diff).

    The people, checks and training are saved with it; ``household_after_edit`` follows.
    """
    if household.pk is None:
        raise ValueError("households are registered with household_register")
    household.postcode = postcode_normalise(household.postcode)
    with transaction.atomic():
        household.save(update_fields=[*HOUSEHOLD_DETAIL_FIELDS, "updated_at"])
    return household


def household_after_edit(*, household: Household, by=None) -> None:
    """After staff edit people, checks or training in the admin: derived facts catch up."""
    with transaction.atomic():
        household = _lock_household(household.pk)
        checks_update_expiries(household=household)
        checks_sync_required(household=household)
        training_records_sync(household=household)
        deadlines_refresh(household=household)


def household_close(*, household: Household, on: date, reason: str, by) -> Household:
    """Close a household: open tracks are withdrawn, approvals end, reminders stop."""
    if not reason.strip():
        raise TransitionRefused(["Say why the household is being closed."])
    _not_in_future(on)
    with transaction.atomic():
        household = _lock_household(household.pk)
        _check_household_move(household, Household.Status.CLOSED)
        began_on = (
            household.assessments.filter(track=Track.ADOPTION)
            .values_list("roi_received_on", flat=True)
            .first()
        )
        problems = dates.in_order(
            on,
            began_on,
            label="The date the household closed",
            earlier_label="the date its Registration of Interest was received",
        )
        if problems:
            raise TransitionRefused(dates.messages(problems))
        for assessment in household.assessments.select_for_update().filter(
            stage__in=_open_stages()
        ):
            _apply_move(
                assessment,
                to=Stage.WITHDRAWN,
                on=max(on, assessment.stage_entered_on),
                by=by,
                note=reason,
                fields={"closed_on": on},
                what="withdrawn",
            )
        _household_move(
            household,
            Household.Status.CLOSED,
            by=by,
            fields={"closed_on": on, "closed_reason": reason.strip()[:300]},
            what="closed",
        )
        deadlines_refresh(household=household)
    return household


def _check_household_move(household: Household, to: str) -> None:
    if not HOUSEHOLD.table_of(household).allows(household.status, to):
        raise TransitionRefused(
            [
                f"The household is {household.get_status_display().lower()}: "
                f"it cannot become {Household.Status(to).label.lower()}."
            ]
        )


def _household_move(household: Household, to: str, *, by, fields: dict, what: str) -> None:
    _check_household_move(household, to)
    HOUSEHOLD.move(household, to=to, by=by, what=what, fields=fields)


def _household_settle(household: Household, *, on: date, by) -> None:
    """A household whose every track has ended without approval is closed."""
    if household.status != Household.Status.ASSESSING:
        return
    stages = list(household.assessments.values_list("stage", flat=True))
    if any(stage not in CLOSED_STAGES for stage in stages):
        return
    _household_move(
        household,
        Household.Status.CLOSED,
        by=by,
        fields={"closed_on": on, "closed_reason": "Every assessment track has ended."},
        what="closed",
    )


def _open_stages() -> list[str]:
    return [stage for stage in Stage.values if stage not in CLOSED_STAGES]


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
    if adoption is None or adoption.stage_1_started_on is None:
        return [
            "Start Stage 1 of the adoption assessment first: the fostering assessment runs "
            "alongside it."
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


# ---------------------------------------------------------------------------
# The actions offered on an assessment (the admin shows them as buttons)
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Context:
    """What the guards read: the household's facts and applicants, and the day of the move."""

    facts: HouseholdFacts
    applicants: list[Applicant]
    on: date


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

ASSESSMENT = Workflow(
    table=lambda assessment: TRACK_TABLES[assessment.track],
    audit_prefix="carers.assessment",
    permission=CHANGE_PERMISSION,
    permission_refused="You do not have permission to change assessments.",
    target_label=lambda stage: Stage(stage).label,
    not_open=lambda action, a: (
        f"{action.label} is not possible: the {a.get_track_display().lower()} "
        f"assessment is at “{a.get_stage_display()}”."
    ),
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
            guards=(_guard(_guard_book_panel),),
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
            guards=(_guard(_guard_record_recommendation),),
            fields=("recommendation",),
        ),
        Action(
            "record_decision",
            "Record the agency decision",
            (Stage.APPROVED, Stage.NOT_APPROVED),
            permission=DECISION_PERMISSION,
            permission_refused="Only team managers record the agency decision.",
            applies=BOTH_TRACKS,
            guards=(_guard(_guard_record_decision),),
            fields=(
                "decision",
                "approved_age_from",
                "approved_age_to",
                "approved_number_of_children",
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
    return ASSESSMENT.actions_for(assessment, user=user, context=Context(facts, applicants, on))


def action_offered(
    *, assessment: Assessment, name: str, facts: HouseholdFacts, applicants, user, on: date
) -> Offered | None:
    """One action as ``actions_for`` offers it (None when it is not open now)."""
    return ASSESSMENT.offered(assessment, name, user=user, context=Context(facts, applicants, on))


# ---------------------------------------------------------------------------
# Assessment transitions: one function per move
# ---------------------------------------------------------------------------


def _lock_household(pk: int) -> Household:
    return lock((Household, pk))


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
        household_facts(household=household), household_applicants(household=household), on
    )
    problems = ASSESSMENT.guard_problems(action, locked, context)
    if problems:
        raise TransitionRefused(problems)
    return household, locked


def _not_in_future(on: date) -> None:
    problems = dates.happened(on)
    if problems:
        raise TransitionRefused(dates.messages(problems))


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


def assessment_book_panel(
    *, assessment: Assessment, panel: PanelSitting, on: date, by, note: str = ""
) -> Assessment:
    with transaction.atomic():
        household, a = _begin(assessment, "book_panel", by=by, on=on)
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
) -> Assessment:
    """The agency decision maker's decision (team managers only)."""
    if decision not in Assessment.Decision.values:
        raise TransitionRefused(["Choose the agency decision."])
    approved = decision == Assessment.Decision.APPROVED
    if approved:
        problems = []
        if approved_number_of_children is None or approved_number_of_children < 1:
            problems.append("Give the number of children the approval is for.")
        if approved_age_from is None or approved_age_to is None:
            problems.append("Give the age range of the approval.")
        elif approved_age_from > approved_age_to:
            problems.append("The youngest age of the approval must not be above the oldest.")
        if problems:
            raise TransitionRefused(problems)
    with transaction.atomic():
        household, a = _begin(assessment, "record_decision", by=by, on=on)
        fields = {
            "agency_decision": decision,
            "agency_decision_on": on,
            "agency_decision_by": by,
            "closed_on": on,
        }
        if approved:
            fields |= {
                "approved_age_from": approved_age_from,
                "approved_age_to": approved_age_to,
                "approved_number_of_children": approved_number_of_children,
            }
        _apply_move(
            a,
            to=Stage.APPROVED if approved else Stage.NOT_APPROVED,
            on=on,
            by=by,
            note=note,
            fields=fields,
            what="approved" if approved else "carers.assessment.not_approved",
        )
        if approved:
            _household_approve(household, track=a.track, on=on, by=by)
        _finish(household, on=on, by=by)
    return a


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
    if track == Track.FOSTERING:
        FosterCarerReview.objects.filter(household=household, completed_on__isnull=True).delete()
        FosterCarerReview.objects.create(
            household=household, due_on=clocks.foster_review_due(on), goes_to_panel=True
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
    "restart_stage_1": assessment_restart_stage_1,
    "extend_stage_2": assessment_extend_stage_2,
    "start_form_f": assessment_start_form_f,
    "book_panel": assessment_book_panel,
    "defer_panel": assessment_defer_panel,
    "record_recommendation": assessment_record_recommendation,
    "record_decision": assessment_record_decision,
    "withdraw": assessment_withdraw,
}


# ---------------------------------------------------------------------------
# Checks, training and reviews
# ---------------------------------------------------------------------------


# The dates staff type into the household page: the forms show these messages, and
# ``household_register`` refuses with them.


def adopter_age_problems(
    *, name: str, date_of_birth: date | None, on: date, field: str | None = None
) -> list[DateProblem]:
    """An applicant must be 21 or over on the day Stage 1 starts (ACA 2002, ss50 and 51)."""
    if date_of_birth is None:
        return [DateProblem(field, f"Give the date of birth of {name}.")]
    minimum = clocks.ADOPTER_MINIMUM_AGE
    if date_of_birth > on:
        return [
            DateProblem(
                field,
                f"{name} was born on {day(date_of_birth)}, after {day(on)}: applicants "
                f"must be {minimum} or over when Stage 1 starts.",
            )
        ]
    age = dates.age_in_years(date_of_birth, on)
    if age >= minimum:
        return []
    return [
        DateProblem(
            field,
            f"{name} is {age} on {day(on)} (born {day(date_of_birth)}): applicants must be "
            f"{minimum} or over when Stage 1 starts (Adoption and Children Act 2002, "
            "sections 50 and 51).",
        )
    ]


def applicant_date_problems(
    *,
    name: str,
    date_of_birth: date | None,
    stage_1_started_on: date | None = None,
    today: date | None = None,
) -> list[DateProblem]:
    """A plausible date of birth for a grown-up; 21 or over once Stage 1 has started."""
    name = name or "the applicant"
    field = "date_of_birth"
    problems = dates.born(
        date_of_birth, label=f"The date of birth of {name}", field=field, today=today
    )
    if problems or date_of_birth is None:
        return problems
    if stage_1_started_on is not None:
        return adopter_age_problems(
            name=name, date_of_birth=date_of_birth, on=stage_1_started_on, field=field
        )
    today = today or timezone.localdate()
    age = dates.age_in_years(date_of_birth, today)
    if age < clocks.ADULT_AGE_YEARS:
        return [
            DateProblem(
                field,
                f"{name} is {age} (born {day(date_of_birth)}): applicants are grown-ups, and "
                f"must be {clocks.ADOPTER_MINIMUM_AGE} or over when Stage 1 starts.",
            )
        ]
    return []


def applicant_stage_1_started_on(*, household_id: int | None) -> date | None:
    """The day the household's adoption assessment (last) started Stage 1, if it has."""
    if household_id is None:
        return None
    return (
        Assessment.objects.filter(household_id=household_id, track=Track.ADOPTION)
        .values_list("stage_1_started_on", flat=True)
        .first()
    )


def member_date_problems(
    *, date_of_birth: date | None, today: date | None = None
) -> list[DateProblem]:
    return dates.born(date_of_birth, field="date_of_birth", today=today)


def check_date_problems(
    *,
    requested_on: date | None,
    received_on: date | None,
    expires_on: date | None = None,
    outcome: str = "",
    for_applicant: bool = False,
    for_member: bool = False,
    today: date | None = None,
) -> list[DateProblem]:
    """A check is requested and received in the past, in that order; it expires after."""
    problems = dates.happened(
        requested_on, label="The date requested", field="requested_on", today=today
    )
    received = dates.happened(
        received_on, label="The date received", field="received_on", today=today
    ) or dates.in_order(
        received_on,
        requested_on,
        label="The date received",
        earlier_label="the date requested",
        field="received_on",
    )
    problems += received
    problems += dates.in_order(
        expires_on,
        received_on,
        label="The expiry date",
        earlier_label="the date received",
        field="expires_on",
    )
    if outcome and received_on is None:
        problems.append(
            DateProblem("outcome", "Give the date received before recording the outcome.")
        )
    if for_applicant and for_member:
        problems.append(
            DateProblem(
                "member",
                "A check is for one person: choose an applicant or a household member, not both.",
            )
        )
    return problems


def training_date_problems(
    *, completed_on: date | None, today: date | None = None
) -> list[DateProblem]:
    return dates.happened(
        completed_on, label="The date completed", field="completed_on", today=today
    )


def _required_kinds(applicant: Applicant) -> list[str]:
    kinds = [Kind.DBS, Kind.LOCAL_AUTHORITY, Kind.MEDICAL, Kind.PERSONAL_REFERENCE]
    if applicant.has_employer:
        kinds.append(Kind.EMPLOYER_REFERENCE)
    if applicant.has_former_partners:
        kinds.append(Kind.FORMER_PARTNER_REFERENCE)
    if applicant.has_lived_abroad:
        kinds.append(Kind.OVERSEAS)
    return kinds


def checks_sync_required(*, household: Household, today: date | None = None) -> int:
    """Add a row, not yet requested, for every required check the household lacks.

    Rows are never removed here: a check that stops being required stays on record.
    """
    if household.status == Household.Status.CLOSED:
        return 0
    today = today or timezone.localdate()
    have = Counter(household.checks.values_list("kind", "applicant_id", "member_id").order_by())
    wanted: list[tuple[str, Applicant | None, object, int]] = []
    for applicant in household.applicants.all():
        for kind in _required_kinds(applicant):
            count = PERSONAL_REFERENCES_NEEDED if kind == Kind.PERSONAL_REFERENCE else 1
            wanted.append((kind, applicant, None, count))
    for member in household.members.all():
        if member.is_adult(today):
            wanted.append((Kind.DBS, None, member, 1))
    wanted.append((Kind.HOME_SAFETY, None, None, 1))
    if household.has_pets:
        wanted.append((Kind.PETS, None, None, 1))
    created = 0
    for kind, applicant, member, count in wanted:
        key = (kind, applicant.pk if applicant else None, member.pk if member else None)
        for _ in range(count - have[key]):
            StatutoryCheck.objects.create(
                household=household, kind=kind, applicant=applicant, member=member
            )
            created += 1
    return created


def checks_update_expiries(*, household: Household, today: date | None = None) -> int:
    """DBS checks expire a set number of years after they are received (policy)."""
    today = today or timezone.localdate()
    updated = 0
    for check in household.checks.filter(kind=Kind.DBS):
        received = check.received_on
        # No expiry from a date still to come: the check has not been received.
        expires = clocks.dbs_expires(received) if received and received <= today else None
        if check.expires_on != expires:
            check.expires_on = expires
            check.save(update_fields=["expires_on"])
            updated += 1
    return updated


def training_records_sync(*, household: Household) -> None:
    """Mandatory courses join each applicant's record once their clock can start; due dates
    follow the course rules."""
    adoption = household.assessments.filter(track=Track.ADOPTION).first()
    courses = list(TrainingCourse.objects.filter(is_active=True, is_mandatory=True))
    applicants = list(household.applicants.all())
    records = {
        (r.applicant_id, r.course_id): r
        for r in TrainingRecord.objects.filter(applicant__household=household).select_related(
            "course"
        )
    }
    if household.status != Household.Status.CLOSED:
        for course in courses:
            basis = clocks.training_basis(course, household, adoption)
            if basis is None:
                continue
            for applicant in applicants:
                if (applicant.pk, course.pk) not in records:
                    records[(applicant.pk, course.pk)] = TrainingRecord.objects.create(
                        household=household,
                        applicant=applicant,
                        course=course,
                        due_on=clocks.training_due(course, basis),
                    )
    for record in records.values():
        due = clocks.training_due(
            record.course, clocks.training_basis(record.course, household, adoption)
        )
        if record.due_on != due:
            record.due_on = due
            record.save(update_fields=["due_on"])


def foster_review_complete(
    *, review: FosterCarerReview, on: date, by, notes: str = ""
) -> FosterCarerReview:
    """Record a foster carer review and open the next one, a year on (reg 28)."""
    _not_in_future(on)
    with transaction.atomic():
        household = _lock_household(review.household_id)
        review = lock(review)
        if review.completed_on is not None:
            raise TransitionRefused(["This review is already recorded."])
        if household.status != Household.Status.APPROVED:
            raise TransitionRefused(["Only approved foster carers have reviews."])
        last_review_on = (
            FosterCarerReview.objects.filter(household=household, completed_on__isnull=False)
            .order_by("-completed_on")
            .values_list("completed_on", flat=True)
            .first()
        )
        problems = dates.in_order(
            on,
            household.foster_carer_approved_on,
            label="The date of the review",
            earlier_label="the approval as foster carers",
        ) or dates.in_order(
            on, last_review_on, label="The date of the review", earlier_label="the last review"
        )
        if problems:
            raise TransitionRefused(dates.messages(problems))
        changes = {"completed_on": [None, on]}
        review.completed_on = on
        if notes:
            review.notes = notes[:2000]
        with audit.silenced():
            review.save(update_fields=["completed_on", "notes"])
        audit.record(review, "carers.foster_review.completed", by=by, changes=changes)
        next_review = FosterCarerReview.objects.create(
            household=household, due_on=clocks.foster_review_due(on)
        )
        deadlines_refresh(household=household)
    return next_review


def document_validate(file) -> None:
    """By extension, size and content (portal/uploads.py): HTML named .pdf is refused."""
    upload_check(file=file, max_bytes=settings.CARERS_DOCUMENT_MAX_MB * 1024 * 1024)


def document_upload(
    *,
    household: Household,
    kind: str,
    title: str,
    file,
    by,
    check_record: StatutoryCheck | None = None,
) -> Document:
    document_validate(file)
    if check_record is not None and check_record.household_id != household.pk:
        raise ValidationError("That check belongs to another household.")
    document = Document(
        household=household,
        kind=kind,
        title=title.strip()[:150] or Document.Kind(kind).label,
        file=file,
        check_record=check_record,
        uploaded_by=by,
    )
    audit.name_next_save(document, "carers.document.uploaded")
    with transaction.atomic():
        document.save()
    return document


def document_delete(*, document: Document, by) -> None:
    """Remove a document uploaded by mistake. The audit trail keeps what the row held; the
    file itself stays in private storage, as it always has when a row is removed."""
    audit.name_next_save(document, "carers.document.deleted")
    with transaction.atomic():
        document.delete()


# ---------------------------------------------------------------------------
# Deadlines
# ---------------------------------------------------------------------------


def deadlines_refresh(*, household: Household) -> None:
    """Make the household's ``Deadline`` rows match its clocks, and its reminders match them.

    Call inside the transaction that changed the facts, with the household locked.
    """
    deadlines.deadlines_refresh(
        source=reminders.DEADLINES,
        owner=household,
        clocks=clocks.household_clocks(household_facts(household=household)),
        worker=household.social_worker,
    )


def training_course_refresh(*, course_pk: int, batch: int = 200) -> int:
    """After a course's rule changes: recompute due dates on every household that has it."""
    household_pks = list(
        Household.objects.filter(applicants__training__course_id=course_pk)
        .exclude(status=Household.Status.CLOSED)
        .values_list("pk", flat=True)
        .distinct()
        .order_by("pk")
    )
    for start in range(0, len(household_pks), batch):
        for pk in household_pks[start : start + batch]:
            with transaction.atomic():
                household = _lock_household(pk)
                training_records_sync(household=household)
                deadlines_refresh(household=household)
    return len(household_pks)


def training_course_save(*, course: TrainingCourse, by) -> TrainingCourse:
    """Save a catalogue entry; due dates on every household follow, in the worker."""
    with transaction.atomic():
        course.save()
        pk = course.pk
        transaction.on_commit(lambda: _queue_course_refresh(pk))
    return course


def _queue_course_refresh(course_pk: int) -> None:
    from portal.queueing import task_queue

    from .tasks import refresh_training_course

    if not task_queue(
        task=refresh_training_course,
        args=(course_pk,),
        what="training due dates refreshed in the request",
    ):
        training_course_refresh(course_pk=course_pk)


# ---------------------------------------------------------------------------
# Converting an enquiry
# ---------------------------------------------------------------------------


def _split_name(full_name: str) -> tuple[str, str]:
    parts = (full_name or "").strip().split()
    if not parts:
        return "", ""
    if len(parts) == 1:
        return parts[0], ""
    return " ".join(parts[:-1]), parts[-1]


# An age as the enquirer gave it may be a year out by the time the household is made.
CHILD_AGE_TOLERANCE_YEARS = 1


def _enquiry_children(enquiry, children: Sequence[dict]) -> list[dict]:
    """The enquiry's children, completed by staff, checked against the ages they gave."""
    ages = list(enquiry.children_ages or [])
    if len(children) != len(ages):
        raise TransitionRefused(
            [f"Give the details of each child the enquiry listed ({len(ages)})."]
        )
    enquired_on = timezone.localdate(enquiry.received_at)
    members, problems = [], []
    for number, (age, child) in enumerate(zip(ages, children, strict=True), start=1):
        member = {
            "first_name": (child.get("first_name") or "").strip(),
            "last_name": (child.get("last_name") or "").strip(),
            "relationship": (child.get("relationship") or "").strip(),
            "date_of_birth": child.get("date_of_birth"),
        }
        what = f"Child {number} (aged {age} on the enquiry)"
        if not (member["first_name"] and member["relationship"] and member["date_of_birth"]):
            problems.append(f"{what}: give their first name, relationship and date of birth.")
            continue
        born = member["date_of_birth"]
        # A child is under 18: 17 is the oldest age the record allows.
        wrong = dates.born(born, label=f"{what}: the date of birth", oldest=17)
        then = dates.age_in_years(born, enquired_on)
        if wrong:
            problems += [problem.message for problem in wrong]
        elif abs(then - age) > CHILD_AGE_TOLERANCE_YEARS:
            problems.append(
                f"{what}: born {born:%-d %B %Y}, they were {then} "
                f"when the enquiry arrived on {enquired_on:%-d %B %Y}, not {age}."
            )
        members.append(member)
    if problems:
        raise TransitionRefused(problems)
    return members


def household_create_from_enquiry(
    *,
    enquiry,
    by,
    social_worker,
    address_line_1: str,
    town: str,
    local_authority: str,
    dates_of_birth: Sequence[date],
    address_line_2: str = "",
    postcode: str = "",
    partner_first_name: str = "",
    partner_last_name: str = "",
    has_pets: bool = False,
    accepted_on: date | None = None,
    children: Sequence[dict] = (),
) -> Household:
    """Turn an enquiry at "Registration of Interest received" into a carer household.

    Creates the household and its applicants from the enquiry (plus what the enquiry form
    never asks: address, dates of birth, the social worker), links the two, moves the
    enquiry to converted and starts Stage 1, all in one transaction: nothing half-done.

    The children the enquiry listed become household members: ``children`` gives, in the
    order of the enquiry's ages, each one's ``first_name``, ``last_name``,
    ``relationship`` and ``date_of_birth``; each must agree with the age given.
    """
    from enquiries.models import Enquiry
    from enquiries.services.enquiries import EnquiryError, enquiry_mark_converted

    accepted_on = accepted_on or timezone.localdate()
    with transaction.atomic():
        locked = lock((Enquiry, enquiry.pk))
        if locked.status != Enquiry.Status.ROI_RECEIVED:
            raise TransitionRefused(
                [
                    "Only an enquiry at “Registration of Interest received” can be converted; "
                    f"this one is at “{locked.get_status_display()}”."
                ]
            )
        couple = locked.household == Enquiry.Household.COUPLE
        if len(dates_of_birth) != (2 if couple else 1):
            raise TransitionRefused(["Give the date of birth of each applicant."])
        # Stage 1 starts on acceptance: both applicants must be 21 or over that day.
        partner = " ".join(filter(None, (partner_first_name, partner_last_name)))
        names = [f"{locked.first_name} {locked.last_name}", partner or locked.partner_name]
        too_young = [
            problem
            for name, born in zip(names, dates_of_birth, strict=False)
            for problem in adopter_age_problems(
                name=name.strip() or "the partner", date_of_birth=born, on=accepted_on
            )
        ]
        if too_young:
            raise TransitionRefused(dates.messages(too_young))
        applicants = [
            {
                "first_name": locked.first_name,
                "last_name": locked.last_name,
                "date_of_birth": dates_of_birth[0],
                "email": locked.email,
                "phone": locked.phone,
            }
        ]
        if couple:
            first, last = _split_name(locked.partner_name)
            first, last = partner_first_name or first, partner_last_name or last
            if not first:
                raise TransitionRefused(["Give the partner's name."])
            applicants.append(
                {"first_name": first, "last_name": last, "date_of_birth": dates_of_birth[1]}
            )
        household = household_create(
            by=by,
            social_worker=social_worker,
            address_line_1=address_line_1,
            address_line_2=address_line_2,
            town=town,
            postcode=postcode or locked.postcode,
            local_authority=local_authority,
            has_pets=has_pets,
            applicants=applicants,
            roi_received_on=locked.roi_received_on or accepted_on,
        )
        for member in _enquiry_children(locked, children):
            HouseholdMember.objects.create(household=household, **member)
        household.enquiry = locked
        with audit.silenced():
            household.save(update_fields=["enquiry", "updated_at"])
        audit.record(
            household,
            "carers.household.converted_from_enquiry",
            by=by,
            changes={"enquiry": [None, locked.pk]},
        )
        try:
            enquiry_mark_converted(enquiry=locked, by=by, household_reference=household.reference)
        except EnquiryError as problem:
            raise TransitionRefused([problem.message]) from problem
        adoption = household.assessments.get(track=Track.ADOPTION)
        assessment_accept_roi(assessment=adoption, on=accepted_on, by=by)
        assessment_start_stage_1(assessment=adoption, on=accepted_on, by=by)
    enquiry.refresh_from_db()
    return household

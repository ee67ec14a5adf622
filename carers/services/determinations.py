"""A refusal is first a proposal: the qualifying determination and what follows it.

When the agency decision maker considers that applicants are not suitable, the track
does not close. The decision maker sends a notice of the proposal with the reasons
(``determination_propose``: the track moves to "Proposed refusal"); the applicants then
have a window (adopters: 40 working days beginning with the day the notice is sent, AAR
2005 reg 30B(5)(c); foster carers: 28 days of the notice, FS(E)R 2011 reg 27(6)(b)) to
send representations to the agency or to apply to the Independent Review Mechanism. The
final decision (``determination_decide``) comes only once the window has closed with
nothing received, or after the panel's fresh recommendation on the representations, or
after the independent review panel's recommendation: ``clocks.final_decision_basis``.
The applicants may withdraw at any point (the assessment's own "withdraw").

Each step is an action of the assessment workflow (``ASSESSMENT``), offered as a button
on the household page and run through the same lock, guard and audit path as every move.
"""

from datetime import date

from django.db import transaction

from portal import audit
from portal.formats import day
from portal.workflow import Action

from .. import clocks
from ..models import AgesIn, Assessment, Document, QualifyingDetermination, Stage, Track
from .assessments import (
    ASSESSMENT,
    BOTH_TRACKS,
    TRANSITION_SERVICES,
    _apply_move,
    _begin,
    _finish,
    _guard,
    _guard_not_the_assessor,
    _guard_record_decision,
    decision_record,
)
from .panels import (
    decision_permission,
    decision_permission_refused,
    guard_final_minutes,
    guard_not_on_the_panel,
)
from .records import TransitionRefused, deadlines_refresh

Recommendation = QualifyingDetermination.Recommendation


def _window_words(d: QualifyingDetermination, track: str) -> str:
    if track == Track.ADOPTION:
        return "40 working days beginning with the day the notice was sent"
    return "28 days of the notice"


def _guard_final_decision(assessment: Assessment, context) -> list[str]:
    """The final decision waits for the window, the panel's fresh recommendation or the
    independent review panel's recommendation, whichever applies."""
    d = clocks.determination_of(assessment)
    if d is None:
        return ["Record the proposed refusal first."]
    adoption = assessment.track == Track.ADOPTION
    earliest, _basis = clocks.final_decision_basis(d, adoption=adoption)
    if d.irm_notified_on and earliest is None:
        return [
            "The applicants applied to the Independent Review Mechanism: record the "
            "independent review panel's recommendation first."
        ]
    if d.representations_received_on and earliest is None:
        if adoption:
            return [
                "The representations went back to the adoption panel: record its recommendation first."
            ]
        return [
            "Foster carers' representations go back to the fostering panel: record its "
            "fresh recommendation first."
        ]
    if context.on < earliest:
        last_day = clocks.representations_due(d.sent_on, adoption=adoption)
        if not (d.representations_received_on or d.irm_notified_on):
            return [
                f"The applicants have until {day(last_day)} to make representations or apply "
                f"for a review ({_window_words(d, assessment.track)}): the final decision "
                f"can be made from {day(earliest)}."
            ]
        return [f"The final decision cannot come before {day(earliest)}."]
    return []


def _guard_no_answer_yet(assessment: Assessment, context) -> list[str]:
    """Representations and a review are alternatives (AAR 2005 reg 30B(5)(c); FS(E)R 2011
    reg 27(6)(b): "or"; gov.uk, "Apply for a review panel: adopters and foster carers":
    an applicant cannot both apply to the IRM and make representations to the agency)."""
    d = clocks.determination_of(assessment)
    if d is None:
        return ["Record the proposed refusal first."]
    if d.irm_notified_on:
        return [
            f"The applicants applied to the Independent Review Mechanism "
            f"({day(d.irm_notified_on)}): they make representations or apply for a review, "
            "not both."
        ]
    if d.representations_received_on:
        return [
            f"The applicants made representations ({day(d.representations_received_on)}): "
            "they make representations or apply for a review, not both."
        ]
    return []


def _guard_review_possible(assessment: Assessment, context) -> list[str]:
    d = clocks.determination_of(assessment)
    if d is not None and d.irm_excluded:
        return [
            "The proposal rests on the criminal record information: the applicants cannot "
            "apply to the Independent Review Mechanism (AAR 2005 reg 30B(5A))."
        ]
    return []


def _guard_representations_received(assessment: Assessment, context) -> list[str]:
    d = clocks.determination_of(assessment)
    if d is None or d.representations_received_on is None:
        return ["Record the applicants' representations first."]
    return []


def _guard_review_applied_for(assessment: Assessment, context) -> list[str]:
    d = clocks.determination_of(assessment)
    if d is None or d.irm_notified_on is None:
        return ["Record the application to the Independent Review Mechanism first."]
    return []


def _determination(assessment: Assessment) -> QualifyingDetermination:
    d = clocks.determination_of(assessment)
    if d is None:
        raise TransitionRefused(["Record the proposed refusal first."])
    return d


def _save(d: QualifyingDetermination, what: str, *, by, **values) -> None:
    changes = {name: [getattr(d, name), value] for name, value in values.items()}
    for name, value in values.items():
        setattr(d, name, value)
    with audit.silenced():
        d.full_clean()
        d.save(update_fields=list(values))
    audit.record(d, f"carers.determination.{what}", by=by, changes=changes)


def _household_document(assessment: Assessment, document: Document | None, kind: str, label):
    if document is None:
        return None
    if document.household_id != assessment.household_id or document.kind != kind:
        raise TransitionRefused(
            [f"Choose one of this household's documents of the kind “{label}”."]
        )
    return document


# ---------------------------------------------------------------------------
# The proposal
# ---------------------------------------------------------------------------


def determination_propose(
    *,
    assessment: Assessment,
    on: date,
    reasons: Document,
    by,
    note: str = "",
    irm_excluded: bool = False,
) -> Assessment:
    """The decision maker proposes not to approve: the notice with its reasons, sent on
    ``on`` (AAR 2005 reg 30B(5)(a)-(b); FS(E)R 2011 reg 27(6)(a))."""
    kind = Document.Kind.REFUSAL_REASONS
    with transaction.atomic():
        household, a = _begin(assessment, "propose_refusal", by=by, on=on)
        if reasons is None:
            raise TransitionRefused(
                [f"Upload the notice with the reasons as a document of the kind “{kind.label}”."]
            )
        _household_document(a, reasons, kind, kind.label)
        if irm_excluded and a.track != Track.ADOPTION:
            raise TransitionRefused(
                ["Only adopters' reviews are excluded because of the criminal record information."]
            )
        _apply_move(
            a,
            to=Stage.PROPOSED_REFUSAL,
            on=on,
            by=by,
            note=note,
            fields={},
            what="refusal_proposed",
        )
        d = QualifyingDetermination.objects.create(
            assessment=a, sent_on=on, reasons=reasons, irm_excluded=irm_excluded
        )
        audit.record(
            d,
            "carers.determination.sent",
            by=by,
            changes={"sent_on": [None, on], "irm_excluded": [None, irm_excluded]},
        )
        _finish(household, on=on, by=by)
    return a


# ---------------------------------------------------------------------------
# The applicants' answer: representations, the panel again, or the IRM
# ---------------------------------------------------------------------------


def _begin_step(assessment: Assessment, action: str, *, by, on: date):
    household, a = _begin(assessment, action, by=by, on=on)
    return household, a, _determination(a)


def determination_record_representations(
    *, assessment: Assessment, on: date, by, document: Document | None = None, note: str = ""
) -> Assessment:
    """The applicants' representations to the agency, received on ``on``, within the window."""
    with transaction.atomic():
        household, a, d = _begin_step(assessment, "record_representations", by=by, on=on)
        last_day = clocks.representations_due(d.sent_on, adoption=a.track == Track.ADOPTION)
        if on > last_day:
            raise TransitionRefused(
                [
                    f"The window closed on {day(last_day)} ({_window_words(d, a.track)}): "
                    "representations after it are not part of it."
                ]
            )
        document = _household_document(
            a, document, Document.Kind.REPRESENTATIONS, Document.Kind.REPRESENTATIONS.label
        )
        _save(
            d,
            "representations_received",
            by=by,
            representations_received_on=on,
            representations=document,
        )
        _timeline_note(a, on=on, by=by, note=note or "Representations received.")
        deadlines_refresh(household=household)
    return a


def determination_record_panel_reconsideration(
    *, assessment: Assessment, on: date, recommendation: str, by, note: str = ""
) -> Assessment:
    """The panel's fresh recommendation on the representations, on the day it sat.

    Foster carers' representations must go back to the fostering panel; adopters' may be
    referred to the adoption panel (the paragraphs after (6) of FS(E)R 2011 reg 27, and
    after (5A) of AAR 2005 reg 30B)."""
    if recommendation not in Recommendation.values:
        raise TransitionRefused(["Choose the panel's recommendation."])
    with transaction.atomic():
        household, a, d = _begin_step(assessment, "record_panel_reconsideration", by=by, on=on)
        if on < d.representations_received_on:
            raise TransitionRefused(
                [
                    "The panel cannot consider the representations before they arrived on "
                    f"{day(d.representations_received_on)}."
                ]
            )
        _save(
            d,
            "panel_reconsidered",
            by=by,
            panel_reconsidered_on=on,
            panel_recommendation=recommendation,
        )
        _timeline_note(
            a,
            on=on,
            by=by,
            note=note
            or f"Panel's fresh recommendation: {Recommendation(recommendation).label.lower()}.",
        )
        deadlines_refresh(household=household)
    return a


def determination_record_irm_application(
    *, assessment: Assessment, on: date, by, note: str = ""
) -> Assessment:
    """The day the agency was told the applicants applied to the IRM; its documents are due
    ten working days later (FS(E)R 2011 reg 29(2))."""
    with transaction.atomic():
        household, a, d = _begin_step(assessment, "record_irm_application", by=by, on=on)
        _save(d, "irm_applied", by=by, irm_notified_on=on)
        _timeline_note(
            a,
            on=on,
            by=by,
            note=note or "The applicants applied to the Independent Review Mechanism.",
        )
        deadlines_refresh(household=household)
    return a


def determination_record_irm_documents_sent(
    *, assessment: Assessment, on: date, by, note: str = ""
) -> Assessment:
    with transaction.atomic():
        household, a, d = _begin_step(assessment, "record_irm_documents_sent", by=by, on=on)
        if on < d.irm_notified_on:
            raise TransitionRefused(
                [
                    f"The documents cannot go before the agency was told, on {day(d.irm_notified_on)}."
                ]
            )
        _save(d, "irm_documents_sent", by=by, irm_documents_sent_on=on)
        deadlines_refresh(household=household)
    return a


def determination_record_irm_recommendation(
    *,
    assessment: Assessment,
    panel_on: date,
    on: date,
    recommendation: str,
    by,
    document: Document | None = None,
    note: str = "",
) -> Assessment:
    """The independent review panel's recommendation: the day it sat and the day the
    agency received it (the final decision's clock runs from that day)."""
    if recommendation not in Recommendation.values:
        raise TransitionRefused(["Choose the independent review panel's recommendation."])
    with transaction.atomic():
        household, a, d = _begin_step(assessment, "record_irm_recommendation", by=by, on=on)
        problems = []
        if panel_on < d.irm_notified_on:
            problems.append(
                "The review panel cannot sit before the application, recorded on "
                f"{day(d.irm_notified_on)}."
            )
        if on < panel_on:
            problems.append(
                f"The recommendation cannot be received before the panel sat on {day(panel_on)}."
            )
        if problems:
            raise TransitionRefused(problems)
        document = _household_document(
            a, document, Document.Kind.IRM_RECOMMENDATION, Document.Kind.IRM_RECOMMENDATION.label
        )
        _save(
            d,
            "irm_recommended",
            by=by,
            irm_panel_on=panel_on,
            irm_recommendation=recommendation,
            irm_recommendation_received_on=on,
            irm_recommendation_document=document,
        )
        _timeline_note(
            a,
            on=on,
            by=by,
            note=note
            or f"Independent review panel's recommendation: {Recommendation(recommendation).label.lower()}.",
        )
        deadlines_refresh(household=household)
    return a


def _timeline_note(a: Assessment, *, on: date, by, note: str) -> None:
    """A step that does not move the stage still shows in the assessment's timeline."""
    from ..models import StageChange

    StageChange.objects.create(
        assessment=a,
        from_stage=a.stage,
        to_stage=a.stage,
        effective_on=on,
        recorded_by=by,
        note=note[:2000],
    )


# ---------------------------------------------------------------------------
# The final decision
# ---------------------------------------------------------------------------


def determination_decide(
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
    """The final decision after a proposed refusal: approve after all, or not approve."""
    if decision not in Assessment.Decision.values:
        raise TransitionRefused(["Choose the final decision."])
    return decision_record(
        assessment=assessment,
        action="record_final_decision",
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


# ---------------------------------------------------------------------------
# The buttons
# ---------------------------------------------------------------------------

IN_WINDOW = (Stage.PROPOSED_REFUSAL,)
DETERMINATION_ACTIONS = [
    Action(
        "propose_refusal",
        "Propose not to approve (qualifying determination)",
        (Stage.PROPOSED_REFUSAL,),
        # The decision maker for the track, from the final minutes, and never a member of
        # the sitting or the household's assessor (services/panels.py).
        permission=decision_permission,
        permission_refused=decision_permission_refused,
        applies=BOTH_TRACKS,
        guards=(
            _guard(_guard_record_decision),
            guard_final_minutes,
            _guard_not_the_assessor,
            guard_not_on_the_panel,
        ),
        warning=True,
        fields=("reasons", "irm_excluded"),
        help="The applicants get a window to make representations or ask for an "
        "independent review before any final decision.",
    ),
    Action(
        "record_representations",
        "Record the applicants' representations",
        states=IN_WINDOW,
        applies=BOTH_TRACKS,
        guards=(_guard_no_answer_yet,),
        fields=("document",),
    ),
    Action(
        "record_panel_reconsideration",
        "Record the panel's fresh recommendation",
        states=IN_WINDOW,
        applies=BOTH_TRACKS,
        guards=(_guard_representations_received,),
        fields=("recommendation",),
    ),
    Action(
        "record_irm_application",
        "Record an application to the Independent Review Mechanism",
        states=IN_WINDOW,
        applies=BOTH_TRACKS,
        guards=(_guard_no_answer_yet, _guard_review_possible),
    ),
    Action(
        "record_irm_documents_sent",
        "Record the documents sent to the IRM",
        states=IN_WINDOW,
        applies=BOTH_TRACKS,
        guards=(_guard_review_applied_for,),
    ),
    Action(
        "record_irm_recommendation",
        "Record the independent review panel's recommendation",
        states=IN_WINDOW,
        applies=BOTH_TRACKS,
        guards=(_guard_review_applied_for,),
        fields=("panel_on", "recommendation", "document"),
    ),
    Action(
        "record_final_decision",
        "Record the final decision",
        (Stage.APPROVED, Stage.NOT_APPROVED),
        states=IN_WINDOW,
        permission=decision_permission,
        permission_refused=decision_permission_refused,
        applies=BOTH_TRACKS,
        guards=(_guard_final_decision, _guard_not_the_assessor, guard_not_on_the_panel),
        fields=(
            "decision",
            "approved_age_from",
            "approved_age_to",
            "approved_number_of_children",
            "approved_ages_in",
        ),
    ),
]

DETERMINATION_SERVICES = {
    "propose_refusal": determination_propose,
    "record_representations": determination_record_representations,
    "record_panel_reconsideration": determination_record_panel_reconsideration,
    "record_irm_application": determination_record_irm_application,
    "record_irm_documents_sent": determination_record_irm_documents_sent,
    "record_irm_recommendation": determination_record_irm_recommendation,
    "record_final_decision": determination_decide,
}

# The steps join the assessment's workflow: the same buttons, locks and audit trail.
for _action in DETERMINATION_ACTIONS:
    ASSESSMENT.actions[_action.name] = _action
TRANSITION_SERVICES.update(DETERMINATION_SERVICES)

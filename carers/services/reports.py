"""The assessment report (PAR, Form F) shared with the applicants before panel.

The agency sends the applicants the report and invites their observations; the case goes
to panel once their observations arrive or the 10 working days beginning with the day it
was sent have passed (AAR 2005 reg 30(2)-(3); ``clocks.report_observations_due``).
Booking the panel is refused until then (``assessments._guard_report_shared``).
"""

from datetime import date

from django.db import transaction

from portal import audit
from portal.formats import day
from portal.workflow import Action

from ..models import Assessment, Document, Stage
from .assessments import ASSESSMENT, BOTH_TRACKS, REPORT_FOR_TRACK, TRANSITION_SERVICES, _begin
from .records import TransitionRefused, deadlines_refresh

BEFORE_PANEL = (Stage.STAGE_2, Stage.FORM_F)


def _save(a: Assessment, what: str, *, by, **values) -> None:
    changes = {name: [getattr(a, name), value] for name, value in values.items()}
    for name, value in values.items():
        setattr(a, name, value)
    with audit.silenced():
        a.save(update_fields=list(values))
    audit.record(a, f"carers.assessment.{what}", by=by, changes=changes)


def assessment_share_report(*, assessment: Assessment, on: date, by, note: str = "") -> Assessment:
    """The report sent to the applicants on ``on``, inviting their observations."""
    with transaction.atomic():
        household, a = _begin(assessment, "share_report", by=by, on=on)
        report = REPORT_FOR_TRACK[a.track]
        if not household.documents.filter(kind=report).exists():
            raise TransitionRefused(
                [f"Upload the {Document.Kind(report).label} as a document before sending it."]
            )
        # Sent again (a revised report): the observations start over.
        _save(a, "report_shared", by=by, report_shared_on=on, observations_received_on=None)
        deadlines_refresh(household=household)
    return a


def assessment_record_observations(
    *, assessment: Assessment, on: date, by, note: str = ""
) -> Assessment:
    """The applicants' observations received (upload them as a document of the kind
    "Applicants' observations on the report"); the panel may then be booked."""
    with transaction.atomic():
        household, a = _begin(assessment, "record_observations", by=by, on=on)
        if a.report_shared_on is None:
            raise TransitionRefused(["Record the day the report was sent to the applicants first."])
        if on < a.report_shared_on:
            raise TransitionRefused(
                [
                    f"Observations cannot come before the report was sent, on {day(a.report_shared_on)}."
                ]
            )
        _save(a, "observations_received", by=by, observations_received_on=on)
        deadlines_refresh(household=household)
    return a


REPORT_ACTIONS = [
    Action(
        "share_report",
        "Record the report sent to the applicants",
        states=BEFORE_PANEL,
        applies=BOTH_TRACKS,
        help="They have 10 working days, beginning with the day it is sent, for their "
        "observations before the panel is booked.",
    ),
    Action(
        "record_observations",
        "Record the applicants' observations on the report",
        states=BEFORE_PANEL,
        applies=BOTH_TRACKS,
    ),
]

for _action in REPORT_ACTIONS:
    ASSESSMENT.actions[_action.name] = _action
TRANSITION_SERVICES.update(
    {"share_report": assessment_share_report, "record_observations": assessment_record_observations}
)

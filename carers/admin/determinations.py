"""What the household's "Panels and decisions" section shows of the report sent before
panel and of a proposed refusal: the dates, the applicants' window and what is awaited."""

from dataclasses import dataclass
from datetime import date

from .. import clocks
from ..models import Assessment, QualifyingDetermination, Track


@dataclass(frozen=True)
class TrackOutcome:
    assessment: Assessment
    observations_due: date | None
    determination: QualifyingDetermination | None
    window_last_day: date | None
    irm_documents_due: date | None
    final_decision_from: date | None


def track_outcome(a: Assessment) -> TrackOutcome:
    """One track as the section shows it, from the row and its proposed refusal (loaded
    with it: no query)."""
    d = clocks.determination_of(a)
    adoption = a.track == Track.ADOPTION
    observations_due = None
    if a.report_shared_on and not a.observations_received_on:
        observations_due = clocks.report_observations_due(a.report_shared_on)
    if d is None:
        return TrackOutcome(a, observations_due, None, None, None, None)
    earliest, _basis = clocks.final_decision_basis(d, adoption=adoption)
    return TrackOutcome(
        a,
        observations_due,
        d,
        clocks.representations_due(d.sent_on, adoption=adoption),
        clocks.irm_documents_due(d.irm_notified_on) if d.irm_notified_on else None,
        earliest,
    )

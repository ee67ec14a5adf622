"""What every module of the placements services shares: the statuses, the permissions,
the one refusal (``TransitionRefused``) and the placement lock."""

from datetime import date

from portal import dates
from portal.workflow import Refused, lock

from ..models import Child, Placement

Status = Placement.Status
Outcome = Placement.Outcome

CHANGE_PERMISSION = "placements.change_placement"
APPROVAL_PERMISSION = "placements.grant_temporary_approval"

# The core's one refusal, under the name callers of these services have always used.
TransitionRefused = Refused


def _not_in_future(on: date, what: str = "The date") -> list[str]:
    return dates.messages(dates.happened(on, label=what))


def _lock(placement: Placement) -> Placement:
    return lock(placement, related=("household", "household__social_worker"))


def _placement_children(placement: Placement) -> list[Child]:
    return list(
        Child.objects.filter(placement_links__placement=placement).order_by("date_of_birth", "pk")
    )

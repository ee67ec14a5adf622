"""Case notes on a child and on a placement (``portal.casenotes``): when each case began.

Writing and correcting a note is the core's (``note_add``, ``note_correct``); this
package names them so callers find them with the other placement services.
"""

from django.utils import timezone

from portal.casenotes import NoteSource

from ..models import Child, ChildNote, Placement, PlacementNote


def child_began_on(child: Child):
    """A child's case began when the child was recorded, or when they entered care, if
    that came earlier."""
    recorded = timezone.localdate(child.created_at)
    return min(recorded, child.entered_care_on) if child.entered_care_on else recorded


def placement_began_on(placement: Placement):
    """A placement began the day the child came to live with the carers."""
    return placement.placed_on


CHILD_NOTES = NoteSource(
    model=ChildNote,
    case_field="child",
    began_on=child_began_on,
    began_label="the day the child's case began",
)
PLACEMENT_NOTES = NoteSource(
    model=PlacementNote,
    case_field="placement",
    began_on=placement_began_on,
    began_label="the day the child was placed",
)

"""Case notes on a household (``portal.casenotes``): when the household's case began.

Writing and correcting a note is the core's (``note_add``, ``note_correct``); this
package names them so callers find them with the household's other services.
"""

from django.db.models import Min
from django.utils import timezone

from portal.casenotes import NoteSource

from ..models import Household, HouseholdNote


def household_began_on(household: Household):
    """The household's case began when it was registered, or on the Registration of
    Interest it was registered with, if that came earlier."""
    registered = timezone.localdate(household.created_at)
    roi = household.assessments.aggregate(first=Min("roi_received_on"))["first"]
    return min(registered, roi) if roi else registered


HOUSEHOLD_NOTES = NoteSource(
    model=HouseholdNote,
    case_field="household",
    began_on=household_began_on,
    began_label="the day the household's case began",
)

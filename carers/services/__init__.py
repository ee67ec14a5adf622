"""Every write and state change for carer households and their assessments.

- ``records``: checks, training and documents; the date problems
  the household page shows; the household's deadlines (``deadlines_refresh``) and the
  training catalogue's refresh. The refusal ``TransitionRefused`` lives here.
- ``households``: a household registered, edited, closed, and settled when its tracks end.
- ``approvals``: after the decision: each approval's reviews (outcome, variation of terms,
  resignation) and what a placement's course does to their clocks.
- ``assessments``: the ``ASSESSMENT`` workflow: transition tables, guards, the actions
  offered as buttons, and one function per move (``TRANSITION_SERVICES`` by action name).
- ``reports``: the assessment report sent to the applicants, and their observations,
  before panel (adds its steps to ``ASSESSMENT``).
- ``determinations``: a proposed refusal (qualifying determination), the applicants'
  window, representations or the IRM, and the final decision (adds its steps to
  ``ASSESSMENT``).
- ``panels``: members of a sitting, its quorum, the decision maker's permissions and
  independence from the panel (guards the workflow uses), and panel papers for members.
- ``conversion``: a household made from an enquiry.
- ``own_area``: an applicant invited to their own area (``/my/``), and where that stands.
- ``notes``: case notes on a household (the core's ``note_add``, ``note_correct``) and
  the day the household's case began.

Each module imports only the ones listed before it, ``approvals`` after ``households``
(``households`` reaches
``assessments`` once, inside ``household_close``). Callers import from here; a test that
replaces a function replaces it in the module that looks it up.
"""

from portal.casenotes import note_add, note_correct
from portal.formats import day
from portal.validators import postcode_normalise
from portal.workflow import Action

from ..models import CLOSED_STAGES
from ..selectors import household_applicants, household_facts
from .approvals import (
    approval_review_complete,
    approvals_child_placed_for_adoption,
    approvals_placement_ended,
)
from .assessments import (
    ACTIONS,
    ALLOWED_TRANSITIONS,
    ASSESSMENT,
    CHANGE_PERMISSION,
    TRANSITION_SERVICES,
    action_not_possible,
    action_offered,
    actions_for,
    assessment_accept_roi,
    assessment_book_panel,
    assessment_complete_stage_1,
    assessment_decline_roi,
    assessment_defer_panel,
    assessment_end_at_stage_1,
    assessment_extend_stage_2,
    assessment_fast_track,
    assessment_pause,
    assessment_record_decision,
    assessment_record_minutes,
    assessment_record_recommendation,
    assessment_record_stage_1_plan,
    assessment_restart_stage_1,
    assessment_start_form_f,
    assessment_start_stage_1,
    assessment_start_stage_2,
    assessment_withdraw,
    checks_outstanding,
    fast_track_problems,
    household_move_panel,
    panel_sitting_save,
    training_outstanding,
)
from .conversion import household_create_from_enquiry
from .determinations import (
    determination_decide,
    determination_propose,
    determination_record_irm_application,
    determination_record_irm_documents_sent,
    determination_record_irm_recommendation,
    determination_record_panel_reconsideration,
    determination_record_representations,
)
from .households import (
    HOUSEHOLD,
    HOUSEHOLD_DETAIL_FIELDS,
    household_after_edit,
    household_close,
    household_create,
    household_register,
    household_update,
)
from .notes import HOUSEHOLD_NOTES, household_began_on
from .own_area import (
    SUPPORT_NETWORK_MOST,
    SUPPORT_PERSON_FIELDS,
    applicant_invite,
    applicant_invite_problems,
    document_request_create,
    document_request_send,
    document_request_withdraw,
    event_book,
    event_cancel,
    event_offer,
    event_offer_withdraw,
    form_kind,
    health_consent_problems,
    online_form_save,
    online_form_send,
    own_area_status,
    support_network_invite,
    support_people,
    support_person_lengths,
    weekly_summaries_queue,
    weekly_summary_set,
)
from .panels import register_sitting_recommendations, sat_on_the_panel
from .records import (
    TransitionRefused,
    adopter_age_problems,
    applicant_date_problems,
    applicant_stage_1_started_on,
    check_date_problems,
    check_record_today,
    checks_sync_required,
    checks_update_expiries,
    deadlines_refresh,
    document_store_letter,
    document_upload,
    document_validate,
    document_withdraw,
    member_date_problems,
    training_course_refresh,
    training_course_save,
    training_date_problems,
    training_records_sync,
)
from .reports import assessment_record_observations, assessment_share_report

__all__ = [
    # Households
    "HOUSEHOLD",
    "HOUSEHOLD_DETAIL_FIELDS",
    "household_after_edit",
    "household_close",
    "household_create",
    "household_register",
    "household_update",
    # Assessments
    "ACTIONS",
    "ALLOWED_TRANSITIONS",
    "ASSESSMENT",
    "CHANGE_PERMISSION",
    "TRANSITION_SERVICES",
    "action_not_possible",
    "action_offered",
    "actions_for",
    "assessment_accept_roi",
    "assessment_book_panel",
    "assessment_complete_stage_1",
    "assessment_decline_roi",
    "assessment_defer_panel",
    "household_move_panel",
    "assessment_end_at_stage_1",
    "assessment_extend_stage_2",
    "assessment_fast_track",
    "fast_track_problems",
    "assessment_pause",
    "assessment_record_decision",
    "assessment_record_minutes",
    "assessment_record_recommendation",
    "assessment_record_stage_1_plan",
    "assessment_restart_stage_1",
    "assessment_start_form_f",
    "assessment_start_stage_1",
    "assessment_start_stage_2",
    "assessment_withdraw",
    "checks_outstanding",
    "training_outstanding",
    # The report before panel; a proposed refusal and what follows it
    "assessment_record_observations",
    "assessment_share_report",
    "determination_decide",
    "determination_propose",
    "determination_record_irm_application",
    "determination_record_irm_documents_sent",
    "determination_record_irm_recommendation",
    "determination_record_panel_reconsideration",
    "determination_record_representations",
    # Checks, training, reviews, documents, deadlines
    "TransitionRefused",
    "adopter_age_problems",
    "applicant_date_problems",
    "applicant_stage_1_started_on",
    "check_date_problems",
    "check_record_today",
    "checks_sync_required",
    "checks_update_expiries",
    "deadlines_refresh",
    "document_withdraw",
    "document_store_letter",
    "document_upload",
    "document_validate",
    "member_date_problems",
    "training_course_refresh",
    "training_course_save",
    "panel_sitting_save",
    # Panels: what other apps' recommendations and decisions ask of a sitting
    "register_sitting_recommendations",
    "sat_on_the_panel",
    "training_date_problems",
    "training_records_sync",
    # Approvals after the decision: reviews, variations, resignations, placements
    "approval_review_complete",
    "approvals_child_placed_for_adoption",
    "approvals_placement_ended",
    # Converting an enquiry
    "household_create_from_enquiry",
    # The applicants' own area
    "applicant_invite",
    "applicant_invite_problems",
    "document_request_create",
    "document_request_send",
    "document_request_withdraw",
    "event_book",
    "event_cancel",
    "event_offer",
    "event_offer_withdraw",
    "health_consent_problems",
    "form_kind",
    "online_form_save",
    "online_form_send",
    "own_area_status",
    "support_people",
    "support_person_lengths",
    "SUPPORT_NETWORK_MOST",
    "SUPPORT_PERSON_FIELDS",
    "support_network_invite",
    "weekly_summaries_queue",
    "weekly_summary_set",
    # Case notes
    "HOUSEHOLD_NOTES",
    "household_began_on",
    "note_add",
    "note_correct",
    # Used by callers as they always have: the shared formatter, normaliser, button type,
    # closed stages and the household's facts.
    "Action",
    "CLOSED_STAGES",
    "day",
    "household_applicants",
    "household_facts",
    "postcode_normalise",
]

"""Every write and state change for children and their placements.

- ``children``: registering and editing a child, a child's date problems, sibling groups.
- ``approvals``: reg 25A temporary approvals, and the terms of approval a placement must fit.
- ``placements``: starting a placement and the ``PLACEMENT`` workflow on the core engine
  (``portal.workflow``): ``ALLOWED_TRANSITIONS``, the guards, the actions offered, one
  function per move and ``TRANSITION_SERVICES`` for the admin's buttons.
- ``court``: each child's care proceedings, extensions, hearings, court orders and legal
  status.
- ``consent``: parents' consent and the authority to place a child for adoption; the
  child's health assessments.
- ``records``: reviews and visits, and their correction and removal.
- ``family_time``: the child's birth relatives, family-time plans, the sessions generated
  from them, their alerts and mileage, and the moderated communication book.
- ``deadlines``: the stored dates that follow the clocks (the proceedings' dates, the
  deadline rows and their reminders) and the sweeps that refresh them.
- ``matching``: referrals, links with carers, the EP match, and the rule that a referred
  child is placed from the agreed match (or a recorded emergency); the referral's clocks.
- ``documents``: documents on a child, uploaded and (by a team manager) removed.
- ``notes``: case notes on a child or a placement (the core's ``note_add``,
  ``note_correct``) and the day each case began.
- ``common``: the statuses, permissions, the one refusal and the placement lock.

Modules import in that order upwards (``common``, ``deadlines``, then ``children``,
``approvals``, ``court``, ``consent``, ``records``, ``matching``, ``placements``), never back. Callers import from
``placements.services``; the names below are its public API.
"""

# The core's action type, named here because forms annotate with ``services.Action``;
# the core's note services, named here with the rest.
from portal.casenotes import note_add, note_correct
from portal.workflow import Action

from .approvals import (
    temporary_approval_end,
    temporary_approval_grant,
    temporary_approvals_reconcile,
    terms_exemption_record,
    terms_of_approval_problems,
    terms_of_approval_text,
)
from .children import (
    CHILD_OLDEST_AGE,
    EXPECTED_DATE_MONTHS_AHEAD,
    child_problems,
    child_register,
    child_update,
    sibling_group_create,
    sibling_group_update,
)
from .common import APPROVAL_PERMISSION, CHANGE_PERMISSION, Outcome, Status, TransitionRefused
from .consent import (
    MOTHER_CONSENT_WEEKS,
    authority_to_place,
    consent_problems,
    consent_record,
    consent_update,
    health_assessment_problems,
    health_assessment_record,
    health_assessment_update,
)
from .court import (
    LEGAL_STATUS_FOR_ORDER,
    ORDERS_RECORDED_ON_THEIR_OWN,
    court_order_record,
    extension_date_problems,
    extension_end_problems,
    hearing_date_problems,
    hearing_record,
    placement_after_edit,
    proceedings_conclude,
    proceedings_date_problems,
    proceedings_extend,
    proceedings_open,
    proceedings_save,
)
from .deadlines import (
    children_deadlines_refresh,
    deadlines_follow_social_workers,
    deadlines_refresh,
    deadlines_refresh_all,
    proceedings_dates_refresh,
)
from .documents import child_document_add, child_document_withdraw
from .family_time import (
    RULE_CANCELLATIONS,
    SESSION_TABLE,
    birth_relative_record,
    birth_relative_update,
    book_entry_add,
    book_entry_from_carers,
    book_entry_moderate,
    book_entry_withdraw,
    confidentiality_problems,
    confirm_deadline,
    family_time_alerts_queue,
    family_time_carers_report,
    family_time_figures_keep,
    family_time_plan_set,
    family_time_plans_end,
    family_time_session_record,
    family_time_session_withdraw,
    family_time_sessions_generate,
    family_time_unconfirmed_cancel,
    farewell_allowed,
    handover_needed,
    is_not_confirmed,
    is_short_notice,
    mileage_amount,
    mileage_claims_move,
    notice_given,
    notice_words,
    plan_problems,
    session_days,
    session_problems,
    session_state,
)
from .matching import (
    REFERRAL,
    adoption_match_record,
    link_choose,
    link_close,
    link_propose,
    link_record_decision,
    link_update,
    match_agree,
    matching_pause_save,
    postcode_districts_load,
    referral_acknowledge,
    referral_clocks,
    referral_close,
    referral_placement_problems,
    referral_receive,
    referral_record_emergency,
    referral_update,
)
from .notes import CHILD_NOTES, PLACEMENT_NOTES, child_began_on, placement_began_on
from .placements import (
    ACTIONS,
    ALLOWED_TRANSITIONS,
    PLACEMENT,
    TABLE,
    TRANSITION_SERVICES,
    Context,
    action_offered,
    actions_for,
    placement_end_other,
    placement_place_for_adoption,
    placement_record_adoption_application,
    placement_record_adoption_order,
    placement_record_court_order,
    placement_record_kin_placement,
    placement_record_return_home,
    placement_start,
    placement_start_problems,
)
from .records import (
    RECORD_MODELS,
    hearing_update,
    placement_record_withdraw,
    proceedings_extension_update,
    record_date_problems,
    review_record,
    review_update,
    visit_record,
    visit_update,
)

__all__ = [
    # family time
    "RULE_CANCELLATIONS",
    "SESSION_TABLE",
    "birth_relative_record",
    "birth_relative_update",
    "book_entry_add",
    "book_entry_from_carers",
    "book_entry_moderate",
    "book_entry_withdraw",
    "confidentiality_problems",
    "confirm_deadline",
    "family_time_figures_keep",
    "family_time_alerts_queue",
    "family_time_plan_set",
    "family_time_plans_end",
    "family_time_session_record",
    "family_time_session_withdraw",
    "family_time_sessions_generate",
    "family_time_unconfirmed_cancel",
    "farewell_allowed",
    "handover_needed",
    "is_not_confirmed",
    "is_short_notice",
    "mileage_amount",
    "mileage_claims_move",
    "family_time_carers_report",
    "notice_given",
    "notice_words",
    "plan_problems",
    "session_problems",
    "session_days",
    "session_state",
    # children
    "CHILD_OLDEST_AGE",
    "EXPECTED_DATE_MONTHS_AHEAD",
    "child_problems",
    "child_register",
    "child_update",
    "sibling_group_create",
    "sibling_group_update",
    # approvals
    "temporary_approval_end",
    "temporary_approval_grant",
    "temporary_approvals_reconcile",
    "terms_exemption_record",
    "terms_of_approval_problems",
    "terms_of_approval_text",
    # placements
    "ACTIONS",
    "ALLOWED_TRANSITIONS",
    "PLACEMENT",
    "TABLE",
    "TRANSITION_SERVICES",
    "Action",
    "Context",
    "action_offered",
    "actions_for",
    "placement_end_other",
    "placement_place_for_adoption",
    "placement_record_adoption_application",
    "placement_record_adoption_order",
    "placement_record_court_order",
    "placement_record_kin_placement",
    "placement_record_return_home",
    "placement_start",
    "placement_start_problems",
    # court
    "LEGAL_STATUS_FOR_ORDER",
    "ORDERS_RECORDED_ON_THEIR_OWN",
    "court_order_record",
    "extension_date_problems",
    "extension_end_problems",
    "hearing_date_problems",
    "hearing_record",
    "placement_after_edit",
    "proceedings_conclude",
    "proceedings_date_problems",
    "proceedings_extend",
    "proceedings_open",
    "proceedings_save",
    # consent and health
    "MOTHER_CONSENT_WEEKS",
    "authority_to_place",
    "consent_problems",
    "consent_record",
    "consent_update",
    "health_assessment_problems",
    "health_assessment_record",
    "health_assessment_update",
    # records
    "RECORD_MODELS",
    "hearing_update",
    "placement_record_withdraw",
    "proceedings_extension_update",
    "record_date_problems",
    "review_record",
    "review_update",
    "visit_record",
    "visit_update",
    # deadlines
    "children_deadlines_refresh",
    "deadlines_follow_social_workers",
    "deadlines_refresh",
    "deadlines_refresh_all",
    "proceedings_dates_refresh",
    # documents
    "child_document_add",
    "child_document_withdraw",
    # notes
    "CHILD_NOTES",
    "PLACEMENT_NOTES",
    "child_began_on",
    "note_add",
    "note_correct",
    "placement_began_on",
    # matching
    "REFERRAL",
    "adoption_match_record",
    "link_choose",
    "link_close",
    "link_propose",
    "link_record_decision",
    "link_update",
    "match_agree",
    "matching_pause_save",
    "postcode_districts_load",
    "referral_acknowledge",
    "referral_clocks",
    "referral_close",
    "referral_placement_problems",
    "referral_receive",
    "referral_record_emergency",
    "referral_update",
    # common
    "APPROVAL_PERMISSION",
    "CHANGE_PERMISSION",
    "Outcome",
    "Status",
    "TransitionRefused",
]

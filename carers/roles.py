"""What each staff role may do with carer households and assessments (``portal.roles``).

Carer records are for social workers and team managers only: social workers keep the
records and move the stages; only team managers record agency decisions, edit the
training catalogue or delete.
"""

from portal.roles import grant_casework, model_perms, view

CASEWORK = [
    *model_perms("carers.household", ("view", "add", "change")),
    *model_perms("carers.assessment", ("view", "change")),
    *model_perms("carers.applicant"),
    *model_perms("carers.householdmember"),
    *model_perms("carers.supportnetworkmember"),
    *model_perms("carers.statutorycheck"),
    *model_perms("carers.trainingrecord"),
    *model_perms("carers.document", ("view", "add")),
    *model_perms("carers.panelsitting", ("view", "add", "change")),
    *model_perms("carers.fostercarerreview", ("view", "change")),
    *view("carers.stagechange"),
    *view("carers.trainingcourse"),
    *view("carers.deadline"),
    # Case notes are written once: no one changes or deletes them (portal.casenotes).
    *model_perms("carers.householdnote", ("view", "add")),
]
MANAGEMENT = [
    "carers.record_agency_decision",
    *model_perms("carers.trainingcourse", ("add", "change", "delete")),
    "carers.delete_panelsitting",
    # A mistaken document or note is withdrawn with a reason, never deleted.
    "portal.withdraw_record",
]


def grant_roles() -> None:
    grant_casework(CASEWORK, MANAGEMENT)

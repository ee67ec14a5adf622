"""What each staff role may do with carer households and assessments (``portal.roles``).

Carer records are for social workers and team managers only: social workers keep the
records and move the stages; only team managers record agency decisions, edit the
training catalogue or delete. Panel members read their sittings' papers only.
"""

from portal.roles import Role, grant, grant_casework, model_perms, view

# The agency decision maker's permission for each track (many agencies have a different
# decision maker for adopters and for foster carers).
DECISION_PERMISSIONS = {
    "adoption": "carers.record_adoption_decision",
    "fostering": "carers.record_fostering_decision",
}

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
    *view("carers.panelmember"),
    *model_perms("carers.fostercarerreview", ("view", "change")),
    *view("carers.stagechange"),
    *view("carers.trainingcourse"),
    *view("carers.deadline"),
    # Case notes are written once: no one changes or deletes them (portal.casenotes).
    *model_perms("carers.householdnote", ("view", "add")),
]
MANAGEMENT = [
    # The agency decision maker for each track (services/panels.py): a team manager
    # here; an agency with other decision makers gives these to them instead.
    *DECISION_PERMISSIONS.values(),
    *model_perms("carers.trainingcourse", ("add", "change", "delete")),
    "carers.delete_panelsitting",
    # The central list of panel members is kept by team managers.
    *model_perms("carers.panelmember", ("add", "change", "delete")),
    # A mistaken document or note is withdrawn with a reason, never deleted.
    "portal.withdraw_record",
]


# Panel members (often not staff) read the papers of the sittings they sit on, and
# nothing else (services/panels.py).
PANEL_MEMBERS = ["carers.read_panel_papers"]


def grant_roles() -> None:
    grant_casework(CASEWORK, MANAGEMENT)
    grant(Role.PANEL_MEMBERS, PANEL_MEMBERS)

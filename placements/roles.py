"""What each staff role may do with children and placements (``portal.roles``).

The most sensitive records, for social workers and team managers only. Social workers
record placements and keep their records; team managers also grant reg 25A approvals,
withdraw mistaken records and see the EP measures.
"""

from portal.roles import grant_casework, model_perms, view

RECORDS = (
    "placements.proceedings",
    "placements.proceedingsextension",
    "placements.healthassessment",
    "placements.hearing",
    "placements.birthrelative",
    "placements.familytimeplan",
    "placements.familytimesession",
    "placements.communicationbookentry",
    "placements.lookedafterreview",
    "placements.socialworkervisit",
)
CASEWORK = [
    *model_perms("placements.child", ("view", "add", "change")),
    *model_perms("placements.siblinggroup", ("view", "add", "change")),
    *model_perms("placements.placement", ("view", "add", "change")),
    "placements.issue_leave_letter",
    *[perm for model in RECORDS for perm in model_perms(model, ("view", "add", "change"))],
    # Consent is evidence: recorded and corrected (a withdrawal has its date), never deleted.
    *model_perms("placements.parentconsent", ("view", "add", "change")),
    # The people around each child, and where they work.
    *model_perms("placements.localauthority", ("view", "add", "change")),
    *model_perms("placements.professional", ("view", "add", "change")),
    *model_perms("placements.childprofessional", ("view", "add", "change", "delete")),
    # Documents on a child are evidence: uploaded, never edited or deleted; a mistaken
    # one is withdrawn by a team manager.
    *model_perms("placements.childdocument", ("view", "add")),
    *view("placements.placementchild"),
    *view("placements.courtorder"),
    *view("placements.temporaryapproval"),
    *view("placements.termsexemption"),
    *view("placements.placementdeadline"),
    # Case notes are written once: no one changes or deletes them (portal.casenotes).
    *model_perms("placements.childnote", ("view", "add")),
    *model_perms("placements.placementnote", ("view", "add")),
    # Matching: referrals, links with carers, the match; carers on hold for matching.
    *model_perms("placements.referral", ("view", "add", "change")),
    *model_perms("placements.link", ("view", "add", "change")),
    *model_perms("placements.match", ("view", "add")),
    *model_perms("placements.adoptionmatch", ("view", "add")),
    *model_perms("placements.matchingpause", ("view", "add", "change")),
    *view("placements.referraldeadline"),
    *view("placements.postcodedistrict"),
]
MANAGEMENT = [
    "placements.view_measures",
    # A sealed child's record (after the adoption order) opens to team managers only.
    "placements.view_sealed_child",
    "placements.grant_temporary_approval",
    "placements.add_temporaryapproval",
    "placements.add_termsexemption",
    "placements.delete_matchingpause",
    # A birth relative's address, where one must be kept, is restricted to managers.
    "placements.see_relative_address",
    "placements.approve_mileage",
    # Case records are never deleted: a mistaken row is withdrawn (portal.versions).
    # Proceedings with nothing on them may still be removed.
    "placements.delete_proceedings",
    "portal.withdraw_record",
]


def grant_roles() -> None:
    grant_casework(CASEWORK, MANAGEMENT)

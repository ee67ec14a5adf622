"""Each app grants its own permissions (its ``roles.py``, from ``AppConfig.ready()``); together
they must give every role exactly what it held when the core named them all in one table.
That table is written out below, so a grant that goes missing or creeps in shows here."""

import pytest

from portal.roles import Role, grant, grant_casework, role_permissions

EVENTS_TEAM = {
    "enquiries.add_informationevent",
    "enquiries.change_booking",
    "enquiries.change_informationevent",
    "enquiries.view_booking",
    "enquiries.view_informationevent",
}

RECRUITMENT_TEAM = {
    "enquiries.add_enquirynote",
    "enquiries.change_enquiry",
    "enquiries.export_enquiry",
    "enquiries.view_enquiry",
    "enquiries.view_enquirycontact",
    "enquiries.view_enquirynote",
    "enquiries.view_enquirystatuschange",
}

SOCIAL_WORKERS = {
    "carers.add_applicant",
    "carers.add_document",
    "carers.add_household",
    "carers.add_householdmember",
    "carers.add_panelsitting",
    "carers.add_statutorycheck",
    "carers.add_supportnetworkmember",
    "carers.add_trainingrecord",
    "carers.change_applicant",
    "carers.change_assessment",
    "carers.change_fostercarerreview",
    "carers.change_household",
    "carers.change_householdmember",
    "carers.change_panelsitting",
    "carers.change_statutorycheck",
    "carers.change_supportnetworkmember",
    "carers.change_trainingrecord",
    "carers.delete_applicant",
    "carers.delete_householdmember",
    "carers.delete_statutorycheck",
    "carers.delete_supportnetworkmember",
    "carers.delete_trainingrecord",
    "carers.view_applicant",
    "carers.view_assessment",
    "carers.view_deadline",
    "carers.view_document",
    "carers.view_fostercarerreview",
    "carers.view_household",
    "carers.view_householdmember",
    "carers.view_panelsitting",
    "carers.view_stagechange",
    "carers.view_statutorycheck",
    "carers.view_supportnetworkmember",
    "carers.view_trainingcourse",
    "carers.view_trainingrecord",
    "enquiries.view_enquiry",
    "enquiries.view_enquirycontact",
    "enquiries.view_enquirynote",
    "enquiries.view_enquirystatuschange",
    "placements.add_child",
    "placements.add_familytimesession",
    "placements.add_hearing",
    "placements.add_lookedafterreview",
    "placements.add_placement",
    "placements.add_proceedingsextension",
    "placements.add_siblinggroup",
    "placements.add_socialworkervisit",
    "placements.change_child",
    "placements.change_familytimesession",
    "placements.change_hearing",
    "placements.change_lookedafterreview",
    "placements.change_placement",
    "placements.change_proceedingsextension",
    "placements.change_siblinggroup",
    "placements.change_socialworkervisit",
    "placements.issue_leave_letter",
    "placements.view_child",
    "placements.view_courtorder",
    "placements.view_familytimesession",
    "placements.view_hearing",
    "placements.view_lookedafterreview",
    "placements.view_placement",
    "placements.view_placementchild",
    "placements.view_placementdeadline",
    "placements.view_proceedingsextension",
    "placements.view_siblinggroup",
    "placements.view_socialworkervisit",
    "placements.view_temporaryapproval",
    "placements.view_termsexemption",
    # The child at the centre: proceedings, health, consent, the people around the child
    # and the documents on the child.
    *[
        f"placements.{verb}_{model}"
        for model in ("proceedings", "healthassessment", "parentconsent", "localauthority")
        + ("professional",)
        for verb in ("add", "change", "view")
    ],
    *[f"placements.{verb}_childprofessional" for verb in ("add", "change", "delete", "view")],
    # Family time, on the child: relatives, plans, sessions and the communication book.
    *[
        f"placements.{verb}_{model}"
        for model in ("birthrelative", "familytimeplan", "communicationbookentry")
        for verb in ("add", "change", "view")
    ],
    "placements.add_childdocument",
    "placements.view_childdocument",
}

# Team managers hold everything social workers hold, and these.
TEAM_MANAGERS_ALSO = {
    "auditlog.view_logentry",
    "carers.add_trainingcourse",
    "carers.change_trainingcourse",
    "carers.delete_panelsitting",
    "carers.delete_trainingcourse",
    "enquiries.export_enquiry",
    "placements.add_temporaryapproval",
    "placements.add_termsexemption",
    "placements.see_relative_address",
    "placements.approve_mileage",
    "placements.delete_proceedings",
    "placements.grant_temporary_approval",
    "placements.view_measures",
    "portal.reallocate_caseload",
    # Case records are withdrawn with a reason, never deleted (portal.versions).
    "portal.withdraw_record",
    "portal.view_notification",
    "portal.view_exportlog",
    "portal.view_lettertemplate",
    "portal.change_lettertemplate",
    "portal.view_legalhold",
    "portal.add_legalhold",
    "portal.delete_legalhold",
    "portal.view_retentionrun",
}

CONTENT_EDITORS = {
    "content.add_faq",
    "content.add_faqtopic",
    "content.add_page",
    "content.add_servedpostcodearea",
    "content.add_story",
    "content.change_faq",
    "content.change_faqtopic",
    "content.change_page",
    "content.change_servedpostcodearea",
    "content.change_story",
    "content.delete_faq",
    "content.delete_faqtopic",
    "content.delete_page",
    "content.delete_servedpostcodearea",
    "content.delete_story",
    "content.view_eligibilitycompletioncount",
    "content.view_faq",
    "content.view_faqtopic",
    "content.view_page",
    "content.view_servedpostcodearea",
    "content.view_story",
}

# Added since the table moved into the apps: case notes, viewed and added (never changed
# or deleted) by social workers and team managers.
CASE_NOTES = {
    "carers.view_householdnote",
    "carers.add_householdnote",
    "placements.view_childnote",
    "placements.add_childnote",
    "placements.view_placementnote",
    "placements.add_placementnote",
}

# Added for subject access: team managers keep the log of requests (never deleting one);
# the recruitment team and team managers record an enquirer's withdrawn consent.
SUBJECT_ACCESS = {
    "portal.view_subjectaccessrequest",
    "portal.add_subjectaccessrequest",
    "portal.change_subjectaccessrequest",
}
CONSENT_WITHDRAWN = {"enquiries.withdraw_sensitive_consent"}

# Added for panels as bodies: the central list of panel members (kept by team managers),
# a decision maker for each track, and panel members who read their sittings' papers.
PANEL_LIST_VIEW = {"carers.view_panelmember"}
PANEL_LIST_KEPT = {
    "carers.add_panelmember",
    "carers.change_panelmember",
    "carers.delete_panelmember",
    "carers.record_adoption_decision",
    "carers.record_fostering_decision",
}
PANEL_MEMBERS = {"carers.read_panel_papers"}
# Added for matching: referrals, links, the EP match and the adoption match, carers on hold
# for matching (a team manager deletes a mistaken hold), the referral clocks, the postcode
# district centres (read-only).
MATCHING = {
    *[
        f"placements.{verb}_{model}"
        for model in ("referral", "link")
        for verb in ("view", "add", "change")
    ],
    *[
        f"placements.{verb}_{model}"
        for model in ("match", "adoptionmatch")
        for verb in ("view", "add")
    ],
    *[f"placements.{verb}_matchingpause" for verb in ("view", "add", "change")],
    "placements.view_referraldeadline",
    "placements.view_postcodedistrict",
}

# Added for access by relationship (portal.access): team managers keep their teams, share
# records, restrict them, read their team's break-glass openings and open sealed children.
ACCESS = {
    "portal.view_team",
    "portal.add_team",
    "portal.change_team",
    "portal.view_recordshare",
    "portal.add_recordshare",
    "portal.delete_recordshare",
    "portal.view_restriction",
    "portal.add_restriction",
    "portal.change_restriction",
    "portal.delete_restriction",
    "portal.view_breakglassopening",
    "placements.view_sealed_child",
}

FORMER_TABLE = {
    Role.EVENTS_TEAM: EVENTS_TEAM,
    Role.RECRUITMENT_TEAM: RECRUITMENT_TEAM | CONSENT_WITHDRAWN,
    Role.SOCIAL_WORKERS: SOCIAL_WORKERS | CASE_NOTES | PANEL_LIST_VIEW | MATCHING,
    Role.TEAM_MANAGERS: SOCIAL_WORKERS
    | TEAM_MANAGERS_ALSO
    | CASE_NOTES
    | MATCHING
    | {"placements.delete_matchingpause"}
    | SUBJECT_ACCESS
    | CONSENT_WITHDRAWN
    | PANEL_LIST_VIEW
    | PANEL_LIST_KEPT
    | ACCESS,
    Role.CONTENT_EDITORS: CONTENT_EDITORS,
    Role.PANEL_MEMBERS: PANEL_MEMBERS,
}


def test_the_apps_grants_add_up_to_the_former_table():
    granted = role_permissions()
    assert set(granted) == set(Role.ALL)
    for role, perms in granted.items():
        assert len(perms) == len(set(perms)), f"{role}: a permission granted twice is kept once"
        assert set(perms) == FORMER_TABLE[role], role


def test_granting_again_changes_nothing():
    before = role_permissions()
    grant(Role.EVENTS_TEAM, sorted(EVENTS_TEAM))
    assert role_permissions() == before


def test_a_grant_to_an_unknown_role_or_of_a_malformed_permission_is_refused():
    with pytest.raises(ValueError, match="not a role"):
        grant("Volunteers", ["enquiries.view_booking"])
    with pytest.raises(ValueError, match="app_label.codename"):
        grant(Role.EVENTS_TEAM, ["view_booking"])


def test_casework_goes_to_social_workers_and_managers_management_to_managers_alone():
    before = role_permissions()
    grant_casework(["carers.view_household"], ["carers.record_adoption_decision"])

    granted = role_permissions()
    assert granted == before  # granted already by carers: nothing changes
    assert "carers.view_household" in granted[Role.SOCIAL_WORKERS]
    assert "carers.record_adoption_decision" not in granted[Role.SOCIAL_WORKERS]
    assert {"carers.view_household", "carers.record_adoption_decision"} <= set(
        granted[Role.TEAM_MANAGERS]
    )

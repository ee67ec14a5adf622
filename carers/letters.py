"""The letters of the dual assessment, registered with ``portal.letters``.

Letters about a step of the assessment are made for an ``Assessment`` and go to the
applicants who have an email address; requests for a reference or a medical report are
made for a ``StatutoryCheck`` and go to the address staff give when producing them.
Every letter is kept with the household's documents. The default words below are only
the first version of each template: team managers edit them under *Letter templates*.
"""

from datetime import date

from django.utils import timezone

from portal import access, formats
from portal.letters import LetterKind, Recipient, register

from . import clocks
from .models import AgesIn, Assessment, Household, Stage, StatutoryCheck, Track

# -- merge fields shared by the letters to applicants --------------------------------------

HOUSEHOLD_FIELDS = {
    "applicant_names": "The applicants' full names (Alex Rivers and Sam Rivers)",
    "applicant_first_names": "Their first names, for the greeting (Alex and Sam)",
    "address": "The household's postal address, over several lines",
    "reference": "The household's reference (EP00042)",
    "social_worker_name": "The assessing social worker's name",
}
HOUSEHOLD_DEMO = {
    "applicant_names": "Jordan Example and Casey Example",
    "applicant_first_names": "Jordan and Casey",
    "address": "1 Sample Street\nExampletown\nOK1 2AB",
    "reference": "EP00000",
    "social_worker_name": "Robin Demo",
}
TRACK_FIELDS = {"assessed_as": "What the assessment is for (adopters, or foster carers)"}
TRACK_DEMO = {"assessed_as": "adopters"}


def _day(value: date | None) -> str:
    return formats.day(value) if value else ""


def _household_values(household: Household) -> dict[str, str]:
    applicants = list(household.applicants.order_by("position"))
    address = [
        household.address_line_1,
        household.address_line_2,
        household.town,
        household.postcode,
    ]
    worker = household.social_worker
    return {
        "applicant_names": " and ".join(a.full_name for a in applicants),
        "applicant_first_names": " and ".join(a.first_name for a in applicants),
        "address": "\n".join(line for line in address if line),
        "reference": household.reference,
        "social_worker_name": worker.get_full_name() if worker else "",
    }


def _assessed_as(assessment: Assessment) -> str:
    return "adopters" if assessment.track == Track.ADOPTION else "foster carers"


def _applicants(assessment: Assessment) -> list[Recipient]:
    return [
        Recipient(email=a.email, first_name=a.first_name, last_name=a.last_name)
        for a in assessment.household.applicants.order_by("position")
        if a.email
    ]


def _store(record, *, title: str, content: bytes, by):
    from .services import document_store_letter

    if isinstance(record, StatutoryCheck):
        return document_store_letter(
            household=record.household, title=title, content=content, by=by, check_record=record
        )
    return document_store_letter(household=record.household, title=title, content=content, by=by)


def _may_see(user, record) -> bool:
    return (
        user.is_authenticated
        and user.has_perm("carers.view_household")
        and access.may_see(user, record.household)
    )


def assessment_kind(*, name, title, fields, demo, values, available, default_title, body):
    """A letter to the applicants about a step of one track of their assessment."""
    return LetterKind(
        name=f"carers.{name}",
        title=title,
        fields={**HOUSEHOLD_FIELDS, **TRACK_FIELDS, **fields},
        demo={**HOUSEHOLD_DEMO, **TRACK_DEMO, **demo},
        values=lambda a: {
            **_household_values(a.household),
            "assessed_as": _assessed_as(a),
            **values(a),
        },
        recipients=_applicants,
        store=_store,
        may_see=_may_see,
        available=available,
        default_title=default_title,
        default_body=body,
    )


GREETING = "Dear {applicant_first_names},"
SIGN_OFF = """Yours sincerely,

{social_worker_name}
{agency_name}

If you have any questions, call us on {agency_phone} or email {agency_email}.
Our reference: {reference}"""
ADDRESS = "{applicant_names}\n{address}\n\n{date}"


def _letter(*paragraphs: str) -> str:
    return "\n\n".join((ADDRESS, GREETING, *paragraphs, SIGN_OFF))


def _notice_day(a) -> date:
    """The day the proposal was sent, once recorded; until then, today (the letter is
    produced the day it is sent)."""
    determination = clocks.determination_of(a)
    return determination.sent_on if determination else timezone.localdate()


def _adoption(assessment: Assessment) -> bool:
    return assessment.track == Track.ADOPTION


ASSESSMENT_KINDS = [
    assessment_kind(
        name="roi_accepted",
        title="Registration of Interest accepted",
        fields={
            "roi_received_on": "The day we received the Registration of Interest",
            "roi_accepted_on": "The day we accepted it",
        },
        demo={"roi_received_on": "2 March 2026", "roi_accepted_on": "6 March 2026"},
        values=lambda a: {
            "roi_received_on": _day(a.roi_received_on),
            "roi_accepted_on": _day(a.roi_accepted_on),
        },
        available=lambda a: _adoption(a) and a.roi_accepted_on is not None,
        default_title="Your Registration of Interest has been accepted",
        body=_letter(
            "Thank you for your Registration of Interest, which we received on "
            "{roi_received_on}. We are pleased to tell you that we accepted it on "
            "{roi_accepted_on}.",
            "The next step is Stage 1 of your assessment. During Stage 1 we carry out the "
            "statutory checks and references, and you begin your preparation training. "
            "Your social worker will contact you shortly to agree a Stage 1 plan with you.",
        ),
    ),
    assessment_kind(
        name="roi_declined",
        title="Registration of Interest not accepted",
        fields={
            "roi_received_on": "The day we received the Registration of Interest",
            "decision_on": "The day we decided not to accept it",
        },
        demo={"roi_received_on": "2 March 2026", "decision_on": "6 March 2026"},
        values=lambda a: {
            "roi_received_on": _day(a.roi_received_on),
            "decision_on": _day(a.closed_on),
        },
        available=lambda a: (
            _adoption(a) and a.stage == Stage.NOT_PROCEEDING and a.roi_accepted_on is None
        ),
        default_title="Your Registration of Interest",
        body=_letter(
            "Thank you for your Registration of Interest, which we received on "
            "{roi_received_on}, and for the time you have given to talking with us.",
            "We have considered it carefully and decided on {decision_on} that we are not "
            "able to accept it at this time. Your social worker has explained our reasons "
            "to you and is happy to talk them through again.",
            "This decision does not stop you from registering your interest with us, or "
            "with another agency, in the future.",
        ),
    ),
    assessment_kind(
        name="stage_1_outcome",
        title="Stage 1 outcome",
        fields={
            "stage_1_decision_on": "The day of the Stage 1 decision",
            "stage_1_outcome": "The decision in words",
        },
        demo={
            "stage_1_decision_on": "4 May 2026",
            "stage_1_outcome": "you may go on to Stage 2 of the assessment",
        },
        values=lambda a: {
            "stage_1_decision_on": _day(a.stage_1_decision_on),
            "stage_1_outcome": (
                "we are not able to go on with your assessment"
                if a.stage == Stage.NOT_PROCEEDING
                else "you may go on to Stage 2 of the assessment"
            ),
        },
        available=lambda a: _adoption(a) and a.stage_1_decision_on is not None,
        default_title="The outcome of Stage 1",
        body=_letter(
            "We have now completed Stage 1 of your assessment. On {stage_1_decision_on} "
            "we decided that {stage_1_outcome}.",
            "If you are going on to Stage 2, please tell us in writing when you are ready "
            "to start. You may take a break of up to six months before you do. If you "
            "have any questions about this decision, please contact your social worker.",
        ),
    ),
    assessment_kind(
        name="notice_to_proceed",
        title="Notice to proceed received (Stage 2)",
        fields={
            "notice_to_proceed_on": "The day we received the notice to proceed",
            "stage_2_decision_due": "The day by which we aim to decide on approval",
        },
        demo={"notice_to_proceed_on": "11 May 2026", "stage_2_decision_due": "11 September 2026"},
        values=lambda a: {
            "notice_to_proceed_on": _day(a.notice_to_proceed_on),
            "stage_2_decision_due": _day(
                clocks.stage_2_decision_due(a.notice_to_proceed_on, a.stage_2_extended_until)
                if a.notice_to_proceed_on
                else None
            ),
        },
        available=lambda a: _adoption(a) and a.notice_to_proceed_on is not None,
        default_title="Stage 2 of your assessment",
        body=_letter(
            "Thank you for telling us that you wish to go on to Stage 2. We received your "
            "notice to proceed on {notice_to_proceed_on}, and Stage 2 began that day.",
            "In Stage 2 your social worker will visit you a number of times to complete "
            "the assessment report with you. We aim to reach a decision by "
            "{stage_2_decision_due}.",
        ),
    ),
    assessment_kind(
        name="panel_invitation",
        title="Invitation to panel",
        fields={"panel_date": "The day the panel sits", "panel_venue": "Where it sits"},
        demo={"panel_date": "Tuesday 9 June 2026", "panel_venue": "Oakway House, Meeting room 2"},
        values=lambda a: {
            "panel_date": formats.day(a.panel.sits_on, weekday=True) if a.panel else "",
            "panel_venue": (a.panel.venue if a.panel else "") or "to be confirmed",
        },
        available=lambda a: a.stage == Stage.PANEL_BOOKED and a.panel_id is not None,
        default_title="Your invitation to panel",
        body=_letter(
            "Your assessment as {assessed_as} will be considered by our panel on "
            "{panel_date}. The panel will meet at: {panel_venue}.",
            "We would like you to attend. The panel members will have read your "
            "assessment report and will want to meet you and ask you some questions. "
            "Your social worker will be with you and will tell you the time to arrive.",
            "After the meeting the panel makes a recommendation, and the agency decision "
            "maker then makes the decision. We will write to you with it.",
        ),
    ),
    assessment_kind(
        name="approval",
        title="Approval, with its terms",
        fields={
            "decision_on": "The day of the agency decision",
            "approved_age_from": "The youngest age of child the approval is for",
            "approved_age_to": "The oldest age of child the approval is for",
            "approved_ages_in": "The unit of those ages: years or months",
            "approved_number_of_children": "How many children the approval is for",
        },
        demo={
            "decision_on": "16 June 2026",
            "approved_age_from": "0",
            "approved_age_to": "2",
            "approved_ages_in": "years",
            "approved_number_of_children": "1",
        },
        values=lambda a: {
            "decision_on": _day(a.agency_decision_on),
            "approved_age_from": str(
                a.approved_age_from if a.approved_age_from is not None else ""
            ),
            "approved_age_to": str(a.approved_age_to if a.approved_age_to is not None else ""),
            "approved_ages_in": AgesIn(a.approved_ages_in or AgesIn.YEARS).label,
            "approved_number_of_children": str(a.approved_number_of_children or ""),
        },
        available=lambda a: a.agency_decision == Assessment.Decision.APPROVED,
        default_title="Your approval as {assessed_as}",
        body=_letter(
            "We are delighted to tell you that on {decision_on} the agency decision maker "
            "approved you as {assessed_as}.",
            "## The terms of your approval\n\n"
            "- Number of children: {approved_number_of_children}\n"
            "- Age of children: from {approved_age_from} to {approved_age_to} {approved_ages_in}",
            "Your social worker will talk with you about what happens next, including "
            "the support available to you while you wait to be matched with a child.",
        ),
    ),
    assessment_kind(
        name="proposed_refusal",
        title="Proposed refusal (qualifying determination)",
        fields={
            "panel_date": "The day the panel sat",
            "panel_recommendation": "The panel's recommendation in words",
            "representations_by": "The last day for representations or a review (adopters: "
            "40 working days; foster carers: 28 days from the letter)",
        },
        demo={
            "panel_date": "9 June 2026",
            "panel_recommendation": "not suitable to be approved",
            "representations_by": "4 August 2026",
        },
        values=lambda a: {
            "panel_date": _day(a.panel.sits_on) if a.panel else "",
            "panel_recommendation": (
                a.get_panel_recommendation_display().lower() if a.panel_recommendation else ""
            ),
            "representations_by": _day(
                clocks.representations_due(_notice_day(a), adoption=_adoption(a))
            ),
        },
        available=lambda a: a.stage in (Stage.PANEL_RECOMMENDED, Stage.PROPOSED_REFUSAL),
        default_title="We propose not to approve you as {assessed_as}",
        body=_letter(
            "The panel considered your assessment as {assessed_as} on {panel_date} and "
            "recommended that you are {panel_recommendation}. Having considered the "
            "panel's recommendation and your assessment, the agency decision maker "
            "proposes not to approve you. This is called a qualifying determination. "
            "Your social worker will go through the reasons with you, and we will send you the "
            "panel's minutes and the written reasons for the proposal.",
            "## What you can do\n\n"
            "By {representations_by} you may:\n\n"
            "- send us your comments in writing, which the agency decision maker will "
            "consider before making a final decision; or\n"
            "- ask the Independent Review Mechanism to review the proposal.\n\n"
            "If we hear nothing from you by then, the agency decision maker will make the "
            "final decision.",
        ),
    ),
    assessment_kind(
        name="final_decision",
        title="Final decision",
        fields={
            "decision_on": "The day of the agency decision",
            "decision": "The decision in words",
        },
        demo={"decision_on": "16 June 2026", "decision": "to approve you as adopters"},
        values=lambda a: {
            "decision_on": _day(a.agency_decision_on),
            "decision": (
                f"to approve you as {_assessed_as(a)}"
                if a.agency_decision == Assessment.Decision.APPROVED
                else f"not to approve you as {_assessed_as(a)}"
            ),
        },
        available=lambda a: bool(a.agency_decision),
        default_title="The agency's decision",
        body=_letter(
            "On {decision_on} the agency decision maker made the final decision {decision}.",
            "Your social worker will contact you to talk about the decision and what happens next.",
        ),
    ),
]

# -- requests for references and reports, made for one check ---------------------------------

CHECK_FIELDS = {
    "recipient_name": "The name of the person asked (the referee, employer or GP)",
    "applicant_name": "The applicant the request is about",
    "reference": "The household's reference (EP00042)",
    "social_worker_name": "The assessing social worker's name",
}
CHECK_DEMO = {
    "recipient_name": "Dr Morgan Sample",
    "applicant_name": "Jordan Example",
    "reference": "EP00000",
    "social_worker_name": "Robin Demo",
}


def _check_values(check: StatutoryCheck) -> dict[str, str]:
    worker = check.household.social_worker
    return {
        "recipient_name": check.referee_name,
        "applicant_name": check.applicant.full_name if check.applicant else "",
        "reference": check.household.reference,
        "social_worker_name": worker.get_full_name() if worker else "",
    }


def check_kind(
    *, name, title, check_kind_value, default_title, body, fields=None, demo=None, values=None
):
    """A request about one applicant's check, sent to an address given when it is produced."""
    return LetterKind(
        name=f"carers.{name}",
        title=title,
        fields={**CHECK_FIELDS, **(fields or {})},
        demo={**CHECK_DEMO, **(demo or {})},
        values=lambda check: {**_check_values(check), **(values(check) if values else {})},
        recipients=lambda check: [],
        store=_store,
        may_see=_may_see,
        available=lambda check: check.kind == check_kind_value and check.applicant_id is not None,
        default_title=default_title,
        default_body=body,
        asks_email=True,
    )


REQUEST_SIGN_OFF = """Yours sincerely,

{social_worker_name}
{agency_name}

Please reply to {agency_email} or call us on {agency_phone}, quoting our reference
{reference}."""


def _request(*paragraphs: str) -> str:
    return "\n\n".join(("{date}", "Dear {recipient_name},", *paragraphs, REQUEST_SIGN_OFF))


CHECK_KINDS = [
    check_kind(
        name="referee_request",
        title="Referee request",
        check_kind_value=StatutoryCheck.Kind.PERSONAL_REFERENCE,
        default_title="A request for a personal reference for {applicant_name}",
        body=_request(
            "{applicant_name} has applied to {agency_name} to become an adopter and foster "
            "carer, and has given your name as someone who knows them well.",
            "Would you be willing to give a personal reference? Our social worker, "
            "{social_worker_name}, will arrange to visit or speak with you, and may also ask "
            "you to complete a short written questionnaire. What you tell us is kept "
            "confidential within the assessment and is not shared with the applicant "
            "without your agreement, unless the law requires it.",
        ),
    ),
    check_kind(
        name="employer_request",
        title="Employer request",
        check_kind_value=StatutoryCheck.Kind.EMPLOYER_REFERENCE,
        default_title="A request for an employer's reference for {applicant_name}",
        body=_request(
            "{applicant_name} has applied to {agency_name} to become an adopter and foster "
            "carer, and has agreed that we may ask you, as their employer, for a reference.",
            "Please tell us how long they have worked for you, their role, their "
            "reliability and their attendance, and anything you know that is relevant to "
            "their caring for a young child. We would be grateful for your reply within "
            "15 working days.",
        ),
    ),
    check_kind(
        name="gp_medical_request",
        title="GP medical request",
        check_kind_value=StatutoryCheck.Kind.MEDICAL,
        fields={"applicant_date_of_birth": "The applicant's date of birth"},
        demo={"applicant_date_of_birth": "14 February 1988"},
        values=lambda check: {
            "applicant_date_of_birth": _day(check.applicant.date_of_birth)
            if check.applicant
            else ""
        },
        default_title="A request for an adult health report: {applicant_name}",
        body=_request(
            "Your patient {applicant_name}, born {applicant_date_of_birth}, has applied to "
            "{agency_name} to become an adopter and foster carer. As part of the "
            "assessment we need an adult health report from their GP.",
            "Your patient has given their consent and will contact the surgery to arrange "
            "an appointment. Please send the completed report to our medical adviser at the "
            "address below. We will pay the fee on receipt of your invoice.",
        ),
    ),
]

ASSESSMENT_KIND_NAMES = [kind.name for kind in ASSESSMENT_KINDS]
CHECK_KIND_NAMES = [kind.name for kind in CHECK_KINDS]


def register_letters() -> None:
    for kind in (*ASSESSMENT_KINDS, *CHECK_KINDS):
        register(kind)

"""Who can open what: every admin URL, and every public URL that takes an id or a token,
for each role, a superuser and an anonymous visitor, checked against one permission table.

``STAFF_PAGES`` below is that table, and README.md shows it word for word (section "Staff
accounts, roles and two-step sign-in"; ``test_the_readme_shows_this_table`` keeps the two
the same). Each cell lists what a role may do on a staff page, in words this test knows:

- view, add, change, delete: on each admin page of the row, the list, the record, its
  history (view or change), the add page (add), the delete page (delete) answer 200, and
  a record's page has a Save button only with change; anything else answers 403;
- the other words of a row name its own pages (each answers 200 to whoever has the word,
  403 or a page that says no to the rest) and the actions of its list.

The rest follows from the table: an app's index page opens for whoever may view one of
its pages, "View on site" and the autocomplete answer only those who may view the model
they lead to (the autocomplete also those who keep a field allowed through it:
``portal.admin_autocomplete``), and anonymous visitors are sent to sign in from every staff URL. Public
URLs with a token or an id are in ``PUBLIC_PAGES``: a guessed booking token is refused.

The events team, the recruitment team, content editors and panel members must never see a child's
record: every answer they get (pages, searches, autocomplete, CSV exports) is searched
for the child's name, date of birth and reference.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from auditlog.models import LogEntry
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLResolver
from django.utils import timezone

from carers import services as carers_services
from carers.models import (
    Deadline,
    PanelAttendance,
    PanelMember,
    PanelSitting,
    Stage,
    Track,
    TrainingCourse,
)
from carers.services.panels import panel_paper_token
from content.models import EligibilityCompletionCount
from enquiries.models import Enquiry
from enquiries.services.enquiries import ENQUIRY_WORKFLOW
from enquiries.services.registration import registration_link_send
from placements import services as placements_services
from placements.models import (
    Match,
    MatchingPause,
    PlacementDeadline,
    PostcodeDistrict,
    Professional,
    Referral,
)
from portal import admin_autocomplete, letters, retention, subject_access
from portal.models import (
    BreakGlassOpening,
    ExportLog,
    LegalHold,
    LetterTemplate,
    RecordShare,
    Restriction,
    SubjectAccessRequest,
    Team,
)
from portal.notifications import notify
from portal.roles import Role
from tests.carers import factories as carer_factories
from tests.content import factories as content_factories
from tests.enquiries.enquiries.factories import EnquiryFactory
from tests.enquiries.events.factories import BookingFactory, InformationEventFactory
from tests.placements import factories as placement_factories

pytestmark = pytest.mark.django_db

EVENTS, RECRUITMENT, SOCIAL, MANAGERS, EDITORS, PANEL = (
    Role.EVENTS_TEAM,
    Role.RECRUITMENT_TEAM,
    Role.SOCIAL_WORKERS,
    Role.TEAM_MANAGERS,
    Role.CONTENT_EDITORS,
    Role.PANEL_MEMBERS,
)
SUPERUSER = "Superusers"
ANONYMOUS = "Anonymous"
STAFF = (*Role.ALL, SUPERUSER)
ACTORS = (*STAFF, ANONYMOUS)
NO_CHILD_DATA = (EVENTS, RECRUITMENT, EDITORS, PANEL)

# The child whose record only social workers and team managers may see.
CHILD = {"first_name": "Willow", "last_name": "Hartington", "born": date(2025, 2, 20)}

# A 1x1 PNG, for a story's image.
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81"
    b"\x84\x00\x00\x00\x00IEND\xaeB`\x82"
)


# -- the permission table ---------------------------------------------------------------------


@dataclass(frozen=True)
class Probe:
    """One request that a word of the table allows.

    Allowed: the answer is ``allowed`` (and shows ``marker``, when given). Refused: any of
    ``refused``, or a 200 page without the marker (a button shown greyed out, a draft left
    out). ``url`` is a key of ``admin_urls()`` or ``public_urls()``.
    """

    url: str
    post: dict | None = None
    allowed: int = 200
    refused: tuple[int, ...] = (403,)
    marker: str = ""


@dataclass(frozen=True)
class StaffPage:
    """A row of the README's table: a staff page (its admin models) and who may do what."""

    label: str
    models: tuple[str, ...]
    access: dict[str, str]
    probes: dict[str, tuple[Probe, ...]] = field(default_factory=dict)
    actions: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def words(self, actor: str) -> set[str]:
        cell = self.access.get(actor, "")
        return {word.strip() for word in cell.split(",") if word.strip()}


MODEL_WORDS = ("view", "add", "change", "delete")
CHANGELIST = "enquiries.enquiry:changelist"


def _moves() -> tuple[Probe, ...]:
    # A new enquiry can be contacted or closed; the page of any other move opens to say
    # why it is not possible now (the one staff form page), as carers' and placements' do.
    return tuple(Probe(f"enquiries_enquiry_move:{slug}") for slug in ENQUIRY_WORKFLOW.actions)


STAFF_PAGES = (
    StaffPage(
        "Notifications (outbox), audit log",
        ("portal.notification", "auditlog.logentry"),
        {MANAGERS: "view", SUPERUSER: "view"},
    ),
    StaffPage(
        "Export log (each CSV download: who, which, when, how many rows, the filter)",
        ("portal.exportlog",),
        {MANAGERS: "view", SUPERUSER: "view"},
    ),
    StaffPage(
        "Information events",
        ("enquiries.informationevent",),
        {
            EVENTS: "view, add, change, cancel, duplicate, export attendees (CSV), "
            "sign-in sheet, message everyone booked",
            SUPERUSER: "view, add, change, delete, cancel, duplicate, export attendees (CSV), "
            "sign-in sheet, message everyone booked",
        },
        probes={
            "sign-in sheet": (Probe("enquiries_informationevent_sign_in_sheet"),),
            "message everyone booked": (Probe("enquiries_informationevent_message"),),
        },
        actions={
            "cancel": ("cancel_events",),
            "duplicate": ("duplicate_next_month",),
            "export attendees (CSV)": ("export_attendees",),
        },
    ),
    StaffPage(
        "Bookings (change: correct contact details)",
        ("enquiries.booking",),
        {
            EVENTS: "view, change, check in, cancel",
            SUPERUSER: "view, change, delete, check in, cancel",
        },
        actions={"check in": ("mark_attended", "mark_no_show"), "cancel": ("cancel_bookings",)},
    ),
    StaffPage(
        "Enquiries (with their timeline and notes)",
        ("enquiries.enquiry",),
        {
            RECRUITMENT: "view, change, funnel report, move along the pipeline, assign, "
            "export (CSV), consent withdrawn",
            SOCIAL: "view, funnel report",
            MANAGERS: "view, funnel report, export (CSV), consent withdrawn",
            SUPERUSER: "view, change, funnel report, move along the pipeline, assign, "
            "export (CSV), consent withdrawn",
        },
        probes={
            "funnel report": (Probe("enquiries_enquiry_funnel"),),
            "move along the pipeline": (
                *_moves(),
                Probe("enquiries_enquiry_registration_link"),
            ),
        },
        actions={
            "move along the pipeline": (
                "mark_contacted",
                "mark_information_pack_sent",
                "close_no_response",
            ),
            "assign": ("assign_to_me",),
            "export (CSV)": ("export_csv",),
            "consent withdrawn": ("withdraw_sensitive_consent",),
        },
    ),
    StaffPage(
        "Convert an enquiry to a carer household (an action on Enquiries)",
        (),
        {SOCIAL: "convert", MANAGERS: "convert", SUPERUSER: "convert"},
        probes={
            "convert": (
                Probe(
                    CHANGELIST,
                    post={"action": "convert_to_household", "_selected_action": "roi-enquiry"},
                    refused=(302, 403),
                    marker='name="date_of_birth_1"',
                ),
            )
        },
    ),
    StaffPage(
        "Carer households (applicants, household members, support network, checks, "
        "training, documents, foster carer reviews)",
        ("carers.household",),
        {
            SOCIAL: "view, add, change, stage buttons, move to another sitting, close, "
            "foster carer review, panel paper (PDF), case notes, letters, own area, check dates today",
            MANAGERS: "view, add, change, stage buttons, move to another sitting, close, "
            "foster carer review, panel paper (PDF), case notes, letters, own area, check dates today, "
            "withdraw mistaken records",
            SUPERUSER: "view, add, change, delete, stage buttons, move to another sitting, "
            "close, foster carer review, panel paper (PDF), case notes, letters, own area, check dates today, "
            "withdraw mistaken records",
        },
        probes={
            "stage buttons": tuple(
                Probe(f"carers_household_action:{name}") for name in carers_services.ACTIONS
            ),
            "move to another sitting": (Probe("carers_household_move_panel"),),
            "close": (Probe("carers_household_close"),),
            "foster carer review": (Probe("carers_household_review"),),
            "panel paper (PDF)": (Probe("carers_household_panel_paper"),),
            # The household's letters page, producing one, and opening one sent (a
            # recipient may open it too: tests/carers/test_letters.py).
            "letters": (
                Probe("carers_household_letters"),
                Probe("carers_household_letter_produce"),
                Probe("sent letter (PDF)", refused=(302, 403)),
            ),
            # Where the applicants' own area stands, and inviting them to it.
            "own area": (
                Probe("carers_household_own_area"),
                Probe("carers_household_ask_document"),
                Probe("carers_household_offer_event"),
            ),
            # Add a note, correct one: the only writes; no one changes or deletes a note.
            "case notes": (
                Probe("carers_household_note_add"),
                Probe("carers_household_note_correct"),
            ),
            # A note or document entered by mistake: withdrawn with a reason, never deleted.
            "withdraw mistaken records": (Probe("carers_household_withdraw"),),
            # A check's "Requested today" button: done, or refused in words, then back.
            "check dates today": (
                Probe("carers_household_check_today", post={"requested": "check"}, allowed=302),
            ),
        },
    ),
    StaffPage(
        "The agency decision, a proposed refusal and the final decision after it "
        "(permissions `carers.record_adoption_decision`, `carers.record_fostering_decision`: "
        "one decision maker for each track may be chosen)",
        (),
        {MANAGERS: "record", SUPERUSER: "record"},
        probes={"record": (Probe("agency decision", marker='<form method="post"'),)},
    ),
    StaffPage(
        "Carer documents (uploaded on the household page; each download is audited)",
        ("carers.document",),
        {
            SOCIAL: "view, download",
            MANAGERS: "view, download",
            SUPERUSER: "view, download",
        },
        probes={
            "download": (Probe("carers_document_download"), Probe("carers_document_file")),
        },
    ),
    StaffPage(
        "Panel sittings (with their agenda)",
        ("carers.panelsitting",),
        {
            SOCIAL: "view, add, change",
            MANAGERS: "view, add, change, delete",
            SUPERUSER: "view, add, change, delete",
        },
    ),
    StaffPage(
        "Panel members (the central list: role, panels, experience, independence, sign-in)",
        ("carers.panelmember",),
        {
            SOCIAL: "view",
            MANAGERS: "view, add, change, delete",
            SUPERUSER: "view, add, change, delete",
        },
    ),
    StaffPage(
        "Panel papers (the sittings a member sits on; each PDF page carries their name)",
        (),
        {PANEL: "read papers", SUPERUSER: "read papers"},
        probes={
            # A member's link opens for that member alone (tests/carers/test_panels.py):
            # anyone else with the role is told so on the papers page; without it, 403.
            "read papers": (
                Probe("carers_panelsitting_papers"),
                Probe("carers_panelsitting_paper", marker="This link is for another panel member."),
            ),
        },
    ),
    StaffPage(
        "Training courses (the catalogue)",
        ("carers.trainingcourse",),
        {
            SOCIAL: "view",
            MANAGERS: "view, add, change, delete",
            SUPERUSER: "view, add, change, delete",
        },
    ),
    StaffPage(
        "Deadlines (every open clock)",
        ("carers.deadline",),
        {SOCIAL: "view", MANAGERS: "view", SUPERUSER: "view"},
    ),
    StaffPage(
        "Placements (with court timeline, family time, reviews, visits), children, sibling groups",
        ("placements.placement", "placements.child", "placements.siblinggroup"),
        {
            SOCIAL: "view, add, change, placement buttons, adoption leave letter (PDF), case notes",
            MANAGERS: "view, add, change, placement buttons, adoption leave letter (PDF), "
            "withdraw mistaken records, case notes",
            SUPERUSER: "view, add, change, delete, placement buttons, "
            "adoption leave letter (PDF), withdraw mistaken records, case notes",
        },
        probes={
            "placement buttons": tuple(
                Probe(f"placements_placement_action:{name}") for name in placements_services.ACTIONS
            ),
            "adoption leave letter (PDF)": (Probe("placements_placement_leave_letter"),),
            # Family time, reviews, visits and notes entered by mistake: withdrawn with a
            # reason, never deleted (on the placement's page, and on the child's).
            "withdraw mistaken records": (
                Probe("placements_placement_withdraw"),
                Probe("placements_child_withdraw"),
            ),
            "case notes": tuple(
                Probe(f"placements_{case}_note_{page}")
                for case in ("placement", "child")
                for page in ("add", "correct")
            ),
        },
    ),
    StaffPage(
        "Documents on a child (uploaded on the child's page; each download is audited)",
        ("placements.childdocument",),
        {
            SOCIAL: "view, download",
            MANAGERS: "view, download",
            SUPERUSER: "view, download",
        },
        probes={
            "download": (
                Probe("placements_childdocument_download"),
                Probe("placements_childdocument_file"),
            ),
        },
    ),
    StaffPage(
        "Care proceedings of each child (extensions, hearings), placing local authorities, "
        "professionals around each child",
        ("placements.proceedings", "placements.localauthority", "placements.professional"),
        {
            SOCIAL: "view, add, change",
            MANAGERS: "view, add, change, withdraw mistaken records",
            SUPERUSER: "view, add, change, delete, withdraw mistaken records",
        },
        probes={
            # Extensions and hearings entered by mistake, on the proceedings.
            "withdraw mistaken records": (Probe("placements_proceedings_withdraw"),),
        },
    ),
    StaffPage(
        "Reg 25A temporary approvals",
        ("placements.temporaryapproval",),
        {SOCIAL: "view", MANAGERS: "view, add, end", SUPERUSER: "view, add, end"},
        probes={"end": (Probe("placements_temporaryapproval_end"),)},
    ),
    StaffPage(
        "Exemptions from the terms of approval",
        ("placements.termsexemption",),
        {SOCIAL: "view", MANAGERS: "view, add", SUPERUSER: "view, add"},
    ),
    StaffPage(
        "EP measures (with CSV)",
        (),
        {MANAGERS: "view", SUPERUSER: "view"},
        probes={
            "view": (
                Probe("placements_placement_measures"),
                Probe("placements_placement_measures_csv"),
            )
        },
    ),
    StaffPage(
        "Caseloads: reallocate a household, placement or child; move a caseload "
        "(permission `portal.reallocate_caseload`)",
        (),
        {MANAGERS: "reallocate, move a caseload", SUPERUSER: "reallocate, move a caseload"},
        probes={
            "reallocate": tuple(
                Probe(f"{case}_reallocate")
                for case in ("carers_household", "placements_placement", "placements_child")
            ),
            "move a caseload": (Probe("portal_user_move_caseload"),),
        },
    ),
    StaffPage(
        "Referrals for matching (the linking page, links with carers, the EP match, the "
        "placement from the match)",
        ("placements.referral",),
        {
            SOCIAL: "view, add, change, matching steps",
            MANAGERS: "view, add, change, matching steps",
            SUPERUSER: "view, add, change, matching steps",
        },
        probes={
            "matching steps": (
                Probe("placements_referral_linking"),
                Probe("placements_referral_link_propose"),
                Probe("placements_referral_acknowledge"),
                Probe("placements_referral_emergency"),
                Probe("placements_referral_match"),
                Probe("placements_referral_place"),
                Probe("placements_referral_certificate"),
                Probe("placements_referral_adoption_match"),
                *(
                    Probe(f"placements_referral_close:{name}")
                    for name in placements_services.REFERRAL.actions
                ),
                *(
                    Probe(f"placements_referral_link:{step}")
                    for step in ("update", "decision", "choose", "close")
                ),
            )
        },
    ),
    StaffPage(
        "Carers on hold for matching",
        ("placements.matchingpause",),
        {
            SOCIAL: "view, add, change",
            MANAGERS: "view, add, change, delete",
            SUPERUSER: "view, add, change, delete",
        },
    ),
    StaffPage(
        "Postcode district centres (loaded with `load_postcode_districts`)",
        ("placements.postcodedistrict",),
        {SOCIAL: "view", MANAGERS: "view", SUPERUSER: "view"},
    ),
    StaffPage(
        "Family time sessions (what happened, mileage claims)",
        ("placements.familytimesession",),
        {
            SOCIAL: "view, change, claims submitted, claims approved, mileage CSV",
            MANAGERS: "view, change, claims submitted, claims approved, claims paid, mileage CSV",
            SUPERUSER: "view, change, delete, claims submitted, claims approved, claims paid, "
            "mileage CSV",
        },
        actions={
            "claims submitted": ("claims_submitted",),
            "claims approved": ("claims_approved",),
            "claims paid": ("claims_paid",),
            "mileage CSV": ("mileage_csv",),
        },
    ),
    StaffPage(
        "Communication book entries (moderation)",
        ("placements.communicationbookentry",),
        {
            SOCIAL: "view, change",
            MANAGERS: "view, change",
            SUPERUSER: "view, change, delete",
        },
    ),
    StaffPage(
        "Placement deadlines (list)",
        ("placements.placementdeadline",),
        {SOCIAL: "view", MANAGERS: "view", SUPERUSER: "view"},
    ),
    StaffPage(
        "Pages, FAQs, stories",
        ("content.page", "content.faq", "content.story"),
        {
            EDITORS: "view, add, change, delete, publish, unpublish, preview drafts, audit log",
            SUPERUSER: "view, add, change, delete, publish, unpublish, preview drafts, audit log",
        },
        probes={
            "preview drafts": (
                Probe("draft page", refused=(404,)),
                Probe("draft story", refused=(404,)),
                Probe("draft story image", refused=(404,)),
                Probe("faqs", marker="A draft question?"),
            ),
            "audit log": tuple(
                Probe(f"content_{model}_auditlog") for model in ("page", "faq", "story")
            ),
        },
        actions={"publish": ("publish_selected",), "unpublish": ("unpublish_selected",)},
    ),
    StaffPage(
        "FAQ topics",
        ("content.faqtopic",),
        {
            EDITORS: "view, add, change, delete, audit log",
            SUPERUSER: "view, add, change, delete, audit log",
        },
        probes={"audit log": (Probe("content_faqtopic_auditlog"),)},
    ),
    StaffPage(
        "Served postcode areas (eligibility checker)",
        ("content.servedpostcodearea",),
        {
            EDITORS: "view, add, change, delete, audit log",
            SUPERUSER: "view, add, change, delete, audit log",
        },
        probes={"audit log": (Probe("content_servedpostcodearea_auditlog"),)},
    ),
    StaffPage(
        "Eligibility checker completions",
        ("content.eligibilitycompletioncount",),
        {EDITORS: "view", SUPERUSER: "view"},
    ),
    StaffPage(
        "Letter templates (each save a new version)",
        ("portal.lettertemplate",),
        {MANAGERS: "view, change, preview", SUPERUSER: "view, change, preview"},
        probes={
            "preview": (
                Probe("portal_lettertemplate_preview"),
                Probe("portal_lettertemplate_version"),
            )
        },
    ),
    StaffPage(
        "Legal holds (the retention job leaves the record alone)",
        ("portal.legalhold",),
        {MANAGERS: "view, add, delete", SUPERUSER: "view, add, delete"},
    ),
    StaffPage(
        "Teams (a team manager sees the caseloads of the team's members)",
        ("portal.team",),
        {MANAGERS: "view, add, change", SUPERUSER: "view, add, change, delete"},
    ),
    StaffPage(
        "Shared records (a case shown to a worker outside its caseload)",
        ("portal.recordshare",),
        {MANAGERS: "view, add, delete", SUPERUSER: "view, add, delete"},
    ),
    StaffPage(
        "Restricted records (named staff only)",
        ("portal.restriction",),
        {MANAGERS: "view, add, change, delete", SUPERUSER: "view, add, change, delete"},
    ),
    StaffPage(
        "Break-glass openings (records opened outside a caseload, with the reason)",
        ("portal.breakglassopening",),
        {MANAGERS: "view", SUPERUSER: "view"},
    ),
    StaffPage(
        "Retention runs (each run's counts)",
        ("portal.retentionrun",),
        {MANAGERS: "view", SUPERUSER: "view"},
    ),
    StaffPage(
        "Subject access requests (the log, with the one-month clock; each copy is audited)",
        ("portal.subjectaccessrequest",),
        {
            MANAGERS: "view, add, change, produce the copy (ZIP), mark answered",
            SUPERUSER: "view, add, change, produce the copy (ZIP), mark answered",
        },
        probes={"produce the copy (ZIP)": (Probe("portal_subjectaccessrequest_produce"),)},
        actions={"mark answered": ("mark_answered",)},
    ),
    StaffPage(
        "Users, groups, email addresses, authenticators",
        ("portal.user", "auth.group", "account.emailaddress", "mfa.authenticator"),
        {SUPERUSER: "view, add, change, delete, set a password"},
        probes={"set a password": (Probe("auth_user_password_change"),)},
    ),
)

# Public pages reached with a token or an id: the answer each visitor gets, staff or not.
# (Drafts and their previews are in the table above, under "preview drafts".)
PUBLIC_PAGES = {
    # The token in a booking's emails is the booker's key to these pages.
    "booking:manage": 200,
    "booking:booked": 200,
    "booking:cancel": 200,
    "booking:calendar": 200,
    "guessed booking:manage": 404,
    "guessed booking:booked": 404,
    "guessed booking:cancel": 404,
    "guessed booking:calendar": 404,
    # The token in the email with the Registration of Interest form.
    "registration form": 200,
    "guessed registration form": 404,
    "event": 200,
    "guessed event": 404,
    "faqs": 200,
    "forged eligibility token": 302,
    "guessed email confirmation": 200,
    "guessed password reset": 200,
    "document file under media": 404,
    "child document file under media": 404,
}
# What the 200 answers to guessed keys must say (and the 302 where it must go).
PUBLIC_MARKERS = {
    "guessed email confirmation": "expired or is invalid",
    "guessed password reset": "invalid",
}


# -- one of everything ------------------------------------------------------------------------


@dataclass
class Records:
    objects: dict  # "app_label.model_name" -> an existing record
    household: object
    recommended: object  # a household waiting for the agency decision
    placement: object
    child: object
    review: object
    document: object
    approval: object
    booking: object
    event: object
    page: object
    story: object
    enquiry: object
    roi_enquiry: object
    roi_form: object  # an enquiry whose Registration of Interest form was emailed
    roi_form_token: str
    letter: object
    social_worker: object  # whose caseload every case record is in
    manager: object  # the manager of their team


@pytest.fixture
def records(make_staff):
    # A transactional test run before (the browser walk uses these records) empties the
    # catalogue the migrations installed.
    carer_factories.ensure_training_catalogue()
    social_worker = make_staff(SOCIAL, team=False)
    manager = make_staff(MANAGERS, team=False)
    team = Team.objects.create(name="Family placement")
    team.members.add(social_worker)
    team.managers.add(manager)
    on = date(2025, 1, 2)
    household = placement_factories.approved_household(by=social_worker, manager=manager, on=on)
    adopters = placement_factories.approved_household(
        by=social_worker, manager=manager, on=on, fostering=False, surname="Brook"
    )
    recommended = carer_factories.household(social_worker, applicants=1)
    carer_factories.to_stage(recommended, Stage.PANEL_RECOMMENDED, social_worker)
    child = placement_factories.child(
        social_worker,
        first_name=CHILD["first_name"],
        last_name=CHILD["last_name"],
        born=CHILD["born"],
    )
    placement = placement_factories.placement(
        social_worker, household, children=[child], placed_on=date(2025, 3, 3)
    )
    waiting = placement_factories.child(
        social_worker, first_name="Juniper", last_name="Quillfeather"
    )
    approval = placements_services.temporary_approval_grant(
        household=adopters, child=waiting, approved_on=date(2025, 3, 1), by=manager
    )
    exemption = placements_services.terms_exemption_record(
        household=adopters,
        child=waiting,
        track="adoption",
        agreed_on=date(2025, 3, 1),
        reason="Agreed by the team manager.",
        by=manager,
    )
    group = placements_services.sibling_group_create(by=social_worker)
    referral = placements_services.referral_receive(
        referral=Referral(
            child=waiting,
            received_on=timezone.localdate() - timedelta(days=5),
            needed_by=timezone.localdate() + timedelta(days=30),
            route="ffa",
            legal_position="proceedings",
            family_time_town="Family centre, Oakford",
            family_time_district="OK1",
        ),
        by=social_worker,
    )
    link = placements_services.link_propose(
        referral=referral,
        household=household,
        reasons="Near the family centre.",
        on=timezone.localdate(),
        by=social_worker,
    )
    today = timezone.localdate()
    placements_services.link_record_decision(link=link, decision="yes", on=today, by=social_worker)
    placements_services.link_choose(link=link, on=today, by=social_worker)
    placements_services.match_agree(
        link=link,
        match=Match(
            meeting_on=today,
            attended="Everyone",
            support_plan="Visits.",
            family_time_transport_plan="By car.",
            decided_on=today,
            deciding_officer="Head of service",
            carers_told_on=today,
            expected_placement_on=today + timedelta(days=7),
        ),
        report_file=SimpleUploadedFile("report.pdf", b"%PDF-1.4 report"),
        by=social_worker,
    )
    session = placement_factories.family_time_record(social_worker, child)
    proceedings = placement_factories.issue(
        placement, issued_on=date(2025, 2, 24), by=social_worker
    )
    placements_services.hearing_record(
        proceedings=proceedings, held_on=date(2025, 3, 10), kind="case_management", by=social_worker
    )
    review = placements_services.review_record(
        placement=placement, held_on=date(2025, 3, 12), by=social_worker, note="Plan agreed"
    )
    # A review's note corrected (an earlier version) and a review withdrawn: the page
    # shows both to those who may see the placement (portal/versions.py).
    placements_services.review_update(
        review=review, held_on=review.held_on, by=social_worker, note="Plan agreed in full"
    )
    placements_services.placement_record_withdraw(
        record=placements_services.review_record(
            placement=placement, held_on=date(2025, 3, 13), by=social_worker
        ),
        reason="Recorded twice",
        by=manager,
    )
    professional = Professional.objects.create(
        name="Iris Reviewer",
        role=Professional.Role.IRO,
        local_authority=child.placing_authority,
        email="iro@oakshire.example",
    )
    for case in (household, child, placement):
        placements_services.note_add(
            case=case, kind="call", happened_on=timezone.localdate(), text="A call.", by=manager
        )
    # A household only named staff open (the worker and their manager).
    restricted = Restriction.objects.create(
        content_type=ContentType.objects.get_for_model(recommended),
        object_id=carer_factories.household(social_worker, applicants=1).pk,
        reason="A colleague's family",
        set_by=manager,
    )
    restricted.staff.set([social_worker, manager])
    event = InformationEventFactory()
    booking = BookingFactory(event=event)
    enquiry = EnquiryFactory(status=Enquiry.Status.NEW)
    roi_enquiry = EnquiryFactory(
        status=Enquiry.Status.ROI_RECEIVED,
        roi_received_on=timezone.localdate() - timedelta(days=2),
    )
    roi_form = EnquiryFactory(status=Enquiry.Status.INITIAL_VISIT_DONE)
    roi_form_token = registration_link_send(enquiry=roi_form, by=manager)
    topic = content_factories.FAQTopicFactory()
    page = content_factories.PageFactory(draft=True)
    faq = content_factories.FAQFactory(draft=True, topic=topic, question="A draft question?")
    story = content_factories.StoryFactory(
        draft=True, image=SimpleUploadedFile("story.png", PNG), image_alt="A garden"
    )
    notification = notify(key="access-test", to="someone@example.com", template="x")
    letter = letters.letter_produce(
        kind="carers.approval",
        record=household.assessments.get(track=Track.ADOPTION),
        by=social_worker,
    )
    objects = {
        "portal.user": social_worker,
        "auth.group": Group.objects.get(name=EVENTS),
        "account.emailaddress": EmailAddress.objects.get(user=social_worker),
        "mfa.authenticator": Authenticator.objects.filter(user=social_worker).first(),
        "auditlog.logentry": LogEntry.objects.order_by("pk").first(),
        "portal.notification": notification,
        "portal.lettertemplate": LetterTemplate.objects.get(kind="carers.approval"),
        "portal.exportlog": ExportLog.objects.create(
            export="Enquiries", by=manager, rows=1, filters={"selected": 1}
        ),
        "portal.legalhold": LegalHold.objects.create(
            content_type=ContentType.objects.get_for_model(Enquiry),
            object_id=enquiry.pk,
            reason="A complaint",
            set_by=social_worker,
        ),
        "portal.retentionrun": retention.run(trigger="command"),
        "portal.team": team,
        "portal.recordshare": RecordShare.objects.create(
            content_type=ContentType.objects.get_for_model(household),
            object_id=household.pk,
            shared_with=social_worker,
            reason="Covering a visit",
            shared_by=manager,
        ),
        "portal.restriction": restricted,
        "portal.breakglassopening": BreakGlassOpening.objects.create(
            content_type=ContentType.objects.get_for_model(waiting),
            object_id=waiting.pk,
            user=social_worker,
            reason="A call out of hours",
            until=timezone.now(),
        ),
        "portal.subjectaccessrequest": subject_access.subject_access_request_record(
            request_record=SubjectAccessRequest(email=booking.email, received_on=date(2025, 3, 3)),
            by=manager,
        ),
        "carers.household": household,
        "carers.document": household.documents.order_by("pk").first(),
        "carers.panelsitting": PanelSitting.objects.order_by("pk").first(),
        "carers.panelmember": PanelMember.objects.order_by("pk").first(),
        "carers.trainingcourse": TrainingCourse.objects.order_by("pk").first(),
        "carers.deadline": Deadline.objects.order_by("pk").first(),
        "placements.child": child,
        "placements.siblinggroup": group,
        "placements.placement": placement,
        "placements.temporaryapproval": approval,
        "placements.termsexemption": exemption,
        "placements.familytimesession": session,
        "placements.communicationbookentry": placements_services.book_entry_add(
            child=child,
            side="parents",
            written_on=date(2025, 3, 5),
            text="Slept well after the bottle.",
            by=social_worker,
        ),
        "placements.placementdeadline": PlacementDeadline.objects.order_by("pk").first(),
        "placements.proceedings": proceedings,
        "placements.localauthority": child.placing_authority,
        "placements.professional": professional,
        "placements.referral": referral,
        "placements.matchingpause": MatchingPause.objects.create(
            household=adopters, starts_on=date(2025, 3, 1), reason="A move"
        ),
        "placements.postcodedistrict": PostcodeDistrict.objects.create(
            district="OK1", latitude="52.00000", longitude="-1.50000"
        ),
        "placements.childdocument": placements_services.child_document_add(
            child=child,
            kind="cpr",
            title="Child permanence report",
            file=SimpleUploadedFile("cpr.pdf", b"%PDF-1.4 report"),
            by=social_worker,
        ),
        "enquiries.informationevent": event,
        "enquiries.booking": booking,
        "enquiries.enquiry": enquiry,
        "content.page": page,
        "content.faqtopic": topic,
        "content.faq": faq,
        "content.story": story,
        "content.servedpostcodearea": content_factories.ServedPostcodeAreaFactory(),
        "content.eligibilitycompletioncount": EligibilityCompletionCount.objects.create(
            day=timezone.localdate(), completions=3
        ),
    }
    assert all(objects.values()), [key for key, obj in objects.items() if not obj]
    return Records(
        objects=objects,
        household=household,
        recommended=recommended,
        placement=placement,
        child=child,
        review=household.foster_reviews.order_by("pk").first(),
        document=objects["carers.document"],
        approval=approval,
        booking=booking,
        event=event,
        page=page,
        story=story,
        enquiry=enquiry,
        roi_enquiry=roi_enquiry,
        roi_form=roi_form,
        roi_form_token=roi_form_token,
        letter=letter,
        social_worker=social_worker,
        manager=manager,
    )


# -- every URL, filled in with real ids -------------------------------------------------------


def _patterns(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _patterns(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            yield prefix + str(pattern.pattern), pattern.name


def _registered() -> dict[str, str]:
    """ "app_label_model_name" (as in URL names) -> "app_label.model_name"."""
    return {
        f"{m._meta.app_label}_{m._meta.model_name}": f"{m._meta.app_label}.{m._meta.model_name}"
        for m in admin.site._registry
    }


STANDARD = {
    "changelist": "{base}",
    "add": "{base}add/",
    "change": "{base}{pk}/change/",
    "history": "{base}{pk}/history/",
    "delete": "{base}{pk}/delete/",
}


def _custom(name: str, r: Records) -> list[tuple[str, str]]:
    """Concrete URLs for the admin's own views and each app's extra views."""
    h, p, a = r.household, r.placement, "/admin/"
    rf = r.objects["placements.referral"]
    child_document = r.objects["placements.childdocument"]
    tracks = {assessment.track: assessment.pk for assessment in h.assessments.all()}
    builders = {
        "carers_household_action": lambda: [
            (
                f"{name}:{action}",
                f"{a}carers/household/{h.pk}/assessment/{tracks[spec.applies.tracks[0]]}/{action}/",
            )
            for action, spec in carers_services.ACTIONS.items()
        ],
        "carers_household_close": lambda: [(name, f"{a}carers/household/{h.pk}/close/")],
        "carers_household_move_panel": lambda: [(name, f"{a}carers/household/{h.pk}/move-panel/")],
        "carers_household_review": lambda: [
            (name, f"{a}carers/household/{h.pk}/review/{r.review.pk}/")
        ],
        "carers_household_panel_paper": lambda: [
            (name, f"{a}carers/household/{h.pk}/panel-paper.pdf")
        ],
        "carers_household_letters": lambda: [(name, f"{a}carers/household/{h.pk}/letters/")],
        "carers_household_own_area": lambda: [(name, f"{a}carers/household/{h.pk}/own-area/")],
        "carers_household_ask_document": lambda: [
            (name, f"{a}carers/household/{h.pk}/own-area/ask/")
        ],
        "carers_household_offer_event": lambda: [
            (name, f"{a}carers/household/{h.pk}/own-area/offer/")
        ],
        "carers_panelsitting_papers": lambda: [(name, f"{a}carers/panelsitting/papers/")],
        "carers_panelsitting_paper": lambda: [
            (
                name,
                f"{a}carers/panelsitting/papers/{_member_paper_token(r)}/paper.pdf",
            )
        ],
        "carers_household_letter_produce": lambda: [
            (name, f"{a}carers/household/{h.pk}/letters/carers.approval/{tracks['adoption']}/")
        ],
        "portal_lettertemplate_preview": lambda: [
            (name, f"{a}portal/lettertemplate/{r.objects['portal.lettertemplate'].pk}/preview/")
        ],
        "portal_subjectaccessrequest_produce": lambda: [
            (
                name,
                f"{a}portal/subjectaccessrequest/"
                f"{r.objects['portal.subjectaccessrequest'].pk}/produce/",
            )
        ],
        "portal_lettertemplate_version": lambda: [
            (
                name,
                f"{a}portal/lettertemplate/{r.objects['portal.lettertemplate'].pk}/version/1/",
            )
        ],
        "carers_household_note_add": lambda: [(name, f"{a}carers/household/{h.pk}/notes/add/")],
        "carers_household_reallocate": lambda: [(name, f"{a}carers/household/{h.pk}/reallocate/")],
        "placements_placement_reallocate": lambda: [
            (name, f"{a}placements/placement/{p.pk}/reallocate/")
        ],
        "placements_child_reallocate": lambda: [
            (name, f"{a}placements/child/{r.child.pk}/reallocate/")
        ],
        "portal_user_move_caseload": lambda: [(name, f"{a}portal/user/move-caseload/")],
        **{
            f"placements_referral_{step}": lambda step=step: [
                (name, f"{a}placements/referral/{rf.pk}/{step}/")
            ]
            for step in ("linking", "acknowledge", "emergency", "match", "place")
        },
        "placements_referral_adoption_match": lambda: [
            (name, f"{a}placements/referral/{rf.pk}/adoption-match/")
        ],
        "placements_referral_certificate": lambda: [
            (name, f"{a}placements/referral/{rf.pk}/matching-certificate.pdf")
        ],
        "placements_referral_link_propose": lambda: [
            (name, f"{a}placements/referral/{rf.pk}/linking/{h.pk}/")
        ],
        "placements_referral_close": lambda: [
            (f"{name}:{action}", f"{a}placements/referral/{rf.pk}/close/{action}/")
            for action in placements_services.REFERRAL.actions
        ],
        "placements_referral_link": lambda: [
            (f"{name}:{step}", f"{a}placements/referral/{rf.pk}/link/{rf.links.get().pk}/{step}/")
            for step in ("update", "decision", "choose", "close")
        ],
        "carers_household_check_today": lambda: [
            (name, f"{a}carers/household/{h.pk}/checks/today/")
        ],
        # Each section of a case's page (portal/admin_sections.py), open to its viewers.
        **{
            f"{model}_section": lambda model=model, pk=pk: [
                (
                    f"{name}:{section.name}",
                    f"{a}{model.replace('_', '/', 1)}/{pk}/change/{section.name}/",
                )
                for section in admin.site._registry[
                    apps.get_model(model.replace("_", ".", 1))
                ].sections[1:]
            ]
            for model, pk in (
                ("carers_household", h.pk),
                ("placements_placement", p.pk),
                ("placements_child", r.child.pk),
            )
        },
        "carers_household_note_correct": lambda: [
            (name, f"{a}carers/household/{h.pk}/notes/{h.notes.get().pk}/correct/")
        ],
        "placements_placement_note_add": lambda: [
            (name, f"{a}placements/placement/{p.pk}/notes/add/")
        ],
        "placements_placement_note_correct": lambda: [
            (name, f"{a}placements/placement/{p.pk}/notes/{p.notes.get().pk}/correct/")
        ],
        "placements_child_note_add": lambda: [
            (name, f"{a}placements/child/{r.child.pk}/notes/add/")
        ],
        "placements_child_note_correct": lambda: [
            (name, f"{a}placements/child/{r.child.pk}/notes/{r.child.notes.get().pk}/correct/")
        ],
        # Withdrawing a row entered by mistake (portal/admin_versions.py): a note, a hearing.
        "carers_household_withdraw": lambda: [
            (name, f"{a}carers/household/{h.pk}/withdraw/carers.householdnote/{h.notes.get().pk}/")
        ],
        "placements_placement_withdraw": lambda: [
            (
                name,
                f"{a}placements/placement/{p.pk}/withdraw/placements.placementnote/"
                f"{p.notes.get().pk}/",
            )
        ],
        "placements_child_withdraw": lambda: [
            (
                name,
                f"{a}placements/child/{r.child.pk}/withdraw/placements.childnote/"
                f"{r.child.notes.get().pk}/",
            )
        ],
        "placements_proceedings_withdraw": lambda: [
            (
                name,
                f"{a}placements/proceedings/{r.objects['placements.proceedings'].pk}/withdraw/"
                f"placements.hearing/{apps.get_model('placements.hearing').objects.get().pk}/",
            )
        ],
        "carers_document_download": lambda: [
            (name, f"{a}carers/document/{r.document.pk}/download/")
        ],
        "carers_document_file": lambda: [(name, f"{a}carers/document/file/{r.document.file.name}")],
        "placements_childdocument_download": lambda: [
            (name, f"{a}placements/childdocument/{child_document.pk}/download/")
        ],
        "placements_childdocument_file": lambda: [
            (name, f"{a}placements/childdocument/file/{child_document.file.name}")
        ],
        "enquiries_enquiry_funnel": lambda: [(name, f"{a}enquiries/enquiry/funnel/")],
        "enquiries_informationevent_sign_in_sheet": lambda: [
            (
                name,
                f"{a}enquiries/informationevent/{r.objects['enquiries.informationevent'].pk}/sign-in-sheet/",
            )
        ],
        "enquiries_informationevent_message": lambda: [
            (
                name,
                f"{a}enquiries/informationevent/{r.objects['enquiries.informationevent'].pk}/message/",
            )
        ],
        "enquiries_enquiry_registration_link": lambda: [
            (name, f"{a}enquiries/enquiry/{r.roi_form.pk}/registration-form/")
        ],
        "enquiries_enquiry_move": lambda: [
            (f"{name}:{slug}", f"{a}enquiries/enquiry/{r.enquiry.pk}/move/{slug}/")
            for slug in ENQUIRY_WORKFLOW.actions
        ],
        "placements_temporaryapproval_end": lambda: [
            (name, f"{a}placements/temporaryapproval/{r.approval.pk}/end/")
        ],
        "placements_placement_measures": lambda: [(name, f"{a}placements/placement/measures/")],
        "placements_placement_measures_csv": lambda: [
            (name, f"{a}placements/placement/measures.csv")
        ],
        "placements_placement_action": lambda: [
            (f"{name}:{action}", f"{a}placements/placement/{p.pk}/action/{action}/")
            for action in placements_services.ACTIONS
        ],
        "placements_placement_leave_letter": lambda: [
            (name, f"{a}placements/placement/{p.pk}/adoption-leave-letter.pdf")
        ],
        "auth_user_password_change": lambda: [
            (name, f"{a}portal/user/{r.objects['portal.user'].pk}/password/")
        ],
        "index": lambda: [(name, a)],
        "login": lambda: [(name, f"{a}login/")],
        "logout": lambda: [(name, f"{a}logout/")],
        "password_change": lambda: [(name, f"{a}password_change/")],
        "password_change_done": lambda: [(name, f"{a}password_change/done/")],
        "jsi18n": lambda: [(name, f"{a}jsi18n/")],
        "autocomplete": _autocomplete_urls,
        "view_on_site": lambda: [
            (
                f"{name}:{key}",
                f"{a}r/{ContentType.objects.get_for_model(obj).pk}/{obj.pk}/",
            )
            for key, obj in r.objects.items()
            if hasattr(obj, "get_absolute_url")
        ],
        "app_list": lambda: [
            (f"{name}:{label}", f"{a}{label}/")
            for label in sorted({m._meta.app_label for m in admin.site._registry})
        ],
        "catch_all": lambda: [(name, f"{a}no-such-page/")],
    }
    if name.endswith("_auditlog"):
        model = _registered()[name.removesuffix("_auditlog")]
        return [(name, f"{a}{model.replace('.', '/')}/{r.objects[model].pk}/auditlog/")]
    if name not in builders:
        raise AssertionError(f"A new admin URL, {name!r}: add it to STAFF_PAGES and here.")
    return builders[name]()


def _member_paper_token(r: Records) -> str:
    """A member's link to the paper of the household waiting for its decision."""
    sitting = r.recommended.assessments.get(track=Track.ADOPTION).panel
    attendance = PanelAttendance.objects.filter(sitting=sitting).order_by("pk").first()
    return panel_paper_token(attendance=attendance, household_pk=r.recommended.pk)


def _autocomplete_urls() -> list[tuple[str, str]]:
    """Every relation to a model with a searchable admin page: the autocomplete serves
    all of them (Django checks the model it leads to, not the field)."""
    found = []
    for model in apps.get_models():
        for relation in model._meta.get_fields():
            if not relation.is_relation or not relation.concrete or relation.auto_created:
                continue
            target = relation.remote_field.model
            if target not in admin.site._registry or not admin.site._registry[target].search_fields:
                continue
            found.append(
                (
                    f"autocomplete:{model._meta.label_lower}.{relation.name}",
                    f"/admin/autocomplete/?app_label={model._meta.app_label}"
                    f"&model_name={model._meta.model_name}&field_name={relation.name}"
                    f"&term={CHILD['first_name'][:3]}",
                )
            )
    return found


def admin_urls(r: Records) -> list[tuple[str, str]]:
    """(key, URL) for every pattern of the admin site, and each list searched for the child."""
    models = _registered()
    urls = []
    for pattern, name in _patterns(admin.site.urls[0]):
        if name is None and pattern.endswith("/<path:object_id>/"):
            model = pattern.removesuffix("/<path:object_id>/").replace("/", ".")
            urls.append(
                (f"{model}:object", f"/admin/{model.replace('.', '/')}/{r.objects[model].pk}/")
            )
            continue
        name = name or "catch_all"
        prefix, _, kind = name.rpartition("_")
        if prefix in models and kind in STANDARD:
            model = models[prefix]
            base = f"/admin/{model.replace('.', '/')}/"
            urls.append(
                (f"{model}:{kind}", STANDARD[kind].format(base=base, pk=r.objects[model].pk))
            )
            if kind == "changelist":
                urls.append((f"{model}:search", f"{base}?q={CHILD['last_name']}"))
            continue
        urls.extend(_custom(name, r))
    # The staff search (portal/search.py), by the child's name and by the reference.
    urls.append(("staff search:search", f"/admin/search/?q={CHILD['last_name']}"))
    urls.append(("staff search by reference:search", f"/admin/search/?q={r.child.reference}"))
    recommended = r.recommended.assessments.get(track=Track.ADOPTION)
    urls.append(
        (
            "agency decision",
            f"/admin/carers/household/{r.recommended.pk}/assessment/{recommended.pk}/record_decision/",
        )
    )
    return urls


def public_urls(r: Records) -> list[tuple[str, str]]:
    token = r.booking.token
    guessed = "x" * len(token)
    return [
        ("booking:manage", f"/bookings/{token}/"),
        ("booking:booked", f"/bookings/{token}/booked/"),
        ("booking:cancel", f"/bookings/{token}/cancel/"),
        ("booking:calendar", f"/bookings/{token}/calendar.ics"),
        ("guessed booking:manage", f"/bookings/{guessed}/"),
        ("guessed booking:booked", f"/bookings/{guessed}/booked/"),
        ("guessed booking:cancel", f"/bookings/{guessed}/cancel/"),
        ("guessed booking:calendar", f"/bookings/{guessed}/calendar.ics"),
        ("registration form", f"/register-interest/{r.roi_form_token}/"),
        ("guessed registration form", f"/register-interest/{'x' * len(r.roi_form_token)}/"),
        ("event", r.event.get_absolute_url()),
        ("guessed event", "/events/no-such-event-2026-01-01/"),
        ("draft page", r.page.get_absolute_url()),
        ("draft story", r.story.get_absolute_url()),
        ("draft story image", f"{r.story.get_absolute_url()}image"),
        ("faqs", "/faqs/"),
        ("forged eligibility token", "/eligibility/result/?answers=forged"),
        ("guessed email confirmation", "/accounts/confirm-email/guessed-key/"),
        ("guessed password reset", "/accounts/password/reset/key/1-guessed-key/"),
        ("document file under media", f"/media/{r.document.file.name}"),
        (
            "child document file under media",
            f"/media/{r.objects['placements.childdocument'].file.name}",
        ),
        ("sent letter (PDF)", f"/letters/{r.letter.pk}/"),
    ]


# -- what each actor should get ----------------------------------------------------------------


def _can_view(actor: str, model: str) -> bool:
    return any(
        model in page.models and page.words(actor) & {"view", "change"} for page in STAFF_PAGES
    )


def _can_keep(actor: str, model: str) -> bool:
    return any(
        model in page.models and page.words(actor) & {"add", "change"} for page in STAFF_PAGES
    )


Check = tuple[Probe, bool]  # a probe, and whether the table allows it to this actor


def expected_checks(actor: str, keys: set[str]) -> dict[str, list[Check]]:
    """What the table says each URL must answer this actor: one or more checks per URL."""
    checks: dict[str, list[Check]] = {key: [] for key in keys}

    def expect(probe: Probe, allowed: bool) -> None:
        if probe.url not in checks:
            raise AssertionError(f"The table names {probe.url!r}, which is not a URL here")
        checks[probe.url].append((probe, allowed))

    for page in STAFF_PAGES:
        words = page.words(actor)
        unknown = words - set(MODEL_WORDS) - set(page.probes) - set(page.actions)
        assert not unknown, f"{page.label}: the test does not know {unknown}"
        viewer = bool(words & {"view", "change"})
        for model in page.models:
            for kind in ("changelist", "search", "history", "change"):
                expect(Probe(f"{model}:{kind}"), viewer)
            expect(Probe(f"{model}:add"), "add" in words)
            expect(Probe(f"{model}:delete"), "delete" in words)
            if viewer:
                # Only with change does the record have a Save button.
                expect(Probe(f"{model}:change", marker='name="_save"'), "change" in words)
        for word, probes in page.probes.items():
            for probe in probes:
                expect(probe, word in words)
    for key, status in PUBLIC_PAGES.items():
        expect(Probe(key, allowed=status, marker=PUBLIC_MARKERS.get(key, "")), True)
    models = _registered().values()
    for key, found in checks.items():
        if found:
            continue
        kind, _, rest = key.partition(":")
        if rest == "object":
            found.append((Probe(key, allowed=302), True))  # on to the record's page
        elif kind in ("index", "password_change", "password_change_done", "jsi18n"):
            found.append((Probe(key), True))
        elif kind == "login":
            found.append((Probe(key, allowed=302), True))  # already signed in
        elif kind == "logout":
            found.append((Probe(key, allowed=405), True))  # signing out is a POST
        elif kind == "catch_all":
            found.append((Probe(key, refused=(404,)), False))
        elif kind == "app_list":
            app_models = [m for m in models if m.startswith(f"{rest}.")]
            allowed = any(_can_view(actor, m) for m in app_models)
            found.append((Probe(key, refused=(404,)), allowed))
        elif kind.startswith("staff search"):
            # It opens for whoever may view a kind of record it finds, and shows only those.
            searchable = ("carers.household", "placements.child", "enquiries.enquiry")
            found.append((Probe(key), any(_can_view(actor, m) for m in searchable)))
        elif kind.endswith("_section") and kind.removesuffix("_section") in _registered():
            model = _registered()[kind.removesuffix("_section")]
            found.append((Probe(key), _can_view(actor, model)))
        elif kind == "view_on_site":
            found.append((Probe(key, allowed=302), _can_view(actor, rest)))
        elif kind == "autocomplete":
            source, _, field_name = rest.rpartition(".")
            target = apps.get_model(source)._meta.get_field(field_name).remote_field.model
            # A field its keepers search through without viewing the model it leads to
            # (a panel member's sign-in: ``portal.admin_autocomplete.allow``).
            through = (source, field_name) in admin_autocomplete._grants and _can_keep(
                actor, source
            )
            found.append((Probe(key), _can_view(actor, target._meta.label_lower) or through))
        else:
            raise AssertionError(f"Nothing in the table says who may open {key!r}")
    return checks


def verdict(probe: Probe, allowed: bool, status: int, body: str) -> str:
    """'' if the answer is what the table says, else what is wrong."""
    if allowed:
        if status != probe.allowed:
            return f"answered {status}, the table allows it ({probe.allowed})"
        if probe.marker and probe.marker not in body:
            return f"answered {status} without {probe.marker!r}"
        return ""
    if status in probe.refused:
        return ""
    if probe.marker and status == 200 and probe.marker not in body:
        return ""  # the page opens, and says no (or leaves the draft out)
    return f"answered {status}, the table refuses it"


def _body(response) -> str:
    if getattr(response, "streaming", False):
        content = b"".join(response.streaming_content)
    else:
        content = response.content
    return content.decode("utf-8", errors="replace")


def child_traces(r: Records) -> list[str]:
    """What would show a child's record: names, reference, initials, date of birth."""
    born = CHILD["born"]
    return [
        CHILD["first_name"],
        CHILD["last_name"],
        r.child.reference,
        "W.H.",
        born.isoformat(),
        born.strftime("%d/%m/%Y"),
        f"{born.day} {born:%B %Y}",
        f"{born.day} {born:%b %Y}",
        "Juniper",
        "Quillfeather",
    ]


def _fill(data: dict, r: Records) -> dict:
    stands_for = {"roi-enquiry": r.roi_enquiry, "check": r.household.checks.first()}
    return {k: str(stands_for[v].pk) if v in stands_for else v for k, v in data.items()}


def client_for(actor: str, make_staff, records: Records | None = None) -> Client:
    """Signed in as a member of ``actor``'s role: the social worker whose caseload holds
    the records, and their team manager (others see them only by breaking the glass)."""
    client = Client()
    if records is not None and actor == SOCIAL:
        client.force_login(records.social_worker)
    elif records is not None and actor == MANAGERS:
        client.force_login(records.manager)
    elif actor == SUPERUSER:
        client.force_login(make_staff(superuser=True))
    elif actor != ANONYMOUS:
        client.force_login(make_staff(actor))
    return client


# -- the tests -------------------------------------------------------------------------------


@pytest.mark.parametrize("actor", ACTORS)
def test_every_url_answers_each_actor_as_the_table_says(records, make_staff, actor):
    client = client_for(actor, make_staff, records)
    urls = admin_urls(records) + public_urls(records)
    keys = [key for key, _ in urls]
    assert len(keys) == len(set(keys)), "two URLs share a key"
    checks = expected_checks(actor, set(keys))
    traces = child_traces(records)
    problems, seen = [], []

    def look(key, url, response, body):
        if actor == ANONYMOUS and url.startswith("/admin/"):
            # Every staff URL sends a visitor to sign in first (signing out, to the staff
            # home page, which does), whatever the table says.
            location = response.get("Location", "")
            if response.status_code != 302 or not ("login" in location or location == "/admin/"):
                problems.append(f"{key} {url}: anonymous got {response.status_code}")
            return
        for probe, allowed in checks[key]:
            if (probe.post is not None) != (response.request["REQUEST_METHOD"] == "POST"):
                continue
            wrong = verdict(probe, allowed, response.status_code, body)
            if wrong:
                problems.append(f"{key} {url}: {wrong}")
        # A search page repeats its own term in the search box: that is no leak.
        shown = [t for t in traces if t in body and not (key.endswith(":search") and t in url)]
        if actor in NO_CHILD_DATA:
            problems.extend(f"{key} {url}: shows {t!r}" for t in shown)
        seen.extend(shown)

    for key, url in urls:
        response = client.get(url)
        look(key, url, response, _body(response))
    for key, url in urls:
        for probe, _ in checks[key]:
            if probe.post is not None:
                response = client.post(url, _fill(probe.post, records))
                look(key, url, response, _body(response))

    # The actions offered on each list, and the CSV exports among them.
    for page in STAFF_PAGES:
        words = page.words(actor)
        for model in page.models:
            url = f"/admin/{model.replace('.', '/')}/"
            if actor == ANONYMOUS or not words & {"view", "change"}:
                continue
            html = _body(client.get(url))
            for word, names in page.actions.items():
                for name in names:
                    offered = f'<option value="{name}"' in html
                    if offered != (word in words):
                        problems.append(f"{url}: action {name} offered={offered}, word {word!r}")
                    if offered and "export" in name:
                        export = client.post(
                            url,
                            {"action": name, "_selected_action": [records.objects[model].pk]},
                        )
                        body = _body(export)
                        assert export.status_code == 200 and "text/csv" in export["Content-Type"]
                        if actor in NO_CHILD_DATA:
                            problems.extend(f"{name}: shows {t!r}" for t in traces if t in body)

    assert not problems, f"{actor}:\n" + "\n".join(problems)
    if actor in (SOCIAL, MANAGERS, SUPERUSER):
        # The search for a child's details above is able to find them.
        assert {CHILD["first_name"], records.child.reference} <= set(seen)


def test_every_admin_url_is_walked(records):
    """A new admin page or view fails here until the table says who may open it."""
    walked = {key.split(":")[0] for key, _ in admin_urls(records)}
    for _pattern, name in _patterns(admin.site.urls[0]):
        if name is None:
            continue
        prefix, _, kind = name.rpartition("_")
        assert name in walked or (prefix in _registered() and kind in STANDARD), name
    in_table = {model for page in STAFF_PAGES for model in page.models}
    assert set(_registered().values()) == in_table, "every admin page is in STAFF_PAGES"


def test_guessed_booking_tokens_are_refused(records, client):
    token = records.booking.token
    for guess in (
        "x" * len(token),
        token[:-1] + ("A" if token[-1] != "A" else "B"),
        token.upper() if token.upper() != token else token.lower(),
        token[:20],
        str(records.booking.pk),
    ):
        for page in ("", "booked/", "cancel/", "calendar.ics"):
            assert client.get(f"/bookings/{guess}/{page}").status_code == 404, (guess, page)
        assert client.post(f"/bookings/{guess}/cancel/").status_code == 404
    records.booking.refresh_from_db()
    assert records.booking.status == "confirmed"


# -- the README shows the same table ---------------------------------------------------------

README = Path(__file__).resolve().parent.parent / "README.md"
COLUMNS = (*Role.ALL, SUPERUSER)


def readme_table() -> list[str]:
    """The table as README.md shows it."""
    lines = [
        "| staff page | " + " | ".join(COLUMNS) + " |",
        "| --- |" + " --- |" * len(COLUMNS),
    ]
    for page in STAFF_PAGES:
        cells = [page.access.get(actor, "") for actor in COLUMNS]
        lines.append(f"| {page.label} |" + "|".join(f" {c} " if c else " " for c in cells) + "|")
    return lines


def test_the_readme_shows_this_table():
    text = README.read_text()
    table = "\n".join(readme_table())
    assert table in text, "README.md's role table differs from STAFF_PAGES:\n\n" + table

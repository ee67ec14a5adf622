"""Carer households and their dual assessment: as adopters and as foster carers.

A household has one or two applicants, may have other members and a support
network, and runs two assessment tracks side by side (adoption and fostering),
each an ``Assessment`` whose stage moves only through ``carers.services``.
Every clock the social worker must watch is a ``Deadline`` row, kept in step
with the facts by ``services.deadlines_refresh``.
"""

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from enquiries.models.events import PRIVATE_TOPICS
from portal import formats
from portal.audit import AuditNamed
from portal.casenotes import CaseNoteBase
from portal.constraints import dates_in_order
from portal.deadlines import DeadlineBase
from portal.references import reference_field
from portal.storage import random_name
from portal.versions import CaseRecord

from .storage import private_storage


class Track(models.TextChoices):
    ADOPTION = "adoption", "Adoption"
    FOSTERING = "fostering", "Fostering"


class Stage(models.TextChoices):
    """Every stage of either track; ``services.ALLOWED_TRANSITIONS`` says which belong where."""

    NOT_STARTED = "not_started", "Not started"
    ROI_RECEIVED = "roi_received", "Registration of Interest received"
    ROI_ACCEPTED = "roi_accepted", "Registration of Interest accepted"
    STAGE_1 = "stage_1", "Stage 1"
    STAGE_1_COMPLETE = "stage_1_complete", "Stage 1 decision: may go on to Stage 2"
    PAUSED = "paused", "Paused before Stage 2"
    STAGE_2 = "stage_2", "Stage 2"
    FORM_F = "form_f", "Fostering assessment (Form F)"
    PANEL_BOOKED = "panel_booked", "Booked for panel"
    PANEL_RECOMMENDED = "panel_recommended", "Awaiting agency decision"
    PROPOSED_REFUSAL = "proposed_refusal", "Proposed refusal: the applicants' window"
    APPROVED = "approved", "Approved"
    NOT_APPROVED = "not_approved", "Not approved"
    NOT_PROCEEDING = "not_proceeding", "Agency decided not to proceed"
    WITHDRAWN = "withdrawn", "Withdrawn"


CLOSED_STAGES = (Stage.APPROVED, Stage.NOT_APPROVED, Stage.NOT_PROCEEDING, Stage.WITHDRAWN)
ADOPTION_STAGES = (
    Stage.ROI_RECEIVED,
    Stage.ROI_ACCEPTED,
    Stage.STAGE_1,
    Stage.STAGE_1_COMPLETE,
    Stage.PAUSED,
    Stage.STAGE_2,
    Stage.PANEL_BOOKED,
    Stage.PANEL_RECOMMENDED,
    Stage.PROPOSED_REFUSAL,
    *CLOSED_STAGES,
)
FOSTERING_STAGES = (
    Stage.NOT_STARTED,
    Stage.FORM_F,
    Stage.PANEL_BOOKED,
    Stage.PANEL_RECOMMENDED,
    Stage.PROPOSED_REFUSAL,
    Stage.APPROVED,
    Stage.NOT_APPROVED,
    Stage.WITHDRAWN,
)


class FastTrackBasis(models.TextChoices):
    """Who may start the adoption assessment at Stage 2 (the fast track): see ``fast_track``."""

    APPROVED_FOSTER_CARER = "approved_foster_carer", "Approved foster carers"
    PREVIOUS_ADOPTER = "previous_adopter", "Adopted before (approved in England or Wales)"


class AgesIn(models.TextChoices):
    """The unit of an approval's age range: Early Permanence approvals are often in months."""

    YEARS = "years", "years"
    MONTHS = "months", "months"


class HouseholdQuerySet(models.QuerySet):
    """Approval facts other apps (placements) rely on, as plain filters."""

    def approved_adopters(self, on: date | None = None):
        on = on or timezone.localdate()
        return self.filter(status=Household.Status.APPROVED, adopter_approved_on__lte=on)

    def approved_foster_carers(self, on: date | None = None):
        on = on or timezone.localdate()
        return self.filter(status=Household.Status.APPROVED, foster_carer_approved_on__lte=on)

    def approved_for_early_permanence(self, on: date | None = None):
        """Approved both as adopters and as foster carers: ready for a Concurrency placement."""
        return self.approved_adopters(on).approved_foster_carers(on)

    def caseload_of(self, user):
        return self.filter(social_worker=user)


class Household(models.Model):
    """The people applying together, at one address, with their two assessment tracks."""

    class Status(models.TextChoices):
        ASSESSING = "assessing", "In assessment"
        APPROVED = "approved", "Approved"
        CLOSED = "closed", "Closed"

    reference = reference_field("Given when the household is created, e.g. EP00042.")
    address_line_1 = models.CharField("address line 1", max_length=120)
    address_line_2 = models.CharField("address line 2", max_length=120, blank=True)
    town = models.CharField("town or city", max_length=80)
    postcode = models.CharField(max_length=10, db_index=True)
    local_authority = models.CharField(
        max_length=80, help_text="The council area the household lives in."
    )
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.ASSESSING, editable=False
    )
    social_worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="carer_households",
        help_text="The assessing (later supervising) social worker; gets the reminders.",
    )
    has_pets = models.BooleanField(
        default=False, help_text="A pet questionnaire is needed when there are pets."
    )
    enquiry = models.OneToOneField(
        "enquiries.Enquiry",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="carer_household",
        help_text="The enquiry this household came from.",
    )
    adopter_approved_on = models.DateField(
        "approved as adopters on", null=True, blank=True, editable=False
    )
    foster_carer_approved_on = models.DateField(
        "approved as foster carers on", null=True, blank=True, editable=False
    )
    closed_on = models.DateField(null=True, blank=True, editable=False)
    closed_reason = models.CharField(max_length=300, blank=True, editable=False)
    fast_track_basis = models.CharField(
        "fast track basis",
        max_length=30,
        choices=FastTrackBasis.choices,
        blank=True,
        editable=False,
        help_text="Why the adoption assessment started at Stage 2 (the fast track).",
    )
    fast_track_since = models.DateField(
        "approved as such on",
        null=True,
        blank=True,
        editable=False,
        help_text="The date of the foster carer approval, or of the earlier adopter approval, "
        "that the fast track relies on.",
    )
    placed_for_adoption_since = models.DateField(
        "a child placed for adoption with them since",
        null=True,
        blank=True,
        editable=False,
        help_text="While a child is placed for adoption, the adopter approval is not reviewed "
        "(Adoption Agencies Regulations 2005, reg 30D).",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = HouseholdQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="approved")
                | Q(adopter_approved_on__isnull=False)
                | Q(foster_carer_approved_on__isnull=False),
                name="household_approved_has_an_approval_date",
            ),
            models.CheckConstraint(
                condition=Q(status="closed", closed_on__isnull=False)
                | (~Q(status="closed") & Q(closed_on__isnull=True)),
                name="household_closed_on_only_when_closed",
            ),
        ]

    def __str__(self):
        return self.reference or f"Household {self.pk or '(new)'}"

    def get_absolute_url(self):
        return reverse("admin:carers_household_change", args=[self.pk])

    @property
    def is_approved_adopter(self) -> bool:
        return self.status == self.Status.APPROVED and self.adopter_approved_on is not None

    @property
    def is_approved_foster_carer(self) -> bool:
        return self.status == self.Status.APPROVED and self.foster_carer_approved_on is not None

    @property
    def is_approved_for_early_permanence(self) -> bool:
        return self.is_approved_adopter and self.is_approved_foster_carer

    def assessment(self, track: str) -> "Assessment | None":
        """The household's assessment on one track (uses prefetched rows when there are some)."""
        for assessment in self.assessments.all():
            if assessment.track == track:
                return assessment
        return None

    @property
    def adoption(self) -> "Assessment | None":
        return self.assessment(Track.ADOPTION)

    @property
    def fostering(self) -> "Assessment | None":
        return self.assessment(Track.FOSTERING)

    def applicant_names(self) -> str:
        return " and ".join(applicant.full_name for applicant in self.applicants.all())


class PanelSitting(models.Model):
    """A meeting of the adoption or fostering panel (they may sit jointly for EP)."""

    class Kind(models.TextChoices):
        ADOPTION = "adoption", "Adoption panel"
        FOSTERING = "fostering", "Fostering panel"
        JOINT = "joint", "Joint adoption and fostering panel"

    class Part(models.TextChoices):
        """Several sittings of one kind may meet on a day: a morning and an afternoon."""

        DAY = "", "—"
        MORNING = "morning", "Morning"
        AFTERNOON = "afternoon", "Afternoon"
        EVENING = "evening", "Evening"

    sits_on = models.DateField("date")
    kind = models.CharField("type", max_length=20, choices=Kind.choices)
    part = models.CharField(
        "part of the day",
        max_length=10,
        choices=Part.choices,
        blank=True,
        default=Part.DAY,
        help_text="Needed when two sittings of the same type meet on one day.",
    )
    venue = models.CharField(max_length=150, blank=True)
    notes = models.TextField(max_length=2000, blank=True)
    places = models.PositiveSmallIntegerField(
        "households it can hear",
        null=True,
        blank=True,
        help_text="Leave blank for no limit. A household with both tracks counts once.",
    )

    class Meta:
        ordering = ["-sits_on", "kind", "part"]
        permissions = [
            ("read_panel_papers", "Can read the papers of the panel sittings they sit on"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["sits_on", "kind", "part"],
                name="panel_sitting_unique_per_part_of_day",
                violation_error_message="There is already a sitting of this type at that "
                "time of that day: choose another part of the day.",
            ),
            models.CheckConstraint(
                condition=models.Q(places__isnull=True) | models.Q(places__gt=0),
                name="panel_sitting_places_positive",
            ),
        ]

    def __str__(self):
        part = f" ({self.get_part_display().lower()})" if self.part else ""
        return f"{self.get_kind_display()}, {formats.day(self.sits_on)}{part}"

    def hears(self, track: str) -> bool:
        return self.kind == self.Kind.JOINT or self.kind == track


class Assessment(models.Model):
    """One track of a household's assessment. Its stage moves only through the services."""

    class Recommendation(models.TextChoices):
        SUITABLE = "suitable", "Suitable to be approved"
        NOT_SUITABLE = "not_suitable", "Not suitable to be approved"

    class Decision(models.TextChoices):
        APPROVED = "approved", "Approved"
        NOT_APPROVED = "not_approved", "Not approved"

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="assessments")
    track = models.CharField(max_length=20, choices=Track.choices)
    stage = models.CharField(max_length=30, choices=Stage.choices)
    stage_entered_on = models.DateField()
    roi_received_on = models.DateField("ROI received on", null=True, blank=True)
    roi_accepted_on = models.DateField("ROI accepted on", null=True, blank=True)
    stage_1_started_on = models.DateField("Stage 1 started on", null=True, blank=True)
    stage_1_plan_agreed_on = models.DateField(
        "Stage 1 plan agreed on",
        null=True,
        blank=True,
        help_text="The written Stage 1 plan agreed with the applicants.",
    )
    stage_1_decision_on = models.DateField("Stage 1 decision on", null=True, blank=True)
    paused_on = models.DateField(null=True, blank=True)
    notice_to_proceed_on = models.DateField(
        "notice to proceed to Stage 2 on",
        null=True,
        blank=True,
        help_text="The day the applicants said they want to go on: Stage 2 starts.",
    )
    stage_2_extended_until = models.DateField(
        "Stage 2 decision extended until",
        null=True,
        blank=True,
        help_text="Only at the applicants' request or in exceptional circumstances (reg 30B).",
    )
    stage_2_extension_reason = models.CharField(max_length=300, blank=True)
    form_f_started_on = models.DateField("fostering assessment started on", null=True, blank=True)
    report_shared_on = models.DateField(
        "report sent to the applicants on",
        null=True,
        blank=True,
        help_text="The PAR or Form F sent to the applicants, inviting their observations.",
    )
    observations_received_on = models.DateField(
        "applicants' observations received on", null=True, blank=True
    )
    panel = models.ForeignKey(
        PanelSitting,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="agenda",
    )
    panel_recommendation = models.CharField(
        max_length=20, choices=Recommendation.choices, blank=True
    )
    agency_decision = models.CharField(max_length=20, choices=Decision.choices, blank=True)
    agency_decision_on = models.DateField(null=True, blank=True)
    agency_decision_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    approved_age_from = models.PositiveSmallIntegerField(
        "approved for children aged from", null=True, blank=True
    )
    approved_age_to = models.PositiveSmallIntegerField(
        "approved for children aged up to", null=True, blank=True
    )
    approved_ages_in = models.CharField(
        "ages counted in",
        max_length=6,
        choices=AgesIn.choices,
        default=AgesIn.YEARS,
        help_text="Completed years or completed months on the day a child is placed.",
    )
    approved_number_of_children = models.PositiveSmallIntegerField(
        "approved for this many children", null=True, blank=True
    )
    closed_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["household", "track"]
        # Many agencies have a different decision maker for each track.
        permissions = [
            ("record_adoption_decision", "Can record the agency decision on adopter approval"),
            (
                "record_fostering_decision",
                "Can record the agency decision on foster carer approval",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["household", "track"], name="assessment_one_per_track_per_household"
            ),
            models.CheckConstraint(
                condition=Q(track="adoption", stage__in=[s.value for s in ADOPTION_STAGES])
                | Q(track="fostering", stage__in=[s.value for s in FOSTERING_STAGES]),
                name="assessment_stage_belongs_to_its_track",
            ),
            models.CheckConstraint(
                condition=Q(agency_decision="", agency_decision_on__isnull=True)
                | (~Q(agency_decision="") & Q(agency_decision_on__isnull=False)),
                name="assessment_decision_has_a_date",
            ),
            models.CheckConstraint(
                condition=Q(approved_age_from__isnull=True)
                | Q(approved_age_to__isnull=True)
                | Q(approved_age_from__lte=F("approved_age_to")),
                name="assessment_approved_age_range_in_order",
            ),
            models.CheckConstraint(
                condition=Q(approved_number_of_children__isnull=True)
                | Q(approved_number_of_children__gte=1),
                name="assessment_approved_for_at_least_one_child",
            ),
        ]

    def __str__(self):
        return f"{self.household} – {self.get_track_display().lower()}: {self.get_stage_display()}"

    @property
    def is_open(self) -> bool:
        return self.stage not in CLOSED_STAGES

    def days_in_stage(self, today: date | None = None) -> int:
        return ((today or timezone.localdate()) - self.stage_entered_on).days

    @property
    def has_terms(self) -> bool:
        return (
            self.approved_number_of_children is not None
            or self.approved_age_from is not None
            or self.approved_age_to is not None
        )

    @property
    def terms_in_words(self) -> str:
        """The terms of approval with their unit: "1 child aged 0 to 18 months"."""
        from .terms import terms_text  # carers.terms reads this module

        return terms_text(self)


class QualifyingDetermination(models.Model):
    """A proposal not to approve (a "qualifying determination") on one track, and what
    follows it: the applicants' window, their representations or their application to
    the Independent Review Mechanism, and the final decision (recorded on the assessment).

    Written only by ``services.determinations``; the dates are checked for their order
    there and by the constraints below.
    """

    class Recommendation(models.TextChoices):
        SUITABLE = "suitable", "Suitable to be approved"
        NOT_SUITABLE = "not_suitable", "Not suitable to be approved"

    assessment = models.OneToOneField(
        Assessment, on_delete=models.CASCADE, related_name="determination"
    )
    sent_on = models.DateField("notice sent on")
    # SET_NULL: a document removed by mistake does not block the household's record (or its
    # deletion at the end of retention); the audit trail keeps what was linked.
    reasons = models.ForeignKey(
        "Document",
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name="notice and reasons",
        help_text="The written notice of the proposal with the agency's reasons.",
    )
    irm_excluded = models.BooleanField(
        "no independent review (criminal record)",
        default=False,
        help_text="Adopters found unsuitable because of the criminal record information "
        "(AAR 2005 reg 30B(5A)) cannot apply to the Independent Review Mechanism.",
    )
    representations_received_on = models.DateField(null=True, blank=True)
    representations = models.ForeignKey(
        "Document", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    panel_reconsidered_on = models.DateField(
        "panel considered the representations on", null=True, blank=True
    )
    panel_recommendation = models.CharField(
        "panel's fresh recommendation", max_length=20, choices=Recommendation.choices, blank=True
    )
    irm_notified_on = models.DateField(
        "told of an application to the IRM on",
        null=True,
        blank=True,
        help_text="The day the agency received notice that the applicants applied for a "
        "review: the documents are due 10 working days later.",
    )
    irm_documents_sent_on = models.DateField("documents sent to the IRM on", null=True, blank=True)
    irm_panel_on = models.DateField("independent review panel sat on", null=True, blank=True)
    irm_recommendation = models.CharField(
        "independent review panel's recommendation",
        max_length=20,
        choices=Recommendation.choices,
        blank=True,
    )
    irm_recommendation_received_on = models.DateField(
        "IRM recommendation received on", null=True, blank=True
    )
    irm_recommendation_document = models.ForeignKey(
        "Document", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "proposed refusal"
        constraints = [
            models.CheckConstraint(
                condition=Q(representations_received_on__isnull=True)
                | Q(irm_notified_on__isnull=True),
                name="determination_representations_or_irm",
                violation_error_message="The applicants make representations or apply to the "
                "Independent Review Mechanism, not both.",
            ),
            dates_in_order(
                "representations_received_on",
                "sent_on",
                name="determination_representations_after_notice",
                message="Representations cannot come before the notice was sent.",
                nullable=("representations_received_on",),
            ),
            dates_in_order(
                "irm_notified_on",
                "sent_on",
                name="determination_irm_after_notice",
                message="An application for a review cannot come before the notice was sent.",
                nullable=("irm_notified_on",),
            ),
            models.CheckConstraint(
                condition=Q(irm_recommendation="")
                | Q(irm_recommendation_received_on__isnull=False),
                name="determination_irm_recommendation_has_a_date",
            ),
        ]

    def __str__(self):
        return f"Proposed refusal, {formats.day(self.sent_on)}"


class StageChange(models.Model):
    """Who moved an assessment from one stage to the next, when, and with what note."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="changes")
    from_stage = models.CharField(max_length=30, choices=Stage.choices, blank=True)
    to_stage = models.CharField(max_length=30, choices=Stage.choices)
    effective_on = models.DateField(
        help_text="The day it happened (may be before it was recorded)."
    )
    recorded_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    note = models.TextField(max_length=2000, blank=True)

    class Meta:
        ordering = ["recorded_at", "id"]

    def __str__(self):
        return f"{self.get_from_stage_display() or 'new'} → {self.get_to_stage_display()}"


class Applicant(models.Model):
    """One of the (one or two) people applying to adopt and foster."""

    class Position(models.IntegerChoices):
        FIRST = 1, "First applicant"
        SECOND = 2, "Second applicant"

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="applicants")
    position = models.PositiveSmallIntegerField(choices=Position.choices, default=Position.FIRST)
    first_name = models.CharField(max_length=80)
    last_name = models.CharField(max_length=80)
    date_of_birth = models.DateField()
    email = models.EmailField(max_length=254, blank=True)
    phone = models.CharField(max_length=30, blank=True)
    occupation = models.CharField(max_length=120, blank=True)
    has_employer = models.BooleanField(
        "in paid work", default=True, help_text="An employer reference is needed."
    )
    has_former_partners = models.BooleanField(
        "has former partners",
        default=False,
        help_text="Lived with or had children with a former partner: a reference is needed.",
    )
    has_lived_abroad = models.BooleanField(
        "has lived abroad", default=False, help_text="An overseas police certificate is needed."
    )
    # The applicant's sign-in to their own area (``carers.own_area``), made when their
    # social worker invites them. It opens the household only while its address is the
    # applicant's email, so a changed address takes access away until a new invitation.
    account = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="applicant",
        verbose_name="own area account",
    )
    # The weekly summary of what waits in their own area (``services.own_area``): on until
    # the applicant turns it off there.
    weekly_summary = models.BooleanField("weekly summary email", default=True, editable=False)

    class Meta:
        ordering = ["household", "position"]
        constraints = [
            # At most two applicants per household, enforced by the database.
            models.UniqueConstraint(
                fields=["household", "position"], name="applicant_one_per_position"
            ),
            models.CheckConstraint(
                condition=Q(position__in=[1, 2]), name="applicant_position_first_or_second"
            ),
        ]

    def __str__(self):
        return self.full_name

    @property
    def full_name(self) -> str:
        return formats.full_name(self.first_name, self.last_name)


class HouseholdMember(models.Model):
    """Someone else living in the household: a child, a grown-up child, a lodger, a relative."""

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="members")
    first_name = models.CharField(max_length=80)
    last_name = models.CharField(max_length=80)
    relationship = models.CharField(max_length=60, help_text="To the applicants, e.g. son.")
    date_of_birth = models.DateField()

    class Meta:
        ordering = ["household", "date_of_birth"]
        verbose_name = "other household member"

    def __str__(self):
        return self.full_name

    @property
    def full_name(self) -> str:
        return formats.full_name(self.first_name, self.last_name)

    def turns_18_on(self) -> date:
        from portal.dates import birthday

        return birthday(self.date_of_birth, 18)

    def is_adult(self, on: date | None = None) -> bool:
        return self.turns_18_on() <= (on or timezone.localdate())


class SupportNetworkMember(models.Model):
    """Family or friends who will support the carers (invited to training, not assessed here)."""

    household = models.ForeignKey(
        Household, on_delete=models.CASCADE, related_name="support_network"
    )
    name = models.CharField(max_length=120)
    relationship = models.CharField(max_length=60)
    phone = models.CharField(max_length=30, blank=True)
    email = models.EmailField(max_length=254, blank=True)
    notes = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["household", "name"]

    def __str__(self):
        return self.name


class StatutoryCheck(models.Model):
    """A check or reference for one person (or the home), with its dates and outcome."""

    class Kind(models.TextChoices):
        DBS = "dbs", "Enhanced DBS check"
        LOCAL_AUTHORITY = "local_authority", "Local authority checks"
        MEDICAL = "medical", "Medical (GP report)"
        PERSONAL_REFERENCE = "personal_reference", "Personal reference"
        EMPLOYER_REFERENCE = "employer_reference", "Employer reference"
        FORMER_PARTNER_REFERENCE = "former_partner_reference", "Ex-partner reference"
        SCHOOL_REFERENCE = "school_reference", "School reference"
        OVERSEAS = "overseas", "Overseas police certificate"
        HOME_SAFETY = "home_safety", "Home health and safety check"
        PETS = "pets", "Pet questionnaire"

    class Outcome(models.TextChoices):
        SATISFACTORY = "satisfactory", "Satisfactory"
        CONCERNS = "concerns", "Concerns to discuss"
        UNSATISFACTORY = "unsatisfactory", "Unsatisfactory"

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="checks")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    applicant = models.ForeignKey(
        Applicant, on_delete=models.CASCADE, null=True, blank=True, related_name="checks"
    )
    member = models.ForeignKey(
        HouseholdMember,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="checks",
        verbose_name="household member",
    )
    referee_name = models.CharField(max_length=120, blank=True)
    referee_is_relative = models.BooleanField("referee is a relative", default=False)
    requested_on = models.DateField(null=True, blank=True)
    received_on = models.DateField(null=True, blank=True)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)
    expires_on = models.DateField(
        null=True, blank=True, help_text="Worked out for DBS checks from the date received."
    )
    certificate_number = models.CharField(max_length=30, blank=True)
    notes = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["household", "kind", "id"]
        verbose_name = "statutory check"
        constraints = [
            models.CheckConstraint(
                condition=Q(applicant__isnull=True) | Q(member__isnull=True),
                name="check_for_one_person_at_most",
                violation_error_message=(
                    "A check is for one person: choose an applicant or a household member, "
                    "not both."
                ),
            ),
            dates_in_order(
                "received_on",
                "requested_on",
                name="check_received_after_requested",
                message="The date received cannot be before the date requested.",
                nullable=("requested_on", "received_on"),
            ),
            models.CheckConstraint(
                condition=Q(outcome="") | Q(received_on__isnull=False),
                name="check_outcome_only_when_received",
                violation_error_message="Give the date received before recording the outcome.",
            ),
        ]
        indexes = [models.Index(fields=["kind", "expires_on"], name="check_kind_expiry_idx")]

    def __str__(self):
        who = self.person
        return f"{self.get_kind_display()} – {who}" if who else self.get_kind_display()

    @property
    def person(self):
        return self.applicant or self.member

    @property
    def state(self) -> str:
        if self.received_on:
            return "received"
        if self.requested_on:
            return "requested"
        return "not requested"


def document_upload_to(instance: "Document", filename: str) -> str:
    return random_name("carers", filename)


class Document(AuditNamed, CaseRecord):
    """An uploaded file in private storage: downloaded only through a permission check."""

    class Kind(models.TextChoices):
        PAR = "par", "Prospective Adopter Report (PAR)"
        FORM_F = "form_f", "Form F (fostering assessment report)"
        STAGE_1_PLAN = "stage_1_plan", "Stage 1 plan"
        CHECK = "check", "Check or reference"
        PANEL_MINUTES = "panel_minutes", "Panel minutes"
        REPORT_OBSERVATIONS = "report_observations", "Applicants' observations on the report"
        REFUSAL_REASONS = "refusal_reasons", "Proposed refusal: notice and reasons"
        REPRESENTATIONS = "representations", "Applicants' representations"
        IRM_RECOMMENDATION = "irm_recommendation", "Independent review panel recommendation"
        LETTER = "letter", "Letter sent (made by the portal)"
        OTHER = "other", "Other"

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    title = models.CharField(max_length=150)
    file = models.FileField(storage=private_storage, upload_to=document_upload_to, max_length=200)
    check_record = models.ForeignKey(
        StatutoryCheck,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="documents",
        verbose_name="check",
    )
    uploaded_at = models.DateTimeField(default=timezone.now, editable=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )

    class Meta:
        ordering = ["household", "-uploaded_at"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("admin:carers_document_download", args=[self.pk])


class OnlineForm(models.Model):
    """A form an applicant fills in for themselves from their own area
    (``services.own_area``): saved as they go, as often as they like, then submitted once.
    Submitted, it is the agency's record and no longer changes; the social worker reads it
    on the household's own-area page."""

    class Kind(models.TextChoices):
        HEALTH_CONSENT = "health_consent", "Consent for the agency to ask your GP about your health"
        SUPPORT_NETWORK = "support_network", "Support network details"

    applicant = models.ForeignKey(Applicant, on_delete=models.CASCADE, related_name="online_forms")
    kind = models.CharField(max_length=40, choices=Kind.choices)
    # The answers as given, by field name (the form's own fields, checked on submit).
    data = models.JSONField(default=dict, blank=True, editable=False)
    saved_at = models.DateTimeField(null=True, blank=True, editable=False)
    submitted_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["applicant", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["applicant", "kind"], name="online_form_once_per_applicant"
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.applicant}"


class DocumentRequest(models.Model):
    """A document the social worker asks the applicants for, sent from their own area.

    Open until the applicants send it (``document`` set) or the social worker withdraws
    it; either is final, and a new request asks again."""

    household = models.ForeignKey(
        Household, on_delete=models.CASCADE, related_name="document_requests"
    )
    title = models.CharField(
        "what is asked for",
        max_length=150,
        help_text="In the applicants' words, e.g. “Your completed reference form”.",
    )
    kind = models.CharField(
        "file it as", max_length=20, choices=Document.Kind.choices, default=Document.Kind.OTHER
    )
    note = models.TextField(
        "what to send", max_length=1000, blank=True, help_text="Shown to the applicants."
    )
    due_on = models.DateField("send by", null=True, blank=True)
    requested_on = models.DateField(editable=False)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", editable=False
    )
    document = models.OneToOneField(
        Document,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="request",
    )
    sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    withdrawn_on = models.DateField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["household", "-requested_on", "-id"]
        constraints = [
            dates_in_order(
                "due_on",
                "requested_on",
                name="document_request_due_after_asked",
                message="The day to send it by cannot be before the day it is asked for.",
                nullable=("due_on",),
            ),
            models.CheckConstraint(
                condition=Q(document__isnull=True) | Q(withdrawn_on__isnull=True),
                name="document_request_sent_or_withdrawn",
                violation_error_message="A request is either answered or withdrawn, not both.",
            ),
            models.CheckConstraint(
                condition=Q(document__isnull=True, sent_at__isnull=True)
                | Q(document__isnull=False, sent_at__isnull=False),
                name="document_request_sent_with_its_document",
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def is_open(self) -> bool:
        return self.document_id is None and self.withdrawn_on is None


class EventOffer(models.Model):
    """A private event (preparation training, EP training, a support group, a session for
    family and friends) offered to a household: its applicants see it in their own area
    and book places there, on the events' own booking engine."""

    event = models.ForeignKey(
        "enquiries.InformationEvent",
        on_delete=models.CASCADE,
        related_name="offers",
        limit_choices_to={"topic__in": list(PRIVATE_TOPICS)},
    )
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="event_offers")
    offered_on = models.DateField(editable=False)
    offered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", editable=False
    )

    class Meta:
        ordering = ["event__starts_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["event", "household"], name="event_offer_once")
        ]

    def __str__(self):
        return f"{self.event} for {self.household}"


class TrainingCourse(models.Model):
    """A course in the agency's catalogue, with when it must be done (policy, editable)."""

    class DueFrom(models.TextChoices):
        STAGE_1_START = "stage_1_start", "the start of Stage 1"
        STAGE_2_START = "stage_2_start", "the start of Stage 2"
        ADOPTER_APPROVAL = "adopter_approval", "approval as adopters"
        FOSTER_APPROVAL = "foster_approval", "approval as foster carers"

    class Milestone(models.TextChoices):
        STAGE_1_DECISION = "stage_1_decision", "the Stage 1 decision"
        PANEL = "panel", "booking for panel"

    name = models.CharField(max_length=120, unique=True)
    description = models.CharField(max_length=300, blank=True)
    due_from = models.CharField(max_length=30, choices=DueFrom.choices)
    due_within_months = models.PositiveSmallIntegerField()
    complete_before = models.CharField(
        max_length=30,
        choices=Milestone.choices,
        blank=True,
        help_text="If set, every applicant must have completed the course before this step.",
    )
    is_mandatory = models.BooleanField(
        default=True, help_text="Mandatory courses are added to every applicant's record."
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(due_within_months__gte=1), name="training_course_due_within_a_month"
            )
        ]

    def __str__(self):
        return self.name


class TrainingRecord(models.Model):
    """One applicant's place on a course: when it is due, booked and completed."""

    # The household is the applicant's: kept here so the household page can list training.
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="training")
    applicant = models.ForeignKey(Applicant, on_delete=models.CASCADE, related_name="training")
    course = models.ForeignKey(TrainingCourse, on_delete=models.PROTECT, related_name="records")
    due_on = models.DateField(
        null=True, blank=True, editable=False, help_text="Worked out from the course's rule."
    )
    booked_for = models.DateField(null=True, blank=True)
    completed_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["applicant", "course__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["applicant", "course"], name="training_record_one_per_course"
            )
        ]

    def __str__(self):
        return f"{self.course} – {self.applicant}"


class FosterCarerReview(models.Model):
    """A review of one of the household's approvals: as foster carers or as adopters.

    Foster carers: within a year of approval, then at least yearly; the first goes to the
    fostering panel (Fostering Services (England) Regulations 2011, reg 28). Adopters: within
    a year of approval and yearly while no child is placed for adoption with them (Adoption
    Agencies Regulations 2005, reg 30D). After a placement ends, or an adoption order, a
    review of each approval is brought forward (agency policy). The name is the table's
    first use (foster carer reviews); ``track`` says which approval it reviews.
    """

    class Reason(models.TextChoices):
        YEARLY = "yearly", "Yearly review"
        PLACEMENT_ENDED = "placement_ended", "A placement ended"
        ADOPTION_ORDER = "adoption_order", "Adoption order made: continue or resign"

    class Outcome(models.TextChoices):
        CONTINUE = "continue", "Continue the approval"
        VARY = "vary", "Vary the terms of approval"
        TERMINATE = "terminate", "Propose to end the approval (qualifying determination)"
        RESIGN = "resign", "The carers resign this approval"

    household = models.ForeignKey(
        Household, on_delete=models.CASCADE, related_name="foster_reviews"
    )
    track = models.CharField(
        "approval", max_length=20, choices=Track.choices, default=Track.FOSTERING, editable=False
    )
    reason = models.CharField(
        max_length=20, choices=Reason.choices, default=Reason.YEARLY, editable=False
    )
    due_on = models.DateField(editable=False)
    goes_to_panel = models.BooleanField(
        default=False, editable=False, help_text="The first review goes to the fostering panel."
    )
    completed_on = models.DateField(null=True, blank=True, editable=False)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True, editable=False)
    carers_views = models.TextField("the carers' views", max_length=4000, blank=True)
    placing_authority_views = models.TextField(
        "placing authorities' views",
        max_length=4000,
        blank=True,
        help_text="Of each authority that placed a child with the carers in the last year.",
    )
    panel = models.ForeignKey(
        PanelSitting,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="reviews",
    )
    panel_recommendation = models.CharField(
        max_length=20, choices=Outcome.choices, blank=True, editable=False
    )
    notes = models.TextField(max_length=2000, blank=True)

    class Meta:
        ordering = ["household", "due_on"]
        verbose_name = "approval review"
        constraints = [
            models.UniqueConstraint(
                fields=["household", "track"],
                condition=Q(completed_on__isnull=True),
                name="approval_review_one_open_per_track",
            ),
            models.CheckConstraint(
                condition=Q(completed_on__isnull=True, outcome="")
                | (Q(completed_on__isnull=False) & ~Q(outcome="")),
                name="approval_review_outcome_when_completed",
            ),
        ]

    def __str__(self):
        what = "Foster carer review" if self.track == Track.FOSTERING else "Adopter approval review"
        return f"{what} due {formats.day(self.due_on)}"


class Deadline(DeadlineBase):
    """An open clock on a household: what is due, by when (``portal.deadlines``).

    ``subject`` names the record the clock belongs to (``assessment:12``,
    ``check:40``), so each clock exists once.
    """

    class Kind(models.TextChoices):
        ROI_DECISION = "roi_decision", "Decision on the Registration of Interest"
        STAGE_1 = "stage_1", "Stage 1 decision (target)"
        STAGE_2_NOTICE = "stage_2_notice", "Notice to proceed to Stage 2 (end of pause)"
        STAGE_2_DECISION = "stage_2_decision", "Stage 2 decision (reg 30B)"
        FORM_F_PANEL = "form_f_panel", "Fostering assessment to panel"
        APPROVAL = "approval", "Approval as adopters and foster carers (target)"
        AGENCY_DECISION = "agency_decision", "Agency decision after panel"
        CHECK_EXPIRY = "check_expiry", "Check expires"
        DBS_AT_18 = "dbs_at_18", "DBS check for a household member turning 18"
        TRAINING = "training", "Training due"
        FOSTER_REVIEW = "foster_review", "Foster carer review"
        REPORT_OBSERVATIONS = "report_observations", "Applicants' observations on the report"
        REPRESENTATIONS = "representations", "Applicants' window after a proposed refusal"
        IRM_DOCUMENTS = "irm_documents", "Documents to the independent review panel"
        FINAL_DECISION = "final_decision", "Final decision after a proposed refusal"
        ADOPTER_REVIEW = "adopter_review", "Adopter approval review (reg 30D)"

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="deadlines")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    subject = models.CharField(max_length=40)

    class Meta(DeadlineBase.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["household", "kind", "subject"], name="deadline_one_per_clock"
            )
        ]
        indexes = [models.Index(fields=["household", "due_on"], name="deadline_household_due_idx")]


class HouseholdNote(CaseNoteBase):
    """A case note on a household (``portal.casenotes``): written once, corrected by another."""

    # PROTECT: a household with notes is never deleted with them; the notes are kept.
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="notes")

    class Meta(CaseNoteBase.Meta):
        verbose_name = "household note"
        indexes = [
            models.Index(fields=["household", "-happened_on"], name="householdnote_household_idx")
        ]


class PanelMember(models.Model):
    """A person on the agency's central list of panel members: not necessarily staff.

    AAR 2005 reg 3(1) and FS(E)R 2011 reg 23(1) (the central lists, with social workers of
    at least three years' relevant post-qualifying experience, and for adoption the
    medical adviser); AAR 2005 reg 4(1) and FS(E)R 2011 reg 23(4) (the chair independent
    of the agency; one or two vice chairs). The quorum counts members present by these
    facts (``carers.quorum``). ``account`` is their sign-in, to read their sittings' papers.
    """

    class Role(models.TextChoices):
        CHAIR = "chair", "Chair"
        VICE_CHAIR = "vice_chair", "Vice chair"
        MEMBER = "member", "Member"
        MEDICAL_ADVISER = "medical_adviser", "Medical adviser"
        LEGAL_ADVISER = "legal_adviser", "Legal adviser (advises, not a member)"

    name = models.CharField(max_length=120)
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.MEMBER)
    social_worker_three_years = models.BooleanField(
        "social worker with 3 years' post-qualifying experience",
        default=False,
        help_text="A social worker with at least three years' relevant post-qualifying "
        "experience (the quorum needs one).",
    )
    independent = models.BooleanField(
        "independent member", default=False, help_text="Independent of the agency."
    )
    sits_on_adoption = models.BooleanField("sits on the adoption panel", default=False)
    sits_on_fostering = models.BooleanField("sits on the fostering panel", default=False)
    account = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="panel_member",
        help_text="Their sign-in to read the papers of the sittings they sit on (staff or "
        "a Panel members account).",
    )
    is_active = models.BooleanField("on the central list", default=True)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self):
        return f"{self.name} ({self.get_role_display().lower()})"

    @property
    def is_member(self) -> bool:
        """Advisers other than the medical adviser (on the adoption central list, AAR 2005
        reg 3(1)(b)) are not members."""
        return self.role != self.Role.LEGAL_ADVISER

    @property
    def chairs(self) -> bool:
        return self.role in (self.Role.CHAIR, self.Role.VICE_CHAIR)

    def sits_on(self, kind: str) -> bool:
        if kind == PanelSitting.Kind.ADOPTION:
            return self.sits_on_adoption
        if kind == PanelSitting.Kind.FOSTERING:
            return self.sits_on_fostering
        return self.sits_on_adoption and self.sits_on_fostering


class PanelAttendance(models.Model):
    """Who sits on a sitting: invited beforehand (they read its papers), present or not."""

    sitting = models.ForeignKey(PanelSitting, on_delete=models.CASCADE, related_name="attendance")
    member = models.ForeignKey(PanelMember, on_delete=models.PROTECT, related_name="attendance")
    present = models.BooleanField(default=True, help_text="Untick for a member who sent apologies.")

    class Meta:
        verbose_name = "member of the sitting"
        verbose_name_plural = "members of the sitting"
        ordering = ["sitting", "member__name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["sitting", "member"],
                name="panel_attendance_once_per_sitting",
                violation_error_message="This member is already on the sitting.",
            )
        ]

    def __str__(self):
        return f"{self.member.name} at the {self.sitting}"


class PanelMinutes(models.Model):
    """The final minutes of one item (one track of a household) at a sitting.

    The agency decision is made from them, and its clock runs from the day they are
    received (``clocks.agency_decision_due``).
    """

    sitting = models.ForeignKey(PanelSitting, on_delete=models.PROTECT, related_name="minutes")
    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="panel_minutes"
    )
    # RESTRICT: the minutes document is kept while the minutes are; the household erased
    # at the end of its retention period takes both.
    document = models.ForeignKey(
        Document, on_delete=models.RESTRICT, related_name="+", verbose_name="minutes"
    )
    received_on = models.DateField("final minutes received on")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "panel minutes"
        constraints = [
            models.UniqueConstraint(
                fields=["sitting", "assessment"], name="panel_minutes_one_per_item"
            )
        ]

    def __str__(self):
        return f"Minutes: {self.assessment} at the {self.sitting}"

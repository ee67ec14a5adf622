"""Children in Early Permanence placements, and everything that happens to a placement.

A ``Placement`` is the case hub: the approved household, the child or brothers and
sisters placed together (``PlacementChild``), the route (Concurrency or Fostering for
Adoption, with a reg 25A ``TemporaryApproval`` for each named child when the carers
are not yet approved foster carers), the court timeline (proceedings dates on the
placement, ``ProceedingsExtension``, ``Hearing``, ``CourtOrder``), looked-after child
reviews and social worker visits; family time (``BirthRelative``, ``FamilyTimePlan``,
``FamilyTimeSession``, ``CommunicationBookEntry``) belongs to the child and has its own
block at the end. Its status moves only through ``placements.services``; every
clock is a ``PlacementDeadline`` row kept in step with the facts there.

These are the most sensitive records in the portal. Lists show a child's reference and
initials (``Child.__str__``), never the full name.
"""

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from portal import formats
from portal.audit import AuditNamed
from portal.casenotes import CaseNoteBase
from portal.constraints import dates_in_order
from portal.deadlines import DeadlineBase
from portal.references import reference_field
from portal.storage import random_name
from portal.versions import CaseRecord

from .storage import child_storage

# Choices (and the admin's search) for a placement's household: approved adopters only.
APPROVED_ADOPTERS = Q(status="approved", adopter_approved_on__isnull=False)


class Duty(models.TextChoices):
    """Who holds a statutory duty for a child: the review, the visits, the health checks.

    The child's responsible authority (the placing local authority) holds the looked-after
    child duties (Care Planning, Placement and Case Review (England) Regulations 2010) and,
    once the child is placed for adoption by it, the adoption agency duties (Adoption
    Agencies Regulations 2005, reg 36). Where the placing authority holds a duty, this
    agency's social worker for the carers chases it; the agency never claims to own it.
    """

    PLACING_AUTHORITY = "placing_authority", "The placing authority"
    AGENCY = "agency", "This agency"


class LocalAuthority(models.Model):
    """A placing local authority (the child's responsible authority)."""

    name = models.CharField(max_length=80, unique=True)
    secure_email = models.EmailField(
        "secure email",
        blank=True,
        help_text="The team's secure address for papers about a child (e.g. an .gov.uk inbox).",
    )
    phone = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "placing local authority"
        verbose_name_plural = "placing local authorities"

    def __str__(self):
        return self.name


class Professional(models.Model):
    """Someone working with a child outside this agency: the child's social worker, the
    independent reviewing officer, the children's guardian, the authority's solicitor."""

    class Role(models.TextChoices):
        CHILD_SOCIAL_WORKER = "child_social_worker", "Child's social worker"
        TEAM_MANAGER = "team_manager", "Child's social worker's team manager"
        IRO = "iro", "Independent reviewing officer (IRO)"
        GUARDIAN = "guardian", "Children's guardian (Cafcass)"
        SOLICITOR = "solicitor", "Local authority solicitor"
        HEALTH = "health", "Health professional (e.g. looked-after children's nurse)"
        OTHER = "other", "Other"

    name = models.CharField(max_length=120)
    role = models.CharField(max_length=30, choices=Role.choices)
    local_authority = models.ForeignKey(
        LocalAuthority,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="professionals",
        help_text="Empty for someone not employed by a local authority (e.g. Cafcass).",
    )
    organisation = models.CharField(
        max_length=120, blank=True, help_text="When not a local authority, e.g. Cafcass."
    )
    email = models.EmailField("secure email", blank=True)
    phone = models.CharField(max_length=40, blank=True)
    is_active = models.BooleanField("still in post", default=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(local_authority__isnull=False) | ~Q(organisation=""),
                name="professional_has_an_employer",
                violation_error_message="Give the local authority or the organisation.",
            )
        ]

    def __str__(self):
        return f"{self.name} ({self.get_role_display()})"

    @property
    def employer(self) -> str:
        return str(self.local_authority) if self.local_authority_id else self.organisation


class SiblingGroup(models.Model):
    """Brothers and sisters known to the agency, placed together or apart."""

    reference = reference_field("e.g. SG00004.")
    notes = models.CharField(
        max_length=300,
        blank=True,
        help_text="Plans for the group, e.g. to be placed together. No names here.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.reference or f"Sibling group {self.pk or '(new)'}"


class Child(models.Model):
    """A child placed, or to be placed, with Early Permanence carers."""

    class Sex(models.TextChoices):
        FEMALE = "female", "Female"
        MALE = "male", "Male"
        NOT_KNOWN = "not_known", "Not yet known"

    class LegalStatus(models.TextChoices):
        ACCOMMODATED = "accommodated", "Accommodated (section 20)"
        INTERIM_CARE_ORDER = "interim_care_order", "Interim care order"
        CARE_ORDER = "care_order", "Care order"
        PLACEMENT_ORDER = "placement_order", "Placement order"
        ADOPTED = "adopted", "Adopted"
        LEFT_CARE = "left_care", "No longer looked after"

    reference = reference_field("e.g. C00012.")
    first_name = models.CharField(
        max_length=80, blank=True, help_text="May be empty for a baby not yet named."
    )
    last_name = models.CharField(max_length=80)
    date_of_birth = models.DateField(null=True, blank=True)
    expected_on = models.DateField(
        "expected date of birth",
        null=True,
        blank=True,
        help_text="For an unborn baby. Add the date of birth once the baby is born.",
    )
    sex = models.CharField(max_length=20, choices=Sex.choices, default=Sex.NOT_KNOWN)
    legal_status = models.CharField(
        max_length=30,
        choices=LegalStatus.choices,
        default=LegalStatus.ACCOMMODATED,
        help_text="Changes when a court order is recorded.",
    )

    class LookedAfterBasis(models.TextChoices):
        ACCOMMODATED = "accommodated", "Accommodated with consent (Children Act 1989 s20)"
        RELINQUISHED = "relinquished", "Relinquished for adoption (accommodated under s20)"
        EMERGENCY_PROTECTION = "emergency_protection", "Emergency protection order (s44)"
        POLICE_PROTECTION = "police_protection", "Police protection (s46)"
        INTERIM_CARE_ORDER = "interim_care_order", "Interim care order (s38)"
        CARE_ORDER = "care_order", "Care order (s31)"

    entered_care_on = models.DateField(
        "became looked after on",
        null=True,
        blank=True,
        help_text="The day the child became looked after: the review clock starts here.",
    )
    looked_after_basis = models.CharField(
        "looked after under",
        max_length=30,
        choices=LookedAfterBasis.choices,
        blank=True,
    )
    pre_proceedings_on = models.DateField(
        "pre-proceedings (PLO) letter on",
        null=True,
        blank=True,
        help_text="The date of the letter before proceedings under the Public Law Outline.",
    )
    should_be_placed_on = models.DateField(
        "decided should be placed for adoption on",
        null=True,
        blank=True,
        help_text=(
            "The agency decision maker's decision that the child should be placed for "
            "adoption (Adoption Agencies Regulations 2005, reg 19)."
        ),
    )
    placing_authority = models.ForeignKey(
        LocalAuthority,
        on_delete=models.PROTECT,
        related_name="children",
    )
    social_worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="children_allocated",
        verbose_name="this agency's social worker for the child",
        help_text=(
            "Reminded of the duties this agency holds for the child. Empty: the carers' "
            "social worker."
        ),
    )
    reviews_duty = models.CharField(
        "looked-after reviews held by",
        max_length=20,
        choices=Duty.choices,
        default=Duty.PLACING_AUTHORITY,
    )
    visits_duty = models.CharField(
        "visits to the child made by",
        max_length=20,
        choices=Duty.choices,
        default=Duty.PLACING_AUTHORITY,
    )
    health_duty = models.CharField(
        "health assessments arranged by",
        max_length=20,
        choices=Duty.choices,
        default=Duty.PLACING_AUTHORITY,
    )
    professionals = models.ManyToManyField(
        Professional, through="ChildProfessional", related_name="children", blank=True
    )
    sibling_group = models.ForeignKey(
        SiblingGroup,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="children",
    )
    # Sealed when the adoption order is recorded (portal.access): the record then opens
    # only to holders of ``view_sealed_child`` and shows the adoptive identity alone.
    sealed_on = models.DateField("sealed on", null=True, blank=True, editable=False)
    adoptive_first_name = models.CharField(
        "adoptive first name", max_length=80, blank=True, help_text="The child's name now."
    )
    adoptive_last_name = models.CharField("adoptive last name", max_length=80, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "children"
        permissions = [
            ("view_sealed_child", "Can open a sealed child's record (after the adoption order)")
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(date_of_birth__isnull=False) | Q(expected_on__isnull=False),
                name="child_has_birth_or_expected_date",
                violation_error_message=(
                    "Give the date of birth, or the expected date for an unborn baby."
                ),
            ),
            dates_in_order(
                "entered_care_on",
                "date_of_birth",
                name="child_entered_care_after_birth",
                message="The child cannot enter care before they are born.",
            ),
            dates_in_order(
                "should_be_placed_on",
                "date_of_birth",
                name="child_placement_decision_after_birth",
                message="The decision that the child should be placed comes after the birth.",
            ),
        ]

    def __str__(self):
        # A sealed child: "C00012 (sealed record)", neither identity.
        return f"{self.reference or 'Child'} ({self.initials})"

    def get_absolute_url(self):
        return reverse("admin:placements_child_change", args=[self.pk])

    @property
    def initials(self) -> str:
        if self.sealed_on is not None:
            return "sealed record"  # neither identity's initials (portal.access)
        letters = [name[:1].upper() for name in (self.first_name, self.last_name) if name]
        return ".".join(letters) + "." if letters else "—"

    @property
    def full_name(self) -> str:
        return formats.full_name(self.first_name, self.last_name)

    @property
    def is_born(self) -> bool:
        return self.date_of_birth is not None


class ChildProfessional(models.Model):
    """A professional working with the child, from when and until when."""

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="professional_links")
    professional = models.ForeignKey(
        Professional, on_delete=models.PROTECT, related_name="child_links"
    )
    since = models.DateField(null=True, blank=True)
    until = models.DateField(
        null=True, blank=True, help_text="Empty while they work with the child."
    )

    class Meta:
        ordering = ["child", "professional__role", "id"]
        verbose_name = "professional working with the child"
        verbose_name_plural = "people around the child"
        constraints = [
            models.UniqueConstraint(
                fields=["child", "professional"],
                condition=Q(until__isnull=True),
                name="child_professional_once_while_current",
                violation_error_message="They are already recorded as working with the child.",
            ),
            dates_in_order(
                "until",
                "since",
                name="child_professional_until_after_since",
                message="They cannot stop working with the child before they started.",
            ),
        ]

    def __str__(self):
        return str(self.professional)


class HealthAssessment(CaseRecord):
    """A statutory health assessment of a looked-after child (CPPCR reg 7)."""

    class Kind(models.TextChoices):
        INITIAL = "initial", "Initial health assessment"
        REVIEW = "review", "Review health assessment"

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="health_assessments")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    done_on = models.DateField("date")
    note = models.CharField(max_length=300, blank=True, help_text="No health details here.")

    class Meta:
        ordering = ["child", "done_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["child"],
                condition=Q(kind="initial"),
                name="health_one_initial_assessment",
                violation_error_message="The initial health assessment is already recorded.",
            ),
            models.UniqueConstraint(
                fields=["child", "done_on"],
                name="health_assessment_once_a_day",
                violation_error_message="An assessment on that date is already recorded.",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}, {formats.day(self.done_on)}"


class ParentConsent(models.Model):
    """A parent's agreement to the child's adoption: consent to placement for adoption
    (Adoption and Children Act 2002 s19) and, optionally, advance consent to the adoption
    order (s20), witnessed by a Cafcass officer; or, for a baby under six weeks old, the
    parent's written agreement that the baby may be placed (s18(1), Adoption Agencies
    Regulations 2005 reg 35(4)). A birth mother's consent to an adoption order given less
    than six weeks after the birth is ineffective (s52(3)); the services refuse it, and
    refuse her s19 consent before then too (see ``services.consent``). Withdrawn consent
    is kept, with its date.
    """

    class Parent(models.TextChoices):
        MOTHER = "mother", "Birth mother"
        FATHER = "father", "Birth father"
        OTHER = "other", "Another person with parental responsibility"

    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="consents")
    parent = models.CharField(max_length=10, choices=Parent.choices)
    has_parental_responsibility = models.BooleanField(
        "holds parental responsibility",
        default=True,
        help_text="Only the consent of a parent or guardian with parental responsibility counts.",
    )
    counselling_offered_on = models.DateField(
        "counselling offered on",
        null=True,
        blank=True,
        help_text="Counselling and information about adoption (AAR reg 14).",
    )
    agreed_in_writing_on = models.DateField(
        "written agreement to placement of a baby under six weeks, on",
        null=True,
        blank=True,
        help_text="Adoption Agencies Regulations 2005, reg 35(4). Not consent: it lasts only "
        "until the baby is six weeks old.",
    )
    cafcass_officer = models.CharField(
        "Cafcass officer who witnessed it", max_length=120, blank=True
    )
    witnessed_on = models.DateField("consent witnessed on", null=True, blank=True)
    to_placement = models.BooleanField("consents to placement for adoption (s19)", default=True)
    to_adoption_order = models.BooleanField(
        "gives advance consent to the adoption order (s20)", default=False
    )
    withdrawn_on = models.DateField("consent withdrawn on", null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", editable=False
    )
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["child", "witnessed_on", "id"]
        verbose_name = "parent's consent"
        verbose_name_plural = "parents' consent"
        constraints = [
            dates_in_order(
                "withdrawn_on",
                "witnessed_on",
                name="consent_withdrawn_after_given",
                message="Consent cannot be withdrawn before it was given.",
                nullable=("withdrawn_on",),
            ),
            models.CheckConstraint(
                condition=Q(to_placement=True)
                | Q(to_adoption_order=True)
                | Q(agreed_in_writing_on__isnull=False),
                name="consent_to_something",
                violation_error_message="Say what the parent consents or agrees to.",
            ),
        ]

    def __str__(self):
        return f"{self.get_parent_display()}: consent {self.state}"

    @property
    def state(self) -> str:
        if self.withdrawn_on:
            return f"withdrawn {formats.day(self.withdrawn_on)}"
        if self.witnessed_on:
            return f"witnessed {formats.day(self.witnessed_on)}"
        return "not yet witnessed"


def child_document_upload_to(instance: "ChildDocument", filename: str) -> str:
    return random_name("children", filename)


class ChildDocument(AuditNamed, CaseRecord):
    """A paper about the child, kept apart from the carers' file, in private storage."""

    class Kind(models.TextChoices):
        CPR = "cpr", "Child permanence report"
        HEALTH = "health", "Health report"
        COURT_ORDER = "court_order", "Court order"
        PLACEMENT_PLAN = "placement_plan", "Placement plan"
        CARE_PLAN = "care_plan", "Care plan"
        CONSENT = "consent", "Consent form"
        REFERRAL = "referral", "Referral form"
        CHRONOLOGY = "chronology", "Chronology"
        MATCHING_REPORT = "matching_report", "EP matching report"
        ADOPTION_PLACEMENT_REPORT = "adoption_report", "Adoption placement report"
        OTHER = "other", "Other"

    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="documents")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    title = models.CharField(max_length=150)
    file = models.FileField(
        storage=child_storage, upload_to=child_document_upload_to, max_length=200
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
        ordering = ["child", "-uploaded_at", "-id"]
        verbose_name = "document on the child"
        verbose_name_plural = "documents on the child"

    def __str__(self):
        # The kind, not the title: a title may name the child or a parent (audit, logs).
        return f"{self.get_kind_display()} {self.pk or '(new)'}"

    def get_absolute_url(self):
        return reverse("admin:placements_childdocument_download", args=[self.pk])


class TemporaryApproval(models.Model):
    """A reg 25A temporary approval: approved adopters may foster this named child.

    Care Planning, Placement and Case Review (England) Regulations 2010, reg 25A. It
    ends when the placement ends, when the adopter approval ends, or when the carers
    are approved as foster carers in full.
    """

    class EndReason(models.TextChoices):
        PLACEMENT_ENDED = "placement_ended", "The placement ended"
        ADOPTER_APPROVAL_ENDED = "adopter_approval_ended", "The adopter approval ended"
        FOSTER_APPROVAL = "foster_approval", "Approved as foster carers in full"
        WITHDRAWN = "withdrawn", "Withdrawn"

    household = models.ForeignKey(
        "carers.Household",
        on_delete=models.PROTECT,
        related_name="temporary_approvals",
        limit_choices_to=APPROVED_ADOPTERS,
    )
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="temporary_approvals")
    approved_on = models.DateField()
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    ends_on = models.DateField(null=True, blank=True, editable=False)
    end_reason = models.CharField(
        max_length=30, choices=EndReason.choices, blank=True, editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-approved_on", "-id"]
        verbose_name = "reg 25A temporary approval"
        permissions = [
            ("grant_temporary_approval", "Can grant or end a reg 25A temporary approval"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["household", "child"],
                condition=Q(ends_on__isnull=True),
                name="temporary_approval_one_open_per_child_and_household",
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True, end_reason="")
                | (Q(ends_on__isnull=False) & ~Q(end_reason="")),
                name="temporary_approval_end_has_a_reason",
            ),
            dates_in_order(
                "ends_on",
                "approved_on",
                name="temporary_approval_ends_after_it_starts",
                nullable=("ends_on",),
            ),
        ]

    def __str__(self):
        return f"Reg 25A approval {self.pk or '(new)'}"

    @property
    def is_open(self) -> bool:
        return self.ends_on is None

    def is_in_force(self, on: date) -> bool:
        return self.approved_on <= on and (self.ends_on is None or self.ends_on >= on)


class TermsExemption(models.Model):
    """A child placed outside the terms of an approval, with who agreed it and when.

    A placement must fit the terms of each approval it relies on (age range and number
    of children, ``services.terms_of_approval_problems``); an exemption, agreed by a team
    manager for a named child and one approval, lets that one placement go ahead. A lasting
    change of terms is a variation, made at a review of the approval instead.
    """

    household = models.ForeignKey(
        "carers.Household",
        on_delete=models.PROTECT,
        related_name="terms_exemptions",
        limit_choices_to=APPROVED_ADOPTERS,
    )
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="terms_exemptions")
    track = models.CharField(
        "approval",
        max_length=20,
        choices=[("adoption", "As adopters"), ("fostering", "As foster carers")],
    )
    agreed_on = models.DateField()
    agreed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", editable=False
    )
    reason = models.TextField(max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-agreed_on", "-id"]
        verbose_name = "exemption from the terms of approval"
        verbose_name_plural = "exemptions from the terms of approval"
        constraints = [
            models.UniqueConstraint(
                fields=["household", "child", "track"],
                name="terms_exemption_one_per_child_and_approval",
            )
        ]

    def __str__(self):
        return f"Exemption {self.pk or '(new)'}: {self.get_track_display().lower()}"


class Placement(models.Model):
    """One or more children placed together with an approved household."""

    class Route(models.TextChoices):
        CONCURRENCY = "concurrency", "Concurrency"
        FFA = "ffa", "Fostering for Adoption"

    class CameFrom(models.TextChoices):
        HOSPITAL = "hospital", "Hospital"
        BIRTH_FAMILY = "birth_family", "Birth family"
        FOSTER_CARER = "foster_carer", "Temporary foster carer"

    class Status(models.TextChoices):
        FOSTERING = "fostering", "Fostering while the court decides"
        PLACED_FOR_ADOPTION = "placed_for_adoption", "Placed for adoption"
        ENDED = "ended", "Ended"

    class Outcome(models.TextChoices):
        ADOPTED = "adopted", "Adopted by the carers"
        RETURNED_HOME = "returned_home", "Returned to the birth family"
        PLACED_WITH_KIN = "placed_with_kin", "Placed with kin (e.g. special guardianship)"
        OTHER = "other", "Other"

    reference = reference_field("e.g. PL00007.")
    household = models.ForeignKey(
        "carers.Household",
        on_delete=models.PROTECT,
        related_name="placements",
        limit_choices_to=APPROVED_ADOPTERS,
        help_text="Approved adopters; the guard checks the approvals on the placement date.",
    )
    children = models.ManyToManyField(Child, through="PlacementChild", related_name="placements")
    route = models.CharField(max_length=20, choices=Route.choices)
    placed_on = models.DateField(
        "placed on", help_text="The day the child came to live with the carers."
    )
    came_from = models.CharField(max_length=20, choices=CameFrom.choices)
    status = models.CharField(
        max_length=30, choices=Status.choices, default=Status.FOSTERING, editable=False
    )
    status_changed_on = models.DateField(editable=False)
    placed_for_adoption_on = models.DateField(null=True, blank=True, editable=False)
    adoption_notice_on = models.DateField(
        "reg 35(5) notice date",
        null=True,
        blank=True,
        editable=False,
        help_text=(
            "The child already lived with the carers: the date of the agency's written "
            "notice of placement for adoption (Adoption Agencies Regulations 2005, reg 35(5))."
        ),
    )
    adoption_application_on = models.DateField(
        "adoption order application made on", null=True, blank=True, editable=False
    )
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True, editable=False)
    outcome_on = models.DateField(null=True, blank=True, editable=False)
    outcome_note = models.TextField(max_length=2000, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-placed_on", "-id"]
        permissions = [
            ("view_measures", "Can see the EP measures"),
            ("issue_leave_letter", "Can issue the adoption leave letter"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(Q(status="ended", outcome_on__isnull=False) & ~Q(outcome=""))
                | (~Q(status="ended") & Q(outcome="", outcome_on__isnull=True)),
                name="placement_outcome_only_when_ended",
            ),
            models.CheckConstraint(
                condition=~Q(outcome="adopted") | Q(placed_for_adoption_on__isnull=False),
                name="placement_adopted_only_after_placed_for_adoption",
            ),
            dates_in_order(
                "outcome_on",
                "placed_on",
                name="placement_outcome_after_start",
                nullable=("outcome_on",),
            ),
        ]
        indexes = [models.Index(fields=["status", "placed_on"], name="placement_status_idx")]

    def __str__(self):
        return self.reference or f"Placement {self.pk or '(new)'}"

    def get_absolute_url(self):
        return reverse("admin:placements_placement_change", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status != self.Status.ENDED

    def days_in_placement(self, today: date | None = None) -> int:
        end = self.outcome_on or today or timezone.localdate()
        return (end - self.placed_on).days


class PlacementChild(models.Model):
    """A child in a placement; ``is_current`` follows the placement so a child is placed once."""

    placement = models.ForeignKey(
        Placement, on_delete=models.CASCADE, related_name="placement_children"
    )
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="placement_links")
    temporary_approval = models.ForeignKey(
        TemporaryApproval,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="placement_links",
        help_text="The reg 25A approval that allowed this child's FfA placement.",
    )
    is_current = models.BooleanField(default=True)

    class Meta:
        ordering = ["placement", "child__date_of_birth", "id"]
        verbose_name = "child in the placement"
        verbose_name_plural = "children in the placement"
        constraints = [
            models.UniqueConstraint(
                fields=["placement", "child"], name="placement_child_once_per_placement"
            ),
            models.UniqueConstraint(
                fields=["child"],
                condition=Q(is_current=True),
                name="placement_child_in_one_current_placement",
            ),
        ]

    def __str__(self):
        return str(self.child)


class Proceedings(models.Model):
    """Care or placement order proceedings, for one child or for brothers and sisters.

    The 26-week date and the extended date are stored for lists and follow the issue
    date and the extensions (``services.proceedings_dates_refresh``).
    """

    children = models.ManyToManyField(Child, related_name="proceedings")
    court = models.CharField(max_length=120, blank=True, help_text="e.g. the family court.")
    case_number = models.CharField(max_length=40, blank=True)
    issued_on = models.DateField(
        "issued on",
        null=True,
        blank=True,
        help_text="Empty while hearings are listed before the application is issued.",
    )
    target_on = models.DateField(
        "26-week date",
        null=True,
        blank=True,
        editable=False,
        help_text=(
            "The last day of the 26 weeks beginning with the issue day (Children Act 1989 "
            "s32(1)(a)(ii))."
        ),
    )
    extended_to = models.DateField(
        "extended to",
        null=True,
        blank=True,
        editable=False,
        help_text="The end date of the latest extension the court granted.",
    )
    concluded_on = models.DateField("concluded on", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
        null=True,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-issued_on", "-id"]
        verbose_name_plural = "proceedings"
        constraints = [
            dates_in_order(
                "concluded_on",
                "issued_on",
                name="proceedings_concluded_after_issue",
                message="Proceedings conclude after they are issued.",
            ),
            models.CheckConstraint(
                condition=Q(concluded_on__isnull=True) | Q(issued_on__isnull=False),
                name="proceedings_concluded_only_once_issued",
                violation_error_message="Give the date the proceedings were issued.",
            ),
        ]

    def __str__(self):
        # No case number: it names the family at court (audit entries use this text).
        if self.issued_on is None:
            return f"Proceedings {self.pk or '(new)'}, not yet issued"
        return f"Proceedings {self.pk or '(new)'} issued {formats.day(self.issued_on)}"

    def get_absolute_url(self):
        return reverse("admin:placements_proceedings_change", args=[self.pk])

    @property
    def ends_on(self) -> date | None:
        """The end of the period allowed now: the latest extension, or the 26 weeks."""
        return self.extended_to or self.target_on


class ProceedingsExtension(CaseRecord):
    """The court extended the period for the care proceedings to the date it set.

    Each extension ends no more than 8 weeks after the later of the end of the period it
    extends and the day it is granted (Children Act 1989 s32(8)); the services check it.
    """

    proceedings = models.ForeignKey(
        Proceedings,
        on_delete=models.CASCADE,
        related_name="extensions",
    )
    granted_on = models.DateField()
    ends_on = models.DateField(
        "extended to",
        help_text="The last day of the extended period, as the court set it.",
    )
    reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["proceedings", "granted_on", "id"]
        verbose_name = "extension of the 26 weeks"
        verbose_name_plural = "extensions of the 26 weeks"
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gt=F("granted_on")),
                name="extension_ends_after_it_is_granted",
                violation_error_message="An extension ends after the day it is granted.",
            )
        ]

    def __str__(self):
        return f"Extended to {formats.day(self.ends_on)} (granted {formats.day(self.granted_on)})"


class Hearing(CaseRecord):
    class Kind(models.TextChoices):
        CASE_MANAGEMENT = "case_management", "Case management hearing"
        FURTHER_CASE_MANAGEMENT = "further_case_management", "Further case management hearing"
        ISSUES_RESOLUTION = "issues_resolution", "Issues resolution hearing"
        FINAL = "final", "Final hearing"
        PLACEMENT_ORDER = "placement_order", "Placement order hearing"
        ADOPTION_ORDER = "adoption_order", "Adoption order hearing"
        OTHER = "other", "Other hearing"

    proceedings = models.ForeignKey(
        Proceedings,
        on_delete=models.CASCADE,
        related_name="hearings",
    )
    held_on = models.DateField("date")
    kind = models.CharField("type", max_length=30, choices=Kind.choices)
    outcome_note = models.CharField(
        max_length=500, blank=True, help_text="Short: what the court decided or directed."
    )

    class Meta:
        ordering = ["proceedings", "held_on", "id"]

    def __str__(self):
        return f"{self.get_kind_display()}, {formats.day(self.held_on)}"


class CourtOrder(models.Model):
    """An order for one child. Recorded through the services: it changes the legal status."""

    class Kind(models.TextChoices):
        INTERIM_CARE_ORDER = "interim_care_order", "Interim care order"
        CARE_ORDER = "care_order", "Care order"
        PLACEMENT_ORDER = "placement_order", "Placement order"
        ADOPTION_ORDER = "adoption_order", "Adoption order"
        SPECIAL_GUARDIANSHIP_ORDER = "special_guardianship_order", "Special guardianship order"
        CHILD_ARRANGEMENTS_ORDER = "child_arrangements_order", "Child arrangements order"
        SUPERVISION_ORDER = "supervision_order", "Supervision order"
        NO_ORDER = "no_order", "No order (proceedings ended)"

    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="court_orders")
    proceedings = models.ForeignKey(
        Proceedings,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="orders",
        help_text="The proceedings in which the order was made, where recorded.",
    )
    placement = models.ForeignKey(
        Placement,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="court_orders",
        help_text="The placement the child was in when the order was recorded.",
    )
    kind = models.CharField("order", max_length=40, choices=Kind.choices)
    made_on = models.DateField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", editable=False
    )
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["child", "made_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["child", "kind", "made_on"], name="court_order_once_per_child_and_day"
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()}, {formats.day(self.made_on)}"


class LookedAfterReview(CaseRecord):
    """A review of one child's case: a looked-after child review chaired by the independent
    reviewing officer, or an adoption review once the child is placed for adoption. It
    belongs to the child; ``placement`` says where the child lived then."""

    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="reviews")
    placement = models.ForeignKey(
        Placement, on_delete=models.CASCADE, null=True, blank=True, related_name="reviews"
    )
    held_on = models.DateField("date")
    visit_interval_weeks = models.PositiveSmallIntegerField(
        "visits every (weeks)",
        null=True,
        blank=True,
        help_text=(
            "After placement for adoption: how often the review decided the child and the "
            "adopters are visited (AAR reg 36(4)). Left empty, visits stay weekly."
        ),
    )
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["child", "held_on", "id"]
        verbose_name = "review of the child's case"
        verbose_name_plural = "reviews of the child's case"
        constraints = [
            models.CheckConstraint(
                condition=Q(visit_interval_weeks__isnull=True)
                | Q(visit_interval_weeks__gte=1, visit_interval_weeks__lte=26),
                name="review_visit_interval_one_to_26_weeks",
                violation_error_message="Visits are set between every week and every 26 weeks.",
            ),
            models.UniqueConstraint(
                fields=["child", "held_on"],
                name="review_once_per_child_and_day",
                violation_error_message="A review on that date is already recorded.",
            ),
        ]

    def __str__(self):
        return f"Looked-after child review, {formats.day(self.held_on)}"


class SocialWorkerVisit(CaseRecord):
    """A statutory visit to the child in a placement (CPPCR reg 28, AAR reg 36(4))."""

    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="visits")
    placement = models.ForeignKey(Placement, on_delete=models.CASCADE, related_name="visits")
    visited_on = models.DateField("date")
    seen_alone = models.BooleanField("child seen alone", default=False)
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["child", "visited_on", "id"]
        verbose_name = "social worker visit"
        constraints = [
            models.UniqueConstraint(
                fields=["child", "visited_on"],
                name="visit_once_per_child_and_day",
                violation_error_message="A visit on that date is already recorded.",
            )
        ]

    def __str__(self):
        return f"Visit, {formats.day(self.visited_on)}"


class PlacementDeadline(DeadlineBase):
    """An open clock on a placement: what is due, by when (``portal.deadlines``)."""

    class Kind(models.TextChoices):
        REVIEW = "review", "Review of the child's case"
        VISIT = "visit", "Visit to the child"
        INITIAL_HEALTH = "initial_health", "Initial health assessment"
        REVIEW_HEALTH = "review_health", "Review health assessment"
        PROCEEDINGS = "proceedings", "Care proceedings (26 weeks)"
        AUTHORITY = "authority", "Consent or placement order by six weeks old"
        ADOPTION_APPLICATION = "adoption_application", "Adoption order application possible"

    placement = models.ForeignKey(Placement, on_delete=models.CASCADE, related_name="deadlines")
    # The child the clock is for; empty for the placement's own (the adoption application).
    child = models.ForeignKey(
        Child, on_delete=models.CASCADE, null=True, blank=True, related_name="deadlines"
    )
    kind = models.CharField(max_length=30, choices=Kind.choices)
    # Who holds the duty: where it is the placing authority, the row is a chase item for
    # the carers' social worker ("confirm the review has been held"), not the agency's own.
    duty = models.CharField(max_length=20, choices=Duty.choices, blank=True)
    # The person reminded: the agency's worker for the child where it holds the duty, else
    # the carers' social worker (``reminded_to`` is their address, or the team mailbox).
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    # The 10-week date says when the carers may apply; nothing is late when it passes.
    never_late_kinds = (Kind.ADOPTION_APPLICATION,)

    class Meta(DeadlineBase.Meta):
        verbose_name = "placement deadline"
        constraints = [
            models.UniqueConstraint(
                fields=["placement", "kind"],
                condition=Q(child__isnull=True),
                name="placement_deadline_one_per_kind",
            ),
            models.UniqueConstraint(
                fields=["placement", "kind", "child"],
                condition=Q(child__isnull=False),
                name="placement_deadline_one_per_kind_and_child",
            ),
        ]
        indexes = [models.Index(fields=["placement", "due_on"], name="placement_deadline_due_idx")]


# Kinds that are late once their date has passed (lists, digests, measures use this).
OVERDUE_KINDS = [
    PlacementDeadline.Kind.REVIEW,
    PlacementDeadline.Kind.VISIT,
    PlacementDeadline.Kind.INITIAL_HEALTH,
    PlacementDeadline.Kind.REVIEW_HEALTH,
    PlacementDeadline.Kind.PROCEEDINGS,
    PlacementDeadline.Kind.AUTHORITY,
]


class ChildNote(CaseNoteBase):
    """A case note on a child (``portal.casenotes``): written once, corrected by another."""

    # PROTECT: a child with notes is never deleted with them; the notes are kept.
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="notes")

    class Meta(CaseNoteBase.Meta):
        verbose_name = "child note"
        indexes = [models.Index(fields=["child", "-happened_on"], name="childnote_child_idx")]


class PlacementNote(CaseNoteBase):
    """A case note on a placement (``portal.casenotes``): written once, corrected by another."""

    # PROTECT: a placement with notes is never deleted with them; the notes are kept.
    placement = models.ForeignKey(Placement, on_delete=models.PROTECT, related_name="notes")

    class Meta(CaseNoteBase.Meta):
        verbose_name = "placement note"
        indexes = [
            models.Index(fields=["placement", "-happened_on"], name="placementnote_placement_idx")
        ]


# ---------------------------------------------------------------------------
# Matching: from a placing authority's referral to a linked and agreed match
# ---------------------------------------------------------------------------


class PostcodeDistrict(models.Model):
    """Where a postcode district (the outward code, "OK1") lies: the centre of its
    postcodes, for the estimated travel time between carers and a family-time venue.

    Loaded from a file (``manage.py load_postcode_districts``); the portal ships the
    demo area's districts.
    """

    district = models.CharField(max_length=4, unique=True)
    latitude = models.DecimalField(max_digits=8, decimal_places=5)
    longitude = models.DecimalField(max_digits=8, decimal_places=5)

    class Meta:
        ordering = ["district"]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    latitude__gte=49, latitude__lte=61, longitude__gte=-9, longitude__lte=3
                ),
                name="postcode_district_in_the_uk",
                violation_error_message="The centre must lie in the United Kingdom.",
            )
        ]

    def __str__(self):
        return self.district


class Referral(models.Model):
    """A placing local authority asks the agency to find Early Permanence carers for a
    child (often before birth). Its status moves only through ``services.matching``."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        LINKING = "linking", "Linking"
        MATCHED = "matched", "Matched"
        PLACED = "placed", "Placed"
        WITHDRAWN = "withdrawn", "Withdrawn"
        PLACED_ELSEWHERE = "placed_elsewhere", "Placed elsewhere"

    class LegalPosition(models.TextChoices):
        PRE_BIRTH = "pre_birth", "Pre-birth assessment"
        PRE_PROCEEDINGS = "pre_proceedings", "Pre-proceedings (Public Law Outline)"
        PROCEEDINGS = "proceedings", "Care proceedings issued"

    reference = reference_field("e.g. RF00003.")
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="referrals")
    hospital = models.CharField(
        max_length=120, blank=True, help_text="Where the baby is expected to be born."
    )
    child_social_worker = models.ForeignKey(
        Professional,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="referrals",
        verbose_name="child's social worker",
        limit_choices_to={"role": "child_social_worker"},
    )
    social_worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="referrals_allocated",
        verbose_name="family-finding social worker",
        help_text="Reminded of the referral's clocks. Empty: the team mailbox.",
    )
    received_on = models.DateField("received on")
    needed_by = models.DateField(
        "carers needed by", help_text="The due date, or the day the child leaves hospital."
    )
    route = models.CharField("route sought", max_length=20, choices=Placement.Route.choices)
    legal_position = models.CharField(max_length=20, choices=LegalPosition.choices)
    brothers_and_sisters = models.PositiveSmallIntegerField(
        "brothers and sisters to be placed together",
        default=0,
        help_text="How many others are to be placed with the child (0 for the child alone).",
    )
    health_uncertainty = models.BooleanField("health or developmental uncertainty", default=False)
    exposure_in_pregnancy = models.BooleanField(
        "exposure in pregnancy (alcohol, drugs)", default=False
    )
    disability = models.BooleanField("a known disability", default=False)
    heritage = models.CharField(max_length=120, blank=True)
    religion = models.CharField(max_length=80, blank=True)
    language = models.CharField("first language of the birth family", max_length=80, blank=True)
    family_time_per_week = models.PositiveSmallIntegerField(
        "proposed family time (times a week)", default=3
    )
    family_time_town = models.CharField(
        "family-time town or venue", max_length=120, help_text="e.g. the family centre, Oakford."
    )
    family_time_district = models.CharField(
        "family-time postcode district",
        max_length=4,
        help_text="The outward code of the venue's postcode (e.g. OK1): for the travel times.",
    )
    family_time_supervised = models.BooleanField("family time supervised", default=True)
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.OPEN, editable=False
    )
    status_changed_on = models.DateField(editable=False)
    acknowledged_on = models.DateField(null=True, blank=True, editable=False)
    closed_reason = models.CharField(max_length=300, blank=True, editable=False)
    emergency_reason = models.CharField(
        "emergency placement without an agreed match: why",
        max_length=500,
        blank=True,
        editable=False,
    )
    emergency_agreed_by = models.CharField(
        "emergency agreed by", max_length=120, blank=True, editable=False
    )
    emergency_recorded_on = models.DateField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["needed_by", "id"]
        constraints = [
            dates_in_order(
                "acknowledged_on",
                "received_on",
                name="referral_acknowledged_after_received",
                message="A referral is acknowledged after it is received.",
                nullable=("acknowledged_on",),
            ),
            models.CheckConstraint(
                condition=Q(brothers_and_sisters__lte=6),
                name="referral_at_most_six_brothers_and_sisters",
                violation_error_message="At most six brothers and sisters placed together.",
            ),
            models.CheckConstraint(
                condition=Q(family_time_per_week__gte=0, family_time_per_week__lte=14),
                name="referral_family_time_up_to_fourteen_a_week",
                violation_error_message="Family time is between 0 and 14 times a week.",
            ),
            models.CheckConstraint(
                condition=Q(emergency_reason="") | ~Q(emergency_agreed_by=""),
                name="referral_emergency_says_who_agreed",
                violation_error_message="Say who agreed the emergency placement.",
            ),
        ]
        indexes = [models.Index(fields=["status", "needed_by"], name="referral_status_idx")]

    def __str__(self):
        return self.reference or f"Referral {self.pk or '(new)'}"

    def get_absolute_url(self):
        return reverse("admin:placements_referral_change", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status in (self.Status.OPEN, self.Status.LINKING, self.Status.MATCHED)

    @property
    def children_to_place(self) -> int:
        return 1 + self.brothers_and_sisters


class MatchingPause(models.Model):
    """Approved carers not available for linking for a while (a holiday, a bereavement,
    a move): the linking page leaves them out until the pause ends."""

    household = models.ForeignKey(
        "carers.Household", on_delete=models.CASCADE, related_name="matching_pauses"
    )
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True, help_text="Empty until known.")
    reason = models.CharField(max_length=200, help_text="No personal details needed.")

    class Meta:
        ordering = ["household", "-starts_on", "id"]
        verbose_name = "carers on hold for matching"
        verbose_name_plural = "carers on hold for matching"
        constraints = [
            dates_in_order(
                "ends_on",
                "starts_on",
                name="matching_pause_ends_after_it_starts",
                message="The hold cannot end before it starts.",
                nullable=("ends_on",),
            )
        ]

    def __str__(self):
        until = f" to {formats.day(self.ends_on)}" if self.ends_on else ""
        return f"On hold from {formats.day(self.starts_on)}{until}"


class Link(models.Model):
    """A household put forward for a referral: the carers hear about the child, meet the
    child's social worker and decide; the placing authority chooses one household."""

    class Decision(models.TextChoices):
        YES = "yes", "Want to go ahead"
        NO = "no", "Do not want to go ahead"

    class Outcome(models.TextChoices):
        OPEN = "open", "Open"
        CHOSEN = "chosen", "Chosen by the placing authority"
        CLOSED = "closed", "Closed"

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="links")
    household = models.ForeignKey(
        "carers.Household", on_delete=models.PROTECT, related_name="links"
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", editable=False
    )
    proposed_on = models.DateField()
    reasons = models.TextField("why these carers", max_length=2000)
    shared_on = models.DateField("information shared with the carers on", null=True, blank=True)
    met_social_worker_on = models.DateField(
        "met the child's social worker on", null=True, blank=True
    )
    carers_decision = models.CharField(
        "carers' decision", max_length=5, choices=Decision.choices, blank=True, editable=False
    )
    carers_decided_on = models.DateField(null=True, blank=True, editable=False)
    agency_view = models.TextField("the agency's view", max_length=2000, blank=True)
    outcome = models.CharField(
        max_length=10, choices=Outcome.choices, default=Outcome.OPEN, editable=False
    )
    outcome_on = models.DateField(null=True, blank=True, editable=False)
    closed_reason = models.CharField(max_length=300, blank=True, editable=False)

    class Meta:
        ordering = ["referral", "proposed_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["referral", "household"],
                name="link_household_once_per_referral",
                violation_error_message="These carers are already linked with the referral.",
            ),
            models.UniqueConstraint(
                fields=["referral"],
                condition=Q(outcome="chosen"),
                name="link_one_chosen_per_referral",
            ),
            dates_in_order(
                "carers_decided_on",
                "proposed_on",
                name="link_decision_after_proposal",
                nullable=("carers_decided_on",),
            ),
            models.CheckConstraint(
                condition=Q(carers_decision="", carers_decided_on__isnull=True)
                | (~Q(carers_decision="") & Q(carers_decided_on__isnull=False)),
                name="link_decision_has_a_date",
            ),
        ]

    def __str__(self):
        return f"{self.household} for {self.referral}"


class Match(models.Model):
    """The Early Permanence match: the chosen carers and the child, agreed by the placing
    authority before the child is placed (``services.matching``)."""

    referral = models.OneToOneField(Referral, on_delete=models.PROTECT, related_name="match")
    link = models.OneToOneField(Link, on_delete=models.PROTECT, related_name="match")
    meeting_on = models.DateField("matching meeting on")
    attended = models.CharField("who attended", max_length=300)
    report = models.ForeignKey(
        ChildDocument,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="EP matching report",
        help_text="Covers the carers as foster carers and as prospective adopters.",
    )
    support_plan = models.TextField(max_length=4000)
    family_time_transport_plan = models.TextField("family time and transport plan", max_length=4000)
    decided_on = models.DateField("placing authority's decision on")
    deciding_officer = models.CharField("placing authority's deciding officer", max_length=120)
    reg_25a_assessed_on = models.DateField(
        "reg 25A suitability assessment on",
        null=True,
        blank=True,
        help_text="Fostering for Adoption by carers not approved as foster carers.",
    )
    reg_25a_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="reg 25A approving officer",
    )
    carers_told_on = models.DateField("carers told of the match on")
    expected_placement_on = models.DateField("expected placement date")
    placement = models.OneToOneField(
        Placement,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="match",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", editable=False
    )
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = "EP match"
        verbose_name_plural = "EP matches"
        constraints = [
            dates_in_order(
                "decided_on",
                "meeting_on",
                name="match_decided_after_meeting",
                message="The placing authority decides after the matching meeting.",
            ),
            dates_in_order(
                "carers_told_on",
                "meeting_on",
                name="match_carers_told_after_meeting",
                message="The carers are told of the match after the matching meeting.",
            ),
        ]

    def __str__(self):
        return f"Match {self.pk or '(new)'}"


class ReferralDeadline(DeadlineBase):
    """An open clock on a referral (``portal.deadlines``): agency policy, in settings."""

    class Kind(models.TextChoices):
        ACKNOWLEDGE = "acknowledge", "Acknowledge the referral"
        CARERS_DECISION = "carers_decision", "The carers' decision"
        MATCH_AGREED = "match_agreed", "Match agreed"

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="deadlines")
    link = models.ForeignKey(
        Link, on_delete=models.CASCADE, null=True, blank=True, related_name="deadlines"
    )
    kind = models.CharField(max_length=30, choices=Kind.choices)
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta(DeadlineBase.Meta):
        verbose_name = "referral deadline"
        constraints = [
            models.UniqueConstraint(
                fields=["referral", "kind"],
                condition=Q(link__isnull=True),
                name="referral_deadline_one_per_kind",
            ),
            models.UniqueConstraint(
                fields=["referral", "kind", "link"],
                condition=Q(link__isnull=False),
                name="referral_deadline_one_per_kind_and_link",
            ),
        ]
        indexes = [models.Index(fields=["referral", "due_on"], name="referral_deadline_due_idx")]


class AdoptionMatch(models.Model):
    """The adoption match of a child placed from an EP match, once there is authority to
    place: the adoption placement report to the adoption panel (Adoption Agencies
    Regulations 2005 reg 31), the panel's recommendation (reg 32), the agency decision
    maker's decision (reg 33), and the adoption placement plan sent to the carers (reg
    35(2)). The child is placed for adoption only after it (``services.matching``)."""

    class Recommendation(models.TextChoices):
        MATCH = "match", "Recommends the match"
        NO_MATCH = "no_match", "Does not recommend the match"

    placement = models.OneToOneField(
        Placement, on_delete=models.PROTECT, related_name="adoption_match"
    )
    report = models.ForeignKey(
        ChildDocument,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="adoption placement report",
    )
    # The sitting that heard the match (an adoption or a joint sitting, quorate: AAR 2005
    # reg 6); empty only for matches recorded before sittings were named. Its date is
    # kept in ``panel_on`` so the database holds the decision to coming after it.
    panel = models.ForeignKey(
        "carers.PanelSitting",
        on_delete=models.PROTECT,
        null=True,
        related_name="adoption_matches",
        verbose_name="adoption panel sitting",
        limit_choices_to={"kind__in": ["adoption", "joint"]},
    )
    panel_on = models.DateField("adoption panel sat on", editable=False)
    panel_recommendation = models.CharField(max_length=10, choices=Recommendation.choices)
    decided_on = models.DateField("agency decision maker's decision on")
    decision = models.CharField(
        "agency decision maker's decision", max_length=10, choices=Recommendation.choices
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="agency decision maker",
    )
    plan_sent_on = models.DateField("adoption placement plan sent to the carers on")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", editable=False
    )
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = "adoption match"
        constraints = [
            dates_in_order(
                "decided_on",
                "panel_on",
                name="adoption_match_decided_after_panel",
                message="The agency decision maker decides after the adoption panel.",
            ),
            dates_in_order(
                "plan_sent_on",
                "decided_on",
                name="adoption_match_plan_after_decision",
                message="The adoption placement plan is sent after the decision.",
            ),
        ]

    def __str__(self):
        return f"Adoption match {self.pk or '(new)'}"


# ---------------------------------------------------------------------------
# Family time: the child's birth relatives, the versioned plan the court or the care
# plan sets, the sessions generated from it, and the moderated communication book.
# Everything here belongs to the child and is read through the child's page; a session
# names the placement the child lived in then (whose carers took them, and claim miles).
# ---------------------------------------------------------------------------


class BirthRelative(models.Model):
    """A member of the child's birth family who may see the child at family time.

    No address by default: contact goes through the child's social worker. Where an
    address must be kept, it is restricted (its own permission) and the reason is said.
    """

    class Relationship(models.TextChoices):
        MOTHER = "mother", "Mother"
        FATHER = "father", "Father"
        GRANDPARENT = "grandparent", "Grandparent"
        SIBLING = "sibling", "Brother or sister"
        AUNT_UNCLE = "aunt_uncle", "Aunt or uncle"
        OTHER = "other", "Other relative"

    class ContactRoute(models.TextChoices):
        CHILD_SOCIAL_WORKER = "child_social_worker", "Through the child's social worker only"
        SOLICITOR = "solicitor", "Through their solicitor"
        DIRECT = "direct", "Directly, as the child's social worker agreed"

    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="birth_relatives")
    relationship = models.CharField(max_length=20, choices=Relationship.choices)
    name = models.CharField(max_length=120)
    has_parental_responsibility = models.BooleanField("holds parental responsibility")
    contact_route = models.CharField(
        max_length=30, choices=ContactRoute.choices, default=ContactRoute.CHILD_SOCIAL_WORKER
    )
    address = models.TextField(
        "address (restricted)",
        max_length=300,
        blank=True,
        help_text="Leave empty unless it must be kept; only team managers see it.",
    )
    address_reason = models.CharField("why the address is kept", max_length=200, blank=True)

    class Meta:
        ordering = ["child", "relationship", "id"]
        verbose_name = "birth relative"
        permissions = [("see_relative_address", "Can see a birth relative's address")]
        constraints = [
            models.CheckConstraint(
                condition=Q(address="") | ~Q(address_reason=""),
                name="birth_relative_address_has_a_reason",
                violation_error_message="Say why the address must be kept.",
            )
        ]

    def __str__(self):
        # The relationship, not the name: lists, logs and the audit trail show this.
        return self.get_relationship_display()


class Handover(models.TextChoices):
    """How the child passes from the carers to the session, least guarded first."""

    IN_PERSON = "in_person", "Carers hand over in person"
    CONTACT_WORKER = "contact_worker", "Through a contact worker"
    NEVER_MEET = "never_meet", "Carers and parents never meet"


class FamilyTimePlan(models.Model):
    """One version of the child's family-time plan, as the court directed or the care plan
    set it. A new version ends the one before the day it starts; sessions are generated
    from the version in force (``services.family_time``).

    The duty is the placing authority's: Children Act 1989 s34(1) (a child in care is
    allowed reasonable contact with their parents and others with parental
    responsibility), s34(2)-(3) (the court may order the contact allowed), Sch 2 para 15
    (a looked-after child's contact is promoted). How often, where and how is the
    court's direction or the care plan: the portal records it and sets no number of its
    own; the alerts' thresholds are agency policy (settings ``FAMILY_TIME_*``).
    """

    class Source(models.TextChoices):
        COURT_DIRECTION = "court_direction", "Court direction"
        CARE_PLAN = "care_plan", "Care plan"

    class Supervision(models.TextChoices):
        SUPERVISED = "supervised", "Supervised throughout"
        SUPPORTED = "supported", "Supported (a worker nearby)"
        UNSUPERVISED = "unsupervised", "Unsupervised"

    class Transport(models.TextChoices):
        CARERS_DRIVE = "carers_drive", "The carers drive"
        AUTHORITY_DRIVER = "authority_driver", "The authority's driver"
        TAXI = "taxi", "Taxi"

    class Kind(models.TextChoices):
        REGULAR = "regular", "Family time"
        FAREWELL = "farewell", "Farewell family time"

    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="family_time_plans")
    version = models.PositiveSmallIntegerField(editable=False)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.REGULAR)
    source = models.CharField(max_length=20, choices=Source.choices)
    source_dated = models.DateField("date of the direction or care plan")
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True, help_text="Empty while it applies.")
    relatives = models.ManyToManyField(BirthRelative, related_name="plans", blank=True)
    weekdays = models.CharField(
        "days", max_length=7, help_text="The days of the week, Monday 0 to Sunday 6."
    )
    start_time = models.TimeField("starts at")
    length_minutes = models.PositiveSmallIntegerField("length (minutes)")
    venue = models.CharField(max_length=150, help_text="e.g. the family centre.")
    supervision = models.CharField(max_length=20, choices=Supervision.choices)
    supervising_organisation = models.CharField(max_length=150, blank=True)
    handover = models.CharField(max_length=20, choices=Handover.choices)
    transport = models.CharField(max_length=20, choices=Transport.choices)
    confirm_by = models.TimeField(
        "the parent confirms by", null=True, blank=True, help_text="On the day, e.g. 09:00."
    )
    late_cancel_minutes = models.PositiveSmallIntegerField(
        "cancelled when the parent is this late (minutes)", null=True, blank=True
    )
    # What the birth family must not learn about the carers.
    withhold_surname = models.BooleanField("the carers' surname", default=False)
    withhold_address = models.BooleanField("the carers' address", default=False)
    withhold_car = models.BooleanField("the carers' car registration", default=False)
    withhold_school = models.BooleanField("the school of the carers' own children", default=False)
    note = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        editable=False,
        related_name="+",
    )
    # The last day the plan's sessions were generated to (the horizon then): the hourly
    # job passes over a plan already generated to today's horizon. Empty until the first.
    generated_to = models.DateField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["child", "-version"]
        verbose_name = "family time plan"
        constraints = [
            models.UniqueConstraint(
                fields=["child", "version"], name="family_time_plan_version_once"
            ),
            models.UniqueConstraint(
                fields=["child"],
                condition=Q(ends_on__isnull=True),
                name="family_time_one_current_plan_per_child",
                violation_error_message="The child has a plan in force: a new version replaces it.",
            ),
            models.CheckConstraint(
                condition=Q(length_minutes__gte=15, length_minutes__lte=600),
                name="family_time_plan_length",
                violation_error_message="A session lasts between 15 minutes and 10 hours.",
            ),
            dates_in_order(
                "ends_on",
                "starts_on",
                name="family_time_plan_ends_after_it_starts",
                message="The plan cannot end before it starts.",
                nullable=("ends_on",),
            ),
        ]

    def __str__(self):
        return f"Plan version {self.version} from {formats.day(self.starts_on)}"

    @property
    def days(self) -> list[int]:
        return sorted({int(d) for d in self.weekdays})

    @property
    def sessions_per_week(self) -> int:
        return len(self.days)

    @property
    def withheld(self) -> list[str]:
        """What the birth family must not learn, in words (the flags shown on every page
        where family time is arranged)."""
        return [
            self._meta.get_field(name).verbose_name
            for name in ("withhold_surname", "withhold_address", "withhold_car", "withhold_school")
            if getattr(self, name)
        ]


class FamilyTimeSession(CaseRecord):
    """One family time session of the child: generated from the plan, or recorded.

    A session recorded by mistake (on the wrong child, a day the centre never opened) is
    withdrawn with a reason (``portal.versions``), never deleted: it leaves the lists,
    the counts and the alerts, and stays readable under "Withdrawn" on the child's page.
    """

    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        CONFIRMED = "confirmed", "Confirmed by the parent"
        TOOK_PLACE = "took_place", "Took place"
        PARENT_LATE = "parent_late", "Took place: the parent was late"
        PARENT_DID_NOT_ATTEND = "parent_did_not_attend", "The parent did not attend"
        CANCELLED_BY_AUTHORITY = "cancelled_by_authority", "Cancelled by the authority"
        CANCELLED_BY_CARERS = "cancelled_by_carers", "Cancelled by the carers"
        CANCELLED_BY_PARENT = "cancelled_by_parent", "Cancelled by the parent"
        CHILD_UNWELL = "child_unwell", "Cancelled: the child was unwell"
        # The plan's rules (``confirm_by``, ``late_cancel_minutes``) cancel the session.
        PARENT_DID_NOT_CONFIRM = "parent_did_not_confirm", "Cancelled: the parent did not confirm"
        CANCELLED_PARENT_LATE = "cancelled_parent_late", "Cancelled: the parent was late"

    class Claim(models.TextChoices):
        NONE = "", "No claim"
        SUBMITTED = "submitted", "Submitted"
        APPROVED = "approved", "Approved"
        PAID = "paid", "Paid"

    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="family_time_sessions")
    placement = models.ForeignKey(
        Placement,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="family_time_sessions",
        help_text="Where the child lived then: whose carers took them.",
    )
    plan = models.ForeignKey(
        FamilyTimePlan,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sessions",
        editable=False,
    )
    kind = models.CharField(
        max_length=10, choices=FamilyTimePlan.Kind.choices, default=FamilyTimePlan.Kind.REGULAR
    )
    held_on = models.DateField("date")
    starts_at = models.TimeField("starts at", null=True, blank=True)
    status = models.CharField(
        max_length=30, choices=Status.choices, default=Status.PLANNED, editable=False
    )
    cancelled_at = models.DateTimeField("cancellation given at", null=True, blank=True)
    parent_late_minutes = models.PositiveSmallIntegerField(
        "how late the parent was (minutes)", null=True, blank=True
    )
    note = models.CharField(
        "carers' note", max_length=500, blank=True, help_text="How the child was afterwards."
    )
    supervisor_note = models.ForeignKey(
        ChildDocument,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="supervisor's note",
    )
    miles = models.DecimalField(
        "carers' miles", max_digits=5, decimal_places=1, null=True, blank=True
    )
    claim = models.CharField(
        "mileage claim", max_length=10, choices=Claim.choices, blank=True, default=""
    )
    recorded_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["child", "-held_on", "-id"]
        verbose_name = "family time session"
        permissions = [("approve_mileage", "Can approve and pay carers' mileage claims")]
        indexes = [
            models.Index(fields=["placement", "held_on"], name="family_time_session_idx"),
            models.Index(fields=["child", "held_on"], name="family_time_child_idx"),
            # The staff list, newest first, of the sessions not withdrawn: read from the
            # top of this index rather than sorting every session (#20's bench).
            models.Index(
                F("held_on").desc(),
                F("starts_at").desc(),
                F("id").desc(),
                condition=Q(withdrawn_at__isnull=True),
                name="family_time_list_idx",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "held_on"],
                condition=Q(plan__isnull=False),
                name="family_time_session_once_per_plan_and_day",
            ),
            models.CheckConstraint(
                condition=Q(miles__isnull=True) | Q(miles__gte=0, miles__lte=1000),
                name="family_time_session_miles",
                violation_error_message="Miles are between 0 and 1,000.",
            ),
        ]

    def __str__(self):
        return f"Family time {formats.day(self.held_on)}: {self.get_status_display().lower()}"

    CANCELLED = (
        Status.CANCELLED_BY_AUTHORITY,
        Status.CANCELLED_BY_CARERS,
        Status.CANCELLED_BY_PARENT,
        Status.CHILD_UNWELL,
        Status.PARENT_DID_NOT_CONFIRM,
        Status.CANCELLED_PARENT_LATE,
    )
    # Cancelled because of the parent: counted as the parent's in the measures.
    BY_PARENT = (
        Status.CANCELLED_BY_PARENT,
        Status.PARENT_DID_NOT_CONFIRM,
        Status.CANCELLED_PARENT_LATE,
    )
    HELD = (Status.TOOK_PLACE, Status.PARENT_LATE)
    OPEN = (Status.PLANNED, Status.CONFIRMED)


class FamilyTimeFiguresBefore(models.Model):
    """The EP measures' family time figures over every session held before ``before`` (a
    Monday some weeks back), kept so that the measures over all years add up only the
    weeks since, however long the agency's history (``placements.measures``).

    At most one row. The hourly job writes it (``services.family_time_figures_keep``); a
    database trigger on the sessions deletes it the moment any session held before
    ``before`` is added, deleted, or changed in a column the figures read (migration
    0020): without one, the measures count every session afresh.
    """

    before = models.DateField(unique=True)
    planned = models.PositiveIntegerField()
    held = models.PositiveIntegerField()
    did_not_attend = models.PositiveIntegerField()
    not_recorded = models.PositiveIntegerField()
    cancelled_authority = models.PositiveIntegerField()
    cancelled_carers = models.PositiveIntegerField()
    cancelled_parent = models.PositiveIntegerField()
    cancelled_child_unwell = models.PositiveIntegerField()
    miles = models.DecimalField(max_digits=14, decimal_places=1)
    placement_weeks = models.PositiveIntegerField()
    counted_at = models.DateTimeField()
    # Which way they were counted (``measures.COUNTED_AS``): figures counted before a
    # change to what the measures count are not used, and are counted again.
    counted_as = models.CharField(max_length=16)

    class Meta:
        verbose_name = "family time figures kept for the measures"
        verbose_name_plural = verbose_name

    def __str__(self):
        return f"Family time figures before {self.before}"


class CommunicationBookEntry(CaseRecord):
    """A short entry in the book carers and birth parents keep for the child, shared with
    the other side only once the child's social worker has moderated it. An entry made
    on the wrong child is withdrawn with a reason (``portal.versions``), never deleted."""

    class Side(models.TextChoices):
        CARERS = "carers", "The carers"
        PARENTS = "parents", "The birth parents"

    class Status(models.TextChoices):
        AWAITING = "awaiting", "Awaiting moderation"
        SHARED = "shared", "Shared with the other side"
        HELD_BACK = "held_back", "Held back"

    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="communication_book")
    side = models.CharField("written by", max_length=10, choices=Side.choices)
    written_on = models.DateField()
    text = models.TextField(max_length=1000)
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.AWAITING, editable=False
    )
    held_back_reason = models.CharField(max_length=300, blank=True, editable=False)
    moderated_at = models.DateTimeField(null=True, blank=True, editable=False)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        editable=False,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["child", "-written_on", "-id"]
        verbose_name = "communication book entry"
        verbose_name_plural = "communication book entries"
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="held_back") | ~Q(held_back_reason=""),
                name="book_entry_held_back_with_reason",
            )
        ]

    def __str__(self):
        return f"{self.get_side_display()}, {formats.day(self.written_on)}"

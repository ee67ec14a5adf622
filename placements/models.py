"""Children in Early Permanence placements, and everything that happens to a placement.

A ``Placement`` is the case hub: the approved household, the child or brothers and
sisters placed together (``PlacementChild``), the route (Concurrency or Fostering for
Adoption, with a reg 25A ``TemporaryApproval`` for each named child when the carers
are not yet approved foster carers), the court timeline (proceedings dates on the
placement, ``ProceedingsExtension``, ``Hearing``, ``CourtOrder``), family time
(``FamilyTimeArrangement``, ``FamilyTimeSession``), looked-after child reviews and
social worker visits. Its status moves only through ``placements.services``; every
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


class HealthAssessment(models.Model):
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


class ChildDocument(AuditNamed, models.Model):
    """A paper about the child, kept apart from the carers' file, in private storage."""

    class Kind(models.TextChoices):
        CPR = "cpr", "Child permanence report"
        HEALTH = "health", "Health report"
        COURT_ORDER = "court_order", "Court order"
        PLACEMENT_PLAN = "placement_plan", "Placement plan"
        CARE_PLAN = "care_plan", "Care plan"
        CONSENT = "consent", "Consent form"
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


class ProceedingsExtension(models.Model):
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


class Hearing(models.Model):
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


class FamilyTimeArrangement(models.Model):
    """How often the child sees the birth family, where, and whether it is supervised."""

    placement = models.ForeignKey(
        Placement,
        on_delete=models.CASCADE,
        related_name="family_time_arrangements",
    )
    child = models.ForeignKey(
        Child,
        on_delete=models.PROTECT,
        related_name="family_time_arrangements",
    )
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True, help_text="Empty while it applies.")
    times_per_week = models.PositiveSmallIntegerField()
    venue = models.CharField(max_length=150, help_text="e.g. the family centre.")
    supervised = models.BooleanField(default=True)
    with_whom = models.CharField(
        "with", max_length=100, blank=True, help_text="e.g. mother; father (no names needed)."
    )

    class Meta:
        ordering = ["placement", "-starts_on", "id"]
        verbose_name = "family time arrangement"
        constraints = [
            models.CheckConstraint(
                condition=Q(times_per_week__gte=1, times_per_week__lte=14),
                name="family_time_one_to_fourteen_a_week",
                violation_error_message="Family time is between 1 and 14 times a week.",
            ),
            dates_in_order(
                "ends_on",
                "starts_on",
                name="family_time_ends_after_it_starts",
                message="The arrangement cannot end before it starts.",
                nullable=("ends_on",),
            ),
            models.UniqueConstraint(
                fields=["child"],
                condition=Q(ends_on__isnull=True),
                name="family_time_one_current_arrangement_per_child",
                violation_error_message=(
                    "Give the current arrangement an end date before adding a new one."
                ),
            ),
        ]

    def __str__(self):
        supervised = "supervised" if self.supervised else "unsupervised"
        return f"{self.times_per_week} a week, {supervised}, at {self.venue}"


class FamilyTimeSession(models.Model):
    class Status(models.TextChoices):
        TOOK_PLACE = "took_place", "Took place"
        CANCELLED_BY_PARENT = "cancelled_by_parent", "Cancelled by the parent"
        PARENT_DID_NOT_ATTEND = "parent_did_not_attend", "Parent did not come"
        CANCELLED_BY_AGENCY = "cancelled_by_agency", "Cancelled by the agency"
        CHILD_UNWELL = "child_unwell", "Cancelled: the child was unwell"

    placement = models.ForeignKey(
        Placement, on_delete=models.CASCADE, related_name="family_time_sessions"
    )
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="family_time_sessions")
    held_on = models.DateField("date")
    status = models.CharField(max_length=30, choices=Status.choices)
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["placement", "-held_on", "-id"]
        verbose_name = "family time session"
        indexes = [
            models.Index(fields=["placement", "held_on"], name="family_time_session_idx"),
            models.Index(fields=["child", "held_on"], name="family_time_child_idx"),
        ]

    def __str__(self):
        return f"Family time {formats.day(self.held_on)}: {self.get_status_display().lower()}"


class LookedAfterReview(models.Model):
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


class SocialWorkerVisit(models.Model):
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

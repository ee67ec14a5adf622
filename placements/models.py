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
from portal.casenotes import CaseNoteBase
from portal.constraints import dates_in_order
from portal.deadlines import DeadlineBase
from portal.references import reference_field

# Choices (and the admin's search) for a placement's household: approved adopters only.
APPROVED_ADOPTERS = Q(status="approved", adopter_approved_on__isnull=False)


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
    entered_care_on = models.DateField(
        "entered care on",
        null=True,
        blank=True,
        help_text="The day the child became looked after (for the EP measures).",
    )
    placing_local_authority = models.CharField(max_length=80)
    sibling_group = models.ForeignKey(
        SiblingGroup,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="children",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "children"
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
        ]

    def __str__(self):
        return f"{self.reference or 'Child'} ({self.initials})"

    def get_absolute_url(self):
        return reverse("admin:placements_child_change", args=[self.pk])

    @property
    def initials(self) -> str:
        letters = [name[:1].upper() for name in (self.first_name, self.last_name) if name]
        return ".".join(letters) + "." if letters else "—"

    @property
    def full_name(self) -> str:
        return formats.full_name(self.first_name, self.last_name)

    @property
    def is_born(self) -> bool:
        return self.date_of_birth is not None


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
    # The court timeline: one set of care proceedings for the children in the placement.
    court = models.CharField(max_length=120, blank=True, help_text="e.g. the family court.")
    case_number = models.CharField(max_length=40, blank=True)
    proceedings_issued_on = models.DateField("care proceedings issued on", null=True, blank=True)
    proceedings_target_on = models.DateField(
        "26-week date",
        null=True,
        blank=True,
        editable=False,
        help_text=(
            "The last day of the 26 weeks beginning with the issue day (Children Act 1989 "
            "s32(1)(a)(ii))."
        ),
    )
    proceedings_extended_to = models.DateField(
        "extended to",
        null=True,
        blank=True,
        editable=False,
        help_text="The end date of the latest extension the court granted.",
    )
    proceedings_concluded_on = models.DateField(
        "care proceedings concluded on", null=True, blank=True
    )
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
            models.CheckConstraint(
                condition=Q(proceedings_concluded_on__isnull=True)
                | Q(
                    proceedings_issued_on__isnull=False,
                    proceedings_concluded_on__gte=F("proceedings_issued_on"),
                ),
                name="placement_proceedings_concluded_after_issue",
                violation_error_message="Proceedings conclude after they are issued.",
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


class ProceedingsExtension(models.Model):
    """The court extended the period for the care proceedings to the date it set.

    Each extension ends no more than 8 weeks after the later of the end of the period it
    extends and the day it is granted (Children Act 1989 s32(8)); the services check it.
    """

    placement = models.ForeignKey(
        Placement, on_delete=models.CASCADE, related_name="proceedings_extensions"
    )
    granted_on = models.DateField()
    ends_on = models.DateField(
        "extended to",
        help_text="The last day of the extended period, as the court set it.",
    )
    reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["placement", "granted_on", "id"]
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

    placement = models.ForeignKey(Placement, on_delete=models.CASCADE, related_name="hearings")
    held_on = models.DateField("date")
    kind = models.CharField("type", max_length=30, choices=Kind.choices)
    outcome_note = models.CharField(
        max_length=500, blank=True, help_text="Short: what the court decided or directed."
    )

    class Meta:
        ordering = ["placement", "held_on", "id"]

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

    placement = models.ForeignKey(Placement, on_delete=models.CASCADE, related_name="court_orders")
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="court_orders")
    kind = models.CharField("order", max_length=40, choices=Kind.choices)
    made_on = models.DateField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", editable=False
    )
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["placement", "made_on", "id"]
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
        Placement, on_delete=models.CASCADE, related_name="family_time_arrangements"
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
                fields=["placement"],
                condition=Q(ends_on__isnull=True),
                name="family_time_one_current_arrangement",
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
    held_on = models.DateField("date")
    status = models.CharField(max_length=30, choices=Status.choices)
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["placement", "-held_on", "-id"]
        verbose_name = "family time session"
        indexes = [models.Index(fields=["placement", "held_on"], name="family_time_session_idx")]

    def __str__(self):
        return f"Family time {formats.day(self.held_on)}: {self.get_status_display().lower()}"


class LookedAfterReview(models.Model):
    """A looked-after child review (chaired by the independent reviewing officer)."""

    placement = models.ForeignKey(Placement, on_delete=models.CASCADE, related_name="reviews")
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
        ordering = ["placement", "held_on", "id"]
        verbose_name = "looked-after child review"
        constraints = [
            models.CheckConstraint(
                condition=Q(visit_interval_weeks__isnull=True)
                | Q(visit_interval_weeks__gte=1, visit_interval_weeks__lte=26),
                name="review_visit_interval_one_to_26_weeks",
                violation_error_message="Visits are set between every week and every 26 weeks.",
            ),
            models.UniqueConstraint(
                fields=["placement", "held_on"],
                name="review_once_per_placement_and_day",
                violation_error_message="A review on that date is already recorded.",
            ),
        ]

    def __str__(self):
        return f"Looked-after child review, {formats.day(self.held_on)}"


class SocialWorkerVisit(models.Model):
    """The child's social worker seeing the child in the placement."""

    placement = models.ForeignKey(Placement, on_delete=models.CASCADE, related_name="visits")
    visited_on = models.DateField("date")
    seen_alone = models.BooleanField("child seen alone", default=False)
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["placement", "visited_on", "id"]
        verbose_name = "social worker visit"
        constraints = [
            models.UniqueConstraint(
                fields=["placement", "visited_on"],
                name="visit_once_per_placement_and_day",
                violation_error_message="A visit on that date is already recorded.",
            )
        ]

    def __str__(self):
        return f"Visit, {formats.day(self.visited_on)}"


class PlacementDeadline(DeadlineBase):
    """An open clock on a placement: what is due, by when (``portal.deadlines``)."""

    class Kind(models.TextChoices):
        REVIEW = "review", "Looked-after child review"
        VISIT = "visit", "Social worker visit"
        PROCEEDINGS = "proceedings", "Care proceedings (26 weeks)"
        ADOPTION_APPLICATION = "adoption_application", "Adoption order application possible"

    placement = models.ForeignKey(Placement, on_delete=models.CASCADE, related_name="deadlines")
    kind = models.CharField(max_length=30, choices=Kind.choices)

    # The 10-week date says when the carers may apply; nothing is late when it passes.
    never_late_kinds = (Kind.ADOPTION_APPLICATION,)

    class Meta(DeadlineBase.Meta):
        verbose_name = "placement deadline"
        constraints = [
            models.UniqueConstraint(
                fields=["placement", "kind"], name="placement_deadline_one_per_kind"
            )
        ]
        indexes = [models.Index(fields=["placement", "due_on"], name="placement_deadline_due_idx")]


# Kinds that are late once their date has passed (lists, digests, measures use this).
OVERDUE_KINDS = [
    PlacementDeadline.Kind.REVIEW,
    PlacementDeadline.Kind.VISIT,
    PlacementDeadline.Kind.PROCEEDINGS,
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

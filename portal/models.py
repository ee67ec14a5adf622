from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.db.models import Q
from django.utils import timezone

from . import formats


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    """A person who signs in: staff, or a member of the public with an account.

    The email address is the login; there are no usernames.
    """

    username = None
    email = models.EmailField("email address", unique=True)
    is_demo_account = models.BooleanField(
        default=False,
        editable=False,
        help_text="Created by seed_demo. Exempt from staff MFA only while DEBUG is on.",
    )

    objects = UserManager()

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []

    class Meta:
        ordering = ["email"]
        permissions = [
            ("reallocate_caseload", "Can reallocate a case or move a caseload to another worker"),
            ("view_all_records", "Can see every case record (named senior staff)"),
        ]

    def __str__(self):
        return self.get_full_name() or self.email


class NotificationQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(sent_at__isnull=True, withdrawn_at__isnull=True, failed_at__isnull=True)

    def due(self, now=None):
        """Pending rows whose time has come and which no live sweep holds."""
        now = now or timezone.now()
        return self.pending().filter(
            Q(claimed_until__isnull=True) | Q(claimed_until__lte=now),
            due_at__lte=now,
            next_attempt_at__lte=now,
        )

    def failed_since(self, moment):
        """Rows given up at or after ``moment``."""
        return self.filter(sent_at__isnull=True, withdrawn_at__isnull=True, failed_at__gte=moment)

    def waiting_since(self, moment):
        """Pending rows that fell due before ``moment`` and are still not sent."""
        return self.pending().filter(due_at__lt=moment)


class Notification(models.Model):
    """One email in the outbox.

    Services create rows inside their own transaction; the worker delivers due
    rows. The key makes creating the same message twice harmless.
    """

    key = models.CharField(max_length=200, unique=True)
    to = models.EmailField(max_length=254)
    template = models.CharField(
        max_length=100, help_text="Name under templates/emails/, e.g. enquiries/booking_confirmed."
    )
    context = models.JSONField(default=dict, blank=True)
    attachments = models.JSONField(
        default=list,
        blank=True,
        help_text='Attachment specs built at delivery time, e.g. {"kind": "ics", "booking": 42}.',
    )
    due_at = models.DateTimeField(default=timezone.now, db_index=True)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Set when the recipient's server refused the message for good, "
        "or after it has been retried for OUTBOX_GIVE_UP_DAYS.",
    )
    withdrawn_at = models.DateTimeField(
        null=True, blank=True, help_text="Set when the message is no longer wanted."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    claimed_until = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="A sweep is sending this message; if that worker dies, another takes it "
        "after this time.",
    )

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["due_at", "id"]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                name="notification_pending_idx",
                condition=Q(
                    sent_at__isnull=True, withdrawn_at__isnull=True, failed_at__isnull=True
                ),
            ),
            # The team managers' panel counts failed and long-waiting rows among these.
            models.Index(
                fields=["due_at", "failed_at"],
                name="notification_unsent_idx",
                condition=Q(sent_at__isnull=True, withdrawn_at__isnull=True),
            ),
        ]

    def __str__(self):
        return self.key

    @property
    def status(self):
        if self.sent_at:
            return "sent"
        if self.withdrawn_at:
            return "withdrawn"
        if self.failed_at:
            return "failed"
        return "pending"


class StaffInvitation(models.Model):
    """A one-time link that lets a new member of staff set a password, then an authenticator.

    A carer (an account without staff status) is invited the same way by the first letter
    sent to them (``portal.letters``): after choosing a password they go to ``next_path``.
    Only a hash of the link's token is stored; the token itself is in the emailed link.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="staff_invitations")
    token_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(
        null=True, blank=True, help_text="Set when a newer invitation replaces this one."
    )
    next_path = models.CharField(
        max_length=200, blank=True, help_text="Where a carer goes once their password is set."
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"Invitation for {self.user} ({formats.day(self.created_at)})"

    def is_usable(self, now=None) -> bool:
        now = now or timezone.now()
        return self.used_at is None and self.withdrawn_at is None and self.expires_at > now


class LetterTemplate(models.Model):
    """The words of one kind of letter, edited by team managers; every save is a new version.

    ``title`` and ``body`` are the current version's (``versions`` keeps them all); the
    body is Markdown with merge fields such as ``{applicant_names}`` (``portal.letters``).
    """

    kind = models.CharField(max_length=60, unique=True, editable=False)
    title = models.CharField(max_length=150, help_text="The letter's heading.")
    body = models.TextField(max_length=20_000)
    version = models.PositiveIntegerField(default=0, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, editable=False, related_name="+"
    )

    class Meta:
        ordering = ["title", "kind"]
        verbose_name = "letter template"

    def __str__(self):
        return self.title


class LetterTemplateVersion(models.Model):
    """One saved version of a letter template, kept for good: letters name the one they used."""

    template = models.ForeignKey(LetterTemplate, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=150)
    body = models.TextField(max_length=20_000)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["template", "-number"]
        verbose_name = "letter template version"
        constraints = [
            models.UniqueConstraint(
                fields=["template", "number"], name="letter_template_version_unique_number"
            )
        ]

    def __str__(self):
        return f"{self.title}, version {self.number}"


class Letter(models.Model):
    """A letter produced from a template version for one record, stored as that record's
    document. Its PDF never changes: a new version of the template makes new letters only."""

    kind = models.CharField(max_length=60)
    version = models.ForeignKey(
        LetterTemplateVersion, on_delete=models.PROTECT, related_name="letters"
    )
    title = models.CharField(max_length=150)
    record_type = models.ForeignKey(
        "contenttypes.ContentType", on_delete=models.PROTECT, related_name="+"
    )
    record_id = models.PositiveBigIntegerField()
    document_type = models.ForeignKey(
        "contenttypes.ContentType", on_delete=models.PROTECT, related_name="+"
    )
    document_id = models.PositiveBigIntegerField()
    produced_at = models.DateTimeField(default=timezone.now)
    produced_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    recipients = models.ManyToManyField(User, related_name="letters", blank=True)

    class Meta:
        ordering = ["-produced_at", "-id"]
        indexes = [models.Index(fields=["record_type", "record_id"], name="letter_record_idx")]

    def __str__(self):
        return f"{self.title} ({formats.day(self.produced_at)})"


class ExportLog(models.Model):
    """One CSV download of records (``portal.exports``): who, which export, when, how many
    rows and with which filter. Never the rows, and never a name or a search's words."""

    export = models.CharField(max_length=80, help_text="Which export, e.g. “Enquiries”.")
    by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now, db_index=True)
    rows = models.PositiveIntegerField(help_text="How many rows the file held.")
    filters = models.JSONField(
        default=dict, blank=True, help_text="The filter the rows were chosen with."
    )

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = "export log entry"
        verbose_name_plural = "export log"

    def __str__(self):
        return f"{self.export}, {formats.day(timezone.localdate(self.at))}"


class CaseRecordLink(models.Model):
    """A record named by its kind and number (legal holds, shares, restrictions,
    break-glass)."""

    content_type = models.ForeignKey(
        "contenttypes.ContentType",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="kind of record",
    )
    object_id = models.PositiveBigIntegerField(
        "record number", help_text="The number of the record in its admin page's address."
    )

    class Meta:
        abstract = True

    @property
    def record(self):
        return self.content_type.get_object_for_this_type(pk=self.object_id)


class LegalHold(CaseRecordLink):
    """A named record the retention schedule must leave alone (a claim, a complaint, an
    inquiry): set and lifted by team managers in the admin."""

    reason = models.CharField(
        max_length=300, help_text="Why it is kept, e.g. the claim or inquiry it belongs to."
    )
    set_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", editable=False)
    set_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-set_at", "-id"]
        verbose_name = "legal hold"
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id"],
                name="legal_hold_once_per_record",
                violation_error_message="This record is already under a legal hold.",
            )
        ]

    def __str__(self):
        return f"Legal hold on {self.content_type.name} {self.object_id}"


class RetentionRun(models.Model):
    """What one run of the retention schedule did: counts per class, never names."""

    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(default=timezone.now)
    dry_run = models.BooleanField(default=False)
    trigger = models.CharField(max_length=20, default="beat")
    report = models.JSONField(default=dict)

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = "retention run"

    def __str__(self):
        return f"Retention run, {formats.day(self.started_at)}"

    @property
    def done(self) -> int:
        return sum(entry.get("done", 0) for entry in self.report.values())


class SubjectAccessRequest(models.Model):
    """A person's request for a copy of their personal data (UK GDPR Art. 15), and its clock.

    Only what is needed to find their records and answer them is kept: how they are
    identified (an email address and/or name and date of birth) and the dates.
    ``due_on`` is worked out from ``received_on`` (``portal.subject_access.due_on``);
    ``extended_to`` is set when the answer is extended by two further months.
    """

    email = models.EmailField("their email address", max_length=254, blank=True)
    first_name = models.CharField(max_length=80, blank=True)
    last_name = models.CharField(max_length=80, blank=True)
    date_of_birth = models.DateField(null=True, blank=True)
    received_on = models.DateField("request received on")
    due_on = models.DateField("answer due by", editable=False)
    extended_to = models.DateField(
        "extended to", null=True, blank=True, editable=False, help_text="Art. 12(3)."
    )
    extension_reason = models.CharField(max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, editable=False, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)
    last_produced_at = models.DateTimeField(null=True, blank=True, editable=False)
    completed_on = models.DateField("answered on", null=True, blank=True, editable=False)
    completed_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, editable=False, related_name="+"
    )

    class Meta:
        ordering = ["completed_on", "due_on", "id"]
        verbose_name = "subject access request"
        constraints = [
            models.CheckConstraint(
                condition=~Q(email="")
                | (~Q(first_name="") & ~Q(last_name="") & Q(date_of_birth__isnull=False)),
                name="subject_access_request_identifies_someone",
                violation_error_message=(
                    "Give their email address, or their name and date of birth."
                ),
            ),
            models.CheckConstraint(
                condition=Q(due_on__gte=models.F("received_on")),
                name="subject_access_request_due_after_received",
            ),
        ]

    def __str__(self):
        # No name: this is what the audit trail and messages record.
        return f"Subject access request {self.reference}"

    @property
    def reference(self) -> str:
        return f"SAR{self.pk:05d}" if self.pk else "(new)"

    @property
    def person(self):
        from .subject_access import Person

        return Person(
            email=self.email,
            first_name=self.first_name,
            last_name=self.last_name,
            date_of_birth=self.date_of_birth,
        )

    @property
    def answer_by(self):
        return self.extended_to or self.due_on

    def is_overdue(self, today=None) -> bool:
        today = today or timezone.localdate()
        return self.completed_on is None and self.answer_by < today


class RecordVersion(models.Model):
    """The earlier wording of a case-record field, kept when someone changes it
    (``portal.versions``): readable through the record, by whoever may see the record."""

    content_type = models.ForeignKey(
        "contenttypes.ContentType", on_delete=models.PROTECT, related_name="+"
    )
    object_id = models.PositiveBigIntegerField()
    field = models.CharField(max_length=60)
    text = models.TextField("earlier wording")
    changed_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-changed_at", "-id"]
        permissions = [("withdraw_record", "Can withdraw a case record entered by mistake")]
        indexes = [
            models.Index(
                fields=["content_type", "object_id", "-changed_at"], name="record_version_of_row"
            )
        ]

    def __str__(self):
        return f"Earlier {self.field}, changed {formats.day(self.changed_at)}"


# -- who sees which case records (portal.access) ------------------------------------------


class Team(models.Model):
    """Social workers and the team managers who see their caseloads."""

    name = models.CharField(max_length=80, unique=True)
    managers = models.ManyToManyField(
        User,
        related_name="teams_managed",
        blank=True,
        help_text="They see every case of the team's members.",
    )
    members = models.ManyToManyField(User, related_name="teams", blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class RecordShare(CaseRecordLink):
    """A team manager lets a worker outside the case's relationships see it."""

    shared_with = models.ForeignKey(User, on_delete=models.PROTECT, related_name="shares")
    reason = models.CharField(max_length=300, help_text="Why this worker needs the record.")
    shared_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", editable=False)
    shared_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-shared_at", "-id"]
        verbose_name = "shared record"
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id", "shared_with"],
                name="record_share_once_per_worker",
                violation_error_message="This record is already shared with this worker.",
            )
        ]

    def __str__(self):
        return f"{self.content_type.name} {self.object_id} shared with {self.shared_with}"


class Restriction(CaseRecordLink):
    """A record only the staff named here may open (a colleague's family, a case in the
    news). Even the all-records permission does not open it."""

    reason = models.CharField(max_length=300)
    staff = models.ManyToManyField(
        User, related_name="restricted_records", blank=True, verbose_name="named staff"
    )
    set_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", editable=False)
    set_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-set_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id"],
                name="restriction_once_per_record",
                violation_error_message="This record is already restricted.",
            )
        ]

    def __str__(self):
        return f"Restricted {self.content_type.name} {self.object_id}"


class BreakGlassOpening(CaseRecordLink):
    """A worker opened a record outside their caseload, saying why, for a limited time."""

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="break_glass")
    reason = models.TextField(max_length=2000)
    opened_at = models.DateTimeField(default=timezone.now)
    until = models.DateTimeField()

    class Meta:
        ordering = ["-opened_at", "-id"]
        verbose_name = "break-glass opening"
        indexes = [models.Index(fields=["user", "until"], name="break_glass_user_until_idx")]

    def __str__(self):
        return f"{self.content_type.name} {self.object_id} opened by {self.user}"

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone

from portal import formats
from portal.audit import AuditNamed

from .events import InformationEvent

# ---------------------------------------------------------------------------
# Enquiries and the recruitment pipeline
#
# An enquiry is a person's first approach to the agency through the public form.
# Its status moves only through the services in services/enquiries.py (one per move, under
# a row lock); each stage keeps the moment it was reached, which is what the
# clocks and the funnel report read. Personal details are blanked by the
# retention sweep once a closed enquiry is old enough (``anonymised_at``).
# ---------------------------------------------------------------------------


class Enquiry(AuditNamed, models.Model):
    """One person's (or couple's) enquiry, from the form to a Registration of Interest."""

    class Status(models.TextChoices):
        NEW = "new", "New"
        CONTACTED = "contacted", "Contacted"
        INFORMATION_PACK_SENT = "information_pack_sent", "Information pack sent"
        INITIAL_VISIT_BOOKED = "initial_visit_booked", "Initial visit booked"
        INITIAL_VISIT_DONE = "initial_visit_done", "Initial visit done"
        ROI_RECEIVED = "roi_received", "Registration of Interest received"
        CONVERTED = "converted", "Converted to a carer household"
        CLOSED = "closed", "Closed"

    class ClosedReason(models.TextChoices):
        NOT_ELIGIBLE = "not_eligible", "Not eligible"
        WITHDREW = "withdrew", "Withdrew"
        NO_RESPONSE = "no_response", "No response"
        MOVED_AWAY = "moved_away", "Moved away"
        DUPLICATE = "duplicate", "Duplicate"
        REFERRED_ELSEWHERE = "referred_elsewhere", "Referred to another agency"
        NOT_NOW = "not_now", "Not now"
        OTHER_ROUTE = "other_route", "Chose another route"
        NOT_SUITABLE_FOR_EP = "not_suitable_for_ep", "Not suitable for Early Permanence"
        KNOWN_HOUSEHOLD = "known_household", "Already one of our carer households"

    class Household(models.TextChoices):
        SINGLE = "single", "On my own"
        COUPLE = "couple", "With a partner"

    class Route(models.TextChoices):
        CONCURRENT_PLANNING = "concurrent_planning", "Concurrent Planning"
        FOSTERING_FOR_ADOPTION = "fostering_for_adoption", "Fostering for Adoption"
        NOT_SURE = "not_sure", "Not sure yet"

    class ContactMethod(models.TextChoices):
        EMAIL = "email", "Email"
        PHONE = "phone", "Phone"
        EITHER = "either", "Either"

    class ContactTime(models.TextChoices):
        MORNING = "morning", "Morning (9am to midday)"
        AFTERNOON = "afternoon", "Afternoon (midday to 5pm)"
        EVENING = "evening", "Early evening (5pm to 7pm)"
        ANY = "any", "Any time"

    class HeardAbout(models.TextChoices):
        SEARCH = "search", "Search engine"
        SOCIAL_MEDIA = "social_media", "Social media"
        FRIEND = "friend", "A friend or family member"
        LOCAL_AUTHORITY = "local_authority", "A local council or social worker"
        EVENT = "event", "At an information event"
        OTHER = "other", "Somewhere else"

    class Clock(models.TextChoices):
        FIRST_CONTACT = "first_contact", "First contact"
        INFORMATION_PACK = "information_pack", "Information pack"
        ROI_CHASE = "roi_chase", "Registration of Interest after the initial visit"
        ROI_DECISION = "roi_decision", "Decision on the Registration of Interest"

    OPEN_STATUSES = (
        Status.NEW,
        Status.CONTACTED,
        Status.INFORMATION_PACK_SENT,
        Status.INITIAL_VISIT_BOOKED,
        Status.INITIAL_VISIT_DONE,
        Status.ROI_RECEIVED,
    )

    status = models.CharField(
        max_length=30, choices=Status.choices, default=Status.NEW, editable=False
    )
    closed_reason = models.CharField(
        "reason for closing",
        max_length=20,
        choices=ClosedReason.choices,
        blank=True,
        editable=False,
    )
    # The person, as they told us on the form. Blanked when the enquiry is anonymised.
    first_name = models.CharField(max_length=50)
    last_name = models.CharField(max_length=50)
    email = models.EmailField("email address", max_length=254)
    phone = models.CharField("phone number", max_length=30, blank=True)
    postcode = models.CharField(max_length=10)
    contact_method = models.CharField(
        "preferred way to be contacted", max_length=10, choices=ContactMethod.choices
    )
    contact_time = models.CharField(
        "best time to be contacted", max_length=10, choices=ContactTime.choices
    )
    household = models.CharField(max_length=10, choices=Household.choices)
    partner_name = models.CharField("partner's name", max_length=100, blank=True)
    children_ages = models.JSONField(
        "ages of children living at home",
        default=list,
        blank=True,
        help_text="Ages only, as the enquirer gave them.",
    )
    route = models.CharField("route they are interested in", max_length=30, choices=Route.choices)
    aged_21_or_over = models.BooleanField(
        "confirmed aged 21 or over",
        default=False,
        help_text="No: someone younger registering their interest for later.",
    )
    heard_about = models.CharField(
        "how they heard about us", max_length=30, choices=HeardAbout.choices, blank=True
    )
    privacy_acknowledged_at = models.DateTimeField(
        "privacy notice acknowledged at", null=True, editable=False
    )
    sensitive_consent_at = models.DateTimeField(
        "consent to keep sensitive details given at",
        null=True,
        blank=True,
        editable=False,
        help_text="Empty: anything sensitive the enquirer wrote was not kept.",
    )
    # Withdrawn consent (UK GDPR Art. 7(3)): the sensitive details were cleared, the
    # enquiry kept; when and by whom it was recorded.
    sensitive_consent_withdrawn_at = models.DateTimeField(
        "consent to keep sensitive details withdrawn at", null=True, blank=True, editable=False
    )
    sensitive_consent_withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name="withdrawal recorded by",
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_enquiries",
        verbose_name="assigned to",
        help_text="Gets the reminders; the team mailbox does when nobody is assigned.",
    )
    assigned_at = models.DateTimeField(null=True, blank=True, editable=False)
    # When each stage was reached: the clocks and the funnel report read these.
    received_at = models.DateTimeField(default=timezone.now, editable=False, db_index=True)
    last_contact_at = models.DateTimeField(
        "last heard from at", default=timezone.now, editable=False
    )
    contacted_at = models.DateTimeField("first contact at", null=True, editable=False)
    information_pack_sent_at = models.DateTimeField(null=True, editable=False)
    initial_visit_booked_at = models.DateTimeField(null=True, editable=False)
    initial_visit_on = models.DateField("initial visit on", null=True, editable=False)
    initial_visit_done_at = models.DateTimeField(null=True, editable=False)
    roi_received_on = models.DateField(
        "Registration of Interest received on", null=True, editable=False
    )
    converted_at = models.DateTimeField(null=True, editable=False)
    household_reference = models.CharField(
        "carer household", max_length=20, blank=True, editable=False
    )
    closed_at = models.DateTimeField(null=True, editable=False)
    # Someone already one of our carer households who used the form again: recognised by
    # the carers app's hook (``services.enquiries.register_household_lookup``), given no clocks.
    known_household_reference = models.CharField(
        "already carer household", max_length=20, blank=True, editable=False
    )
    # The information event the enquirer booked before enquiring, if any: the funnel
    # report counts enquiries per event (kept when the enquiry is anonymised).
    after_event = models.ForeignKey(
        InformationEvent,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="enquiries_after",
        verbose_name="information event booked before enquiring",
    )
    # The earliest open clock, kept by the services so the list can filter on it.
    next_deadline = models.DateField(null=True, editable=False)
    next_deadline_clock = models.CharField(
        max_length=20, choices=Clock.choices, blank=True, editable=False
    )
    anonymised_at = models.DateTimeField(null=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name_plural = "enquiries"
        permissions = [
            ("export_enquiry", "Can export enquiries as CSV"),
            (
                "withdraw_sensitive_consent",
                "Can record a withdrawal of consent to keep sensitive details",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    status__in=[
                        "new",
                        "contacted",
                        "information_pack_sent",
                        "initial_visit_booked",
                        "initial_visit_done",
                        "roi_received",
                        "converted",
                        "closed",
                    ]
                ),
                name="enquiry_status_valid",
            ),
            models.CheckConstraint(
                condition=(Q(status="closed", closed_at__isnull=False) & ~Q(closed_reason=""))
                | (~Q(status="closed") & Q(closed_at__isnull=True, closed_reason="")),
                name="enquiry_closed_has_when_and_why",
            ),
            models.CheckConstraint(
                condition=(
                    Q(status="converted", converted_at__isnull=False) & ~Q(household_reference="")
                )
                | (~Q(status="converted") & Q(converted_at__isnull=True, household_reference="")),
                name="enquiry_converted_has_household",
            ),
            models.CheckConstraint(
                condition=Q(household="couple") | Q(partner_name=""),
                name="enquiry_partner_only_for_couples",
            ),
            models.CheckConstraint(
                condition=Q(anonymised_at__isnull=True) | Q(status="closed"),
                name="enquiry_anonymised_only_when_closed",
            ),
        ]
        indexes = [
            # Finding the open enquiry of someone who enquires again.
            models.Index(Lower("email"), "last_contact_at", name="enquiry_email_recent"),
            models.Index(fields=["status", "next_deadline"], name="enquiry_status_deadline"),
        ]

    def __str__(self):
        # No name here: this is what the audit log and admin messages record.
        return f"Enquiry {self.reference}"

    def get_absolute_url(self):
        return reverse("admin:enquiries_enquiry_change", args=[self.pk])

    @property
    def reference(self) -> str:
        return f"EQ{self.pk:05d}" if self.pk else "(new)"

    @property
    def full_name(self) -> str:
        return formats.full_name(self.first_name, self.last_name)

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    @property
    def is_anonymised(self) -> bool:
        return self.anonymised_at is not None

    def is_overdue(self, today=None) -> bool:
        today = today or timezone.localdate()
        return self.next_deadline is not None and self.next_deadline < today


class EnquiryContact(models.Model):
    """One time the person got in touch through the form.

    The first is the enquiry itself; someone who enquires again within the repeat
    window adds a contact to their open enquiry instead of starting a new one.
    """

    enquiry = models.ForeignKey(Enquiry, on_delete=models.CASCADE, related_name="contacts")
    received_at = models.DateTimeField(default=timezone.now)
    question = models.TextField("their question", max_length=2000, blank=True)
    sensitive_details = models.TextField(
        "sensitive details they shared",
        max_length=2000,
        blank=True,
        help_text="Kept only with the enquirer's explicit consent.",
    )
    sensitive_withheld = models.BooleanField(
        "sensitive details withheld",
        default=False,
        help_text="They wrote something sensitive but did not consent to it being kept: "
        "ask them about it when you talk.",
    )

    class Meta:
        ordering = ["received_at", "id"]
        verbose_name = "contact from the enquirer"
        verbose_name_plural = "contacts from the enquirer"

    def __str__(self):
        return f"Contact {self.pk} on {self.enquiry}"


class EnquiryStatusChange(models.Model):
    """Who moved an enquiry from one stage to the next, and when. Written by the services."""

    enquiry = models.ForeignKey(Enquiry, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=30, choices=Enquiry.Status.choices)
    to_status = models.CharField(max_length=30, choices=Enquiry.Status.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Empty when the portal made the change itself.",
    )
    at = models.DateTimeField(default=timezone.now)
    note = models.TextField(max_length=1000, blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = "stage change"

    def __str__(self):
        return f"{self.enquiry}: {self.from_status} to {self.to_status}"


class EnquiryNote(models.Model):
    """A note on the enquiry's timeline. Notes are added, never edited."""

    enquiry = models.ForeignKey(Enquiry, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(max_length=4000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"Note {self.pk} on {self.enquiry}"

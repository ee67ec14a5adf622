import secrets

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone

from portal import formats
from portal.audit import AuditNamed

# ---------------------------------------------------------------------------
# Information events and bookings
#
# Places are never counted in a stored field: the confirmed places of an event
# are summed from its bookings under a lock on the event row (see services/events.py).
# ---------------------------------------------------------------------------


class InformationEventQuerySet(models.QuerySet):
    def public(self):
        """Events anyone may see and book on the public pages: never a private one."""
        return self.exclude(topic__in=PRIVATE_TOPICS)

    def private(self):
        return self.filter(topic__in=PRIVATE_TOPICS)


class InformationEvent(AuditNamed, models.Model):
    """An information evening, online or in person, with a limited number of places."""

    class Kind(models.TextChoices):
        ONLINE = "online", "Online"
        IN_PERSON = "in_person", "In person"

    class Topic(models.TextChoices):
        """What the event offers, shown and filtered on the events pages. The last four are
        private: never on a public page, offered only to the households a social worker
        chooses (``carers.EventOffer``), and booked from the carers' own area."""

        INFORMATION = "information", "Information event"
        CARER_TALK = "carer_talk", "Talk with an experienced EP carer"
        PREPARATION = "preparation", "Preparation training (private)"
        EP_TRAINING = "ep_training", "Early Permanence training (private)"
        SUPPORT_GROUP = "support_group", "Support group for carers (private)"
        FAMILY_AND_FRIENDS = "family_friends", "Session for family and friends (private)"

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        CANCELLED = "cancelled", "Cancelled"

    title = models.CharField(max_length=150)
    slug = models.SlugField(
        max_length=180,
        unique=True,
        editable=False,
        help_text="Made from the title and the date when the event is saved.",
    )
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.ONLINE)
    topic = models.CharField(
        "type of event",
        max_length=20,
        choices=Topic.choices,
        default=Topic.INFORMATION,
        help_text="A talk with an experienced EP carer has its own description on the "
        "events pages.",
    )
    starts_at = models.DateTimeField("starts at")
    ends_at = models.DateTimeField("ends at")
    venue = models.CharField(
        max_length=150, blank=True, help_text="In-person events: the name of the place."
    )
    address = models.TextField(
        max_length=500, blank=True, help_text="In-person events: the full address with postcode."
    )
    joining_link = models.URLField(
        "joining link",
        max_length=500,
        blank=True,
        help_text="Online events: shown only to people with a confirmed place.",
    )
    places = models.PositiveIntegerField(help_text="How many people can attend.")
    booking_closes_at = models.DateTimeField(
        "booking closes at",
        null=True,
        blank=True,
        help_text="Leave empty to take bookings until the event starts.",
    )
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.SCHEDULED, editable=False
    )
    description = models.TextField(max_length=5000, blank=True)
    accessibility = models.TextField(
        "accessibility information",
        max_length=2000,
        blank=True,
        help_text="Step-free access, hearing loops, captions, parking, and so on.",
    )
    cancelled_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = InformationEventQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at", "id"]
        verbose_name = "information event"
        constraints = [
            models.CheckConstraint(
                condition=Q(places__gt=0), name="information_event_places_positive"
            ),
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="information_event_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(booking_closes_at__isnull=True)
                | Q(booking_closes_at__lte=F("starts_at")),
                name="information_event_booking_closes_by_start",
            ),
        ]
        indexes = [models.Index(fields=["status", "starts_at"], name="information_event_upcoming")]

    audit_prefix = "enquiries.event"

    def __str__(self):
        local = timezone.localtime(self.starts_at)
        return f"{self.title} ({formats.day(local)})"

    def get_absolute_url(self):
        return reverse("enquiries:event_detail", kwargs={"slug": self.slug})

    @property
    def is_private(self) -> bool:
        return self.topic in PRIVATE_TOPICS

    def clean(self):
        errors = {}
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            errors["ends_at"] = "The event must end after it starts."
        if self.starts_at and self.booking_closes_at and self.booking_closes_at > self.starts_at:
            errors["booking_closes_at"] = "Booking must close by the time the event starts."
        if self.kind == self.Kind.IN_PERSON and not self.address.strip():
            errors["address"] = "Give the address of an in-person event."
        if self.kind == self.Kind.ONLINE and (self.venue or self.address):
            errors["venue"] = "An online event has no venue or address: leave them empty."
        if errors:
            raise ValidationError(errors)

    @property
    def is_online(self) -> bool:
        return self.kind == self.Kind.ONLINE

    @property
    def is_cancelled(self) -> bool:
        return self.status == self.Status.CANCELLED

    @property
    def booking_deadline(self):
        return self.booking_closes_at or self.starts_at

    @property
    def places_left(self) -> int:
        """For display: needs the ``places_taken`` annotation (selectors.events_with_places).

        A booking never relies on it; it counts again under the event's lock.
        """
        return max(self.places - self.places_taken, 0)

    def is_open_for_booking(self, now=None) -> bool:
        now = now or timezone.now()
        return self.status == self.Status.SCHEDULED and now < self.booking_deadline


class BookingQuerySet(models.QuerySet):
    def active(self):
        """Bookings that hold or wait for a place."""
        return self.filter(status__in=Booking.ACTIVE_STATUSES)


def new_booking_token() -> str:
    return secrets.token_urlsafe(32)


class Booking(AuditNamed, models.Model):
    """A person's place (or place on the waiting list) at an information event."""

    class Status(models.TextChoices):
        CONFIRMED = "confirmed", "Confirmed"
        WAITING = "waiting", "On the waiting list"
        CANCELLED = "cancelled", "Cancelled"
        ATTENDED = "attended", "Attended"
        NO_SHOW = "no_show", "Did not attend"

    class HeardAbout(models.TextChoices):
        SEARCH = "search", "Search engine"
        SOCIAL_MEDIA = "social_media", "Social media"
        FRIEND = "friend", "A friend or family member"
        LOCAL_AUTHORITY = "local_authority", "A local council or social worker"
        EVENT = "event", "At another event"
        OTHER = "other", "Somewhere else"

    ACTIVE_STATUSES = (Status.CONFIRMED, Status.WAITING)
    # Statuses whose places count against the event's capacity.
    PLACE_HOLDING_STATUSES = (Status.CONFIRMED, Status.ATTENDED, Status.NO_SHOW)

    event = models.ForeignKey(InformationEvent, on_delete=models.PROTECT, related_name="bookings")
    name = models.CharField(max_length=100)
    email = models.EmailField(max_length=254)
    phone = models.CharField(max_length=30, blank=True)
    places = models.PositiveSmallIntegerField(default=1)
    access_needs = models.TextField(max_length=1000, blank=True)
    heard_about = models.CharField(
        "how they heard about us", max_length=30, choices=HeardAbout.choices, blank=True
    )
    status = models.CharField(max_length=20, choices=Status.choices, editable=False)
    token = models.CharField(max_length=64, unique=True, default=new_booking_token, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    confirmed_at = models.DateTimeField(null=True, blank=True, editable=False)
    cancelled_at = models.DateTimeField(null=True, blank=True, editable=False)
    checked_in_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Set by the retention schedule 12 months after the event: the booker's details go,
    # the booking (status, places, how they heard of us) stays for the counts.
    anonymised_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = BookingQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            # Emails are stored lower-cased by the services; Lower() makes it a rule.
            models.UniqueConstraint(
                "event",
                Lower("email"),
                condition=Q(
                    status__in=["confirmed", "waiting", "attended", "no_show"],
                    anonymised_at__isnull=True,
                ),
                name="booking_one_active_per_email_per_event",
                violation_error_message="This email address already has a booking for this event.",
            ),
            models.CheckConstraint(condition=Q(places__gt=0), name="booking_places_positive"),
            models.CheckConstraint(
                condition=Q(
                    status__in=["confirmed", "waiting", "cancelled", "attended", "no_show"]
                ),
                name="booking_status_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["event", "status"], name="booking_event_status"),
            # The staff list, newest first (read backwards): no sort of every booking.
            models.Index(fields=["created_at", "id"], name="booking_created_idx"),
        ]

    def __str__(self):
        return f"{self.name} – {self.event.title}"

    def get_absolute_url(self):
        return reverse("enquiries:booking_manage", kwargs={"token": self.token})

    @property
    def first_name(self) -> str:
        return (self.name.split() or [""])[0]

    @property
    def is_confirmed(self) -> bool:
        return self.status == self.Status.CONFIRMED

    @property
    def is_waiting(self) -> bool:
        return self.status == self.Status.WAITING

    def can_be_cancelled(self, now=None) -> bool:
        now = now or timezone.now()
        return self.status in self.ACTIVE_STATUSES and now < self.event.starts_at


# Training, groups and sessions for carers: offered to chosen households, never public.
PRIVATE_TOPICS = (
    InformationEvent.Topic.PREPARATION,
    InformationEvent.Topic.EP_TRAINING,
    InformationEvent.Topic.SUPPORT_GROUP,
    InformationEvent.Topic.FAMILY_AND_FRIENDS,
)

"""``manage.py seed_scale``: a large agency's history written in bulk, at a tiny size here.

Every row it writes must be one the models accept (their own validation and the
database's constraints), the same seed must write the same rows, and a database that
already holds records is refused unless ``--force``.
"""

import hashlib
import json
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone

from carers.models import Deadline, Household
from enquiries.models import Booking, Enquiry, InformationEvent
from enquiries.services.enquiries import PERSONAL_FIELDS
from placements.models import FamilyTimeSession, Placement, PlacementChild
from portal.management.commands.seed_scale import filled_models
from portal.models import Notification, User

pytestmark = pytest.mark.django_db

TINY = 0.002


def seed(**options):
    call_command("seed_scale", scale=TINY, stdout=open("/dev/null", "w"), **options)  # noqa: SIM115


def empty_allowed(row) -> list[str]:
    """Fields a valid row may leave empty though a form would ask for them: a nullable
    column not yet filled (a stage not reached, a date the services set later), and what
    the retention sweep blanks on an anonymised record (``enquiry_anonymise``,
    ``booking_anonymise``, and their emails' addresses)."""
    allowed = [
        field.name
        for field in row._meta.concrete_fields
        if field.null and getattr(row, field.attname) is None
    ]
    if getattr(row, "anonymised_at", None) is not None:
        allowed += [*PERSONAL_FIELDS, "name", "phone", "access_needs"]
    if isinstance(row, Notification) and row.to == "" and row.context == {}:
        allowed.append("to")
    return allowed


def test_every_row_it_writes_passes_the_models_validation_and_constraints():
    seed()
    checked = {}
    problems = []
    for model in filled_models():
        rows = list(model._base_manager.all())
        checked[model._meta.label] = len(rows)
        for row in rows:
            try:
                row.full_clean(exclude=empty_allowed(row))
            except ValidationError as error:
                problems.append(f"{model._meta.label} {row.pk}: {error.message_dict}")
    assert problems == []
    # The loop ran over every kind of record the issue asks for.
    for label in (
        "enquiries.Enquiry",
        "enquiries.InformationEvent",
        "enquiries.Booking",
        "carers.Household",
        "carers.Applicant",
        "carers.StatutoryCheck",
        "carers.TrainingRecord",
        "carers.FosterCarerReview",
        "placements.Child",
        "placements.Proceedings",
        "placements.CourtOrder",
        "placements.Placement",
        "placements.LookedAfterReview",
        "placements.SocialWorkerVisit",
        "placements.FamilyTimeSession",
        "auditlog.LogEntry",
        "portal.Notification",
    ):
        assert checked[label] > 0, label
    assert sum(checked.values()) > 3000


def test_the_history_is_one_the_services_could_have_left():
    seed()
    today = timezone.localdate()
    # The sizes scale with --scale: 30,000 enquiries at 1 is 60 at 0.002.
    assert Enquiry.objects.count() == 60
    assert Booking.objects.count() == 120
    assert Notification.objects.count() == 1000
    # No event is oversold.
    for event in InformationEvent.objects.all():
        taken = event.bookings.filter(status__in=Booking.PLACE_HOLDING_STATUSES).aggregate(
            n=Sum("places")
        )["n"]
        assert (taken or 0) <= event.places
    # Each converted enquiry names its household, which points back to it.
    for enquiry in Enquiry.objects.filter(status=Enquiry.Status.CONVERTED):
        assert Household.objects.get(reference=enquiry.household_reference).enquiry == enquiry
    # Each placement went to a household approved as adopters before it began.
    for placement in Placement.objects.select_related("household"):
        assert placement.household.adopter_approved_on < placement.placed_on
        if placement.route == Placement.Route.CONCURRENCY:
            assert placement.household.foster_carer_approved_on < placement.placed_on
    # A child is current in one placement at most, and only while it is open.
    assert not PlacementChild.objects.filter(is_current=True, placement__status="ended").exists()
    # Sessions to come are planned; sessions past have their outcome.
    assert not FamilyTimeSession.objects.filter(held_on__gt=today).exclude(status="planned")
    assert not FamilyTimeSession.objects.filter(held_on__lt=today - timedelta(days=1)).filter(
        status="planned"
    )
    # Every outbox row was delivered; the open deadlines include this week's.
    assert not Notification.objects.filter(sent_at__isnull=True).exists()
    week = Q(due_on__gte=today, due_on__lte=today + timedelta(days=7))
    assert Deadline.objects.filter(week).exists()


def digest() -> str:
    """Every value of every row written, in primary-key order."""
    hashed = hashlib.sha256()
    for model in filled_models():
        names = [field.attname for field in model._meta.concrete_fields]
        for values in model._base_manager.order_by("pk").values_list(*names):
            hashed.update(json.dumps(values, default=str).encode())
    return hashed.hexdigest()


def digest_of_a_run(**options) -> str:
    """Seed, read the digest and undo, so the next run starts from the same empty tables."""
    with transaction.atomic():
        seed(**options)
        found = digest()
        transaction.set_rollback(True)
    return found


def test_the_same_seed_writes_the_same_rows_and_another_seed_other_rows():
    first = digest_of_a_run(seed=7)
    assert digest_of_a_run(seed=7) == first
    assert digest_of_a_run(seed=8) != first


def test_it_refuses_a_database_holding_records_unless_forced(make_staff):
    make_staff()
    with pytest.raises(CommandError, match="already holds accounts other than demo ones") as e:
        seed()
    assert "--force" in str(e.value)
    assert not Enquiry.objects.exists()

    seed(force=True)
    assert Enquiry.objects.count() == 60
    # The history is in: a second run without --force is refused for its enquiries.
    with pytest.raises(CommandError, match="already holds enquiries"):
        seed()
    # Forced again, it adds another history beside the first (nothing collides).
    seed(force=True)
    assert Enquiry.objects.count() == 120
    assert User.objects.filter(is_demo_account=True).count() == 5


def test_bad_sizes_are_refused_in_words():
    with pytest.raises(CommandError, match="--scale must be more than 0"):
        call_command("seed_scale", scale=0)
    with pytest.raises(CommandError, match="--years must be between 1 and 30"):
        call_command("seed_scale", years=0)

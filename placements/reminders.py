"""What the placements app has to say to the carers' social worker, as outbox rows.

Each placement deadline gets reminders a set number of working days before it falls
due (policy), queued as outbox rows with a future ``due_at`` when the deadline is made
or moved, withdrawn when it moves or is met. Overdue items go out once a working-day
morning as one digest per social worker, from the beat sweep. The emails say only that
something on a placement is due, with a link: no child, no family, no reference.
"""

from datetime import datetime, time

from django.conf import settings
from django.db.models import Case, Count, F, Q, Value, When
from django.urls import reverse
from django.utils import timezone

from portal.calendar import add_working_days, is_working_day
from portal.notifications import notifications_withdraw, notify

from .models import OVERDUE_KINDS, Placement, PlacementDeadline


def _day(value) -> str:
    return f"{value:%A} {value.day} {value:%B %Y}"


def _morning(day) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour=settings.PLACEMENTS_REMINDER_HOUR)))


def deadline_key_prefix(deadline_pk: int) -> str:
    return f"placements:deadline:{deadline_pk}:"


def recipient_for(household) -> tuple[str, str]:
    """The carers' social worker's address and first name, or the placements team mailbox."""
    worker = household.social_worker
    if worker is not None and worker.is_active and worker.email:
        return worker.email, worker.first_name
    return settings.PLACEMENTS_TEAM_EMAIL, ""


def deadline_reminders_schedule(
    *, deadline: PlacementDeadline, to: str, first_name: str, now=None
) -> int:
    """Queue this revision's reminders that are still in the future. Returns how many."""
    now = now or timezone.now()
    path = reverse("admin:placements_placement_change", args=[deadline.placement_id])
    queued = 0
    if deadline.can_be_overdue:
        days_before = sorted(set(settings.PLACEMENTS_REMINDER_WORKING_DAYS_BEFORE), reverse=True)
    else:
        # A date from which something becomes possible: one note on the day itself.
        days_before = [0]
    for working_days in days_before:
        due_at = _morning(add_working_days(deadline.due_on, -working_days))
        if due_at <= now:
            continue
        notify(
            key=f"{deadline_key_prefix(deadline.pk)}r{deadline.revision}:{working_days}wd",
            to=to,
            template="placements/deadline_reminder",
            context={
                "first_name": first_name,
                "due_on": _day(deadline.due_on),
                "is_from_date": not deadline.can_be_overdue,
                "path": path,
            },
            due_at=due_at,
        )
        queued += 1
    return queued


def deadline_reminders_withdraw(*, deadline_pk: int) -> int:
    return notifications_withdraw(key_prefix=deadline_key_prefix(deadline_pk))


def deadlines_with_stale_recipient():
    """Deadlines whose reminders go to someone other than the household's social worker now."""
    worker_email = Case(
        When(
            Q(placement__household__social_worker__is_active=True)
            & ~Q(placement__household__social_worker__email=""),
            then=F("placement__household__social_worker__email"),
        ),
        default=Value(settings.PLACEMENTS_TEAM_EMAIL),
    )
    return (
        PlacementDeadline.objects.exclude(placement__status=Placement.Status.ENDED)
        .annotate(current_recipient=worker_email)
        .exclude(reminded_to=F("current_recipient"))
    )


def overdue_digests_queue(*, now=None) -> int:
    """One email per social worker with overdue placement items, once each working-day morning.

    Safe to run as often as beat likes: the key names the recipient and the day.
    """
    now = timezone.localtime(now or timezone.now())
    today = now.date()
    if not is_working_day(today) or now.hour < settings.PLACEMENTS_REMINDER_HOUR:
        return 0
    rows = (
        PlacementDeadline.objects.filter(due_on__lt=today, kind__in=OVERDUE_KINDS)
        .exclude(placement__status=Placement.Status.ENDED)
        .values(
            "placement__household__social_worker",
            "placement__household__social_worker__email",
            "placement__household__social_worker__first_name",
            "placement__household__social_worker__is_active",
        )
        .annotate(overdue=Count("id"))
        .order_by("placement__household__social_worker")
    )
    queued = 0
    for row in rows:
        worker_pk = row["placement__household__social_worker"]
        if worker_pk and row["placement__household__social_worker__is_active"]:
            to = row["placement__household__social_worker__email"]
            first_name = row["placement__household__social_worker__first_name"]
            who = worker_pk
        else:
            to, first_name, who = settings.PLACEMENTS_TEAM_EMAIL, "", "team"
        notify(
            key=f"placements:overdue-digest:{who}:{today.isoformat()}",
            to=to,
            template="placements/overdue_digest",
            context={
                "first_name": first_name,
                "count": row["overdue"],
                "path": reverse("admin:placements_placement_changelist") + "?overdue=yes",
            },
        )
        queued += 1
    return queued

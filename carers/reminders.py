"""What the carers app has to say to social workers, as outbox rows.

Each deadline gets reminders a set number of working days before it falls due
(policy), queued as outbox rows with a future ``due_at`` when the deadline is
made or moved. Overdue items go out once a working-day morning, as one digest
per social worker, from the beat sweep. Emails carry a neutral sentence and a
link: no names, no references, nothing about the household.
"""

from datetime import datetime, time

from django.conf import settings
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from portal.calendar import add_working_days, is_working_day
from portal.notifications import notifications_withdraw, notify

from .models import Deadline, Household


def _day(value) -> str:
    return f"{value:%A} {value.day} {value:%B %Y}"


def _morning(day) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour=settings.CARERS_REMINDER_HOUR)))


def deadline_key_prefix(deadline_pk: int) -> str:
    return f"carers:deadline:{deadline_pk}:"


def recipient_for(household: Household) -> tuple[str, str]:
    """The assigned social worker's address and first name, or the team mailbox."""
    worker = household.social_worker
    if worker is not None and worker.is_active and worker.email:
        return worker.email, worker.first_name
    return settings.CARERS_TEAM_EMAIL, ""


def deadline_reminders_schedule(*, deadline: Deadline, to: str, first_name: str, now=None) -> int:
    """Queue this revision's reminders that are still in the future. Returns how many."""
    now = now or timezone.now()
    path = reverse("admin:carers_household_change", args=[deadline.household_id])
    queued = 0
    for working_days in sorted(set(settings.CARERS_REMINDER_WORKING_DAYS_BEFORE), reverse=True):
        due_at = _morning(add_working_days(deadline.due_on, -working_days))
        if due_at <= now:
            continue
        notify(
            key=f"{deadline_key_prefix(deadline.pk)}r{deadline.revision}:{working_days}wd",
            to=to,
            template="carers/deadline_reminder",
            context={
                "first_name": first_name,
                "due_on": _day(deadline.due_on),
                "path": path,
            },
            due_at=due_at,
        )
        queued += 1
    return queued


def deadline_reminders_withdraw(*, deadline_pk: int) -> int:
    return notifications_withdraw(key_prefix=deadline_key_prefix(deadline_pk))


def overdue_digests_queue(*, now=None) -> int:
    """One email per social worker with overdue items, once each working-day morning.

    Safe to run as often as beat likes: the key names the person and the day.
    """
    now = timezone.localtime(now or timezone.now())
    today = now.date()
    if not is_working_day(today) or now.hour < settings.CARERS_REMINDER_HOUR:
        return 0
    rows = (
        Deadline.objects.filter(due_on__lt=today)
        .exclude(household__status=Household.Status.CLOSED)
        .values(
            "household__social_worker",
            "household__social_worker__email",
            "household__social_worker__first_name",
            "household__social_worker__is_active",
        )
        .annotate(overdue=Count("id"))
        .order_by("household__social_worker")
    )
    queued = 0
    for row in rows:
        worker_pk = row["household__social_worker"]
        if worker_pk and row["household__social_worker__is_active"]:
            to = row["household__social_worker__email"]
            first_name = row["household__social_worker__first_name"]
            who = worker_pk
        else:
            to, first_name, who = settings.CARERS_TEAM_EMAIL, "", "team"
        notify(
            key=f"carers:overdue-digest:{who}:{today.isoformat()}",
            to=to,
            template="carers/overdue_digest",
            context={
                "first_name": first_name,
                "count": row["overdue"],
                "path": reverse("admin:index"),
            },
        )
        queued += 1
    return queued


def decision_waiting_key_prefix(assessment_pk: int) -> str:
    return f"carers:decision-waiting:{assessment_pk}:"


def decision_waiting_withdraw(*, assessment_pk: int) -> int:
    """The decision is made (or no longer needed): unsent "waiting" messages would be wrong."""
    return notifications_withdraw(key_prefix=decision_waiting_key_prefix(assessment_pk))


def decision_waiting_notify(
    *, assessment_pk: int, panel_pk: int, household_pk: int, team_managers
) -> None:
    """Tell team managers a panel recommendation is waiting for the agency decision."""
    path = reverse("admin:carers_household_change", args=[household_pk])
    for manager in team_managers:
        notify(
            key=f"{decision_waiting_key_prefix(assessment_pk)}{panel_pk}:{manager.pk}",
            to=manager.email,
            template="carers/decision_waiting",
            context={"first_name": manager.first_name, "path": path},
        )

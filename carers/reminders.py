"""What the carers app has to say to social workers, as outbox rows.

Household deadlines plug into the portal's one deadline engine
(``portal.deadlines``): reminders a set number of working days before each falls
due (policy), and one overdue digest per person each working-day morning across
every app. Emails carry a neutral sentence and a link: no names, no references,
nothing about the household.
"""

from django.db.models import Q
from django.urls import reverse

from portal.deadlines import DeadlineSource
from portal.notifications import notifications_withdraw, notify

from .models import Deadline, Household

DEADLINES = DeadlineSource(
    model=Deadline,
    owner="household",
    key=("kind", "subject"),
    social_worker="household__social_worker",
    closed=Q(household__status=Household.Status.CLOSED),
    settings_prefix="CARERS",
    reminder_template="carers/deadline_reminder",
    change_url="admin:carers_household_change",
    digest_line="on the households you assess",
    digest_url="admin:index",
)


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

"""Reads for matching: who may find a family for a referral, and the referrals panel on
the staff home page (the referral clocks)."""

from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from portal.roles import Role

from ..models import Referral, ReferralDeadline

PANEL_DAYS = 7
PANEL_LIMIT = 50
OPEN_STATUSES = (Referral.Status.OPEN, Referral.Status.LINKING, Referral.Status.MATCHED)

FAMILY_FINDING_ROLES = (Role.SOCIAL_WORKERS, Role.TEAM_MANAGERS)


def family_finders():
    """Who may be a referral's family-finding social worker: active staff who hold
    casework (social workers and team managers, ``portal.roles.grant_casework``)."""
    return (
        get_user_model()
        .objects.filter(groups__name__in=FAMILY_FINDING_ROLES, is_active=True, is_staff=True)
        .distinct()
        .order_by("first_name", "last_name", "email")
    )


def referral_deadlines_due(*, user, today: date) -> tuple[list[dict], bool]:
    """The user's referral clocks overdue or due in the next days, in one query."""
    horizon = today + timedelta(days=PANEL_DAYS)
    rows = list(
        ReferralDeadline.objects.filter(
            worker=user, due_on__lte=horizon, referral__status__in=OPEN_STATUSES
        )
        .select_related("referral")
        .order_by("due_on", "id")[: PANEL_LIMIT + 1]
    )
    items = [
        {
            "deadline": d,
            "overdue": d.is_overdue(today),
            "url": reverse("admin:placements_referral_change", args=[d.referral_id]),
        }
        for d in rows[:PANEL_LIMIT]
    ]
    return items, len(rows) > PANEL_LIMIT


def referrals_panel(user) -> dict | None:
    """The family-finding clocks: acknowledge, the carers' decisions, the match agreed."""
    if not user.has_perm("placements.view_referral"):
        return None
    today = timezone.localdate()
    items, truncated = referral_deadlines_due(user=user, today=today)
    return {
        "items": items,
        "truncated": truncated,
        "days": PANEL_DAYS,
        "changelist": reverse("admin:placements_referral_changelist"),
    }

"""Panels on the staff home page. Each app registers its own from its ``AppConfig.ready()``:

    register_panel(template="carers/admin/dashboard_panel.html", context=dashboard_panel)

``context(user)`` returns the panel template's context, or None for staff who may not see
the panel (it then renders nothing). Panels show in ``order``, then in the order they were
registered; the core's outbox panel comes last.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from . import access
from .notifications import outbox_attention


@dataclass(frozen=True)
class Panel:
    template: str
    context: Callable[..., dict | None]
    order: int


_panels: dict[str, Panel] = {}


def register_panel(*, template: str, context: Callable[..., dict | None], order: int = 100):
    """Show ``template`` on the staff home page with ``context(user)``, if not None."""
    _panels[template] = Panel(template, context, order)


def panels() -> list[Panel]:
    return sorted(_panels.values(), key=lambda panel: panel.order)


def outbox_panel(user) -> dict | None:
    """Team managers see what is failing in the email outbox."""
    if not user.has_perm("portal.view_notification"):
        return None
    return {
        "attention": outbox_attention(),
        "changelist": reverse("admin:portal_notification_changelist"),
    }


def caseloads_panel(user) -> dict | None:
    """Team managers move a caseload from their home page."""
    if not user.has_perm("portal.reallocate_caseload"):
        return None
    return {"move_url": reverse("admin:portal_user_move_caseload")}


BREAK_GLASS_SHOWN = 5
BREAK_GLASS_DAYS = 14


def break_glass_panel(user) -> dict | None:
    """Team managers see who in their team opened a record outside their caseload."""
    if not user.has_perm("portal.view_breakglassopening"):
        return None
    since = timezone.now() - timedelta(days=BREAK_GLASS_DAYS)
    rows = access.break_glass_for_manager(user).filter(opened_at__gte=since)
    shown = list(rows[: BREAK_GLASS_SHOWN + 1])
    return {
        "openings": shown[:BREAK_GLASS_SHOWN],
        "more": len(shown) > BREAK_GLASS_SHOWN,
        "days": BREAK_GLASS_DAYS,
        "changelist": reverse("admin:portal_breakglassopening_changelist"),
    }

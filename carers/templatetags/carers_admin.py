"""The carers panel on the staff home page."""

from django import template
from django.utils import timezone

from carers import selectors

register = template.Library()


@register.inclusion_tag("carers/admin/dashboard_panel.html", takes_context=True)
def carers_dashboard(context):
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.has_perm("carers.view_household"):
        return {"show": False}
    today = timezone.localdate()
    return {
        "show": True,
        "today": today,
        "dashboard": selectors.dashboard_for(user=user, today=today),
    }

"""The outbox panel on the staff home page: team managers see what is failing."""

from django import template
from django.urls import reverse

from portal.notifications import outbox_attention

register = template.Library()


@register.inclusion_tag("portal/admin/outbox_panel.html", takes_context=True)
def outbox_dashboard(context):
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.has_perm("portal.view_notification"):
        return {"show": False}
    return {
        "show": True,
        "attention": outbox_attention(),
        "changelist": reverse("admin:portal_notification_changelist"),
    }

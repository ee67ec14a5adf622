"""The staff home page's panels (``portal.dashboard``), each rendered by its own template;
the staff header's search box and session warning."""

from django import template
from django.conf import settings

from portal.dashboard import panels
from portal.middleware import session_seconds_left
from portal.search import kinds_for

register = template.Library()


@register.simple_tag(takes_context=True)
def dashboard_panels(context) -> list[str]:
    """Each registered panel the signed-in user may see, rendered."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None:
        return []
    engine = context.template.engine
    rendered = []
    for panel in panels():
        panel_context = panel.context(user)
        if panel_context is not None:
            # As an inclusion tag would: the panel sees only its own context. The rendered
            # template is safe HTML, escaped as it was rendered.
            template = engine.get_template(panel.template)
            rendered.append(template.render(context.new(panel_context)))
    return rendered


@register.inclusion_tag("admin/portal/staff_tools.html", takes_context=True)
def staff_tools(context) -> dict:
    """The staff header's search box and session warning, for a signed-in staff member."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not (user.is_authenticated and user.is_staff):
        return {"staff": False}
    return {
        "staff": True,
        # The search page has its own box.
        "can_search": not context.get("search_page") and bool(kinds_for(user)),
        "expires_in": session_seconds_left(request),
        "warn_before": settings.STAFF_SESSION_WARNING_SECONDS,
        "csrf_token": context.get("csrf_token"),
        "user_id": user.pk,
    }


@register.filter
def history_of(inline, record) -> str:
    """A case-record row's earlier versions and "Withdraw" link, for an inline drawn by
    its own template (``portal.admin_versions.RecordHistory``)."""
    return inline.history(record)

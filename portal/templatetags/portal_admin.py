"""The staff home page's panels (``portal.dashboard``), each rendered by its own template."""

from django import template

from portal.dashboard import panels

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

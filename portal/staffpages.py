"""The one staff form page: every button in the staff area that needs a form uses it.

An app's admin view builds its form and says what the page is for; ``form_page``
renders ``admin/form_page.html`` (title, the record's state, a warning, what blocks the
action, the form with each field's help text) and, when the form was submitted:

- an action that is blocked now is refused with its reasons (an error summary, status
  200, nothing saved), even if the page was opened before it became blocked: the
  reasons shown are the ones a POST is refused with;
- a valid form runs ``perform(form)``, whose response (a redirect) is returned; a
  ``Refused`` from the service (or one of ``refusals``) becomes the form's errors, so
  the page shows the service's own words in the error summary.

``offered_page`` is ``form_page`` for an action of ``portal.workflow``: the label,
warning and blocking reasons come from the ``Offered`` the engine computed.
"""

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from django.http import HttpResponse
from django.template.response import TemplateResponse

from .workflow import Offered, Refused

TEMPLATE = "admin/form_page.html"


def refusal_messages(refusal: Exception) -> list[str]:
    """A refusal's sentences: ``messages``, else ``message``, else its text."""
    found = getattr(refusal, "messages", None)
    if found:
        return list(found)
    return [getattr(refusal, "message", None) or str(refusal)]


def form_page(
    request,
    *,
    admin_site,
    opts,
    form,
    title: str,
    back_url: str,
    perform: Callable[[Any], HttpResponse],
    submit: str = "Confirm",
    crumbs: Sequence[tuple[str, str]] = (),
    intro: str = "",
    state: str = "",
    warning: str = "",
    blocked_by: Sequence[str] = (),
    refusals: tuple[type[Exception], ...] = (),
    hidden: Mapping[str, Any] | None = None,
    media=None,
) -> HttpResponse:
    """Render the form page, or on a bound ``form``: refuse, or ``perform`` it.

    ``crumbs`` are ``(label, url)`` pairs between the app and the page (the record);
    ``state`` says where the record is now; ``hidden`` are extra hidden inputs (an
    admin action's own fields).
    """
    blocked = list(blocked_by)
    refused_blocked = False
    if form.is_bound:
        if blocked:
            # Refused whatever the form holds: no date or note can unblock it.
            refused_blocked = True
        elif form.is_valid():
            try:
                return perform(form)
            except (Refused, *refusals) as refusal:
                for message in refusal_messages(refusal):
                    form.add_error(None, message)
    context = {
        **admin_site.each_context(request),
        "opts": opts,
        "title": title,
        "form": form,
        "media": (media + form.media) if media is not None else form.media,
        "crumbs": list(crumbs),
        "intro": intro,
        "state": state,
        "warning": warning,
        "blocked_by": blocked,
        "refused_blocked": refused_blocked,
        "back_url": back_url,
        "submit": submit,
        "hidden": dict(hidden or {}),
    }
    return TemplateResponse(request, TEMPLATE, context)


def offered_page(
    request,
    *,
    offered: Offered | None,
    not_possible: str,
    **page,
) -> HttpResponse:
    """``form_page`` for a workflow action: blocked by what the engine found, or, when the
    action is not open on the record at all (``offered`` is None), by ``not_possible``."""
    if offered is None:
        blocked = [not_possible]
    else:
        blocked = offered.blocked_by
        page.setdefault("submit", offered.action.label)
        if offered.action.warning:
            page.setdefault("warning", "This cannot be undone from this page.")
    return form_page(request, blocked_by=blocked, **page)

"""The one staff form page: every button in the staff area that needs a form uses it.

An app's admin view builds its form and says what the page is for; ``form_page``
renders ``admin/form_page.html`` (title, the record's state, a warning, what blocks the
action, the form with each field's help text) and, when the form was submitted:

- an action that is blocked now is refused with its reasons (an error summary, status
  200, nothing saved), even if the page was opened before it became blocked: the
  reasons shown are the ones a POST is refused with;
- a valid form runs ``perform(form)`` (the service call); then the page says
  ``success`` and goes to ``success_url``, by default ``back_url`` (both may be
  functions of what ``perform`` returned; a response ``perform`` returns is used as
  it is). A ``Refused`` from the
  service (or one of ``refusals``) becomes the form's errors, so the page shows the
  service's own words in the error summary.

``offered_page`` is ``form_page`` for an action of ``portal.workflow``: the label,
warning and blocking reasons come from the ``Offered`` the engine computed.
"""

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from django.contrib import messages
from django.http import HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
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
    perform: Callable[[Any], Any],
    success: str | Callable[[Any], str] = "",
    success_url: str | Callable[[Any], str] = "",
    submit: str = "Confirm",
    crumbs: Sequence[tuple[str, str]] = (),
    intro: str = "",
    state: str = "",
    warning: str = "",
    blocked_by: Sequence[str] = (),
    refusals: tuple[type[Exception], ...] = (),
    hidden: Mapping[str, Any] | None = None,
    media=None,
    submitted: bool | None = None,
) -> HttpResponse:
    """Render the form page, or when it was submitted: refuse, or ``perform`` the form.

    ``crumbs`` are ``(label, url)`` pairs between the app and the page (the record);
    ``state`` says where the record is now; ``hidden`` are extra hidden inputs (an
    admin action's own fields). ``submitted`` is whether this request sends the form
    (by default: it is a POST).
    """
    blocked = list(blocked_by)
    refused_blocked = False
    if request.method == "POST" if submitted is None else submitted:
        if blocked:
            # Refused whatever the form holds: no date or note can unblock it.
            refused_blocked = True
        elif form.is_valid():
            try:
                result = perform(form)
            except (Refused, *refusals) as refusal:
                for message in refusal_messages(refusal):
                    form.add_error(None, message)
            else:
                return _done(request, result, success, success_url or back_url)
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


def _done(request, result, success, success_url) -> HttpResponseBase:
    if isinstance(result, HttpResponseBase):
        return result
    if success:
        messages.success(request, success(result) if callable(success) else success)
    return HttpResponseRedirect(success_url(result) if callable(success_url) else success_url)


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
            page.setdefault("warning", "Check before you confirm.")
    return form_page(request, blocked_by=blocked, **page)


def case_form_page(model_admin, request, *, case, back_url: str, **page):
    """``form_page`` for an action on a case's page: the case in the breadcrumbs, and
    back to its page."""
    return form_page(
        request,
        admin_site=model_admin.admin_site,
        opts=model_admin.opts,
        media=model_admin.media,
        crumbs=[(str(case), back_url)],
        back_url=back_url,
        **page,
    )

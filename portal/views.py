"""Cross-cutting views: the health check, the error pages, invitations, letters, the staff
search and "Stay signed in"."""

import logging

from allauth.account.adapter import get_adapter
from allauth.account.internal.flows.login import record_authentication
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import SetPasswordForm
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import FileResponse, Http404, HttpResponsePermanentRedirect, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.response import TemplateResponse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from . import audit, invitations, letters, search
from .middleware import session_seconds_left, user_has_mfa

logger = logging.getLogger(__name__)


def _check_database() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        return cursor.fetchone() == (1,)


def _check_cache() -> bool:
    cache.set("healthz", "ok", 10)
    # The cache answers from process memory while Redis is away (portal/cache.py).
    return cache.get("healthz") == "ok" and getattr(cache, "reachable", True)


def _check_broker() -> bool:
    from .celery import app

    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)
    return True


CHECKS = {"database": _check_database, "cache": _check_cache, "broker": _check_broker}


@never_cache
@require_GET
def healthz(request):
    """Is each service the portal needs reachable? 200 if all are, 503 if any is not."""
    results = {}
    for name, check in CHECKS.items():
        try:
            results[name] = "ok" if check() else "error"
        except Exception as exc:  # noqa: BLE001 - a health check reports, it does not raise
            logger.warning("Health check %s failed: %s", name, type(exc).__name__)
            results[name] = "error"
    healthy = all(value == "ok" for value in results.values())
    payload = {"status": "ok" if healthy else "error", **results}
    if settings.DEBUG:
        payload["broker_url"] = "redis" if settings.REDIS_URL else "filesystem"
    return JsonResponse(payload, status=200 if healthy else 503)


def admin_view_on_site(request, content_type_id, object_id):
    """The admin's "View on site" link, only for staff who may see the object in the admin.

    Django's own redirect follows any object's ``get_absolute_url`` for any staff member,
    and a booking's is its manage page: the token in it is all a booker has to keep
    their details and their place safe.
    """
    from django.contrib import admin
    from django.contrib.contenttypes.models import ContentType
    from django.contrib.contenttypes.views import shortcut

    try:
        model = ContentType.objects.get_for_id(int(content_type_id)).model_class()
    except (ContentType.DoesNotExist, ValueError):
        raise Http404("No such object") from None
    model_admin = admin.site._registry.get(model)
    if model_admin is None or not model_admin.has_view_permission(request):
        raise PermissionDenied
    return shortcut(request, content_type_id, object_id)


@require_GET
def favicon(request):
    """Browsers and tools ask for /favicon.ico whatever the page says: send them the icon."""
    from django.templatetags.static import static

    return HttpResponsePermanentRedirect(static("images/favicon.svg"))


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    return render(request, "500.html", status=500)


def permission_denied(request, exception=None):
    return render(request, "403.html", status=403)


INVITATION_SESSION_KEY = "staff_invitation_token"


def _invitation_unusable(request):
    return render(request, "account/invitation_unusable.html", status=404)


@never_cache
@require_GET
def staff_invitation_open(request, token):
    """The emailed link: keep its token in the session and take it out of the address bar."""
    if invitations.staff_invitation_find(token=token) is None:
        return _invitation_unusable(request)
    # Whoever was signed in on this browser is not the person invited.
    logout(request)
    request.session[INVITATION_SESSION_KEY] = token
    return redirect("staff_invitation_accept")


@never_cache
def staff_invitation_accept(request):
    """Choose a password, then go straight on to set up an authenticator app.

    An account that already has an authenticator (a new invitation to an existing account)
    only gets its password: it then signs in as usual, with a code, since the link alone
    must never be enough to get in.
    """
    token = request.session.get(INVITATION_SESSION_KEY, "")
    invitation = invitations.staff_invitation_find(token=token)
    if invitation is None:
        return _invitation_unusable(request)
    form = SetPasswordForm(invitation.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = invitations.staff_invitation_accept(
            token=token, password=form.cleaned_data["new_password1"]
        )
        if user is None:
            return _invitation_unusable(request)
        request.session.pop(INVITATION_SESSION_KEY, None)
        if user_has_mfa(user):
            # The link alone is never enough for an account with two-step sign-in.
            messages.success(
                request,
                "Your password is set. Sign in with it and a code from your authenticator app.",
            )
            return redirect("account_login")
        if not user.is_staff:
            # A carer (invited to their own area, or sent a letter): straight on to it.
            get_adapter(request).login(request, user)
            # As for staff: choosing the password a moment ago counts as entering it, so
            # setting up two-step sign-in next does not ask for it again.
            record_authentication(
                request, user, method="password", email=user.email, reauthenticated=True
            )
            messages.success(request, "Your password is set. Use it to sign in next time.")
            next_path = invitation.next_path
            if not url_has_allowed_host_and_scheme(next_path, allowed_hosts=None):
                next_path = "/"
            return redirect(next_path or "/")
        get_adapter(request).login(request, user)
        # Choosing the password a moment ago counts as entering it: setting up the
        # authenticator (a sensitive step) does not ask for it again.
        record_authentication(
            request, user, method="password", email=user.email, reauthenticated=True
        )
        messages.success(request, "Your password is set. Now set up two-step sign-in.")
        return redirect("mfa_activate_totp")
    return render(
        request,
        "account/invitation_accept.html",
        {
            "form": form,
            "for_staff": invitation.user.is_staff,
            "own_area": invitation.next_path == "/my/",
        },
    )


@never_cache
@require_GET
@login_required
def letter_open(request, pk):
    """A letter's PDF, for its recipients and for staff who may see the record it is for."""
    from .models import Letter

    letter = get_object_or_404(Letter.objects.select_related("record_type", "document_type"), pk=pk)
    if not letters.letter_may_open(user=request.user, letter=letter):
        raise PermissionDenied
    if not request.user.is_staff:
        gate = letters.recipient_gate(request.user)
        if gate == "refuse":
            raise PermissionDenied
        if gate:
            return redirect(gate)
    document = letters.letter_document(letter)
    try:
        handle = document.file.open("rb")
    except FileNotFoundError as missing:
        raise Http404("The letter is missing from storage") from missing
    response = FileResponse(
        handle, content_type="application/pdf", filename=f"letter-{letter.pk}.pdf"
    )
    response["X-Content-Type-Options"] = "nosniff"
    audit.accessed(letter, "portal.letter.opened", by=request.user)
    return response


# -- staff search and the session warning ----------------------------------------------------


def staff_search(request):
    """The results of the staff area's search box, grouped by kind of record."""
    kinds = search.kinds_for(request.user)
    if not kinds:
        raise PermissionDenied
    term = " ".join(request.GET.get("q", "").split())
    problem = search.problem(term) if "q" in request.GET else ""
    groups = search.search(request, term) if "q" in request.GET and not problem else []
    context = {
        **admin.site.each_context(request),
        "title": "Search records",
        "search_page": True,
        "term": term,
        "searched": "q" in request.GET and not problem,
        "problem": problem,
        "groups": groups,
        "kinds": kinds,
    }
    return TemplateResponse(request, "admin/search.html", context)


@require_POST
def session_extend(request):
    """ "Stay signed in": this request has started the session's idle time again
    (``SignedInSessionMiddleware``), for staff and carers alike; the answer says how long
    it now lasts."""
    if not request.user.is_authenticated:
        return JsonResponse({"error": "Sign in first."}, status=403)
    return JsonResponse({"expires_in": session_seconds_left(request)})

"""Request rules: MFA before any staff page, short staff sessions, no caching of staff
pages; trusted proxies only; no unstorable characters; no body larger than any page takes."""

import ipaddress
import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers

ADMIN_PREFIX = "/admin/"
ACCOUNT_PREFIX = "/accounts/"


def user_has_mfa(user) -> bool:
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def mfa_exempt(user) -> bool:
    """Demo staff made by ``seed_demo`` may skip MFA, and only on a development server."""
    return settings.DEBUG and user.is_demo_account


def staff_mfa_satisfied(user) -> bool:
    """Has this user what staff-only views ask of staff: an authenticator, or the demo exemption?

    Every view that shows staff-only content outside the admin (such as draft previews on
    the public pages) checks this as well as the user's permissions.
    """
    return user.is_authenticated and user.is_staff and (mfa_exempt(user) or user_has_mfa(user))


# Where a staff member without an authenticator may still go: setting one up (which asks
# for the password again first) and signing out.
MFA_SETUP_PATHS = ("mfa_activate_totp", "account_reauthenticate", "account_logout")


class StaffMFARequiredMiddleware:
    """A staff member without an authenticator app is sent to set one up before anything else.

    Every page, not only the admin: draft previews and any other staff-only view outside
    ``/admin/`` are covered too. Signing in with a password alone is refused for such an
    account (``portal.adapter``); only an invitation or a demo account leads here.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            user.is_authenticated
            and user.is_staff
            and request.path not in {reverse(name) for name in MFA_SETUP_PATHS}
            and not staff_mfa_satisfied(user)
        ):
            messages.info(
                request,
                "Staff accounts need two-step sign-in. Set up an authenticator app to continue.",
            )
            return redirect(f"{reverse('mfa_activate_totp')}?next={request.path}")
        return self.get_response(request)


def session_limits(user) -> tuple[int, int]:
    """How long ``user``'s session may stay idle, and how long it may last in all, in
    seconds: the staff's, or the carers' (and any other account that is not staff, such
    as a referee reading a letter). Both are agency policy (settings)."""
    if user.is_staff:
        return settings.STAFF_SESSION_IDLE_SECONDS, settings.STAFF_SESSION_MAX_SECONDS
    return settings.CARERS_SESSION_IDLE_SECONDS, settings.CARERS_SESSION_MAX_SECONDS


def session_seconds_left(request) -> int:
    """How long the session of ``request`` lasts if nothing else is done: until it has been
    idle for its idle time or reaches its longest (``session_limits``), whichever comes
    first. Every request starts the idle time again."""
    idle_seconds, max_seconds = session_limits(request.user)
    now = int(time.time())
    started = request.session.get(SESSION_STARTED, now)
    last_seen = request.session.get(SESSION_LAST_SEEN, now)
    ends = min(last_seen + idle_seconds, started + max_seconds)
    return max(ends - now, 0)


# Where the middleware keeps a signed-in session's start and last request (epoch seconds).
SESSION_STARTED = "session_started"
SESSION_LAST_SEEN = "session_last_seen"
# The keys of an earlier release (staff only): a session signed in before an upgrade keeps
# its start and last request, so its limits still count from them.
EARLIER_KEYS = {SESSION_STARTED: "staff_session_started", SESSION_LAST_SEEN: "staff_last_seen"}

# Where a signed-in account that is not staff must be signed in: an idle carer on any other
# page (an event, a question) carries on there as a visitor, and nothing posted is lost.
SIGNED_IN_PREFIXES = (ADMIN_PREFIX, "/my/", "/letters/")


class SignedInSessionMiddleware:
    """Signed-in sessions end after a spell of idleness and after a fixed length in all:
    staff sessions and the carers' alike, each with its own limits (``session_limits``).

    Staff and account pages are never stored by browsers or proxies.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated:
            idle_seconds, max_seconds = session_limits(user)
            now = int(time.time())
            session = request.session
            for key, earlier in EARLIER_KEYS.items():
                if key not in session and earlier in session:
                    session[key] = session.pop(earlier)
            started = session.setdefault(SESSION_STARTED, now)
            last_seen = session.get(SESSION_LAST_SEEN, now)
            idle = now - last_seen > idle_seconds
            too_long = now - started > max_seconds
            if idle or too_long:
                logout(request)
                messages.info(request, "You were signed out to keep records safe. Sign in again.")
                needs_sign_in = user.is_staff or request.path.startswith(SIGNED_IN_PREFIXES)
                if needs_sign_in and not request.path.startswith(ACCOUNT_PREFIX):
                    return redirect(f"{reverse('account_login')}?next={request.path}")
                # Already on the way to signing in (the session warning's "Sign in again"):
                # the page goes on, keeping the address to come back to.
            else:
                request.session[SESSION_LAST_SEEN] = now
        response = self.get_response(request)
        if request.path.startswith((ADMIN_PREFIX, ACCOUNT_PREFIX)) or (
            user.is_authenticated and user.is_staff
        ):
            add_never_cache_headers(response)
            response["Cache-Control"] = "no-store, no-cache, must-revalidate, private, max-age=0"
        return response


class PermissionsPolicyMiddleware:
    """Turn off browser features the portal never uses."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response


def _trusted_networks() -> list:
    return [ipaddress.ip_network(entry, strict=False) for entry in settings.TRUSTED_PROXIES]


def _is_trusted(address: str, networks: list) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


class ClientAddressMiddleware:
    """Take the client's address and scheme from our own proxy, and only from it.

    ``X-Forwarded-For`` and ``X-Forwarded-Proto`` are believed only when the connection
    comes from an address in ``TRUSTED_PROXIES`` (none by default); from anyone else they
    were written by the client and are removed, so a rotated header cannot dodge the
    per-address limits or forge the audit trail, and ``SECURE_PROXY_SSL_HEADER`` cannot be
    claimed by a client. From a trusted proxy, the hops are read from the right: trusted
    proxies are skipped and the first other address is the client's. The header is
    replaced by that one checked address; a malformed hop leaves the connection's own
    address in place (it would also fail to save in the audit log's address column).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        forwarded = request.META.pop("HTTP_X_FORWARDED_FOR", "")
        networks = _trusted_networks()
        if not _is_trusted(request.META.get("REMOTE_ADDR", ""), networks):
            request.META.pop("HTTP_X_FORWARDED_PROTO", None)
            return self.get_response(request)
        for hop in reversed(forwarded.split(",") if forwarded else []):
            hop = hop.strip()
            try:
                address = str(ipaddress.ip_address(hop))
            except ValueError:
                break
            request.META["REMOTE_ADDR"] = address
            if not _is_trusted(address, networks):
                break
        return self.get_response(request)


def _has_nul(values) -> bool:
    return any("\x00" in value for value in values)


class RefuseUnstorableInputMiddleware:
    """Refuse a request carrying characters the database cannot store, before any view.

    PostgreSQL refuses the NUL character in text (every other control character is
    stored as given), so a NUL in a booking token, an admin filter or a form would
    otherwise end in a server error. NUL and the other C0 control characters have no use
    in a path; in query strings and form values only NUL is refused (a pasted tab or line
    break in a search box or a text area is harmless).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if any(ord(ch) < 0x20 or ch == "\x7f" for ch in request.path) or self._nul_in_data(request):
            return HttpResponseBadRequest(
                "Bad request: the address or the form contains a character that cannot be "
                "used (a control character). Remove it and try again.\n",
                content_type="text/plain; charset=utf-8",
            )
        return self.get_response(request)

    @staticmethod
    def _nul_in_data(request) -> bool:
        for data in (request.GET, request.POST if request.method == "POST" else None):
            if data is None:
                continue
            for key, values in data.lists():
                if "\x00" in key or _has_nul(values):
                    return True
        for upload in request.FILES.values() if request.method == "POST" else ():
            if "\x00" in (upload.name or ""):
                return True
        return False


class RequestBodyLimitMiddleware:
    """Refuse a request whose declared body is larger than any page accepts, unread.

    Django's own limits apply while the body is being read, and uploaded files are not
    counted in them; this answers 413 from the Content-Length header alone, so a large
    upload is refused before the first byte of it is received. The limit is
    ``REQUEST_BODY_MAX_BYTES``: the largest document plus room for the form around it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return HttpResponseBadRequest(
                "Bad request: the Content-Length header is not a number.\n",
                content_type="text/plain; charset=utf-8",
            )
        if length > settings.REQUEST_BODY_MAX_BYTES:
            # A page, not a bare status: say what the limit is and that going Back finds
            # the form as it was (the browser keeps it; nothing here was read or saved).
            return render(
                request,
                "413.html",
                {
                    "limit_mb": settings.REQUEST_BODY_MAX_BYTES // (1024 * 1024),
                    "document_max_mb": settings.CARERS_DOCUMENT_MAX_MB,
                    "documents_per_save": settings.DOCUMENTS_PER_SAVE,
                },
                status=413,
            )
        return self.get_response(request)

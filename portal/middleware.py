"""Request rules for staff: MFA before anything else, short sessions, no caching."""

import contextlib
import ipaddress
import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
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


class StaffSessionMiddleware:
    """Staff sessions end after a spell of idleness and after a fixed length in all.

    Staff and account pages are never stored by browsers or proxies.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and user.is_staff:
            now = int(time.time())
            started = request.session.setdefault("staff_session_started", now)
            last_seen = request.session.get("staff_last_seen", now)
            idle = now - last_seen > settings.STAFF_SESSION_IDLE_SECONDS
            too_long = now - started > settings.STAFF_SESSION_MAX_SECONDS
            if idle or too_long:
                logout(request)
                messages.info(request, "You were signed out to keep records safe. Sign in again.")
                return redirect(f"{reverse('account_login')}?next={request.path}")
            request.session["staff_last_seen"] = now
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


class ClientAddressMiddleware:
    """Take the client's address from our own proxy, and only from it.

    Behind the one proxy we deploy, the last X-Forwarded-For hop is the address the
    proxy saw; anything before it was written by the client and cannot be trusted.
    The header is replaced by that one checked address, so the audit trail and the rate
    limits never record a spoofed or malformed address (a malformed one would also fail
    to save in the audit log's address column).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        forwarded = request.META.pop("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            hop = forwarded.split(",")[-1].strip()
            # A malformed hop leaves the socket's own address in place.
            with contextlib.suppress(ValueError):
                request.META["REMOTE_ADDR"] = str(ipaddress.ip_address(hop))
        return self.get_response(request)

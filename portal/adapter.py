"""How allauth works in the portal: closed sign-up, emails through the outbox, staff sign-in.

- Accounts are created by invitation (``portal.invitations``), never by signing up.
- allauth's emails are queued with ``notify()``, so SMTP being down delays them instead of
  failing the request; they carry only what the message needs (a link or a code).
- A staff account without an authenticator cannot finish signing in with a password.
- Failed sign-ins are limited per address (allauth's ``login_failed`` rule) and per
  account. A browser that has signed in to the account before has its own, far higher,
  per-account limit, so someone who only knows a colleague's email address cannot keep
  them out. Reaching the per-account limit emails the account holder (and, for a staff
  account, the team managers) through the outbox, at most once a day per account.
"""

import logging
import uuid
from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.utils import timezone

from .middleware import mfa_exempt, user_has_mfa
from .models import User
from .notifications import notify
from .ratelimit import AccountRateLimit
from .roles import Role

logger = logging.getLogger(__name__)

KNOWN_BROWSER_COOKIE = "portal_known_browser"
KNOWN_BROWSER_SALT = "portal.known-browser"
# How many accounts one browser remembers having signed in to.
KNOWN_BROWSER_MAX_ACCOUNTS = 5

# allauth's message templates and the portal's own email for each; any other message
# (security notices) goes out as a neutral notice with no detail.
ACCOUNT_EMAILS = {
    "account/email/password_reset_key": "account/password_reset_key",
    "account/email/unknown_account": "account/unknown_account",
    "account/email/email_confirmation": "account/email_confirmation",
    "account/email/email_confirmation_signup": "account/email_confirmation",
}
SECURITY_NOTICE = "account/security_notice"
# The only parts of allauth's context an email may carry: links (as paths on SITE_URL,
# so they agree with every other email) and one-time codes.
LINK_KEYS = ("password_reset_url", "activate_url")
CODE_KEYS = ("code",)


# Where an account goes after signing in when no page asked for it: each app may name a
# home for the accounts it serves (the carers' own area); the first answer wins.
_homes: list = []


def register_home(home) -> None:
    """``home(user)`` returns the path an account starts at, or "" when it is not theirs."""
    _homes.append(home)


def _unknown_browser_limit() -> AccountRateLimit:
    return AccountRateLimit(
        scope="sign-in-account",
        limit=settings.SIGN_IN_ACCOUNT_FAILURE_LIMIT,
        period=settings.SIGN_IN_ACCOUNT_FAILURE_PERIOD_SECONDS,
    )


def _known_browser_limit() -> AccountRateLimit:
    return AccountRateLimit(
        scope="sign-in-account-known",
        limit=settings.SIGN_IN_ACCOUNT_FAILURE_LIMIT * settings.SIGN_IN_KNOWN_BROWSER_FACTOR,
        period=settings.SIGN_IN_ACCOUNT_FAILURE_PERIOD_SECONDS,
    )


def known_browser_accounts(request) -> list[int]:
    """The accounts this browser has signed in to (from a signed cookie)."""
    value = request.get_signed_cookie(
        KNOWN_BROWSER_COOKIE,
        default="",
        salt=KNOWN_BROWSER_SALT,
        max_age=settings.SIGN_IN_KNOWN_BROWSER_DAYS * 24 * 60 * 60,
    )
    return [int(pk) for pk in value.split(",") if pk.isdigit()]


def _is_known_browser(request, email: str) -> bool:
    accounts = known_browser_accounts(request)
    if not accounts or not email:
        return False
    return User.objects.filter(pk__in=accounts, email__iexact=email.strip()).exists()


def _remember_browser(request, response, user) -> None:
    accounts = [pk for pk in known_browser_accounts(request) if pk != user.pk]
    accounts = [user.pk, *accounts][:KNOWN_BROWSER_MAX_ACCOUNTS]
    response.set_signed_cookie(
        KNOWN_BROWSER_COOKIE,
        ",".join(str(pk) for pk in accounts),
        salt=KNOWN_BROWSER_SALT,
        max_age=settings.SIGN_IN_KNOWN_BROWSER_DAYS * 24 * 60 * 60,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


def sign_in_paused_alert(*, email: str, period: int) -> None:
    """Tell the account holder (and team managers, for staff) that sign-in was paused.

    At most once a day per account: anyone who knows the address can pause it again each
    period, and each alert would email every team manager.
    """
    user = User.objects.filter(email__iexact=email.strip(), is_active=True).first()
    if user is None:
        return
    window = timezone.localdate().isoformat()
    context = {"minutes": max(period // 60, 1)}
    notify(
        key=f"sign-in-paused:{user.pk}:{window}",
        to=user.email,
        template="account/sign_in_paused",
        context=context,
    )
    if user.is_staff:
        managers = User.objects.filter(
            groups__name=Role.TEAM_MANAGERS, is_active=True, is_staff=True
        ).exclude(pk=user.pk)
        for manager in managers.only("pk", "email"):
            notify(
                key=f"sign-in-paused:{user.pk}:{window}:manager:{manager.pk}",
                to=manager.email,
                template="account/sign_in_paused_staff",
                context={**context, "user_path": f"/admin/portal/user/{user.pk}/change/"},
            )
    logger.warning("Sign-in paused for account %s after repeated failed passwords", user.pk)


class AccountAdapter(DefaultAccountAdapter):
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "email_password_mismatch": "Enter the email address and password of your account",
        "too_many_login_attempts": (
            "Too many wrong passwords: sign-in is paused for a few minutes. "
            "Try again later, or reset your password"
        ),
    }

    def is_open_for_signup(self, request) -> bool:
        """Accounts are created by invitation only."""
        return False

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        message = {}
        for key in LINK_KEYS:
            if isinstance(context.get(key), str):
                url = urlsplit(context[key])
                message["link_path"] = url.path + (f"?{url.query}" if url.query else "")
        for key in CODE_KEYS:
            if isinstance(context.get(key), str):
                message["code"] = context[key]
        notify(
            key=f"account:{template_prefix}:{uuid.uuid4().hex}",
            to=email,
            template=ACCOUNT_EMAILS.get(template_prefix, SECURITY_NOTICE),
            context=message,
        )

    def pre_authenticate(self, request, **credentials) -> None:
        super().pre_authenticate(request, **credentials)
        email = credentials.get("email") or ""
        limit = _known_browser_limit() if _is_known_browser(request, email) else None
        limit = limit or _unknown_browser_limit()
        if email and limit.exceeded(email):
            raise self.validation_error("too_many_login_attempts")

    def authentication_failed(self, request, **credentials) -> None:
        email = credentials.get("email") or ""
        if not email:
            return
        if _is_known_browser(request, email):
            _known_browser_limit().hit(email)
            return
        limit = _unknown_browser_limit()
        if limit.hit(email) == limit.limit:
            sign_in_paused_alert(email=email, period=limit.period)

    def pre_login(self, request, user, **kwargs):
        if user.is_staff and not mfa_exempt(user) and not user_has_mfa(user):
            from allauth.account.internal.stagekit import clear_login

            clear_login(request)
            messages.error(
                request,
                "This staff account has no two-step sign-in yet, which is set up from an "
                "invitation. Ask an administrator to send you a new invitation.",
            )
            return redirect("account_login")
        return super().pre_login(request, user, **kwargs)

    def get_login_redirect_url(self, request):
        for home in _homes:
            path = home(request.user)
            if path:
                return path
        return super().get_login_redirect_url(request)

    def post_login(self, request, user, **kwargs):
        response = super().post_login(request, user, **kwargs)
        _remember_browser(request, response, user)
        return response

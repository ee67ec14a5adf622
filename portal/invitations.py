"""Staff invitations: how a staff account is first used.

A superuser invites someone from the Users admin. The invitation is a one-time link,
emailed through the outbox, that lets the invitee choose a password; the portal then
asks for an authenticator app before anything else. A staff account without an
authenticator cannot finish signing in with a password alone (``portal.adapter``), so
an account that has not enrolled can only be taken up through a valid invitation.
"""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .models import StaffInvitation, User
from .notifications import notify


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invitation_create(*, user: User, by: User | None, next_path: str = "") -> str:
    """A new invitation for ``user`` (earlier links stop working); returns its token, which
    only the emailed link carries. ``next_path``: where a carer goes once the password is set."""
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    with transaction.atomic():
        StaffInvitation.objects.filter(
            user=user, used_at__isnull=True, withdrawn_at__isnull=True
        ).update(withdrawn_at=now)
        StaffInvitation.objects.create(
            user=user,
            token_hash=_token_hash(token),
            created_by=by,
            created_at=now,
            expires_at=now + timedelta(days=settings.STAFF_INVITATION_VALID_DAYS),
            next_path=next_path,
        )
    return token


def staff_invitation_send(*, user: User, by: User | None) -> StaffInvitation:
    """Invite ``user`` to set a password and an authenticator; earlier links stop working."""
    with transaction.atomic():
        token = invitation_create(user=user, by=by)
        invitation = StaffInvitation.objects.get(token_hash=_token_hash(token))
        notify(
            key=f"staff-invitation:{invitation.pk}",
            to=user.email,
            template="portal/staff_invitation",
            context={
                "invitation_path": f"/accounts/invitation/{token}/",
                "valid_days": settings.STAFF_INVITATION_VALID_DAYS,
            },
        )
    return invitation


def staff_invitation_find(*, token: str) -> StaffInvitation | None:
    """The usable invitation the token belongs to, or None."""
    if not token or "\x00" in token:
        return None
    invitation = (
        StaffInvitation.objects.select_related("user").filter(token_hash=_token_hash(token)).first()
    )
    if invitation is None or not invitation.is_usable() or not invitation.user.is_active:
        return None
    return invitation


def staff_invitation_accept(*, token: str, password: str) -> User | None:
    """Set the invitee's password and use up the invitation; None if it is no longer usable.

    The email address is verified by the act of opening the emailed link.
    """
    from allauth.account.models import EmailAddress

    with transaction.atomic():
        invitation = staff_invitation_find(token=token)
        if invitation is None:
            return None
        invitation = StaffInvitation.objects.select_for_update().get(pk=invitation.pk)
        if not invitation.is_usable():
            return None
        user = invitation.user
        user.set_password(password)
        user.save(update_fields=["password"])
        invitation.used_at = timezone.now()
        invitation.save(update_fields=["used_at"])
        EmailAddress.objects.filter(user=user).exclude(email__iexact=user.email).update(
            primary=False
        )
        address, _ = EmailAddress.objects.get_or_create(
            user=user, email=user.email, defaults={"primary": True, "verified": True}
        )
        if not (address.verified and address.primary):
            address.verified = address.primary = True
            address.save(update_fields=["verified", "primary"])
    return user


def staff_account_invite(*, email: str, superuser: bool = False) -> StaffInvitation:
    """Create a staff account (if there is none) and invite its holder; for the first superuser.

    An existing account keeps its roles and is given a fresh invitation.
    """
    with transaction.atomic():
        user = User.objects.filter(email__iexact=email.strip()).first()
        if user is None:
            user = User.objects.create_user(email=email.strip(), password=None, is_staff=True)
            user.set_unusable_password()
        user.is_staff = True
        user.is_superuser = user.is_superuser or superuser
        user.save()
        return staff_invitation_send(user=user, by=None)


def invitations_withdraw_after_password(sender=None, request=None, user=None, **kwargs) -> None:
    """A password set or reset another way ends the links still out: from then on the
    account signs in with its password (and its code), never by a link alone. Connected
    to allauth's ``password_reset``, ``password_changed`` and ``password_set`` signals."""
    if user is None or user.pk is None:
        return
    StaffInvitation.objects.filter(
        user=user, used_at__isnull=True, withdrawn_at__isnull=True
    ).update(withdrawn_at=timezone.now())

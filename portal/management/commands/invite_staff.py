"""Invite a member of staff by email, e.g. the first superuser of a new installation.

    python manage.py invite_staff you@agency.example --superuser

The invitation goes through the outbox like every other email; the worker delivers it.
"""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email

from portal import formats
from portal.invitations import staff_account_invite


class Command(BaseCommand):
    help = "Create a staff account if needed and email it a one-time invitation link."

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument(
            "--superuser", action="store_true", help="Give the account every permission."
        )

    def handle(self, *args, email, superuser, **options):
        try:
            validate_email(email)
        except ValidationError as error:
            raise CommandError("Give a valid email address.") from error
        invitation = staff_account_invite(email=email, superuser=superuser)
        self.stdout.write(
            f"Invitation queued for account {invitation.user_id}; it works once, "
            f"until {formats.day_and_time(invitation.expires_at)}."
        )

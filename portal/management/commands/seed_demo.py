"""Demo data for a development server: idempotent, safe to run on every start."""

import importlib
import importlib.util

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction

from portal.demo import DEMO_COLLEAGUES, DEMO_STAFF, DEMO_TEAM
from portal.models import Team, User
from portal.notifications import notify
from portal.roles import Role

DEMO_PASSWORD = "early-permanence-demo"  # noqa: S105 - printed for development use only


# Each app that has demo data offers ``<app>.demo.seed(*, stdout)``; order matters.
SEEDERS = ["content.demo", "enquiries.demo", "carers.demo", "placements.demo"]


class Command(BaseCommand):
    help = "Create demo content, events, staff (one per role), carers and placements."

    def handle(self, *args, **options):
        if settings.DEBUG:
            self._seed_staff()
        else:
            self.stdout.write("DEBUG is off: no demo staff accounts are created.")
        for dotted in SEEDERS:
            if importlib.util.find_spec(dotted) is None:
                continue
            with transaction.atomic():
                importlib.import_module(dotted).seed(stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS("Demo data is ready."))

    def _seed_staff(self):
        self.stdout.write("Demo staff (development only), password: " + DEMO_PASSWORD)
        for email, first_name, last_name, role in [*DEMO_STAFF, *DEMO_COLLEAGUES]:
            with transaction.atomic():
                user, created = User.objects.get_or_create(
                    email=email,
                    defaults={
                        "first_name": first_name,
                        "last_name": last_name,
                        "is_staff": True,
                        "is_demo_account": True,
                    },
                )
                if created:
                    user.set_password(DEMO_PASSWORD)
                    user.save(update_fields=["password"])
                user.groups.add(Group.objects.get(name=role))
                EmailAddress.objects.get_or_create(
                    user=user, email=email, defaults={"verified": True, "primary": True}
                )
                notify(
                    key=f"demo:staff-welcome:{user.pk}",
                    to=user.email,
                    template="portal/staff_welcome",
                )
            self.stdout.write(f"  {role:<17} {email}")
        # One team: the manager sees both social workers' caseloads; each worker their own.
        team, _ = Team.objects.get_or_create(name=DEMO_TEAM)
        users = {user.email: user for user in User.objects.filter(is_demo_account=True)}
        for email, _first, _last, role in [*DEMO_STAFF, *DEMO_COLLEAGUES]:
            if role == Role.TEAM_MANAGERS:
                team.managers.add(users[email])
            elif role == Role.SOCIAL_WORKERS:
                team.members.add(users[email])

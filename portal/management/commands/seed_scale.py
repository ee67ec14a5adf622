"""A large agency's history, for measuring the portal at volume (``portal.scale``)."""

import importlib
import time
from datetime import datetime, timedelta
from datetime import time as clock_time

from auditlog.models import LogEntry
from django.conf import settings
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from portal.calendar import is_working_day
from portal.models import Notification, Team, User
from portal.roles import Role
from portal.scale import History

# Each app's ``<app>.scale.build(history)``, in this order (each reads what the one before
# made); then the carers' deadlines, which follow what placements changed on a household.
BUILDERS = ["enquiries.scale", "carers.scale", "placements.scale"]
# (role, how many at --scale 1, the fewest at any scale, email prefix)
STAFF = [
    (Role.SOCIAL_WORKERS, 40, 2, "social.worker"),
    (Role.TEAM_MANAGERS, 5, 1, "manager"),
    (Role.RECRUITMENT_TEAM, 4, 1, "recruitment"),
    (Role.EVENTS_TEAM, 2, 1, "events"),
]
STAFF_DOMAIN = "scale.oakway.example"
WORKERS_PER_TEAM = 8
TEAM_MAILBOXES = (
    "RECRUITMENT_TEAM_EMAIL",
    "EVENTS_TEAM_EMAIL",
    "CARERS_TEAM_EMAIL",
    "PLACEMENTS_TEAM_EMAIL",
)
REFUSAL = (
    "This database already holds {what}. seed_scale adds tens of thousands of made-up "
    "enquiries, households and children; it is meant for an empty database used for "
    "measuring. Nothing was written. To add the history to this database anyway, run it "
    "again with --force."
)


class Command(BaseCommand):
    help = (
        "Write a large agency's made-up history in bulk (enquiries, events and bookings, "
        "households, children, placements, family time, audit entries, delivered emails) "
        "for measuring. Refuses a database that already holds records unless --force."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale",
            type=float,
            default=0.1,
            help="The agency's size: 1 is a large agency (about 30,000 enquiries and "
            "3,000 households over ten years); 0.1 a tenth of it. Default 0.1.",
        )
        parser.add_argument(
            "--years", type=int, default=10, help="How many years of history. Default 10."
        )
        parser.add_argument(
            "--seed",
            type=int,
            default=20,
            help="The random seed: the same seed on an empty database on the same day "
            "writes the same rows. Default 20.",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Add the history even though the database already holds enquiries, "
            "households or accounts other than demo ones.",
        )

    def handle(self, *args, scale, years, seed, force, **options):
        if not 0 < scale <= 5:
            raise CommandError("--scale must be more than 0 and at most 5 (e.g. 0.01, 0.1, 1).")
        if not 1 <= years <= 30:
            raise CommandError("--years must be between 1 and 30.")
        found = holds_records()
        if found and not force:
            raise CommandError(REFUSAL.format(what=found))
        started = time.monotonic()
        history = History(
            seed=seed, scale=scale, years=years, today=timezone.localdate(), stdout=self.stdout
        )
        with transaction.atomic():
            history.staff = staff(history)
            for dotted in BUILDERS:
                with history.step(dotted.split(".")[0]):
                    importlib.import_module(dotted).build(history)
            with history.step("deadlines"):
                importlib.import_module("carers.scale").deadlines_write(history)
            with history.step("audit entries and outbox"):
                top_up(history)
                history.flush_audit_and_outbox()
            history.finish_sequences()
        # The tables as autovacuum would leave them in time. The planner's statistics:
        # without them it takes the new tables for empty and plans every page accordingly.
        # On PostgreSQL a VACUUM as well: each trigram index's pending entries merged (read
        # through ten years of pending entries, a search is slower than with no index) and
        # the visibility map set. VACUUM cannot run inside a transaction (the test suite's
        # own): there, the statistics alone.
        with history.step("statistics"), connection.cursor() as cursor:
            if connection.vendor == "postgresql" and not connection.in_atomic_block:
                cursor.execute("VACUUM ANALYZE")
            else:
                cursor.execute("ANALYZE")
        self.report(history, time.monotonic() - started)

    def report(self, history: History, seconds: float) -> None:
        self.stdout.write(
            f"seed_scale: scale {history.scale:g}, {history.years} years to "
            f"{history.today:%d/%m/%Y}, seed {history.seed}"
        )
        for name, count in sorted(history.counts.items()):
            self.stdout.write(f"  {count:>10,}  {name}")
        for name, took in history.timings:
            self.stdout.write(f"  {name}: {took:.1f}s")
        self.stdout.write(self.style.SUCCESS(f"Done in {seconds:.1f} seconds."))


def holds_records() -> str:
    """What real-looking records the database already holds, in words ('' for none)."""
    from carers.models import Household
    from enquiries.models import Enquiry

    if Enquiry.objects.exists():
        return "enquiries"
    if Household.objects.exists():
        return "carer households"
    if User.objects.filter(is_demo_account=False).exists():
        return "accounts other than demo ones"
    return ""


def staff(history: History) -> dict[str, list[User]]:
    """The made-up staff the history is worked by, marked as demo accounts, without a
    usable password; social workers in teams of eight, each with a team manager."""
    made: dict[str, list[User]] = {}
    for role, at_scale_1, least, prefix in STAFF:
        group = Group.objects.get(name=role)
        people = []
        for n in range(1, history.amount(at_scale_1, least=least) + 1):
            email = f"{prefix}.{n}@{STAFF_DOMAIN}"
            user = User.objects.filter(email=email).first()
            if user is None:
                user = User(
                    pk=history.pk(User),
                    email=email,
                    first_name=f"{prefix.split('.')[0].capitalize()}{n}",
                    last_name="Scale",
                    is_staff=True,
                    is_demo_account=True,
                    password=UNUSABLE_PASSWORD_PREFIX,  # never signs in with a password
                    date_joined=timezone.make_aware(datetime.combine(history.start, clock_time(9))),
                )
                user.save(force_insert=True)
                User.groups.through.objects.create(
                    pk=history.pk(User.groups.through), user=user, group=group
                )
            people.append(user)
        made[role] = people
    workers, managers = made[Role.SOCIAL_WORKERS], made[Role.TEAM_MANAGERS]
    for n in range(0, len(workers), WORKERS_PER_TEAM):
        name = f"Scale team {n // WORKERS_PER_TEAM + 1}"
        team = Team.objects.filter(name=name).first()
        if team is None:
            team = Team(pk=history.pk(Team), name=name)
            team.save(force_insert=True)
            Team.managers.through.objects.create(
                pk=history.pk(Team.managers.through),
                team=team,
                user=managers[(n // WORKERS_PER_TEAM) % len(managers)],
            )
            Team.members.through.objects.bulk_create(
                Team.members.through(pk=history.pk(Team.members.through), team=team, user=worker)
                for worker in workers[n : n + WORKERS_PER_TEAM]
            )
    return made


def top_up(history: History) -> None:
    """Bring the audit trail and the outbox to the agency's size: staff reallocating
    cases (entries as the admin writes them) and each working day's overdue digest to
    every member of staff, newest first (``portal.deadlines.overdue_digests_queue``)."""
    rng = history.rng
    wanted = history.amount(1_000_000) - history.audit_count
    workers = history.staff[Role.SOCIAL_WORKERS]
    cases = [*history.households, *getattr(history, "conversions", [])]
    for _ in range(max(wanted, 0) if cases else 0):
        case = rng.choice(cases)
        was, now = rng.sample(workers, 2) if len(workers) > 1 else (workers[0], workers[0])
        field = "social_worker" if hasattr(case, "social_worker_id") else "assigned_to"
        prefix = case._meta.app_label + "." + case._meta.model_name
        history.audit(
            case,
            f"{prefix}.edited",
            at=history.moment(history.day_in_history()),
            by=rng.choice(history.staff[Role.TEAM_MANAGERS]),
            changes={field: [was.pk, now.pk]},
        )
    target = history.amount(500_000)
    # Each member of staff, and each team mailbox (what is overdue on unallocated cases).
    everyone = [user.email for people in history.staff.values() for user in people]
    everyone += [getattr(settings, name) for name in TEAM_MAILBOXES]
    # Digests already sent (a history added with --force beside another).
    sent = set(
        Notification.objects.filter(key__startswith="scale:deadlines:overdue-digest:").values_list(
            "key", flat=True
        )
    )
    day = history.today - timedelta(days=1)
    while history.outbox_count < target and day >= history.start:
        if is_working_day(day):
            for email in everyone[: target - history.outbox_count]:
                key = f"deadlines:overdue-digest:{email}:{day.isoformat()}"
                if f"scale:{key}" in sent:
                    continue
                history.outbox(
                    key,
                    to=email,
                    template="portal/overdue_digest",
                    due_at=timezone.make_aware(datetime.combine(day, clock_time(8))),
                )
        day -= timedelta(days=1)


# The tables seed_scale fills, for the tests and for whoever wants to clear them.
def filled_models() -> list:
    from carers import scale as carers_scale
    from enquiries.models import (
        Booking,
        Enquiry,
        EnquiryContact,
        EnquiryStatusChange,
        InformationEvent,
    )
    from placements import scale as placements_scale

    return [
        User,
        Team,
        InformationEvent,
        Booking,
        Enquiry,
        EnquiryContact,
        EnquiryStatusChange,
        *carers_scale.MODELS,
        *placements_scale.MODELS,
        LogEntry,
        Notification,
    ]

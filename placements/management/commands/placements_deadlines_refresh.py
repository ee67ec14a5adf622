"""Recompute every open placement's stored deadlines (run after an upgrade changes a rule)."""

from django.core.management.base import BaseCommand

from placements.services import deadlines_refresh_all


class Command(BaseCommand):
    help = "Bring every open placement's deadlines and reminders into line with the clocks."

    def handle(self, *args, **options):
        count = deadlines_refresh_all()
        self.stdout.write(f"Deadlines refreshed on {count} open placement(s).")

"""Apply the retention schedule now (``--dry-run``: only report what is due), or print the
schedule as the README's table (``--table``)."""

from django.core.management.base import BaseCommand

from portal import retention


class Command(BaseCommand):
    help = "Apply the retention schedule now and print its report (counts, never names)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Report what is due; change nothing."
        )
        parser.add_argument(
            "--table", action="store_true", help="Print the schedule as a Markdown table."
        )

    def handle(self, *args, dry_run=False, table=False, **options):
        if table:
            self.stdout.write(retention.schedule_markdown())
            return
        run = retention.run(dry_run=dry_run, trigger="command")
        titles = {rc.key: rc.title for rc in retention.registered()}
        self.stdout.write("Dry run: nothing changed." if dry_run else "Retention schedule applied.")
        for key, entry in run.report.items():
            self.stdout.write(
                f"{titles[key]}: {entry['due']} due, {entry['held']} held, "
                f"{entry['done']} {retention.ACTIONS[entry['action']].split(' ')[0]}"
            )

"""Load postcode district centres for the estimated travel times in linking.

    python manage.py load_postcode_districts FILE

FILE is the open postcode directory's CSV (one row per postcode: ``pcds``, ``lat``,
``long``) or a file of districts (``district,latitude,longitude``). Without FILE, the
demo area's districts shipped with the portal are loaded.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from placements.services.matching import postcode_districts_load
from portal.workflow import Refused

SHIPPED = Path(__file__).resolve().parents[2] / "data" / "postcode_districts_demo.csv"


class Command(BaseCommand):
    help = "Load postcode district centres (for the estimated travel times in linking)."

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", default=str(SHIPPED))

    def handle(self, *args, file, **options):
        try:
            with open(file, encoding="utf-8-sig", newline="") as lines:
                result = postcode_districts_load(lines=lines)
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}.") from error
        except Refused as refusal:
            raise CommandError(refusal.message) from refusal
        self.stdout.write(f"{result.loaded} postcode district(s) loaded.")
        if result.refused:
            shown = ", ".join(str(n) for n in result.refused_lines[:20])
            more = " and more" if result.refused > 20 else ""
            self.stdout.write(
                f"{result.refused} row(s) refused (no usable district, or no location in "
                f"the United Kingdom): line(s) {shown}{more}."
            )

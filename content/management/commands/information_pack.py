"""Build the information pack now, or measure how long building it takes.

python manage.py information_pack            # build it if content changed (as the worker does)
python manage.py information_pack --measure   # render it afresh, print pages and seconds
"""

import statistics
import time

from django.core.management.base import BaseCommand

from content import services
from portal.pdf import document_to_pdf, html_to_document


class Command(BaseCommand):
    help = "Build the information pack PDF, or measure its build time and page count."

    def add_arguments(self, parser):
        parser.add_argument(
            "--measure",
            action="store_true",
            help="Render the pack afresh (ignoring the cache) and report pages and timings.",
        )
        parser.add_argument("--runs", type=int, default=3, help="Renderings to time (--measure).")

    def handle(self, *args, **options):
        if not options["measure"]:
            pack = services.information_pack_refresh()
            state = "built" if pack.built else "already up to date"
            self.stdout.write(f"Information pack {state}: {pack.path} ({pack.size} bytes)")
            return
        html = services.information_pack_html()
        timings, pages, size = [], 0, 0
        for _ in range(max(1, options["runs"])):
            started = time.perf_counter()
            document = html_to_document(html)
            data = document_to_pdf(document)
            timings.append(time.perf_counter() - started)
            pages, size = len(document.pages), len(data)
        self.stdout.write(
            f"Information pack: {pages} pages, {size / 1024:.0f} KiB; build time "
            f"median {statistics.median(timings):.2f} s, min {min(timings):.2f} s, "
            f"max {max(timings):.2f} s over {len(timings)} runs"
        )

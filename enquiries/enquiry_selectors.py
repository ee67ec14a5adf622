"""Reads about enquiries, each a fixed number of queries whatever the number of rows."""

from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone

from portal.calendar import add_months

from .models import Enquiry, EnquiryContact, EnquiryNote, EnquiryStatusChange

# The funnel: each stage and the condition for having reached it. The pipeline only
# moves forward, so an enquiry that reached a stage has the moment of each earlier one.
FUNNEL_STAGES: tuple[tuple[str, str, Q], ...] = (
    ("received", "Enquiries", Q()),
    ("contacted", "Contacted", Q(contacted_at__isnull=False)),
    ("pack_sent", "Information pack sent", Q(information_pack_sent_at__isnull=False)),
    ("visit_booked", "Initial visit booked", Q(initial_visit_booked_at__isnull=False)),
    ("visit_done", "Initial visit done", Q(initial_visit_done_at__isnull=False)),
    ("roi_received", "Registration of Interest received", Q(roi_received_on__isnull=False)),
    ("converted", "Converted to a carer household", Q(converted_at__isnull=False)),
    ("closed", "Closed", Q(status=Enquiry.Status.CLOSED)),
)


def enquiries_for_conversion() -> QuerySet[Enquiry]:
    """Enquiries whose Registration of Interest has arrived: the carers app converts these."""
    return Enquiry.objects.filter(status=Enquiry.Status.ROI_RECEIVED).order_by(
        "roi_received_on", "id"
    )


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    kind: str  # "contact", "stage" or "note"
    title: str
    text: str
    by: str
    sensitive: str = ""  # sensitive details kept with the enquirer's consent
    withheld: bool = False  # they wrote something sensitive, not kept without consent


def enquiry_timeline(enquiry: Enquiry) -> list[TimelineEntry]:
    """Contacts from the enquirer, stage changes and notes, oldest first (three queries)."""
    entries = [
        TimelineEntry(
            at=contact.received_at,
            kind="contact",
            title="Enquiry form sent" if n == 0 else "Enquiry form sent again",
            text=contact.question,
            by="The enquirer",
            sensitive=contact.sensitive_details,
            withheld=contact.sensitive_withheld,
        )
        for n, contact in enumerate(EnquiryContact.objects.filter(enquiry=enquiry))
    ]
    for change in EnquiryStatusChange.objects.filter(enquiry=enquiry).select_related("by"):
        entries.append(
            TimelineEntry(
                at=change.at,
                kind="stage",
                title=f"{change.get_from_status_display()} → {change.get_to_status_display()}",
                text=change.note,
                by=str(change.by) if change.by else "The portal",
            )
        )
    for note in EnquiryNote.objects.filter(enquiry=enquiry).select_related("author"):
        entries.append(
            TimelineEntry(
                at=note.created_at, kind="note", title="Note", text=note.text, by=str(note.author)
            )
        )
    return sorted(entries, key=lambda entry: entry.at)


# -- the funnel report -------------------------------------------------------------------


@dataclass(frozen=True)
class FunnelRow:
    label: str
    counts: dict[str, int]

    def count(self, stage: str) -> int:
        return self.counts.get(stage, 0)

    @property
    def values(self) -> list[int]:
        """The counts in the order of the funnel's stages."""
        return [self.count(key) for key, _, _ in FUNNEL_STAGES]


def funnel_months(today: date | None = None, months: int | None = None) -> list[date]:
    """The first day of each month in the report, oldest first, this month last."""
    today = today or timezone.localdate()
    months = months or settings.ENQUIRY_FUNNEL_MONTHS
    this_month = today.replace(day=1)
    return [add_months(this_month, -n) for n in range(months - 1, -1, -1)]


def _stage_counts() -> dict:
    return {key: Count("pk", filter=condition) for key, _, condition in FUNNEL_STAGES}


def funnel_report(*, today: date | None = None, months: int | None = None) -> dict:
    """Enquiries received in the last ``months`` months: per month, per source, in total.

    Four grouped queries. Anonymised enquiries count too: they keep their stage dates.
    """
    month_starts = funnel_months(today, months)
    start = timezone.make_aware(datetime.combine(month_starts[0], datetime.min.time()))
    received = Enquiry.objects.filter(received_at__gte=start)

    by_month = {
        timezone.localdate(row["month"])
        if isinstance(row["month"], datetime)
        else row["month"]: row
        for row in received.annotate(month=TruncMonth("received_at"))
        .values("month")
        .annotate(**_stage_counts())
        .order_by("month")
    }
    month_rows = [
        FunnelRow(label=f"{month:%B %Y}", counts=by_month.get(month, {})) for month in month_starts
    ]

    sources = dict(Enquiry.HeardAbout.choices)
    by_source = {
        row["heard_about"]: row
        for row in received.values("heard_about").annotate(**_stage_counts()).order_by()
    }
    source_rows = [
        FunnelRow(label=label, counts=by_source.get(value, {})) for value, label in sources.items()
    ]
    source_rows.append(FunnelRow(label="Not given", counts=by_source.get("", {})))

    totals = FunnelRow(label="All", counts=received.aggregate(**_stage_counts()))
    closed_reasons = {
        row["closed_reason"]: row["n"]
        for row in received.filter(status=Enquiry.Status.CLOSED)
        .values("closed_reason")
        .annotate(n=Count("pk"))
        .order_by()
    }
    return {
        "stages": [(key, label) for key, label, _ in FUNNEL_STAGES],
        "months": month_rows,
        "sources": source_rows,
        "totals": totals,
        "closed_reasons": [
            (label, closed_reasons.get(value, 0)) for value, label in Enquiry.ClosedReason.choices
        ],
        "since": month_starts[0],
    }

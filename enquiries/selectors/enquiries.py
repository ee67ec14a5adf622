"""Reads about enquiries, each a fixed number of queries whatever the number of rows."""

from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.db.models import Count, DateTimeField, F, Min, Q, QuerySet
from django.db.models.functions import TruncDate, TruncMonth
from django.utils import timezone

from portal import formats
from portal.aggregates import DaysBetween, medians
from portal.calendar import (
    add_months,
    financial_year_bounds,
    financial_year_label,
    financial_year_of,
)
from portal.search import Hit, Kind, changelist_matches

from ..clocks import first_contact_due
from ..models import Enquiry, EnquiryContact, EnquiryNote, EnquiryStatusChange

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


# The events the funnel names one by one (those that led to the most enquiries); the
# others are one row. A display choice: the totals count every event.
FUNNEL_EVENTS_SHOWN = 20

# From the enquiry to each later stage: the moment the funnel reads for it.
STAGE_MOMENTS = (
    ("contacted", "First contact", "contacted_at"),
    ("visit_booked", "Initial visit booked", "initial_visit_booked_at"),
    ("visit_done", "Initial visit done", "initial_visit_done_at"),
    ("roi_received", "Registration of Interest received", "roi_received_on"),
    ("converted", "Converted to a carer household", "converted_at"),
)


@dataclass(frozen=True)
class StageTime:
    label: str
    reached: int  # enquiries that reached the stage
    median_days: float | None  # calendar days from the enquiry, half took longer


STAGE_FIELDS = tuple(field for _, _, field in STAGE_MOMENTS)


def _local_day(field: str):
    """The day of ``field`` in the agency's time zone, worked out by the database."""
    if isinstance(Enquiry._meta.get_field(field), DateTimeField):
        return TruncDate(field, tzinfo=timezone.get_current_timezone())
    return F(field)


def funnel_years(*, today: date | None = None) -> list[int]:
    """Financial years with enquiries, newest first, always including this one (one query)."""
    today = today or timezone.localdate()
    first = Enquiry.objects.aggregate(first=Min("received_at"))["first"]
    current = financial_year_of(today)
    oldest = financial_year_of(timezone.localdate(first)) if first else current
    return list(range(current, min(oldest, current) - 1, -1))


def funnel_report(
    *,
    today: date | None = None,
    months: int | None = None,
    financial_year: int | None = None,
) -> dict:
    """Enquiries received in the last ``months`` months, or in one financial year (April to
    March): per month, per source, per information event booked before, in total; with
    each stage's share of the enquiries, first contact on time and the time to each stage.

    Eight queries on PostgreSQL whatever the number of enquiries (on SQLite the medians
    take one each), none reading a row per enquiry. Anonymised enquiries count too: they
    keep their stage dates. Messages from our own carer households are not enquiries.
    """
    today = today or timezone.localdate()
    if financial_year is not None:
        first_day, after = financial_year_bounds(financial_year)
        month_starts = [add_months(first_day, n) for n in range(12)]
        period = financial_year_label(financial_year)
    else:
        month_starts = funnel_months(today, months)
        after = None
        period = ""
    start = timezone.make_aware(datetime.combine(month_starts[0], datetime.min.time()))
    received = Enquiry.objects.filter(received_at__gte=start, known_household_reference="")
    if after is not None:
        received = received.filter(
            received_at__lt=timezone.make_aware(datetime.combine(after, datetime.min.time()))
        )

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
        FunnelRow(label=formats.month(month), counts=by_month.get(month, {}))
        for month in month_starts
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

    # The events that led to the most enquiries, newest first, and the others together:
    # over a year a large agency's enquirers have booked hundreds of events.
    after_an_event = received.filter(after_event__isnull=False)
    busiest = sorted(
        after_an_event.values("after_event", "after_event__title", "after_event__starts_at")
        .annotate(**_stage_counts())
        .order_by("-received", "-after_event__starts_at", "after_event")[:FUNNEL_EVENTS_SHOWN],
        key=lambda row: (row["after_event__starts_at"], row["after_event"]),
        reverse=True,
    )
    event_rows = [
        FunnelRow(
            label=f"{row['after_event__title']}, "
            f"{formats.day(timezone.localdate(row['after_event__starts_at']))}",
            counts=row,
        )
        for row in busiest
    ]
    every_event = after_an_event.aggregate(
        **_stage_counts(), events=Count("after_event", distinct=True)
    )
    others = every_event.pop("events") - len(busiest)
    if others > 0:
        event_rows.append(
            FunnelRow(
                label=f"The other {others} event{'s' if others != 1 else ''}",
                counts={
                    key: every_event[key] - sum(row[key] for row in busiest)
                    for key, _, _ in FUNNEL_STAGES
                },
            )
        )

    # The totals, and how many reached each stage the time is measured to.
    counted = received.aggregate(
        **_stage_counts(), **{f"reached_{field}": Count(field) for field in STAGE_FIELDS}
    )
    reached = {field: counted.pop(f"reached_{field}") for field in STAGE_FIELDS}
    totals = FunnelRow(label="All", counts=counted)
    closed_reasons = {
        row["closed_reason"]: row["n"]
        for row in received.filter(status=Enquiry.Status.CLOSED)
        .values("closed_reason")
        .annotate(n=Count("pk"))
        .order_by()
    }

    # The time to each stage: whole days from the enquiry's day to the stage's, in the
    # agency's time zone, the median over the enquiries that reached it. The database
    # works them out (one query), so the page reads no row per enquiry.
    arrived = _local_day("received_at")
    halfway = medians(
        received,
        {field: DaysBetween(arrived, _local_day(field)) for field in STAGE_FIELDS},
    )
    stage_times = [
        StageTime(label=label, reached=reached[field], median_days=halfway[field])
        for _key, label, field in STAGE_MOMENTS
    ]

    # First contact on time: the enquiries counted per day received and day contacted
    # (a year is some 250 days, each with a few days of contact), and each day's due date
    # worked out once by the working-day calendar.
    on_time = 0
    due_on: dict[date, date] = {}
    for row in (
        received.filter(contacted_at__isnull=False)
        .values(day=arrived, contacted=_local_day("contacted_at"))
        .annotate(n=Count("pk"))
        .order_by()
    ):
        if row["day"] not in due_on:
            due_on[row["day"]] = first_contact_due(row["day"])
        on_time += row["n"] if row["contacted"] <= due_on[row["day"]] else 0

    enquiries = totals.count("received")
    return {
        "stages": [(key, label) for key, label, _ in FUNNEL_STAGES],
        "months": month_rows,
        "sources": source_rows,
        "events": event_rows,
        "events_shown": FUNNEL_EVENTS_SHOWN,
        "events_more": others > 0,  # the last row adds up the events not shown
        "totals": totals,
        "rates": [
            (label, totals.count(key), _percent(totals.count(key), enquiries))
            for key, label, _ in FUNNEL_STAGES
        ],
        "first_contact": {
            "working_days": settings.ENQUIRY_FIRST_CONTACT_WORKING_DAYS,
            "on_time": on_time,
            "of": enquiries,
            "percent": _percent(on_time, enquiries),
        },
        "stage_times": stage_times,
        "closed_reasons": [
            (label, closed_reasons.get(value, 0))
            for value, label in Enquiry.ClosedReason.choices
            if value != Enquiry.ClosedReason.KNOWN_HOUSEHOLD
        ],
        "since": month_starts[0],
        "financial_year": financial_year,
        "period": period,
    }


def _percent(part: int, whole: int) -> int | None:
    """A share as a whole percentage, or None when there is nothing to share."""
    return round(100 * part / whole) if whole else None


# -- the recruitment panel on the staff home page (``portal.dashboard``) ---------------

RECRUITMENT_PANEL_LIMIT = 50


def recruitment_panel(user) -> dict | None:
    """New enquiries, first contacts due today and overdue enquiries, for those who work
    the enquiries. One query, however many enquiries there are."""
    if not user.has_perm("enquiries.change_enquiry"):
        return None
    today = timezone.localdate()
    rows = list(
        Enquiry.objects.filter(status__in=Enquiry.OPEN_STATUSES)
        .filter(Q(status=Enquiry.Status.NEW) | Q(next_deadline__lte=today))
        .order_by("next_deadline", "received_at", "id")[: RECRUITMENT_PANEL_LIMIT + 1]
    )
    truncated = len(rows) > RECRUITMENT_PANEL_LIMIT
    rows = rows[:RECRUITMENT_PANEL_LIMIT]
    first_contact = Enquiry.Clock.FIRST_CONTACT
    return {
        "today": today,
        "new": [e for e in rows if e.status == Enquiry.Status.NEW],
        "due_today": [
            e for e in rows if e.next_deadline == today and e.next_deadline_clock == first_contact
        ],
        "overdue": [e for e in rows if e.is_overdue(today)],
        "truncated": truncated,
    }


# -- the staff search (portal.search) -------------------------------------------------------


def enquiry_search(request, term: str) -> QuerySet:
    """Enquiries whose reference (EQ00042), name, email, postcode or partner's name matches
    ``term``, found as the enquiries list finds them; newest first."""
    return changelist_matches(Enquiry, request, term, Enquiry.objects.all()).order_by(
        "-received_at", "-id"
    )


def enquiry_hit(enquiry: Enquiry) -> Hit:
    # What the enquiries list shows: the reference, the name, the stage, its age; the
    # email that may have matched is not repeated.
    name = "(anonymised)" if enquiry.is_anonymised else enquiry.full_name
    return Hit(
        label=f"{enquiry.reference}: {name}",
        link=enquiry.get_absolute_url(),
        context=f"{enquiry.get_status_display()}, received {formats.day(enquiry.received_at)}",
    )


SEARCH_KINDS = (
    Kind(
        name="enquiries",
        title="Enquiries",
        permission="enquiries.view_enquiry",
        find=enquiry_search,
        hit=enquiry_hit,
        changelist="admin:enquiries_enquiry_changelist",
        order=40,
    ),
)

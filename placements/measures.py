"""The EP measures team managers report, computed by the database in a fixed number of queries.

Medians and whole days come from ``portal.aggregates`` (PostgreSQL's ``percentile_cont``,
or window functions on SQLite). No figure is computed by looping over rows in Python.

Definitions (shown on the page too):

- placements by route and outcome: placements that began in the year, by their result
  now (still fostering, placed for adoption, or the outcome they ended with);
- days from entering care to placement with the eventual adopters, and days from
  placement to adoption order: children adopted by their carers in the year;
- share returned home: children whose placement ended in the year;
- proceedings past 26 weeks: children whose care proceedings were issued in the year
  and finished after the 26-week date, or are still open past it;
- family time: sessions generated from the plans for days of the year before today,
  those held, those cancelled by each party and those the parent missed; and the
  carers' travel, in hours a week a placement: the miles the carers claimed at
  ``FAMILY_TIME_TRAVEL_MPH`` (the agency's average speed), over the weeks in which each
  placement had a session with miles.
"""

import hashlib
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.db.models import (
    Count,
    DateField,
    F,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.utils import timezone

from carers.models import Household
from portal.aggregates import DaysBetween, medians_by
from portal.calendar import financial_year_bounds, financial_year_label, financial_year_of

from .models import (
    FamilyTimeFiguresBefore,
    FamilyTimePlan,
    FamilyTimeSession,
    Link,
    Match,
    MatchingPause,
    Placement,
    PlacementChild,
    Referral,
)
from .selectors import placement_result

Route = Placement.Route


@dataclass
class RouteCounts:
    route: str | None
    label: str
    counts: dict[str, int]  # in the order of RESULTS
    total: int

    @property
    def bars(self) -> list[tuple[str, int]]:
        labels = dict(RESULTS)
        return [(labels[key], count) for key, count in self.counts.items()]


@dataclass
class Figure:
    """One measure for one route (or all routes): a value and how many children it is about."""

    value: float | None
    count: int
    of: int | None = None

    @property
    def share(self) -> float | None:
        if not self.of:
            return None
        return round(100 * self.count / self.of, 1)


@dataclass
class Measures:
    year: int | None
    years: list[int]
    results: list[tuple[str, str]]
    by_route: list[RouteCounts]
    financial_year: int | None = None  # April to March, named by the year it starts
    financial_years: list[int] = field(default_factory=list)
    care_to_placement: dict[str | None, Figure] = field(default_factory=dict)
    placement_to_order: dict[str | None, Figure] = field(default_factory=dict)
    returned_home: dict[str | None, Figure] = field(default_factory=dict)
    proceedings_over_26_weeks: dict[str | None, Figure] = field(default_factory=dict)
    matching: "MatchingMeasures | None" = None
    family_time: "FamilyTimeFigures | None" = None

    @property
    def period(self) -> str:
        """The period the figures cover, as the page and the CSV name it."""
        if self.financial_year:
            return f"financial year {financial_year_label(self.financial_year)}"
        return str(self.year) if self.year else "all years"

    @property
    def routes(self) -> list[tuple[str | None, str]]:
        return [*Route.choices, (None, "All routes")]

    @property
    def timeliness(self) -> list[dict]:
        """The four child-level measures as table rows, one cell per route then all routes."""
        rows = [
            (
                "care-to-placement",
                "Median days from entering care to placement with the adopters",
                self.care_to_placement,
                "median",
            ),
            (
                "placement-to-order",
                "Median days from placement to adoption order",
                self.placement_to_order,
                "median",
            ),
            (
                "returned-home",
                "Returned home, of children whose placement ended",
                self.returned_home,
                "share",
            ),
            (
                "proceedings-over-26-weeks",
                "Children whose care proceedings passed 26 weeks",
                self.proceedings_over_26_weeks,
                "count",
            ),
        ]
        return [
            {
                "slug": slug,
                "label": label,
                "kind": kind,
                "cells": [
                    {"route": route or "all", "figure": figures.get(route)}
                    for route, _ in self.routes
                ],
            }
            for slug, label, figures, kind in rows
        ]

    @property
    def chart_max(self) -> int:
        return max([row.total for row in self.by_route if row.route] + [1])


@dataclass
class FamilyTimeFigures:
    planned: int
    held: int
    did_not_attend: int
    cancelled: list[tuple[str, int]]  # (who cancelled, how many)
    not_recorded: int  # days gone by with no outcome recorded: a gap in the figures
    miles: Decimal
    placement_weeks: int

    @property
    def travel_hours_per_week(self) -> float | None:
        """The carers' hours of travel a week a placement, at the agency's average speed."""
        if not self.placement_weeks:
            return None
        hours = float(self.miles) / settings.FAMILY_TIME_TRAVEL_MPH
        return round(hours / self.placement_weeks, 1)


RESULTS: list[tuple[str, str]] = [
    (Placement.Status.FOSTERING, "Fostering, court deciding"),
    (Placement.Status.PLACED_FOR_ADOPTION, "Placed for adoption"),
    (Placement.Outcome.ADOPTED, "Adopted by the carers"),
    (Placement.Outcome.RETURNED_HOME, "Returned home"),
    (Placement.Outcome.PLACED_WITH_KIN, "Placed with kin"),
    (Placement.Outcome.OTHER, "Other ending"),
]


def measure_years() -> list[int]:
    """Years that have a placement starting or ending in them, newest first."""
    started = Placement.objects.dates("placed_on", "year")
    ended = Placement.objects.filter(outcome_on__isnull=False).dates("outcome_on", "year")
    return sorted({d.year for d in started} | {d.year for d in ended}, reverse=True)


def measure_financial_years() -> list[int]:
    """Financial years (April to March) with a placement starting or ending, newest first."""
    started = Placement.objects.dates("placed_on", "month")
    ended = Placement.objects.filter(outcome_on__isnull=False).dates("outcome_on", "month")
    return sorted({financial_year_of(d) for d in [*started, *ended]}, reverse=True)


def _in_year(lookup: str, year: int | None, financial_year: int | None = None) -> Q:
    """In the calendar year, or in the financial year (1 April to 31 March) when given."""
    if financial_year:
        first, after = financial_year_bounds(financial_year)
        return Q(**{f"{lookup}__gte": first, f"{lookup}__lt": after})
    return Q(**{f"{lookup}__year": year}) if year else Q()


def _by_route_total(counts: dict[str, int]) -> int:
    return sum(counts.values())


def ep_measures(
    *, year: int | None = None, financial_year: int | None = None, today: date | None = None
) -> Measures:
    """Every EP measure for one calendar year or one financial year, April to March (the
    year a placement began, ended or its proceedings were issued; see the module's
    docstring), or for all time."""
    today = today or timezone.localdate()
    if financial_year:
        year = None
    measures = Measures(
        year=year,
        years=measure_years(),
        results=RESULTS,
        by_route=[],
        financial_year=financial_year,
        financial_years=measure_financial_years(),
    )

    # Placements by route and result: one query.
    counts: dict[str, dict[str, int]] = {route: {} for route in Route.values}
    rows = (
        Placement.objects.filter(_in_year("placed_on", year, financial_year))
        .annotate(result=placement_result())
        .values("route", "result")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in rows:
        counts[row["route"]][row["result"]] = row["n"]
    everything = {
        key: sum(counts[route].get(key, 0) for route in Route.values) for key, _ in RESULTS
    }
    measures.by_route = [
        RouteCounts(
            route,
            label,
            {key: counts[route].get(key, 0) for key, _ in RESULTS},
            _by_route_total(counts[route]),
        )
        for route, label in Route.choices
    ] + [RouteCounts(None, "All routes", everything, _by_route_total(everything))]

    # Children adopted by their carers in the year: how long they waited.
    adopted = PlacementChild.objects.filter(
        Q(placement__outcome=Placement.Outcome.ADOPTED)
        & _in_year("placement__outcome_on", year, financial_year)
    )
    adopted_counts = _counts_by_route(adopted)
    with_care_date = adopted.filter(child__entered_care_on__isnull=False)
    care_counts = _counts_by_route(with_care_date)
    care = medians_by(
        with_care_date,
        group="placement__route",
        values={"days": DaysBetween(F("child__entered_care_on"), F("placement__placed_on"))},
    )
    to_order = medians_by(
        adopted,
        group="placement__route",
        values={"days": DaysBetween(F("placement__placed_on"), F("placement__outcome_on"))},
    )
    for route, _ in measures.routes:
        measures.care_to_placement[route] = Figure(
            care.get(route, {}).get("days"), care_counts.get(route, 0)
        )
        measures.placement_to_order[route] = Figure(
            to_order.get(route, {}).get("days"), adopted_counts.get(route, 0)
        )

    # Children whose placement ended in the year: how many went home.
    ended = (
        PlacementChild.objects.filter(
            Q(placement__status=Placement.Status.ENDED)
            & _in_year("placement__outcome_on", year, financial_year)
        )
        .values("placement__route")
        .annotate(
            ended=Count("pk"),
            home=Count("pk", filter=Q(placement__outcome=Placement.Outcome.RETURNED_HOME)),
        )
        .order_by()
    )
    _route_figures(measures.returned_home, ended, count="home", of="ended")

    # Children whose proceedings went past 26 weeks (or are still open past them): each
    # child once per route, by the proceedings issued in the period.
    passed = Q(child__proceedings__concluded_on__gt=F("child__proceedings__target_on")) | Q(
        child__proceedings__concluded_on__isnull=True,
        child__proceedings__target_on__lt=today,
    )
    proceedings = (
        PlacementChild.objects.filter(
            Q(child__proceedings__issued_on__isnull=False)
            & _in_year("child__proceedings__issued_on", year, financial_year)
        )
        .values("placement__route")
        .annotate(
            issued=Count("child", distinct=True),
            over=Count("child", filter=passed, distinct=True),
        )
        .order_by()
    )
    _route_figures(measures.proceedings_over_26_weeks, proceedings, count="over", of="issued")
    measures.matching = matching_measures(year=year, financial_year=financial_year, today=today)
    measures.family_time = family_time_figures(
        year=year, financial_year=financial_year, today=today
    )
    return measures


# Who cancelled: the parent's cancellations include those the plan's rules made (the
# parent did not confirm in time, or was too late for the session to go ahead).
CANCELLED_BY = [
    ("authority", (FamilyTimeSession.Status.CANCELLED_BY_AUTHORITY,), "The authority"),
    ("carers", (FamilyTimeSession.Status.CANCELLED_BY_CARERS,), "The carers"),
    ("parent", FamilyTimeSession.BY_PARENT, "The parent"),
    ("child_unwell", (FamilyTimeSession.Status.CHILD_UNWELL,), "The child was unwell"),
]


# 1 January of the year 1 was a Monday (proleptic Gregorian, as PostgreSQL, SQLite and
# Python count), so whole weeks since then start on Mondays, as ISO weeks do.
WEEKS_FROM = date(1, 1, 1)


def weeks_since(field):
    """The Monday-to-Sunday week a date falls in, as a whole number: the same weeks as
    ``TruncWeek`` without turning each date into a timestamp in the time zone (a third of
    the weeks query's time over a large agency's ten years of family time)."""
    return DaysBetween(Value(WEEKS_FROM), F(field) if isinstance(field, str) else field) / Value(7)


# What ``family_time_counts`` gives, and ``FamilyTimeFiguresBefore`` keeps.
COUNTED = (
    "planned",
    "held",
    "did_not_attend",
    "not_recorded",
    *(f"cancelled_{key}" for key, _, _ in CANCELLED_BY),
    "miles",
    "placement_weeks",
)


# Which way ``family_time_counts`` counts: the statuses each figure takes, the figures and
# the counting's own version (raise it when the counting changes in a way these do not
# show). Figures kept under another are neither used nor kept.
COUNTING_VERSION = 1
COUNTED_AS = hashlib.sha256(
    repr(
        (
            COUNTING_VERSION,
            COUNTED,
            sorted(FamilyTimeSession.HELD),
            sorted(FamilyTimeSession.OPEN),
            FamilyTimeSession.Status.PARENT_DID_NOT_ATTEND,
            [(key, sorted(statuses)) for key, statuses, _ in CANCELLED_BY],
            FamilyTimePlan.Kind.REGULAR,
        )
    ).encode()
).hexdigest()[:16]


def family_time_counts(sessions: QuerySet) -> dict:
    """The family time figures of ``sessions`` (``COUNTED``), in two queries that each read
    them once: the counts and the miles, then the placement-weeks with miles. Weeks run
    Monday to Sunday, so the figures of two runs of weeks split on a Monday add up."""
    counts = sessions.aggregate(
        planned=Count("pk", filter=Q(plan__isnull=False, kind=FamilyTimePlan.Kind.REGULAR)),
        held=Count("pk", filter=Q(status__in=FamilyTimeSession.HELD)),
        did_not_attend=Count("pk", filter=Q(status=FamilyTimeSession.Status.PARENT_DID_NOT_ATTEND)),
        not_recorded=Count("pk", filter=Q(status__in=FamilyTimeSession.OPEN)),
        **{
            f"cancelled_{key}": Count("pk", filter=Q(status__in=statuses))
            for key, statuses, _ in CANCELLED_BY
        },
        miles=Sum("miles", filter=Q(miles__isnull=False, placement__isnull=False)),
    )
    counts["miles"] = counts["miles"] or Decimal("0")
    counts["placement_weeks"] = (
        sessions.filter(miles__isnull=False, placement__isnull=False)
        .annotate(week=weeks_since("held_on"))
        .values("placement", "week")
        .distinct()
        .order_by()
        .count()
    )
    return counts


def family_time_figures(
    *, year: int | None, financial_year: int | None, today: date
) -> FamilyTimeFigures:
    """Family time in the period, up to yesterday.

    Over all years, the figures kept for every session before a Monday some weeks back
    (``FamilyTimeFiguresBefore``: a trigger deletes them when an older session changes in
    a column the figures read) plus the weeks since, counted now; without kept figures
    counted the way this code counts, every session is counted. A large agency's ten
    years are 145,000 sessions: counting them all was most of the page's time, and grew
    with the history."""
    sessions = FamilyTimeSession.objects.filter(
        _in_year("held_on", year, financial_year), held_on__lt=today
    )
    kept = None
    if not year and not financial_year:
        kept = FamilyTimeFiguresBefore.objects.filter(
            before__lte=today, counted_as=COUNTED_AS
        ).first()
    if kept is None:
        counts = family_time_counts(sessions)
    else:
        since = family_time_counts(sessions.filter(held_on__gte=kept.before))
        counts = {name: getattr(kept, name) + since[name] for name in COUNTED}
    return FamilyTimeFigures(
        planned=counts["planned"],
        held=counts["held"],
        did_not_attend=counts["did_not_attend"],
        cancelled=[(label, counts[f"cancelled_{key}"]) for key, _, label in CANCELLED_BY],
        not_recorded=counts["not_recorded"],
        miles=counts["miles"],
        placement_weeks=counts["placement_weeks"],
    )


def _counts_by_route(queryset: QuerySet) -> dict[str | None, int]:
    counts = dict(
        queryset.order_by()
        .values("placement__route")
        .annotate(n=Count("pk"))
        .values_list("placement__route", "n")
    )
    counts[None] = sum(counts.values())
    return counts


def _route_figures(target: dict, rows, *, count: str, of: str) -> None:
    rows = {row["placement__route"]: row for row in rows}
    for route in Route.values:
        row = rows.get(route, {})
        target[route] = Figure(None, row.get(count, 0), row.get(of, 0))
    target[None] = Figure(
        None,
        sum(target[route].count for route in Route.values),
        sum(target[route].of for route in Route.values),
    )


def measures_csv_rows(measures: Measures) -> list[list[str]]:
    """The measures as CSV rows: measure, route, value, children counted, out of."""
    rows = [["Measure", "Route", "Value", "Children or placements", "Out of"]]
    period = measures.period
    for row in measures.by_route:
        for key, label in measures.results:
            rows.append(
                [f"Placements begun ({period}): {label}", row.label, "", str(row.counts[key]), ""]
            )
        rows.append([f"Placements begun ({period}): all", row.label, "", str(row.total), ""])
    labels = dict(measures.routes)
    for route, figure in measures.care_to_placement.items():
        rows.append(
            [
                f"Median days from entering care to placement with the adopters ({period})",
                labels[route],
                _number(figure.value),
                str(figure.count),
                "",
            ]
        )
    for route, figure in measures.placement_to_order.items():
        rows.append(
            [
                f"Median days from placement to adoption order ({period})",
                labels[route],
                _number(figure.value),
                str(figure.count),
                "",
            ]
        )
    for route, figure in measures.returned_home.items():
        rows.append(
            [
                f"Share of children returned home, of placements ended ({period})",
                labels[route],
                _number(figure.share),
                str(figure.count),
                str(figure.of),
            ]
        )
    for route, figure in measures.proceedings_over_26_weeks.items():
        rows.append(
            [
                f"Children whose proceedings passed 26 weeks ({period})",
                labels[route],
                _number(figure.share),
                str(figure.count),
                str(figure.of),
            ]
        )
    figures = measures.family_time
    if figures is not None:
        rows += [
            [
                f"Family time sessions planned ({period})",
                "All routes",
                "",
                str(figures.planned),
                "",
            ],
            [
                f"Family time sessions held ({period})",
                "All routes",
                "",
                str(figures.held),
                str(figures.planned),
            ],
            [
                f"Family time sessions the parent missed ({period})",
                "All routes",
                "",
                str(figures.did_not_attend),
                "",
            ],
            *[
                [f"Family time cancelled: {who} ({period})", "All routes", "", str(n), ""]
                for who, n in figures.cancelled
            ],
            [
                f"Family time sessions with no outcome recorded ({period})",
                "All routes",
                "",
                str(figures.not_recorded),
                "",
            ],
            [
                f"Carers' family time travel, hours a week a placement ({period})",
                "All routes",
                _number(figures.travel_hours_per_week),
                str(figures.placement_weeks),
                "",
            ],
        ]
    return rows + matching_csv_rows(measures)


def _number(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:g}" if value == int(value) else f"{value:.1f}"


# ---------------------------------------------------------------------------
# Matching: from referral to match to placement
# ---------------------------------------------------------------------------
# - referrals received in the year, how many were matched (an agreed match), links per
#   referral (all links, open or closed);
# - median days from referral to the agreed match, and from the match to the placement,
#   for matches agreed (placements begun) in the year;
# - median days from the carers' approval as adopters to their match (matches agreed in
#   the year);
# - approved carers waiting now (approved as adopters, no child placed, no open link or
#   match): how long since approval, and how many have waited longer than
#   ``MATCHING_WAITING_ALERT_DAYS`` (agency policy, 90 by default);
# - referrals lost in the year (withdrawn, or the child placed elsewhere), by why.


@dataclass
class MatchingMeasures:
    referrals: dict[str | None, Figure] = field(default_factory=dict)  # matched of received
    links_per_referral: float | None = None
    referral_to_match: dict[str | None, Figure] = field(default_factory=dict)
    approval_to_match: dict[str | None, Figure] = field(default_factory=dict)
    match_to_placement: dict[str | None, Figure] = field(default_factory=dict)
    waiting: Figure | None = None  # value: median days waited; count: over the limit; of: all
    waiting_limit_days: int = 0
    lost: list[tuple[str, int]] = field(default_factory=list)


def _medians(queryset: QuerySet, *, route: str, start, end) -> dict[str | None, Figure]:
    counts = dict(queryset.order_by().values(route).annotate(n=Count("pk")).values_list(route, "n"))
    counts[None] = sum(counts.values())
    medians = medians_by(queryset, group=route, values={"days": DaysBetween(start, end)})
    return {
        key: Figure(medians.get(key, {}).get("days"), counts.get(key, 0))
        for key in (*Route.values, None)
    }


def matching_measures(
    *, year: int | None = None, financial_year: int | None = None, today: date | None = None
) -> MatchingMeasures:
    """The matching measures for a period (see above), in a fixed number of queries."""

    today = today or timezone.localdate()
    result = MatchingMeasures(waiting_limit_days=settings.MATCHING_WAITING_ALERT_DAYS)

    received = Referral.objects.filter(_in_year("received_on", year, financial_year))
    rows = (
        received.order_by()
        .values("route")
        .annotate(n=Count("pk"), matched=Count("match", distinct=True))
    )
    _route_figures(
        result.referrals,
        [{"placement__route": r["route"], "n": r["n"], "matched": r["matched"]} for r in rows],
        count="matched",
        of="n",
    )
    links = Link.objects.filter(referral__in=received).count()
    total = result.referrals[None].of
    result.links_per_referral = round(links / total, 1) if total else None

    matches = Match.objects.filter(_in_year("decided_on", year, financial_year))
    result.referral_to_match = _medians(
        matches, route="referral__route", start=F("referral__received_on"), end=F("decided_on")
    )
    result.approval_to_match = _medians(
        matches,
        route="referral__route",
        start=F("link__household__adopter_approved_on"),
        end=F("decided_on"),
    )
    placed = Match.objects.filter(
        Q(placement__isnull=False) & _in_year("placement__placed_on", year, financial_year)
    )
    result.match_to_placement = _medians(
        placed, route="referral__route", start=F("decided_on"), end=F("placement__placed_on")
    )

    busy = Q(placements__placement_children__is_current=True) | Q(
        links__outcome__in=(Link.Outcome.OPEN, Link.Outcome.CHOSEN),
        links__referral__status__in=(
            Referral.Status.OPEN,
            Referral.Status.LINKING,
            Referral.Status.MATCHED,
        ),
    )
    held = MatchingPause.objects.filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=today), starts_on__lte=today
    ).values("household")
    waiting = (
        Household.objects.filter(status=Household.Status.APPROVED, adopter_approved_on__lte=today)
        .exclude(pk__in=Household.objects.filter(busy).values("pk"))
        .exclude(pk__in=held)
    )
    limit = today - timedelta(days=result.waiting_limit_days)
    counts = waiting.aggregate(
        all=Count("pk"), over=Count("pk", filter=Q(adopter_approved_on__lt=limit))
    )
    # Today as a value in the expression itself (not an annotation the SQLite median's
    # inner query would not carry).
    median = medians_by(
        waiting,
        group="status",
        values={
            "days": DaysBetween(F("adopter_approved_on"), Value(today, output_field=DateField()))
        },
    )
    result.waiting = Figure(median.get(None, {}).get("days"), counts["over"], counts["all"])

    lost = (
        Referral.objects.filter(
            Q(status__in=(Referral.Status.WITHDRAWN, Referral.Status.PLACED_ELSEWHERE))
            & _in_year("status_changed_on", year, financial_year)
        )
        .order_by()
        .values("status")
        .annotate(n=Count("pk"))
    )
    labels = dict(Referral.Status.choices)
    result.lost = sorted(((labels[r["status"]], r["n"]) for r in lost), key=lambda pair: pair[0])
    return result


def matching_csv_rows(measures: Measures) -> list[list[str]]:
    """The matching measures as CSV rows, in the columns of ``measures_csv_rows``."""
    m, period, labels = measures.matching, measures.period, dict(measures.routes)
    if m is None:
        return []
    rows = []
    for route, figure in m.referrals.items():
        rows.append(
            [
                f"Referrals received and matched ({period})",
                labels[route],
                _number(figure.share),
                str(figure.count),
                str(figure.of),
            ]
        )
    rows.append(
        [
            f"Links per referral received ({period})",
            "All routes",
            _number(m.links_per_referral),
            "",
            "",
        ]
    )
    for title, figures in (
        ("Median days from referral to agreed match", m.referral_to_match),
        ("Median days from the carers' approval to their match", m.approval_to_match),
        ("Median days from the agreed match to placement", m.match_to_placement),
    ):
        for route, figure in figures.items():
            rows.append(
                [f"{title} ({period})", labels[route], _number(figure.value), str(figure.count), ""]
            )
    rows.append(
        [
            f"Approved carers waiting now: median days since approval; how many over {m.waiting_limit_days} days",
            "All routes",
            _number(m.waiting.value),
            str(m.waiting.count),
            str(m.waiting.of),
        ]
    )
    for label, count in m.lost:
        rows.append([f"Referrals lost ({period}): {label}", "All routes", "", str(count), ""])
    return rows

"""The EP measures on a small known data set, every figure worked out by hand below.

One household approved as adopters and foster carers on 2 January 2023 (approved for two
children) takes every placement; dates are chosen so the arithmetic is easy to check:

| placement | route       | child entered care | placed     | proceedings issued -> concluded | ending                      |
| A         | Concurrency | 2023-03-01         | 2023-03-01 | 2023-02-20 -> 2023-08-30 (past) | adopted 2024-02-01          |
| B         | FfA         | 2023-04-01         | 2023-05-01 | 2023-04-03 -> 2024-01-10 (past) | adopted 2024-06-03          |
| C         | Concurrency | 2023-06-10         | 2023-06-12 | 2023-06-05 -> 2024-01-03 (past) | adopted 2024-04-15          |
| D         | Concurrency | 2023-07-01         | 2023-07-03 | 2023-06-26 -> 2023-11-20 (in)   | returned home 2023-11-20    |
| E (two)   | FfA         | 2023-08-01         | 2023-08-01 | 2023-08-07 -> 2024-03-01 (past) | placed with kin 2024-03-01  |
| F         | Concurrency | 2024-01-20         | 2024-02-01 | 2024-01-15 -> open (past)       | still fostering             |
| G         | Concurrency | 2024-02-20         | 2024-03-01 | none                            | other 2024-05-01            |
| I         | Concurrency | not recorded       | 2024-01-02 | none                            | adopted 2024-12-02          |

Last day of the 26 weeks beginning with the issue day: A 2023-08-20, B 2023-10-01,
C 2023-12-03, D 2023-12-24, E 2024-02-04, F 2024-07-14 (open, and today is later).

Days from entering care to placement (adopted children with a date): A 0, B 30, C 2.
Days from placement to adoption order: A 337 (1 Mar 2023 -> 1 Feb 2024), B 399 (1 May 2023
-> 3 Jun 2024, through 29 Feb 2024), C 308 (12 Jun 2023 -> 15 Apr 2024), I 335 (2 Jan ->
2 Dec 2024).
"""

import csv
import io
from datetime import date

import pytest
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext

from placements import measures, services
from placements.models import CourtOrder, Placement
from portal.models import ExportLog

from . import factories

pytestmark = pytest.mark.django_db

TODAY = date(2026, 1, 1)
Route, CameFrom = Placement.Route, Placement.CameFrom
MEASURES_URL = "/admin/placements/placement/measures/"


def _adopt(placement, by, *, order_on, placed_for_adoption_on, applied_on, adopted_on):
    services.court_order_record(
        placement=placement,
        children=list(placement.children.all()),
        kind=CourtOrder.Kind.PLACEMENT_ORDER,
        made_on=order_on,
        by=by,
    )
    services.placement_place_for_adoption(
        placement=placement, on=placed_for_adoption_on, notice_on=placed_for_adoption_on, by=by
    )
    services.placement_record_adoption_application(placement=placement, on=applied_on, by=by)
    services.placement_record_adoption_order(placement=placement, on=adopted_on, by=by)


def _place(
    by, household, route, placed_on, entered_care_on, *, children=1, issued=None, concluded=None
):
    kids = [
        factories.child(by, born=date(2023, 1, 15), entered_care_on=entered_care_on)
        for _ in range(children)
    ]
    if entered_care_on is None:
        for kid in kids:
            kid.entered_care_on = None
            kid.save(update_fields=["entered_care_on"])
    placement = services.placement_start(
        household=household,
        children=kids,
        route=route,
        placed_on=placed_on,
        came_from=CameFrom.HOSPITAL,
        by=by,
    )
    if issued:
        factories.issue(placement, issued_on=issued, by=by)
    if concluded:
        services.proceedings_conclude(
            proceedings=factories.proceedings_of(placement), on=concluded, by=by
        )
    return placement


@pytest.fixture
def known(social_worker, manager):
    by = social_worker
    household = factories.approved_household(by=by, manager=manager, on=date(2023, 1, 2))
    a = _place(
        by,
        household,
        Route.CONCURRENCY,
        date(2023, 3, 1),
        date(2023, 3, 1),
        issued=date(2023, 2, 20),
        concluded=date(2023, 8, 30),
    )
    _adopt(
        a,
        by,
        order_on=date(2023, 8, 30),
        placed_for_adoption_on=date(2023, 9, 1),
        applied_on=date(2023, 10, 1),
        adopted_on=date(2024, 2, 1),
    )
    b = _place(
        by,
        household,
        Route.FFA,
        date(2023, 5, 1),
        date(2023, 4, 1),
        issued=date(2023, 4, 3),
        concluded=date(2024, 1, 10),
    )
    _adopt(
        b,
        by,
        order_on=date(2024, 1, 10),
        placed_for_adoption_on=date(2024, 1, 15),
        applied_on=date(2024, 2, 1),
        adopted_on=date(2024, 6, 3),
    )
    c = _place(
        by,
        household,
        Route.CONCURRENCY,
        date(2023, 6, 12),
        date(2023, 6, 10),
        issued=date(2023, 6, 5),
        concluded=date(2024, 1, 3),
    )
    _adopt(
        c,
        by,
        order_on=date(2024, 1, 3),
        placed_for_adoption_on=date(2024, 1, 5),
        applied_on=date(2024, 2, 5),
        adopted_on=date(2024, 4, 15),
    )
    d = _place(
        by,
        household,
        Route.CONCURRENCY,
        date(2023, 7, 3),
        date(2023, 7, 1),
        issued=date(2023, 6, 26),
        concluded=date(2023, 11, 20),
    )
    services.placement_record_return_home(placement=d, on=date(2023, 11, 20), by=by, note="Court.")
    e = _place(
        by,
        household,
        Route.FFA,
        date(2023, 8, 1),
        date(2023, 8, 1),
        children=2,
        issued=date(2023, 8, 7),
        concluded=date(2024, 3, 1),
    )
    services.placement_record_kin_placement(placement=e, on=date(2024, 3, 1), by=by, note="SGO.")
    _place(
        by,
        household,
        Route.CONCURRENCY,
        date(2024, 2, 1),
        date(2024, 1, 20),
        issued=date(2024, 1, 15),
    )
    g = _place(by, household, Route.CONCURRENCY, date(2024, 3, 1), date(2024, 2, 20))
    services.placement_end_other(placement=g, on=date(2024, 5, 1), by=by, note="Moved on.")
    i = _place(by, household, Route.CONCURRENCY, date(2024, 1, 2), None)
    _adopt(
        i,
        by,
        order_on=date(2024, 4, 20),
        placed_for_adoption_on=date(2024, 5, 1),
        applied_on=date(2024, 6, 1),
        adopted_on=date(2024, 12, 2),
    )
    return household


def figures(figure_map):
    return {route: (f.value, f.count, f.of) for route, f in figure_map.items()}


def test_the_measures_for_all_years(known):
    m = measures.ep_measures(today=TODAY)
    counts = {row.route: (row.counts, row.total) for row in m.by_route}
    assert counts[Route.CONCURRENCY] == (
        {
            "fostering": 1,
            "placed_for_adoption": 0,
            "adopted": 3,
            "returned_home": 1,
            "placed_with_kin": 0,
            "other": 1,
        },
        6,
    )
    assert counts[Route.FFA] == (
        {
            "fostering": 0,
            "placed_for_adoption": 0,
            "adopted": 1,
            "returned_home": 0,
            "placed_with_kin": 1,
            "other": 0,
        },
        2,
    )
    assert counts[None][1] == 8
    # Entering care -> placement: A 0, B 30, C 2 (I has no date). Concurrency (0, 2) -> 1.
    assert figures(m.care_to_placement) == {
        Route.CONCURRENCY: (1.0, 2, None),
        Route.FFA: (30.0, 1, None),
        None: (2.0, 3, None),
    }
    # Placement -> order: 308, 335, 337, 399 -> (335 + 337) / 2 = 336; Concurrency 308,
    # 335, 337 -> 335; FfA 399.
    assert figures(m.placement_to_order) == {
        Route.CONCURRENCY: (335.0, 3, None),
        Route.FFA: (399.0, 1, None),
        None: (336.0, 4, None),
    }
    # Ended: A B C D E E G I = 8 children, one home (D): 12.5 %.
    assert figures(m.returned_home) == {
        Route.CONCURRENCY: (None, 1, 5),
        Route.FFA: (None, 0, 3),
        None: (None, 1, 8),
    }
    assert m.returned_home[None].share == 12.5
    # Proceedings: A B C D E E F = 7 children; past 26 weeks: all but D.
    assert figures(m.proceedings_over_26_weeks) == {
        Route.CONCURRENCY: (None, 3, 4),
        Route.FFA: (None, 3, 3),
        None: (None, 6, 7),
    }


def test_the_measures_for_one_year(known):
    m = measures.ep_measures(year=2024, today=TODAY)
    assert m.years == [2024, 2023]
    # Begun in 2024: F (fostering), G (other), I (adopted), all Concurrency.
    assert [(row.route, row.total) for row in m.by_route] == [
        (Route.CONCURRENCY, 3),
        (Route.FFA, 0),
        (None, 3),
    ]
    # Every adoption order was made in 2024: the same medians as for all years.
    assert m.placement_to_order[None].value == 336.0
    assert m.care_to_placement[None].value == 2.0
    # Ended in 2024: A B C E E G I = 7 children, none went home.
    assert (m.returned_home[None].count, m.returned_home[None].of) == (0, 7)
    # Issued in 2024: only F, open past its 26 weeks.
    assert (m.proceedings_over_26_weeks[None].count, m.proceedings_over_26_weeks[None].of) == (1, 1)

    m = measures.ep_measures(year=2023, today=TODAY)
    assert [(row.route, row.total) for row in m.by_route] == [
        (Route.CONCURRENCY, 3),
        (Route.FFA, 2),
        (None, 5),
    ]
    assert m.placement_to_order[None].value is None  # nobody adopted in 2023
    assert (m.returned_home[None].count, m.returned_home[None].of) == (1, 1)
    assert (m.proceedings_over_26_weeks[None].count, m.proceedings_over_26_weeks[None].of) == (5, 6)


def test_an_open_case_passes_26_weeks_only_once_today_is_past_the_date(known):
    # F was issued Mon 15 Jan 2024: the 26 weeks beginning that day end Sun 14 Jul 2024.
    on_the_day = measures.ep_measures(year=2024, today=date(2024, 7, 14))
    assert on_the_day.proceedings_over_26_weeks[None].count == 0
    after = measures.ep_measures(year=2024, today=date(2024, 7, 15))
    assert after.proceedings_over_26_weeks[None].count == 1


def test_the_medians_use_the_database_path_for_this_backend(known):
    """PostgreSQL's percentile_cont, or window functions on SQLite: one query per figure set."""
    with CaptureQueriesContext(connection) as context:
        measures.ep_measures(today=TODAY)
    sql = " ".join(q["sql"] for q in context.captured_queries).upper()
    if connection.vendor == "postgresql":
        assert "PERCENTILE_CONT" in sql
    else:
        assert "ROW_NUMBER() OVER" in sql


def test_the_page_shows_the_figures_the_csv_and_an_accessible_chart(known, team_manager_client):
    response = team_manager_client.get(MEASURES_URL)
    html = response.content.decode()
    assert response.status_code == 200
    assert '<td data-measure="placement-to-order" data-route="all">' in html
    assert "336 <span" in html
    assert "12.5% <span" in html
    assert "6 of 7" in html
    assert '<svg class="placements-chart" role="img"' in html
    assert '<title id="placements-chart-title">' in html
    assert "<script" not in html.split('id="content-main"')[1]
    assert 'style="' not in html.split('id="content-main"')[1]

    csv_response = team_manager_client.get(
        MEASURES_URL.replace("measures/", "measures.csv") + "?year=2024"
    )
    assert csv_response["Content-Type"] == "text/csv; charset=utf-8"
    notice, *rows = list(csv.reader(io.StringIO(csv_response.content.decode())))
    assert notice[0].startswith("# This file holds personal data.")
    log = ExportLog.objects.get()
    assert (log.export, log.by, log.filters) == (
        "EP measures",
        team_manager_client.user,
        {"year": 2024},
    )
    assert log.rows == len(rows) - 1
    assert rows[0] == ["Measure", "Route", "Value", "Children or placements", "Out of"]
    assert [
        "Median days from placement to adoption order (2024)",
        "All routes",
        "336",
        "4",
        "",
    ] in rows
    assert [
        "Share of children returned home, of placements ended (2024)",
        "All routes",
        "0",
        "0",
        "7",
    ] in rows
    assert [
        "Children whose proceedings passed 26 weeks (2024)",
        "All routes",
        "100",
        "1",
        "1",
    ] in rows
    assert ["Placements begun (2024): all", "Concurrency", "", "3", ""] in rows


def test_a_year_that_is_not_a_number_shows_all_years(known, team_manager_client):
    response = team_manager_client.get(MEASURES_URL + "?year=abc")
    assert response.status_code == 200
    assert response.context["m"].year is None


def test_the_measures_page_has_a_query_budget_unchanged_with_ten_times_the_rows(
    known, team_manager_client, social_worker
):
    def count():
        with CaptureQueriesContext(connection) as context:
            assert team_manager_client.get(MEASURES_URL).status_code == 200
        return len(context.captured_queries)

    team_manager_client.get(MEASURES_URL)  # warm-up
    small = count()
    # The terms of approval count every child placed with the household at once.
    known.assessments.update(approved_number_of_children=F("approved_number_of_children") + 72)
    for n in range(72):
        household = known
        placement = _place(
            social_worker,
            household,
            Route.FFA if n % 2 else Route.CONCURRENCY,
            date(2024, 6, 1),
            date(2024, 5, 20),
            issued=date(2024, 5, 1),
        )
        if n % 3 == 0:
            services.placement_record_return_home(
                placement=placement, on=date(2024, 9, 1), by=social_worker, note="Court."
            )
    large = count()
    assert small == large
    print("measures page queries:", large)


def test_the_measures_for_one_financial_year_april_to_march(known):
    placed = list(Placement.objects.values_list("placed_on", flat=True))
    m = measures.ep_measures(financial_year=2023, today=TODAY)
    assert m.period == "financial year April 2023 to March 2024"
    assert 2023 in m.financial_years
    in_year = [day for day in placed if date(2023, 4, 1) <= day < date(2024, 4, 1)]
    in_calendar_2023 = [day for day in placed if day.year == 2023]
    # The fixture has placements in January to March 2024: the two periods differ.
    assert len(in_year) != len(in_calendar_2023)
    assert m.by_route[-1].total == len(in_year)
    assert m.year is None
    # Proceedings issued 7 August 2023 and 15 January 2024 both fall in April 2023 to March 2024.
    assert m.proceedings_over_26_weeks[None].of >= 2


def test_the_measures_page_filters_by_financial_year(known, team_manager_client):
    response = team_manager_client.get(MEASURES_URL + "?financial_year=2023")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Figures for financial year April 2023 to March 2024." in html
    assert 'name="financial_year"' in html
    csv_response = team_manager_client.get(
        MEASURES_URL.replace("measures/", "measures.csv") + "?financial_year=2023"
    )
    assert "ep-measures-2023-2024.csv" in csv_response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(csv_response.content.decode())))
    assert any("(financial year April 2023 to March 2024)" in row[0] for row in rows[2:])
    assert ExportLog.objects.get().filters == {"financial_year": 2023}
    both = team_manager_client.get(MEASURES_URL + "?financial_year=2023&year=2024")
    assert both.status_code == 200
    assert "Choose a year or a financial year, not both." in both.content.decode()
    assert both.context["m"].period == "all years"

"""The load benchmark's pure parts (tests/benchmarks/report.py), so `make bench` cannot rot.

The benchmark itself is not run by `make test`: it needs minutes and a quiet machine.
"""

import pytest

from tests.benchmarks import report

WRK_OUTPUT = """\
Running 10s test @ http://127.0.0.1:8000/events/
  2 threads and 4 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    11.02ms    2.10ms  40.11ms   90.00%
    Req/Sec   181.00     12.00   200.00     70.00%
  Latency Distribution
     50%   10.50ms
     99%   21.33ms
  3620 requests in 10.00s, 30.12MB read
  Non-2xx or 3xx responses: 3
Requests/sec:    362.00
Transfer/sec:      3.01MB
BENCH_JSON {"requests": 3620, "duration_us": 10000000, "bytes": 31582126, \
"errors": {"connect": 0, "read": 1, "write": 0, "status": 3, "timeout": 2}, \
"latency_us": {"p50": 10500, "p90": 14000, "p99": 21330, "mean": 11020.4, "max": 40110}, \
"statuses": {"200": 3615, "302": 2, "500": 3}}
"""


def _measurement(rps: float, p50: float, p99: float, statuses=None) -> report.Measurement:
    return report.Measurement(
        requests=int(rps * 10),
        seconds=10.0,
        p50_ms=p50,
        p90_ms=p99,
        p99_ms=p99,
        statuses=statuses or {200: int(rps * 10)},
        socket_errors=0,
    )


def test_wrk_summary_is_read_from_the_lua_line():
    m = report.parse_wrk_summary(WRK_OUTPUT)
    assert m.requests == 3620
    assert m.rps == pytest.approx(362.0)
    assert (m.p50_ms, m.p90_ms, m.p99_ms) == (10.5, 14.0, 21.33)
    assert m.statuses == {200: 3615, 302: 2, 500: 3}
    # wrk's "status" errors are the 500s, counted once through the statuses.
    assert m.socket_errors == 3
    assert m.unexpected({200}) == 5
    assert m.unexpected({200, 302}) == 3


def test_output_without_a_summary_is_refused():
    with pytest.raises(ValueError, match="no wrk summary"):
        report.parse_wrk_summary("Running 10s test @ http://127.0.0.1:8000/\n")


def test_each_round_compares_the_page_with_the_minimal_view_around_it():
    page = report.EndpointResult(
        name="events list",
        path="/events/",
        method="GET",
        public_page=True,
        expected=[200],
        pages=[
            _measurement(300, p50=12.0, p99=40.0, statuses={200: 2999, 500: 1}),
            _measurement(100, p50=30.0, p99=90.0),  # the machine was busy ...
            _measurement(330, p50=12.0, p99=40.0),
        ],
        baselines=[
            _measurement(600, p50=4.0, p99=10.0),
            _measurement(600, p50=4.0, p99=10.0),
            _measurement(200, p50=10.0, p99=30.0),  # ... for the baseline too
            _measurement(600, p50=4.0, p99=10.0),
        ],
    )
    assert page.round_ratios("rps") == pytest.approx([0.5, 0.25, 0.825])
    assert page.rps_ratio == pytest.approx(0.5)
    assert page.rps_ratio_range == pytest.approx((0.25, 0.825))
    assert page.p50_ratio == pytest.approx(3.0)
    assert page.p99_ratio == pytest.approx(4.0)
    assert page.result.requests == 7300
    assert page.errors == 1
    assert report.ratio(5.0, 0) is None
    with pytest.raises(ValueError, match="baseline before and after"):
        report.EndpointResult("x", "/", "GET", True, [200], pages=page.pages, baselines=[])

    # 60 bookings a second: met; a changelist at 24 ÷ 600 = 0.04 of the minimal view: not.
    booking = report.EndpointResult(
        "booking POST", "/events/x/", "POST", False, [200],
        pages=[_measurement(60, p50=60.0, p99=90.0)],
        baselines=[_measurement(600, p50=4.0, p99=10.0)] * 2,
    )  # fmt: skip
    changelist = report.EndpointResult(
        "admin changelist", "/admin/x/", "GET", False, [200],
        pages=[_measurement(24, p50=80.0, p99=120.0)],
        baselines=[_measurement(600, p50=4.0, p99=10.0)] * 2,
    )  # fmt: skip
    targets = report.targets_check(
        [page, booking, changelist],
        oversold=False,
        memory_mb={"gunicorn worker": 120.0, "celery worker": 310.0},
    )
    met = {t.what.split(":")[0].split(" under")[0]: t.met for t in targets}
    assert met == {
        "events list": False,
        "booking POST": True,
        "admin changelist": False,
        "no errors": False,
        "bookings never oversold": True,
        "gunicorn worker": True,
        "celery worker": False,
    }
    assert "events list: throughput ≥ 0.9 × minimal view" in [t.what for t in targets]
    table = report.markdown_table([page])
    assert (
        "| events list | `GET /events/` | 243 | 0.50 (0.25–0.82) | 14.5 | 3.0 | 46.8 | 4.0 | 1 |"
        in table
    )


def test_the_baselines_around_a_page_combine_into_one():
    before = _measurement(600, p50=4.0, p99=10.0)
    after = report.Measurement(
        requests=2000, seconds=5.0, p50_ms=6.0, p90_ms=9.0, p99_ms=16.0,
        statuses={200: 1999, 502: 1}, socket_errors=2,
    )  # fmt: skip
    both = report.combine(before, after)
    assert both.requests == 8000
    assert both.rps == pytest.approx(8000 / 15)
    assert both.p50_ms == pytest.approx((4.0 * 6000 + 6.0 * 2000) / 8000)
    assert both.p99_ms == pytest.approx((10.0 * 6000 + 16.0 * 2000) / 8000)
    assert both.statuses == {200: 7999, 502: 1}
    assert both.socket_errors == 2


def test_lighthouse_scores_are_medians_per_category():
    runs = [
        {"categories": {"accessibility": {"score": 1}, "performance": {"score": 0.81}}},
        {"categories": {"accessibility": {"score": 0.9}, "performance": {"score": 0.95}}},
        {"categories": {"accessibility": {"score": 1}, "performance": {"score": 0.9}}},
    ]
    page = report.LighthousePage(name="home page", path="/")
    page.runs = [report.lighthouse_scores(r) for r in runs]
    assert page.scores == {
        "accessibility": 100,
        "best-practices": None,
        "seo": None,
        "performance": 90,
    }
    assert page.missed_targets() == ["best-practices – < 95", "seo – < 95"]


def test_lighthouse_misses_name_the_audits_that_cost_points():
    data = {
        "categories": {
            "seo": {
                "score": 0.92,
                "auditRefs": [
                    {"id": "meta-description", "weight": 1},
                    {"id": "robots-txt", "weight": 1},
                    {"id": "structured-data", "weight": 0},
                ],
            }
        },
        "audits": {
            "meta-description": {"score": 0},
            "robots-txt": {"score": 1},
            "structured-data": {"score": 0},
        },
    }
    assert report.lighthouse_misses(data) == ["seo: meta-description (0.00)"]


# -- the staff side ---------------------------------------------------------------------


def test_percentile_is_the_nearest_rank():
    values = [float(n) for n in range(1, 101)]
    assert report.percentile(values, 0.99) == 99.0
    assert report.percentile(values, 0.5) == 50.0
    assert report.percentile([7.0, 3.0], 0.99) == 7.0
    with pytest.raises(ValueError):
        report.percentile([], 0.5)


def _run(name, status=200, queries=9, page=(20.0, 22.0, 40.0), minimal=(1.0, 1.0, 2.0)):
    return {"name": name, "url": "/admin/x/", "status": status, "queries": queries,
            "page_ms": list(page), "minimal_ms": list(minimal)}  # fmt: skip


def test_a_staff_page_is_a_ratio_to_the_minimal_view_and_grows_between_histories():
    page = report.staff_page(
        {"tenth": _run("list"), "full": _run("list", page=(50.0, 60.0, 90.0), minimal=(2.0,) * 3)}
    )
    assert page.median_ratio == {"tenth": 22.0, "full": 30.0}
    assert page.p99_ratio == {"tenth": 40.0, "full": 45.0}
    assert page.growth == pytest.approx(30 / 22)
    assert page.problems == []


def test_a_staff_page_that_grows_or_changes_its_queries_is_named():
    grows = report.staff_page(
        {"tenth": _run("a"), "full": _run("a", queries=10, page=(100.0, 100.0, 100.0))}
    )
    assert grows.growth == pytest.approx(100 / 22)
    assert grows.problems == ["queries differ", "grows 4.5×"]
    failed = report.staff_page({"tenth": _run("b"), "full": _run("b", status=500)})
    assert failed.growth is None
    assert failed.problems == ["answered 500 (full)"]
    table = report.staff_table([grows, failed])
    assert "| a | 9 / 10 | 22 → 100 | 100 | 100 | 4.55 | queries differ; grows 4.5× |" in table
    assert "| b | 9 / – | 22 → – | – | – | – | answered 500 (full) |" in table


def test_the_sweeps_table_gives_each_jobs_share_of_its_interval():
    def job(name, interval, first, seconds, queries, failed=False):
        return {"name": name, "interval_seconds": interval, "first_seconds": first,
                "seconds": seconds, "queries": queries, "failed": failed}  # fmt: skip

    tenth = [job("outbox", 60.0, 1.0, 0.5, 3), job("refresh", None, 3.0, 2.0, 9)]
    full = [job("outbox", 60.0, 90.0, 45.0, 3), job("refresh", None, 30.0, 20.0, 9, failed=True)]
    table = report.sweeps_table({"tenth": tenth, "full": full})
    assert (
        "| outbox | 60 s | 1.00 → 90.00 | 0.50 → 45.00 | 3 / 3 | 0.7500 | "
        "too slow for its interval |" in table
    )
    assert "| refresh | – | 3.00 → 30.00 | 2.00 → 20.00 | 9 / 9 | – | failed (full) |" in table

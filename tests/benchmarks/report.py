"""The benchmark's pure parts: reading wrk's summary, ratios, medians, targets, tables.

No Django and no subprocesses here, so tests/portal/test_bench_harness.py can check
them on every `make test` and the harness cannot rot unnoticed.
"""

import json
import statistics
from dataclasses import asdict, dataclass, field

SUMMARY_MARKER = "BENCH_JSON "

# Targets from the issues: reported, never asserted (the machine is shared and noisy).
# Every public page, the information pack too, at 0.9 of the minimal view's throughput;
# the booking POST at 50 a second, nothing oversold; the staff changelist at 0.05.
PUBLIC_PAGE_MIN_RATIO = 0.9
BOOKING_POST_MIN_RPS = 50
CHANGELIST_MIN_RATIO = 0.05
WORKER_MAX_MB = 300
LIGHTHOUSE_TARGETS = {
    "accessibility": 100,
    "best-practices": 95,
    "seo": 95,
    "performance": 90,
}
LIGHTHOUSE_CATEGORIES = tuple(LIGHTHOUSE_TARGETS)


@dataclass
class Measurement:
    """One wrk run against one URL."""

    requests: int
    seconds: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    statuses: dict[int, int]
    socket_errors: int
    bytes_read: int = 0

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def unexpected(self, expected: set[int]) -> int:
        """Responses whose status is not one this URL should answer with."""
        return sum(n for status, n in self.statuses.items() if status not in expected)


def parse_wrk_summary(output: str) -> Measurement:
    """Read the JSON line our Lua ``done()`` prints at the end of a wrk run.

    wrk's own text rounds latencies and changes units (us, ms, s); the Lua summary
    gives exact microseconds and the count of every status.
    """
    for line in reversed(output.splitlines()):
        if line.startswith(SUMMARY_MARKER):
            data = json.loads(line.removeprefix(SUMMARY_MARKER))
            break
    else:
        raise ValueError(f"no wrk summary in the output:\n{output[-2000:]}")
    errors = data["errors"]
    latency = data["latency_us"]
    return Measurement(
        requests=int(data["requests"]),
        seconds=data["duration_us"] / 1_000_000,
        p50_ms=latency["p50"] / 1000,
        p90_ms=latency["p90"] / 1000,
        p99_ms=latency["p99"] / 1000,
        statuses={int(code): int(n) for code, n in data["statuses"].items()},
        # wrk's "status" error counts 4xx/5xx answers; those are in ``statuses`` already.
        socket_errors=sum(int(errors[k]) for k in ("connect", "read", "write", "timeout")),
        bytes_read=int(data.get("bytes", 0)),
    )


def combine(*runs: Measurement) -> Measurement:
    """Several runs against one URL as one (e.g. the baselines before and after a page).

    Throughput and counts add up exactly; the percentiles are the runs' percentiles
    weighted by their requests, close enough when the runs are alike.
    """
    total = sum(run.requests for run in runs)

    def weighted(name: str) -> float:
        if not total:
            return 0.0
        return sum(getattr(run, name) * run.requests for run in runs) / total

    statuses: dict[int, int] = {}
    for run in runs:
        for status, n in run.statuses.items():
            statuses[status] = statuses.get(status, 0) + n
    return Measurement(
        requests=total,
        seconds=sum(run.seconds for run in runs),
        p50_ms=weighted("p50_ms"),
        p90_ms=weighted("p90_ms"),
        p99_ms=weighted("p99_ms"),
        statuses=statuses,
        socket_errors=sum(run.socket_errors for run in runs),
        bytes_read=sum(run.bytes_read for run in runs),
    )


def ratio(value: float, baseline: float) -> float | None:
    if not baseline:
        return None
    return value / baseline


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


@dataclass
class EndpointResult:
    """A URL measured in rounds, each between two runs of the minimal view.

    ``baselines[i]`` and ``baselines[i + 1]`` surround ``pages[i]``. Each round's ratio
    compares the page with the machine as it was around it; the reported ratio is the
    median over the rounds, so one burst of other work on the machine cannot decide it.
    """

    name: str
    path: str
    method: str
    public_page: bool
    expected: list[int]
    pages: list[Measurement]
    baselines: list[Measurement]
    note: str = ""

    def __post_init__(self):
        if len(self.baselines) != len(self.pages) + 1:
            raise ValueError("every round needs a baseline before and after it")

    @property
    def result(self) -> Measurement:
        return combine(*self.pages)

    @property
    def baseline(self) -> Measurement:
        return combine(*self.baselines)

    def round_ratios(self, attribute: str) -> list[float | None]:
        ratios = []
        for i, page in enumerate(self.pages):
            around = combine(self.baselines[i], self.baselines[i + 1])
            ratios.append(ratio(getattr(page, attribute), getattr(around, attribute)))
        return ratios

    @property
    def rps_ratio(self) -> float | None:
        return median(self.round_ratios("rps"))

    @property
    def rps_ratio_range(self) -> tuple[float, float] | None:
        ratios = [r for r in self.round_ratios("rps") if r is not None]
        return (min(ratios), max(ratios)) if ratios else None

    @property
    def p50_ratio(self) -> float | None:
        return median(self.round_ratios("p50_ms"))

    @property
    def p99_ratio(self) -> float | None:
        return median(self.round_ratios("p99_ms"))

    @property
    def errors(self) -> int:
        result = self.result
        return result.socket_errors + result.unexpected(set(self.expected))

    def as_dict(self) -> dict:
        result, baseline = self.result, self.baseline
        return {
            "name": self.name,
            "path": self.path,
            "method": self.method,
            "public_page": self.public_page,
            "expected_statuses": self.expected,
            "rps": round(result.rps, 1),
            "p50_ms": round(result.p50_ms, 2),
            "p99_ms": round(result.p99_ms, 2),
            "kb_per_response": round(result.bytes_read / result.requests / 1024, 1)
            if result.requests
            else None,
            "rps_ratio": _round(self.rps_ratio, 3),
            "rps_ratio_rounds": [_round(r, 3) for r in self.round_ratios("rps")],
            "p50_ratio": _round(self.p50_ratio, 2),
            "p99_ratio": _round(self.p99_ratio, 2),
            "errors": self.errors,
            "note": self.note,
            "result": {**asdict(result), "rps": round(result.rps, 1)},
            "baseline": {**asdict(baseline), "rps": round(baseline.rps, 1)},
            "rounds": [
                {"page_rps": round(p.rps, 1), "baseline_before_rps": round(b.rps, 1)}
                for p, b in zip(self.pages, self.baselines, strict=False)
            ],
        }


def _round(value, digits):
    return None if value is None else round(value, digits)


@dataclass
class Target:
    what: str
    met: bool
    detail: str


def _throughput_target(endpoint: EndpointResult, minimum: float) -> Target:
    """The endpoint's throughput as a share of the minimal view's, against ``minimum``."""
    r = endpoint.rps_ratio
    return Target(
        f"{endpoint.name}: throughput ≥ {minimum} × minimal view",
        r is not None and r >= minimum,
        "no figure" if r is None else f"{r:.2f}",
    )


def targets_check(
    endpoints: list[EndpointResult],
    *,
    oversold: bool,
    memory_mb: dict[str, float],
    other_errors: int = 0,
) -> list[Target]:
    """The issue's targets against this run's figures."""
    targets = []
    for endpoint in endpoints:
        if endpoint.public_page:
            targets.append(_throughput_target(endpoint, PUBLIC_PAGE_MIN_RATIO))
        elif endpoint.name == "booking POST":
            rps = endpoint.result.rps
            targets.append(
                Target(
                    f"{endpoint.name}: ≥ {BOOKING_POST_MIN_RPS} per second",
                    rps >= BOOKING_POST_MIN_RPS,
                    f"{rps:.0f} per second",
                )
            )
        elif endpoint.name.startswith("admin changelist"):
            targets.append(_throughput_target(endpoint, CHANGELIST_MIN_RATIO))
    errors = sum(e.errors for e in endpoints) + other_errors
    targets.append(Target("no errors", errors == 0, f"{errors} errors"))
    targets.append(
        Target("bookings never oversold", not oversold, "oversold" if oversold else "held")
    )
    for process, mb in memory_mb.items():
        targets.append(
            Target(f"{process} under {WORKER_MAX_MB} MB", mb < WORKER_MAX_MB, f"{mb:.0f} MB")
        )
    return targets


def _fmt(value, pattern):
    return "–" if value is None else pattern.format(value)


def markdown_table(endpoints: list[EndpointResult]) -> str:
    lines = [
        "| what | URL | req/s | × minimal (rounds) | p50 ms | p50 × | p99 ms | p99 × | errors |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for e in endpoints:
        result = e.result
        spread = e.rps_ratio_range
        rounds = f" ({spread[0]:.2f}–{spread[1]:.2f})" if spread and len(e.pages) > 1 else ""
        lines.append(
            f"| {e.name} | `{e.method} {e.path}` | {result.rps:.0f} | "
            f"{_fmt(e.rps_ratio, '{:.2f}')}{rounds} | {result.p50_ms:.1f} | "
            f"{_fmt(e.p50_ratio, '{:.1f}')} | {result.p99_ms:.1f} | {_fmt(e.p99_ratio, '{:.1f}')} | "
            f"{e.errors} |"
        )
    return "\n".join(lines)


def targets_table(targets: list[Target]) -> str:
    lines = ["| target | met | figure |", "| --- | --- | --- |"]
    for t in targets:
        lines.append(f"| {t.what} | {'yes' if t.met else '**no**'} | {t.detail} |")
    return "\n".join(lines)


# -- Lighthouse -----------------------------------------------------------------------


@dataclass
class LighthousePage:
    name: str
    path: str
    runs: list[dict[str, float]] = field(default_factory=list)
    misses: list[str] = field(default_factory=list)  # audits that cost points, median run

    @property
    def scores(self) -> dict[str, float | None]:
        """Each category's median over the runs, as 0-100."""
        return {c: median([run.get(c) for run in self.runs]) for c in LIGHTHOUSE_CATEGORIES}

    def missed_targets(self) -> list[str]:
        missed = []
        for category, target in LIGHTHOUSE_TARGETS.items():
            score = self.scores[category]
            if score is None or score < target:
                missed.append(f"{category} {_fmt(score, '{:.0f}')} < {target}")
        return missed


def lighthouse_scores(report: dict) -> dict[str, float]:
    """Category scores (0-100) from one Lighthouse JSON report."""
    scores = {}
    for category in LIGHTHOUSE_CATEGORIES:
        score = report.get("categories", {}).get(category, {}).get("score")
        if score is not None:
            scores[category] = round(score * 100)
    return scores


def lighthouse_misses(report: dict) -> list[str]:
    """Audits in the four categories that did not get full marks, with their weight."""
    misses = []
    audits = report.get("audits", {})
    for category in LIGHTHOUSE_CATEGORIES:
        for ref in report.get("categories", {}).get(category, {}).get("auditRefs", []):
            audit = audits.get(ref["id"], {})
            score = audit.get("score")
            if ref.get("weight", 0) and score is not None and score < 1:
                shown = audit.get("displayValue", "")
                misses.append(
                    f"{category}: {ref['id']} ({score:.2f}{', ' + shown if shown else ''})"
                )
    return misses


def lighthouse_table(pages: list[LighthousePage]) -> str:
    lines = [
        "| page | URL | accessibility | best practices | SEO | performance |",
        "| --- | --- | ---: | ---: | ---: | ---: |",
    ]
    for page in pages:
        s = page.scores
        lines.append(
            f"| {page.name} | `{page.path}` | "
            + " | ".join(_fmt(s[c], "{:.0f}") for c in LIGHTHOUSE_CATEGORIES)
            + " |"
        )
    return "\n".join(lines)


# -- the staff side -------------------------------------------------------------------------

STAFF_GROWTH_MAX = 2.0
SWEEP_SHARE_MAX = 0.5  # of its schedule interval, leaving room for the machine's load
OUTBOX_MIN_PER_SECOND = 20


def percentile(values: list[float], share: float) -> float:
    """The value below which ``share`` of ``values`` fall (nearest rank)."""
    ordered = sorted(values)
    if not ordered:
        raise ValueError("no values")
    rank = max(1, -(-len(ordered) * share // 1))
    return ordered[int(rank) - 1]


@dataclass
class StaffPage:
    """One staff page measured over the tenth-size and the full history."""

    name: str
    url: str
    queries: dict[str, int | None]  # by history label
    median_ratio: dict[str, float | None]  # page median ÷ minimal view median
    p99_ratio: dict[str, float | None]
    median_ms: dict[str, float | None]
    statuses: dict[str, int]

    @property
    def growth(self) -> float | None:
        small, large = self.median_ratio.get("tenth"), self.median_ratio.get("full")
        return ratio(large, small) if small and large is not None else None

    @property
    def problems(self) -> list[str]:
        found = [f"answered {s} ({label})" for label, s in self.statuses.items() if s != 200]
        if len({q for q in self.queries.values() if q is not None}) > 1:
            found.append("queries differ")
        if self.growth is not None and self.growth > STAFF_GROWTH_MAX:
            found.append(f"grows {self.growth:.1f}×")
        return found


def staff_page(label_runs: dict[str, dict]) -> StaffPage:
    """Combine one page's raw figures (``staff.py pages``) from each history."""
    any_run = next(iter(label_runs.values()))
    page = StaffPage(any_run["name"], any_run["url"], {}, {}, {}, {}, {})
    for label, run in label_runs.items():
        page.statuses[label] = run["status"]
        if run["status"] != 200:
            page.queries[label] = page.median_ratio[label] = page.p99_ratio[label] = None
            page.median_ms[label] = None
            continue
        baseline = statistics.median(run["minimal_ms"])
        page.queries[label] = run["queries"]
        page.median_ms[label] = statistics.median(run["page_ms"])
        page.median_ratio[label] = ratio(page.median_ms[label], baseline)
        page.p99_ratio[label] = ratio(percentile(run["page_ms"], 0.99), baseline)
    return page


def staff_table(pages: list[StaffPage]) -> str:
    lines = [
        "| page | queries (tenth / full) | median × minimal (tenth → full) | p99 × minimal "
        "(full) | median ms (full) | growth | |",
        "| --- | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for p in pages:
        q = " / ".join(_fmt(p.queries.get(k), "{}") for k in ("tenth", "full"))
        med = " → ".join(_fmt(p.median_ratio.get(k), "{:.0f}") for k in ("tenth", "full"))
        lines.append(
            f"| {p.name} | {q} | {med} | {_fmt(p.p99_ratio.get('full'), '{:.0f}')} | "
            f"{_fmt(p.median_ms.get('full'), '{:.0f}')} | {_fmt(p.growth, '{:.2f}')} | "
            f"{'; '.join(p.problems) or 'ok'} |"
        )
    return "\n".join(lines)


def sweeps_table(by_label: dict[str, list[dict]]) -> str:
    """Each job's first run (the history's backlog) and its next run (what every later
    run meets), over both histories; the share is the full history's next run over its
    schedule interval."""
    lines = [
        "| beat job | every | first run, s (tenth → full) | next run, s (tenth → full) | "
        "queries, next run (tenth / full) | share of its interval | |",
        "| --- | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    full = {s["name"]: s for s in by_label.get("full", [])}
    for sweep in by_label.get("tenth", []):
        large = full.get(sweep["name"], {})
        interval = sweep["interval_seconds"]
        share = ratio(large["seconds"], interval) if large and interval else None
        problems = [
            f"failed ({label})"
            for label, runs in by_label.items()
            for s in runs
            if s["name"] == sweep["name"] and s["failed"]
        ]
        if share is not None and share > SWEEP_SHARE_MAX:
            problems.append("too slow for its interval")
        lines.append(
            f"| {sweep['name']} | {_fmt(interval, '{:g} s')} | "
            f"{_fmt(sweep.get('first_seconds'), '{:.2f}')} → "
            f"{_fmt(large.get('first_seconds'), '{:.2f}')} | "
            f"{sweep['seconds']:.2f} → {_fmt(large.get('seconds'), '{:.2f}')} | "
            f"{sweep['queries']} / {large.get('queries', '–')} | {_fmt(share, '{:.4f}')} | "
            f"{'; '.join(problems) or 'ok'} |"
        )
    return "\n".join(lines)

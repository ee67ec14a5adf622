"""The benchmark's pure parts: reading wrk's summary, ratios, medians, targets, tables.

No Django and no subprocesses here, so tests/portal/test_bench_harness.py can check
them on every `make test` and the harness cannot rot unnoticed.
"""

import json
import statistics
from dataclasses import asdict, dataclass, field

SUMMARY_MARKER = "BENCH_JSON "

# Targets from the issue: reported, never asserted (the machine is shared and noisy).
PUBLIC_PAGE_MIN_RATIO = 0.7
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


def combine(first: Measurement, second: Measurement) -> Measurement:
    """Two runs against the same URL as one: the baseline before and after a page.

    Throughput and counts add up exactly; the percentiles are the runs' percentiles
    weighted by their requests, close enough when the two runs are alike.
    """
    total = first.requests + second.requests

    def weighted(name: str) -> float:
        if not total:
            return 0.0
        return (
            getattr(first, name) * first.requests + getattr(second, name) * second.requests
        ) / total

    statuses = dict(first.statuses)
    for status, n in second.statuses.items():
        statuses[status] = statuses.get(status, 0) + n
    return Measurement(
        requests=total,
        seconds=first.seconds + second.seconds,
        p50_ms=weighted("p50_ms"),
        p90_ms=weighted("p90_ms"),
        p99_ms=weighted("p99_ms"),
        statuses=statuses,
        socket_errors=first.socket_errors + second.socket_errors,
        bytes_read=first.bytes_read + second.bytes_read,
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
    """A URL measured right after the minimal view, so both saw the same machine."""

    name: str
    path: str
    method: str
    public_page: bool
    expected: list[int]
    result: Measurement
    baseline: Measurement
    note: str = ""

    @property
    def rps_ratio(self) -> float | None:
        return ratio(self.result.rps, self.baseline.rps)

    @property
    def p50_ratio(self) -> float | None:
        return ratio(self.result.p50_ms, self.baseline.p50_ms)

    @property
    def p99_ratio(self) -> float | None:
        return ratio(self.result.p99_ms, self.baseline.p99_ms)

    @property
    def errors(self) -> int:
        return self.result.socket_errors + self.result.unexpected(set(self.expected))

    def as_dict(self) -> dict:
        return {
            "name": self.name,
            "path": self.path,
            "method": self.method,
            "public_page": self.public_page,
            "expected_statuses": self.expected,
            "rps": round(self.result.rps, 1),
            "p50_ms": round(self.result.p50_ms, 2),
            "p99_ms": round(self.result.p99_ms, 2),
            "rps_ratio": _round(self.rps_ratio, 3),
            "p50_ratio": _round(self.p50_ratio, 2),
            "p99_ratio": _round(self.p99_ratio, 2),
            "errors": self.errors,
            "note": self.note,
            "result": {**asdict(self.result), "rps": round(self.result.rps, 1)},
            "baseline": {**asdict(self.baseline), "rps": round(self.baseline.rps, 1)},
        }


def _round(value, digits):
    return None if value is None else round(value, digits)


@dataclass
class Target:
    what: str
    met: bool
    detail: str


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
            r = endpoint.rps_ratio
            targets.append(
                Target(
                    f"{endpoint.name}: throughput ≥ {PUBLIC_PAGE_MIN_RATIO} × minimal view",
                    r is not None and r >= PUBLIC_PAGE_MIN_RATIO,
                    "no figure" if r is None else f"{r:.2f}",
                )
            )
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
        "| what | URL | req/s | × minimal | p50 ms | p50 × | p99 ms | p99 × | errors |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for e in endpoints:
        lines.append(
            f"| {e.name} | `{e.method} {e.path}` | {e.result.rps:.0f} | "
            f"{_fmt(e.rps_ratio, '{:.2f}')} | {e.result.p50_ms:.1f} | {_fmt(e.p50_ratio, '{:.1f}')} | "
            f"{e.result.p99_ms:.1f} | {_fmt(e.p99_ratio, '{:.1f}')} | {e.errors} |"
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

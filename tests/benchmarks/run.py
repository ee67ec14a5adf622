"""`make bench`: the portal under load on this machine, every figure a ratio to a baseline.

It starts its own stack on loopback: a fresh PostgreSQL database (ep_bench, migrated and
seeded), Redis database 15, a local SMTP sink, a Celery worker and gunicorn with
production settings (DEBUG off, hashed static files, HTTPS_ONLY off because there is no
TLS on loopback). Then for each URL it runs wrk twice, first against a minimal Django view
served by the same gunicorn (tests/benchmarks/urls.py), then against the URL, and reports
throughput and latency as ratios to that baseline: other work on the machine slows both
alike. It also records the peak resident memory of the web and Celery workers, the
information pack's cold build time, and runs Lighthouse on four public pages.

    .venv/bin/python tests/benchmarks/run.py [--duration 10] [--skip-lighthouse]
    .venv/bin/python tests/benchmarks/run.py --lighthouse-only

Results: bench-results/latest.json, latest.md, lighthouse.md (and the logs). Exits
non-zero only when the harness fails or an event was oversold; the other targets are
reported, not asserted, because a shared machine makes them noisy.
"""

import argparse
import contextlib
import datetime as dt
import http.cookiejar
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.benchmarks import report  # noqa: E402

HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent
HOST = "127.0.0.1"
PG_URL = "postgres://postgres@127.0.0.1:5432"
REDIS_BASE = "redis://127.0.0.1:6379"
CHROMIUM = "/usr/bin/chromium"
CHROME_FLAGS = (
    "--headless=new --no-sandbox --disable-gpu --disable-background-networking "
    "--disable-dev-shm-usage --disable-extensions --no-first-run --mute-audio"
)


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


# -- prerequisites ------------------------------------------------------------------------


def ensure_services() -> None:
    """PostgreSQL and Redis on loopback, started as .ci/run does if they are down."""
    if subprocess.run(["pg_isready", "-h", HOST, "-q"], check=False).returncode != 0:
        clusters = sorted(os.listdir("/etc/postgresql"))
        subprocess.run(
            ["pg_ctlcluster", "--skip-systemctl-redirect", clusters[0], "main", "start"],
            check=False,
        )
    if subprocess.run(
        ["redis-cli", "-h", HOST, "ping"], capture_output=True, check=False
    ).returncode:
        subprocess.run(
            ["redis-server", "--daemonize", "yes", "--bind", HOST, "--port", "6379",
             "--save", "", "--appendonly", "no"],
            check=False,
        )  # fmt: skip
    for _ in range(30):
        pg = subprocess.run(["pg_isready", "-h", HOST, "-q"], check=False).returncode == 0
        rd = subprocess.run(["redis-cli", "-h", HOST, "ping"], capture_output=True, check=False)
        if pg and rd.returncode == 0:
            return
        time.sleep(1)
    sys.exit("PostgreSQL or Redis is not running on 127.0.0.1")


def ensure_wrk() -> str:
    wrk = shutil.which("wrk")
    if wrk:
        return wrk
    log("installing wrk (Debian package)")
    subprocess.run(["apt-get", "update", "-qq"], check=False)
    subprocess.run(
        ["apt-get", "install", "-y", "-qq", "--no-install-recommends", "wrk"],
        check=True,
        env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
    )
    return shutil.which("wrk") or sys.exit("wrk could not be installed")


# -- the stack ----------------------------------------------------------------------------


class Stack:
    """The processes this run starts, and the environment they share."""

    def __init__(self, args, workdir: Path):
        self.args = args
        self.workdir = workdir
        self.port = free_port()
        self.smtp_port = free_port()
        self.base = f"http://{HOST}:{self.port}"
        self.processes: dict[str, subprocess.Popen] = {}
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST"))},
            "DJANGO_SETTINGS_MODULE": "portal.settings",
            "DEBUG": "false",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": f"{HOST},localhost",
            "SITE_URL": self.base,
            "HTTPS_ONLY": "false",
            "STATIC_MANIFEST": "true",
            "STATIC_ROOT": str(workdir / "static"),
            "MEDIA_ROOT": str(workdir / "media"),
            "DATABASE_URL": f"{PG_URL}/{args.database}",
            "REDIS_URL": f"{REDIS_BASE}/{args.redis_db}",
            # The cache in the same database, so one flush empties both.
            "CACHE_URL": f"{REDIS_BASE}/{args.redis_db}",
            "CACHE_KEY_PREFIX": "portal-bench",
            "EMAIL_URL": f"smtp://{HOST}:{self.smtp_port}",
            "ROOT_URLCONF": "tests.benchmarks.urls",
            "CELERY_TASK_ALWAYS_EAGER": "false",
            # Every booking comes from 127.0.0.1: the per-IP limit would refuse all but ten.
            "BOOKING_RATE_LIMIT_PER_HOUR": "100000000",
            "LOG_LEVEL": "WARNING",
            "PYTHONPATH": str(ROOT),
        }

    def manage(self, *argv: str) -> None:
        with self._log_file("manage") as output:
            result = subprocess.run(
                [str(BIN / "python"), "manage.py", *argv],
                cwd=ROOT,
                env=self.env,
                check=False,
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        if result.returncode != 0:
            tail = (self.workdir / "manage.log").read_text(errors="replace").splitlines()[-25:]
            raise RuntimeError(f"manage.py {argv[0]} failed:\n" + "\n".join(tail))

    def helper(self, *argv: str) -> dict:
        """Run tests/benchmarks/stack.py in the stack's environment; it prints JSON."""
        result = subprocess.run(
            [str(BIN / "python"), "-m", "tests.benchmarks.stack", *argv],
            cwd=ROOT,
            env=self.env,
            check=False,
            text=True,
            capture_output=True,
        )
        if result.returncode != 0:
            raise RuntimeError(f"stack.py {argv[0]} failed:\n{result.stderr[-3000:]}")
        return json.loads(result.stdout.strip().splitlines()[-1])

    def _log_file(self, name: str):
        return open(self.workdir / f"{name}.log", "a")  # noqa: SIM115 - closed with the process

    def database_fresh(self) -> None:
        """Drop and create the benchmark's own database (nobody else's)."""
        import psycopg

        name = self.args.database
        if not re.fullmatch(r"[a-z_][a-z0-9_]*", name):
            sys.exit(f"refusing an odd database name: {name}")
        with psycopg.connect(f"{PG_URL}/postgres", autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            conn.execute(f"CREATE DATABASE {name}")

    def redis_flush(self) -> None:
        import redis

        redis.Redis.from_url(self.env["REDIS_URL"]).flushdb()

    def start(self, name: str, argv: list[str]) -> None:
        # A session of its own, so stopping it takes its children (pool workers) too.
        self.processes[name] = subprocess.Popen(
            argv,
            cwd=ROOT,
            env=self.env,
            stdout=self._log_file(name),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def start_all(self) -> None:
        a = self.args
        self.start(
            "smtp",
            [str(BIN / "python"), "-m", "aiosmtpd", "-n", "-c", "aiosmtpd.handlers.Sink",
             "-l", f"{HOST}:{self.smtp_port}"],
        )  # fmt: skip
        self.start(
            "celery",
            [str(BIN / "celery"), "-A", "portal", "worker", "--loglevel=WARNING",
             f"--concurrency={a.celery_concurrency}", "--hostname=bench@%h"],
        )  # fmt: skip
        gunicorn = [
            str(BIN / "gunicorn"), "portal.wsgi:application",
            "--bind", f"{HOST}:{self.port}",
            "--workers", str(a.workers),
            "--worker-class", a.worker_class,
            "--backlog", "256",
            "--graceful-timeout", "5",
        ]  # fmt: skip
        if a.worker_class == "gthread":
            gunicorn += ["--threads", str(a.gunicorn_threads)]
        self.start("gunicorn", gunicorn)
        self.wait_ready()

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for name, process in self.processes.items():
                if process.poll() is not None:
                    raise RuntimeError(f"{name} exited early; see {self.workdir}/{name}.log")
            with contextlib.suppress(OSError):
                status, _, _ = fetch(f"{self.base}/bench/minimal")
                if status == 200:
                    return
            time.sleep(0.3)
        raise RuntimeError("gunicorn did not answer in time")

    def stop_all(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + 15
        for process in self.processes.values():
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=max(deadline - time.monotonic(), 0.1))
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait()


# -- memory -------------------------------------------------------------------------------


def _status_kb(pid: int, field: str) -> int | None:
    try:
        with open(f"/proc/{pid}/status") as handle:
            for line in handle:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return None
    return None


def _children() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                stat = handle.read()
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry))
    return children


def _descendants(pid: int, children: dict[int, list[int]]) -> list[int]:
    found, todo = [], list(children.get(pid, []))
    while todo:
        child = todo.pop()
        found.append(child)
        todo.extend(children.get(child, []))
    return found


class MemorySampler(threading.Thread):
    """Polls VmHWM (peak resident set) of the web and Celery processes."""

    def __init__(self, stack: Stack, every: float = 0.5):
        super().__init__(daemon=True)
        self.stack = stack
        self.every = every
        self.peak_kb: dict[str, dict[int, int]] = {"gunicorn worker": {}, "celery worker": {}}
        self._halt = threading.Event()

    def sample(self) -> None:
        children = _children()
        groups = {
            "gunicorn worker": children.get(self.stack.processes["gunicorn"].pid, []),
            "celery worker": [
                self.stack.processes["celery"].pid,
                *_descendants(self.stack.processes["celery"].pid, children),
            ],
        }
        for role, pids in groups.items():
            for pid in pids:
                kb = _status_kb(pid, "VmHWM")
                if kb is not None:
                    self.peak_kb[role][pid] = max(self.peak_kb[role].get(pid, 0), kb)

    def run(self) -> None:
        while not self._halt.is_set():
            self.sample()
            self._halt.wait(self.every)

    def stop(self) -> dict[str, float]:
        self._halt.set()
        self.join()
        self.sample()
        return {
            role: round(max(pids.values()) / 1024, 1) if pids else 0.0
            for role, pids in self.peak_kb.items()
        }


# -- HTTP ---------------------------------------------------------------------------------


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def fetch(url: str, *, data: bytes | None = None, headers=None, jar=None, timeout=180):
    """(status, headers, body) without following redirects."""
    handlers = [_NoRedirect()]
    if jar is not None:
        handlers.append(urllib.request.HTTPCookieProcessor(jar))
    opener = urllib.request.build_opener(*handlers)
    request = urllib.request.Request(url, data=data, headers=headers or {})  # noqa: S310
    try:
        with opener.open(request, timeout=timeout) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


CSRF_INPUT = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')


def csrf_pair(url: str) -> tuple[str, str]:
    """A CSRF form token and the cookie it belongs to, from a page with a form."""
    jar = http.cookiejar.CookieJar()
    status, _, body = fetch(url, jar=jar)
    match = CSRF_INPUT.search(body)
    cookie = next((c.value for c in jar if c.name == "csrftoken"), None)
    if status != 200 or not match or not cookie:
        raise RuntimeError(f"no CSRF token on {url} (status {status})")
    return match.group(1).decode(), cookie


def content_page_path(base: str) -> tuple[str | None, list[str]]:
    """A page under /early-permanence/ if the content app has one, and what is missing."""
    notes = []
    status, _, body = fetch(f"{base}/early-permanence/")
    if status != 200:
        notes.append(f"/early-permanence/ answered {status}")
        for fallback in ("/faqs/", "/stories/", "/accessibility/"):
            if fetch(f"{base}{fallback}")[0] == 200:
                return fallback, notes
        return None, notes
    pages = sorted(set(re.findall(rb'href="(/early-permanence/[a-z0-9-]+/)"', body)))
    if not pages:
        notes.append("/early-permanence/ links to no page; the hub itself is measured")
        return "/early-permanence/", notes
    return pages[0].decode(), notes


# -- wrk ----------------------------------------------------------------------------------


class Wrk:
    def __init__(self, binary: str, args, workdir: Path):
        self.binary = binary
        self.args = args
        self.summary = (HERE / "summary.lua").read_text()
        self.get_script = workdir / "get.lua"
        self.get_script.write_text(self.summary)
        self.post_script = workdir / "booking.lua"
        self.post_script.write_text(self.summary + "\n" + (HERE / "booking.lua").read_text())

    def run(
        self,
        url: str,
        *,
        seconds: float,
        cookie: str = "",
        booking: tuple[str, str, str] | None = None,
    ) -> report.Measurement:
        a = self.args
        argv = [
            self.binary, "--latency", "--timeout", "30s",
            "-t", str(a.wrk_threads), "-c", str(a.connections), "-d", f"{seconds:g}s",
            "-s", str(self.post_script if booking else self.get_script),
        ]  # fmt: skip
        if cookie:
            argv += ["-H", f"Cookie: {cookie}"]
        argv.append(url)
        if booking:
            # A new tag for every run keeps every booking's email address new.
            argv += ["--", *booking, secrets.token_hex(4)]
        result = subprocess.run(
            argv, capture_output=True, text=True, check=False, timeout=seconds + 120
        )
        if result.returncode != 0:
            raise RuntimeError(f"wrk failed on {url}:\n{result.stderr}\n{result.stdout}")
        return report.parse_wrk_summary(result.stdout)


# -- the run ------------------------------------------------------------------------------


def pack_address(base: str) -> str | None:
    """The information pack's current content-hashed address (the stable link redirects)."""
    status, headers, _ = fetch(f"{base}/information-pack.pdf", timeout=240)
    return headers.get("Location") if status == 302 else None


def endpoints_plan(stack: Stack, prepared: dict, notes: list[str]) -> list[dict]:
    content_path, content_notes = content_page_path(stack.base)
    notes.extend(content_notes)
    plan = [
        {"name": "home page", "path": "/", "public_page": True},
        {"name": "content page", "path": content_path, "public_page": True},
        {"name": "events list", "path": "/events/", "public_page": True},
        {"name": "event page", "path": prepared["event_path"], "public_page": True},
        {"name": "information pack link", "path": "/information-pack.pdf", "public_page": True,
         "expected": [302]},
        {"name": "information pack", "path": pack_address(stack.base), "public_page": True},
        {"name": "booking POST", "path": prepared["event_path"], "public_page": False,
         "method": "POST", "expected": [302]},
        {"name": "admin changelist", "path": "/admin/enquiries/booking/", "public_page": False,
         "cookie": prepared["session_cookie"]},
    ]  # fmt: skip
    usable = []
    for item in plan:
        if item["path"] is None:
            notes.append(f"{item['name']}: no page exists yet; not measured")
            continue
        item.setdefault("method", "GET")
        item.setdefault("expected", [200])
        if item["method"] == "GET":
            headers = {"Cookie": item["cookie"]} if item.get("cookie") else {}
            status, _, _ = fetch(stack.base + item["path"], headers=headers)
            if status not in item["expected"]:
                notes.append(f"{item['name']} ({item['path']}) answered {status}; not measured")
                continue
        usable.append(item)
    return usable


def pack_cold_build(stack: Stack) -> dict:
    """The pack built from nothing by the worker (as after a publish), then by a web request."""
    worker = stack.helper("pack-in-worker", "--timeout", "240")
    stack.helper("pack-clear")
    started = time.perf_counter()
    status, headers, body = fetch(f"{stack.base}/information-pack.pdf", timeout=240)
    if status == 302:  # the stable link built it; the file is at its hashed address
        status, headers, body = fetch(stack.base + headers["Location"], timeout=240)
    web_seconds = time.perf_counter() - started
    warm = []
    for _ in range(5):  # both web workers, once each at least
        started = time.perf_counter()
        _, headers, _ = fetch(f"{stack.base}/information-pack.pdf")
        fetch(stack.base + headers["Location"])
        warm.append(time.perf_counter() - started)
    warm_seconds = report.median(warm)
    return {
        "worker_seconds": worker.get("seconds"),
        "web_seconds": round(web_seconds, 2) if status == 200 else None,
        "web_status": status,
        "warm_seconds": round(warm_seconds, 3),
        "bytes": len(body),
        "is_pdf": body[:5] == b"%PDF-",
    }


def load_phase(stack: Stack, wrk: Wrk, prepared: dict, notes: list[str]):
    args = stack.args
    minimal = f"{stack.base}/bench/minimal"
    results = []
    baseline_errors = 0
    for item in endpoints_plan(stack, prepared, notes):
        url = stack.base + item["path"]
        booking = None
        if item["method"] == "POST":
            token, cookie = csrf_pair(url)
            booking = (item["path"], token, cookie)
        cookie = item.get("cookie", "")
        slice_seconds = args.duration / args.rounds
        log(
            f"{item['name']}: {args.rounds} rounds of {slice_seconds:g} s on {item['path']}, "
            "each between two runs of the minimal view"
        )
        wrk.run(url, seconds=args.warmup, cookie=cookie, booking=booking)
        wrk.run(minimal, seconds=args.warmup)
        # Minimal view, page, minimal view, page, ...: each slice of the page is compared
        # with the machine as it was around it, and the median of the rounds is reported.
        baselines = [wrk.run(minimal, seconds=slice_seconds)]
        pages = []
        for _ in range(args.rounds):
            pages.append(wrk.run(url, seconds=slice_seconds, cookie=cookie, booking=booking))
            baselines.append(wrk.run(minimal, seconds=slice_seconds))
        endpoint = report.EndpointResult(
            name=item["name"],
            path=item["path"],
            method=item["method"],
            public_page=item["public_page"],
            expected=item["expected"],
            pages=pages,
            baselines=baselines,
        )
        baseline, measured = endpoint.baseline, endpoint.result
        baseline_errors += baseline.socket_errors + baseline.unexpected({200})
        log(
            f"  {endpoint.name}: {measured.rps:.0f} req/s, {endpoint.rps_ratio:.2f} × minimal "
            f"(rounds {', '.join(f'{r:.2f}' for r in endpoint.round_ratios('rps'))}; minimal "
            f"{baseline.rps:.0f} req/s), p50 {measured.p50_ms:.1f} ms, p99 "
            f"{measured.p99_ms:.1f} ms, statuses {measured.statuses}, socket errors "
            f"{measured.socket_errors}"
        )
        results.append(endpoint)
    return results, baseline_errors


def outbox_drain(stack: Stack, timeout: float) -> dict:
    """Let the worker deliver the booking emails, so its memory is measured doing so."""
    started = time.monotonic()
    figures = stack.helper("outbox")
    while figures["due_unsent"] and time.monotonic() - started < timeout:
        time.sleep(2)
        figures = stack.helper("outbox")
    figures["drain_seconds"] = round(time.monotonic() - started, 1)
    return figures


def server_errors(stack: Stack) -> int:
    """Tracebacks the web workers logged (Django logs every 500 with one)."""
    path = stack.workdir / "gunicorn.log"
    text = path.read_text(errors="replace") if path.exists() else ""
    return text.count("Traceback (most recent call last)")


# -- Lighthouse ---------------------------------------------------------------------------


def lighthouse_phase(
    stack: Stack, out: Path, pages_wanted: list[tuple[str, str | None]], runs: int
):
    binary = ROOT / "node_modules" / ".bin" / "lighthouse"
    if not binary.exists():
        return [], ["Lighthouse is not installed: run `npm ci` (make bench does)"]
    if not Path(CHROMIUM).exists():
        return [], [f"Lighthouse needs Chromium at {CHROMIUM} (apt-get install chromium)"]
    notes = []
    raw = out / "lighthouse"
    raw.mkdir(parents=True, exist_ok=True)
    pages = []
    env = {**os.environ, "CHROME_PATH": CHROMIUM}
    for name, path in pages_wanted:
        if path is None:
            notes.append(f"Lighthouse: {name}: no page exists yet")
            continue
        status = fetch(stack.base + path)[0]
        if status != 200:
            notes.append(f"Lighthouse: {name} ({path}) answered {status}; not measured")
            continue
        page = report.LighthousePage(name=name, path=path)
        reports = []
        for n in range(1, runs + 1):
            target = raw / f"{re.sub(r'[^a-z0-9]+', '-', name)}-{n}.json"
            log(f"Lighthouse: {name} ({path}), run {n} of {runs}")
            result = subprocess.run(
                [str(binary), stack.base + path, "--quiet", "--output=json",
                 f"--output-path={target}",
                 "--only-categories=accessibility,best-practices,seo,performance",
                 f"--chrome-flags={CHROME_FLAGS}", "--max-wait-for-load=60000"],
                cwd=ROOT, env=env, capture_output=True, text=True, check=False, timeout=300,
            )  # fmt: skip
            if result.returncode != 0 or not target.exists():
                notes.append(f"Lighthouse failed on {path}: {result.stderr.strip()[-500:]}")
                continue
            data = json.loads(target.read_text())
            page.runs.append(report.lighthouse_scores(data))
            reports.append(data)
        if reports:
            # The audits that cost points, from the run with the median performance score.
            by_perf = sorted(
                reports, key=lambda r: report.lighthouse_scores(r).get("performance", 0)
            )
            page.misses = report.lighthouse_misses(by_perf[len(by_perf) // 2])
        pages.append(page)
    return pages, notes


def lighthouse_pages(stack: Stack) -> list[tuple[str, str | None]]:
    content_path, _ = content_page_path(stack.base)
    return [
        ("home page", "/"),
        ("content page", content_path),
        ("events list", "/events/"),
        ("enquiry form", "/enquire/"),
    ]


def lighthouse_write(out: Path, pages, notes, stamp: str, runs: int) -> None:
    lines = [
        f"# Lighthouse ({stamp})",
        "",
        f"Lighthouse 12 on mobile settings (its defaults: emulated phone, simulated slow 4G "
        f"and 4x CPU slowdown), Chromium headless, median of {runs} runs per category.",
        f"Targets: accessibility {report.LIGHTHOUSE_TARGETS['accessibility']}, best practices "
        f"and SEO ≥ {report.LIGHTHOUSE_TARGETS['seo']}, performance ≥ "
        f"{report.LIGHTHOUSE_TARGETS['performance']}.",
        "",
        report.lighthouse_table(pages),
        "",
    ]
    for page in pages:
        missed = page.missed_targets()
        if missed or page.misses:
            lines.append(f"**{page.name}**: {'; '.join(missed) or 'targets met'}")
            lines.extend(f"- {m}" for m in page.misses)
            lines.append("")
    lines.extend(f"- {note}" for note in notes)
    (out / "lighthouse.md").write_text("\n".join(lines).rstrip() + "\n")
    (out / "lighthouse.json").write_text(
        json.dumps(
            {
                "when": stamp,
                "runs": runs,
                "pages": [
                    {"name": p.name, "path": p.path, "scores": p.scores, "runs": p.runs,
                     "misses": p.misses, "missed_targets": p.missed_targets()}
                    for p in pages
                ],
                "notes": notes,
            },
            indent=2,
        )
    )  # fmt: skip


# -- output -------------------------------------------------------------------------------


def write_results(out: Path, stamp: str, args, endpoints, figures: dict, targets, notes) -> str:
    table = report.markdown_table(endpoints)
    pack = figures["information_pack"]
    booking = figures["bookings"]
    memory = figures["peak_rss_mb"]
    lines = [
        f"# Load benchmark ({stamp})",
        "",
        f"gunicorn {args.workers} {args.worker_class} workers on 127.0.0.1, PostgreSQL, Redis, "
        f"a Celery worker (concurrency {args.celery_concurrency}); wrk {args.wrk_threads} "
        f"threads × {args.connections} connections. Each URL is loaded for {args.duration:g} s "
        f"in {args.rounds} rounds, each between two runs of the same length against a minimal "
        "Django view (`/bench/minimal`, same middleware, same gunicorn). Ratios are medians "
        "over the rounds (their range in brackets): req/s ÷ the minimal view's (higher is "
        "better); latency ÷ the minimal view's (lower is better). The per-IP booking rate limit is lifted for the run (every request "
        "comes from 127.0.0.1).",
        "",
        table,
        "",
        f"- minimal view: median {figures['minimal_rps_median']:.0f} req/s over the run",
        f"- peak resident memory: gunicorn worker {memory['gunicorn worker']:.0f} MB, "
        f"Celery worker {memory['celery worker']:.0f} MB",
        f"- information pack cold build: {pack.get('worker_seconds')} s in the Celery worker, "
        f"{pack.get('web_seconds')} s by a web request (then {pack.get('warm_seconds')} s "
        f"from the file cache, median of 5; {pack.get('bytes', 0) // 1024} KB)",
        f"- bookings: {booking.get('confirmed_places')} of {booking.get('capacity')} places "
        f"confirmed, {booking.get('waiting')} bookings waiting, "
        f"{'OVERSOLD' if booking.get('oversold') else 'never oversold'}",
        f"- outbox after the run: {figures['outbox'].get('sent')} emails sent, "
        f"{figures['outbox'].get('due_unsent')} due and unsent, "
        f"{figures['outbox'].get('failed')} failed",
        f"- errors: {figures['errors']} (unexpected statuses, socket errors, server tracebacks)",
        "",
        report.targets_table(targets),
        "",
    ]
    lines.extend(f"- {note}" for note in notes)
    text = "\n".join(lines).rstrip() + "\n"
    (out / "latest.md").write_text(text)
    (out / "latest.json").write_text(
        json.dumps(
            {
                "when": stamp,
                "settings": vars(args),
                "endpoints": [e.as_dict() for e in endpoints],
                **figures,
                "targets": [t.__dict__ for t in targets],
                "notes": notes,
            },
            indent=2,
            default=str,
        )
    )
    return text


# -- the staff side ---------------------------------------------------------------------


def staff_database(args, stack: Stack, label: str, scale: float) -> tuple[dict, str]:
    """The history's own database, seeded by ``seed_scale`` (kept with --staff-reuse)."""
    import psycopg

    name = f"{args.database}_staff_{label}"
    env = {**stack.env, "DATABASE_URL": f"{PG_URL}/{name}"}
    with psycopg.connect(f"{PG_URL}/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
    if exists and args.staff_reuse:
        with psycopg.connect(f"{PG_URL}/{name}") as conn:
            seeded = (
                conn.execute("SELECT to_regclass('carers_household') IS NOT NULL").fetchone()[0]
                and conn.execute("SELECT count(*) FROM carers_household").fetchone()[0]
            )
        if seeded:
            # Brought to the code's schema: a kept history may predate a migration.
            saved = stack.env
            stack.env = env
            try:
                stack.manage("migrate", "--noinput")
            finally:
                stack.env = saved
            return env, f"{name} (kept from an earlier run)"
    with psycopg.connect(f"{PG_URL}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {name}")
    saved = stack.env
    stack.env = env
    try:
        stack.manage("migrate", "--noinput")
        started = time.monotonic()
        stack.manage("seed_scale", "--scale", f"{scale:g}", "--years", str(args.staff_years))
        seconds = time.monotonic() - started
    finally:
        stack.env = saved
    return env, f"{name} (seeded at --scale {scale:g} in {seconds:.0f} s)"


def staff_helper(env: dict, *argv: str, timeout: float = 3600) -> dict:
    result = subprocess.run(
        [str(BIN / "python"), "-m", "tests.benchmarks.staff", *argv],
        cwd=ROOT, env=env, check=False, text=True, capture_output=True, timeout=timeout,
    )  # fmt: skip
    if result.returncode != 0:
        raise RuntimeError(f"staff.py {argv[0]} failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def staff_phase(args, workdir: Path, out: Path, stamp: str) -> str:
    """Every staff page, every beat job and the outbox, over two histories."""
    stack = Stack(args, workdir)
    # The test client's host; no gunicorn here, the pages are requested in-process.
    stack.env["ALLOWED_HOSTS"] += ",testserver"
    stack.env["STATIC_MANIFEST"] = "false"  # no collectstatic here
    # The digest job works at this hour on working days: make it this hour, so it works.
    stack.env["OVERDUE_DIGEST_HOUR"] = str(dt.datetime.now().hour)
    load_before = os.getloadavg()
    stack.start(
        "smtp",
        [str(BIN / "python"), "-m", "aiosmtpd", "-n", "-c", "aiosmtpd.handlers.Sink",
         "-l", f"{HOST}:{stack.smtp_port}"],
    )  # fmt: skip
    histories = {"tenth": args.staff_scale / 10, "full": args.staff_scale}
    runs, sweeps, sizes, notes, envs = {}, {}, {}, [], {}
    try:
        for label, scale in histories.items():
            log(f"staff side: the {label} history (--scale {scale:g})")
            envs[label], note = staff_database(args, stack, label, scale)
            notes.append(f"{label} history: {note}")
            stack.redis_flush()
            log(f"staff side: pages over the {label} history")
            measured = staff_helper(envs[label], "pages", "--rounds", str(args.staff_rounds))
            runs[label] = {p["name"]: p for p in measured["pages"]}
            sizes[label] = measured["history"]
            log(f"staff side: beat jobs over the {label} history")
            sweeps[label] = staff_helper(envs[label], "sweeps")["sweeps"]
        outbox = []
        for workers in (1, 2):
            log(f"staff side: the outbox, {args.outbox_emails} emails, {workers} worker(s)")
            outbox.append(
                staff_helper(
                    envs["full"],
                    "outbox",
                    "--emails",
                    str(args.outbox_emails),
                    "--workers",
                    str(workers),
                )  # fmt: skip
            )
    finally:
        stack.stop_all()
        stack.redis_flush()
    load_after = os.getloadavg()
    pages = [
        report.staff_page({label: runs[label][name] for label in runs if name in runs[label]})
        for name in runs["full"]
    ]
    growths = [p.growth for p in pages if p.growth is not None]
    lines = [
        f"# Staff side over a large agency's history ({stamp})",
        "",
        f"Two histories written by `seed_scale` (--years {args.staff_years}): "
        + "; ".join(
            f"**{label}** (--scale {histories[label]:g}): "
            + ", ".join(f"{n:,} {what}" for what, n in sizes[label].items())
            for label in histories
        )
        + f". Each page is requested {args.staff_rounds} times through Django's test client "
        "in one process (every middleware, production settings, no network), each time just "
        "after the minimal view (`/bench/minimal`); a ratio is the page's time ÷ the minimal "
        "view's median in the same run, so the machine's load weighs on both. *Growth* is "
        "the full history's median ratio ÷ the tenth's (target ≤ "
        f"{report.STAFF_GROWTH_MAX:g}); queries are one request's (target: the same at both "
        "sizes).",
        "",
        f"Machine: {os.cpu_count()} cores; load average {load_before[0]:.2f} at the start, "
        f"{load_after[0]:.2f} at the end.",
        "",
        report.staff_table(pages),
        "",
        f"Growth: median {report.median(growths):.2f}, worst {max(growths):.2f}; "
        f"{sum(1 for p in pages if p.problems)} of {len(pages)} pages miss a target.",
        "",
        "## Beat jobs, one run each",
        "",
        report.sweeps_table(sweeps),
        "",
        "## The outbox",
        "",
        "| workers | emails | seconds | emails per second | per worker | sent | failed |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        *(
            f"| {o['workers']} | {o['emails']:,} | {o['seconds']} | {o['per_second']} | "
            f"{o['per_second'] / o['workers']:.1f} | {o['sent']:,} | {o['failed']} |"
            for o in outbox
        ),
        "",
        *(f"- {note}" for note in notes),
    ]
    text = "\n".join(lines).rstrip() + "\n"
    (out / "staff.md").write_text(text)
    (out / "staff.json").write_text(
        json.dumps(
            {"when": stamp, "histories": sizes, "pages": runs, "sweeps": sweeps,
             "outbox": outbox, "load": [load_before, load_after], "notes": notes},
            indent=2, default=str,
        )
    )  # fmt: skip
    return text


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description="Load benchmark and Lighthouse for the portal.")
    parser.add_argument(
        "--duration", type=float, default=12, help="seconds of load per URL, over all rounds"
    )
    parser.add_argument("--rounds", type=int, default=3, help="page/minimal-view alternations")
    parser.add_argument("--warmup", type=float, default=2, help="seconds of warm-up per URL")
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--wrk-threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--worker-class", default="sync", choices=["sync", "gthread"])
    parser.add_argument("--gunicorn-threads", type=int, default=4, help="gthread only")
    parser.add_argument("--celery-concurrency", type=int, default=2)
    parser.add_argument("--places", type=int, default=25, help="places at the booked event")
    parser.add_argument("--database", default="ep_bench")
    parser.add_argument("--redis-db", type=int, default=15)
    parser.add_argument("--lighthouse-runs", type=int, default=3)
    parser.add_argument("--out", type=Path, default=ROOT / "bench-results")
    parser.add_argument(
        "--staff-scale", type=float, default=1.0,
        help="the full history's seed_scale --scale (the other is a tenth of it)",
    )  # fmt: skip
    parser.add_argument("--staff-years", type=int, default=10)
    parser.add_argument("--staff-rounds", type=int, default=15, help="requests per staff page")
    parser.add_argument(
        "--staff-reuse", action="store_true",
        help="keep the staff histories' databases from an earlier run when they are seeded",
    )  # fmt: skip
    parser.add_argument("--outbox-emails", type=int, default=10_000)
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--skip-lighthouse", action="store_true")
    group.add_argument("--lighthouse-only", action="store_true")
    group.add_argument("--staff-only", action="store_true", help="only the staff side")
    parser.add_argument("--skip-staff", action="store_true")
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    out = args.out
    out.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
    ensure_services()
    if args.staff_only:
        try:
            text = staff_phase(args, Path(tempfile.mkdtemp(prefix="ep-bench-staff-")), out, stamp)
        except RuntimeError as problem:
            log(f"FAILED: {problem}")
            return 2
        print("\n" + text, flush=True)
        return 0
    wrk_binary = None if args.lighthouse_only else ensure_wrk()
    workdir = Path(tempfile.mkdtemp(prefix="ep-bench-"))
    stack = Stack(args, workdir)
    sampler = None
    exit_code = 0
    early_notes: list[str] = []

    def interrupted(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupted)
    try:
        log(f"fresh database {args.database}, Redis db {args.redis_db}, files in {workdir}")
        stack.database_fresh()
        stack.redis_flush()
        stack.manage("migrate", "--noinput")
        try:
            stack.manage("seed_demo")
        except RuntimeError as problem:
            # Each app seeds in its own transaction, content and events first: a later
            # app's failure leaves the public pages seeded, so measure them and say so.
            lines = str(problem).strip().splitlines()
            last = next(
                (x for x in reversed(lines) if re.match(r"\w+(\.\w+)*(Error|Exception)", x)),
                lines[-1],
            )
            early_notes.append(f"seed_demo failed part-way ({last})")
            log(f"seed_demo failed part-way; going on: {last}")
        stack.manage("collectstatic", "--noinput", "-v", "0")
        log(f"starting gunicorn on {stack.base}, the Celery worker and an SMTP sink")
        stack.start_all()
        sampler = MemorySampler(stack)
        sampler.start()
        notes: list[str] = list(early_notes)

        if not args.lighthouse_only:
            prepared = stack.helper("prepare", "--places", str(args.places))
            log("information pack: cold builds")
            pack = pack_cold_build(stack)
            wrk = Wrk(wrk_binary, args, workdir)
            endpoints, baseline_errors = load_phase(stack, wrk, prepared, notes)
            bookings = stack.helper("bookings", "--slug", prepared["event_slug"])
            log(f"bookings: {bookings}")
            outbox = outbox_drain(stack, timeout=args.duration * 6)
            memory = sampler.stop()
            sampler = None
            tracebacks = server_errors(stack)
            pack_errors = 0 if pack["web_status"] == 200 and pack["is_pdf"] else 1
            other_errors = baseline_errors + tracebacks + pack_errors + outbox["failed"]
            errors = sum(e.errors for e in endpoints) + other_errors
            figures = {
                "minimal_rps_median": report.median([e.baseline.rps for e in endpoints]) or 0,
                "peak_rss_mb": memory,
                "information_pack": pack,
                "bookings": bookings,
                "outbox": outbox,
                "server_tracebacks": tracebacks,
                "errors": errors,
            }
            if not bookings["filled"]:
                notes.append("the booked event did not fill up: too few bookings to test capacity")
            targets = report.targets_check(
                endpoints,
                oversold=bookings["oversold"],
                memory_mb=memory,
                other_errors=other_errors,
            )
            text = write_results(out, stamp, args, endpoints, figures, targets, notes)
            print("\n" + text, flush=True)
            if bookings["oversold"]:
                log("FAILED: the event was oversold")
                exit_code = 1

        if not args.skip_lighthouse:
            pages, lh_notes = lighthouse_phase(
                stack, out, lighthouse_pages(stack), args.lighthouse_runs
            )
            lighthouse_write(out, pages, lh_notes, stamp, args.lighthouse_runs)
            print("\n" + (out / "lighthouse.md").read_text(), flush=True)
        if not (args.skip_staff or args.lighthouse_only):
            stack.stop_all()
            print("\n" + staff_phase(args, workdir, out, stamp), flush=True)
    except KeyboardInterrupt:
        log("interrupted")
        exit_code = 130
    except RuntimeError as problem:
        log(f"FAILED: {problem}")
        exit_code = 2
    finally:
        stack.stop_all()
        if sampler is not None:
            sampler._halt.set()
        logs = out / "logs"
        logs.mkdir(exist_ok=True)
        for path in workdir.glob("*.log"):
            shutil.copy(path, logs / path.name)
        shutil.rmtree(workdir, ignore_errors=True)
    return exit_code


if __name__ == "__main__":
    sys.exit(main())

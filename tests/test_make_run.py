"""`make run` as a newcomer runs it: links follow its port, and Ctrl-C or SIGTERM stops it all.

Each run uses its own SQLite database, broker folder, media folder and beat schedule in a
temporary folder, and the already-synced virtual environment (``-o`` tells make not to
sync it again). Starting takes a while (migrations and the demo data): readiness is
found by fetching the home page, never by waiting a fixed time.
"""

import contextlib
import os
import signal
import socket
import sqlite3
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from tests.requirements import require

ROOT = Path(__file__).resolve().parents[1]
# Polling bounds, not assertions: a slow start fails with the log printed.
START_POLLS = 900  # one every 0.5 s
STOP_POLLS = 120
# A bound on one request, not a measure of speed: on a busy machine the development
# server's first information pack (a cold WeasyPrint build) can take far longer than
# it does on a quiet one.
REQUEST_TIMEOUT = 180


def pdf_links(data: bytes) -> list[str]:
    """Every web address a PDF's link annotations point to."""
    import io

    from pypdf import PdfReader

    links = []
    for page in PdfReader(io.BytesIO(data)).pages:
        for annotation in page.get("/Annots") or []:
            action = annotation.get_object().get("/A")
            if action is not None and "/URI" in action:
                links.append(str(action["/URI"]))
    return links


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def descendants(pid: int) -> set[int]:
    """Every process below ``pid``, found by walking /proc's parent links."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def fetch(url: str) -> tuple[int, bytes]:
    with urllib.request.urlopen(url, timeout=REQUEST_TIMEOUT) as response:
        return response.status, response.read()


class MakeRun:
    def __init__(self, tmp_path: Path):
        self.port = free_port()
        self.tmp = tmp_path
        self.log_path = tmp_path / "make-run.log"
        self.database = tmp_path / "db.sqlite3"
        env = {
            k: v
            for k, v in os.environ.items()
            if k not in {"DATABASE_URL", "REDIS_URL", "SITE_URL", "DJANGO_SETTINGS_MODULE"}
        }
        env.update(
            DATABASE_URL=f"sqlite:///{self.database}",
            CELERY_BROKER_DIR=str(tmp_path / "broker"),
            MEDIA_ROOT=str(tmp_path / "media"),
        )
        self.log = self.log_path.open("w")
        self.process = subprocess.Popen(
            [
                "make",
                "--no-print-directory",
                "-o",
                ".venv/.synced",
                "run",
                f"PORT={self.port}",
                f"VAR={tmp_path / 'var'}",
            ],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def output(self) -> str:
        self.log.flush()
        return self.log_path.read_text(errors="replace")[-8000:]

    def wait_until_serving(self) -> None:
        for _ in range(START_POLLS):
            assert self.process.poll() is None, self.output()
            try:
                if fetch(f"http://127.0.0.1:{self.port}/")[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.5)
        pytest.fail(f"make run did not serve the home page:\n{self.output()}")

    def worker_started(self) -> bool:
        return "ready." in self.output()

    def close(self) -> None:
        for pid in descendants(self.process.pid) | {self.process.pid}:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        self.process.wait()
        self.log.close()


@pytest.fixture
def make_run(tmp_path):
    require((ROOT / ".venv" / "bin" / "python").exists(), "make setup has not been run")
    run = MakeRun(tmp_path)
    yield run
    run.close()


def stop_and_find_nothing_left(run: MakeRun, send) -> None:
    for _ in range(STOP_POLLS):
        if run.worker_started():
            break
        time.sleep(0.5)
    tree = descendants(run.process.pid)
    # make, the supervisor, runserver and its reloaded child, the worker and its pool.
    assert len(tree) >= 4, run.output()
    send()
    for _ in range(STOP_POLLS):
        if not any(alive(pid) for pid in tree | {run.process.pid}):
            break
        time.sleep(0.5)
    left = sorted(pid for pid in tree | {run.process.pid} if alive(pid))
    assert left == [], f"still running: {left}\n{run.output()}"


def test_links_follow_the_port_and_ctrl_c_stops_everything(make_run):
    make_run.wait_until_serving()

    # The links the portal writes itself use its port: the information pack's web links
    # (a calendar file carries none since it stopped carrying the booking's own link).
    status, body = fetch(f"http://127.0.0.1:{make_run.port}/information-pack.pdf")
    assert status == 200
    links = pdf_links(body)
    assert links, "the pack has web links"
    assert any(link.startswith(f"http://127.0.0.1:{make_run.port}/") for link in links), links
    assert not [link for link in links if ":8000/" in link], links
    # The booking's calendar file names the host that made it.
    with sqlite3.connect(make_run.database) as db:
        (token,) = db.execute("SELECT token FROM enquiries_booking LIMIT 1").fetchone()
    status, body = fetch(f"http://127.0.0.1:{make_run.port}/bookings/{token}/calendar.ics")
    assert status == 200
    assert ":8000/" not in body.decode().replace("\r\n ", "")

    # A body larger than any page takes is refused from its headers: none of it is sent.
    with socket.create_connection(("127.0.0.1", make_run.port), timeout=REQUEST_TIMEOUT) as sock:
        sock.sendall(
            b"POST /enquire/about-you/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Content-Type: application/x-www-form-urlencoded\r\n"
            b"Content-Length: 104857600\r\n\r\n"
        )
        status_line = sock.makefile("rb").readline()
    assert status_line.split()[1] == b"413", status_line

    # Starting gives no warnings: none from kombu about the file-system broker's host, and
    # what the worker prints (the emails, on the console) is output, not a warning.
    for _ in range(STOP_POLLS):
        if make_run.worker_started():
            break
        time.sleep(0.5)
    output = make_run.output()
    assert "No hostname was supplied" not in output
    assert "WARNING/ForkPoolWorker" not in output and "WARNING/MainProcess" not in output

    # Ctrl-C in a terminal sends SIGINT to the whole foreground process group.
    stop_and_find_nothing_left(make_run, lambda: os.killpg(make_run.process.pid, signal.SIGINT))


def test_sigterm_to_make_stops_everything(make_run):
    make_run.wait_until_serving()
    # `kill <pid of make>`: only make itself is told.
    stop_and_find_nothing_left(make_run, lambda: os.kill(make_run.process.pid, signal.SIGTERM))

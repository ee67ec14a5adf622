"""`make run`'s two processes, the development server and the worker, stopped together.

Usage: ``python -m portal.devserver HOST:PORT SCHEDULE_FILE``

Each process runs in a session of its own, so a signal meant for one reaches all of its
children (runserver's autoreloader child, the worker's pool and embedded beat) and
nothing else. Ctrl-C, SIGTERM or SIGHUP here, or either process ending, stops both: a
polite SIGTERM to each process group, then SIGKILL for whatever is still there after
``GRACE_SECONDS`` (a worker's warm shutdown waits for running tasks, which on a laptop
should never take that long).
"""

import contextlib
import os
import signal
import subprocess
import sys
import time

GRACE_SECONDS = 10.0


def _signal_group(process: subprocess.Popen, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, sig)


def _group_alive(process: subprocess.Popen) -> bool:
    process.poll()
    try:
        os.killpg(process.pid, 0)
    except ProcessLookupError:
        return False
    return True


def stop(processes: list[subprocess.Popen]) -> None:
    for process in processes:
        _signal_group(process, signal.SIGTERM)
    deadline = time.monotonic() + GRACE_SECONDS
    while time.monotonic() < deadline and any(_group_alive(p) for p in processes):
        time.sleep(0.2)
    for process in processes:
        if _group_alive(process):
            _signal_group(process, signal.SIGKILL)
        process.wait()


class _Stop(Exception):
    pass


def _raise_stop(signum, frame):
    raise _Stop(signum)


def main(argv: list[str]) -> int:
    address, schedule = argv
    python = sys.executable
    commands = [
        [
            python,
            "-m",
            "celery",
            "-A",
            "portal",
            "worker",
            "--beat",
            "--loglevel=INFO",
            "--concurrency=2",
            f"--schedule={schedule}",
        ],
        [python, "manage.py", "runserver", address],
    ]
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, _raise_stop)
    processes: list[subprocess.Popen] = []
    status = 0
    try:
        for command in commands:
            processes.append(subprocess.Popen(command, start_new_session=True))  # noqa: S603 (our own commands)
        while all(p.poll() is None for p in processes):
            time.sleep(0.5)
        status = next(p.returncode for p in processes if p.returncode is not None) or 1
    except _Stop:
        status = 0
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, signal.SIG_IGN)
        stop(processes)
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

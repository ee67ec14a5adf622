import contextlib
import copy
import os
import tempfile
from pathlib import Path

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.db import connection
from django.test import override_settings

from portal import pagecache
from portal.models import Team, User
from portal.roles import Role
from portal.settings import redis_database_after
from tests.requirements import require

# The one team every social worker and team manager a test makes joins (``make_staff``).
TEST_TEAM = "Test team"


def pytest_configure(config):
    """``make test`` runs the suite in pytest-xdist workers. Each has its own
    PostgreSQL test database (pytest-django names it after the worker), and here its own
    two Redis databases, so that a worker emptying its cache (``_fresh_cache``) or its
    broker never touches another's: worker n takes the configured broker and cache
    databases moved up by 2n (CI's 5 and 6, then 7 and 8, then 9 and 10; 0 after 15,
    so up to eight workers never share one). Processes a
    test starts read REDIS_URL and CACHE_URL from the environment, so those move too."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    cache_url = settings.CACHES["default"].get("LOCATION", "")
    if not (worker.startswith("gw") and settings.REDIS_URL and cache_url.startswith("redis")):
        return
    by = 2 * int(worker.removeprefix("gw"))
    broker, cache_url = (redis_database_after(url, by) for url in (settings.REDIS_URL, cache_url))
    os.environ.update(REDIS_URL=broker, CACHE_URL=cache_url)
    caches = copy.deepcopy(settings.CACHES)
    caches["default"]["LOCATION"] = cache_url
    # override_settings tells Django's cache handler to let go of its connections.
    override_settings(
        REDIS_URL=broker, CELERY_BROKER_URL=broker, CACHE_URL=cache_url, CACHES=caches
    ).enable()
    from portal.celery import app

    app.conf.broker_url = broker


@pytest.fixture(autouse=True)
def _fresh_cache(settings):
    """Rate limits and cached pages must not leak from one test into the next.

    Web processes remember cached pages and what has changed for a moment
    (portal/pagecache.py); in tests they look again every time, so emptying the
    cache, here or in a test, empties the page cache too.
    """
    settings.PUBLIC_CACHE_RECHECK_SECONDS = 0
    pagecache.local_clear()
    cache.clear()
    yield
    cache.clear()
    pagecache.local_clear()


@pytest.fixture(autouse=True)
def _sign_in_codes_from_the_step_before(settings):
    """A test computes an authenticator code and then posts it: on a busy machine a
    30-second step may end in between. allauth reads MFA_TOTP_TOLERANCE on each check,
    and every test that posts a code does so to this process (the test client or a live
    server thread), so one step either side is accepted in every test."""
    settings.MFA_TOTP_TOLERANCE = 1


@pytest.fixture(autouse=True)
def _own_media_folder(settings, tmp_path):
    """Uploads, letters and cached PDFs of a test go to its own folder, never the project's
    media/, which the test processes would share."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_STORAGE_ROOT = tmp_path / "private"
    settings.PDF_CACHE_DIR = tmp_path / "media" / "cache" / "pdf"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Staff and applicants are made in most tests, and Django's own hasher takes a third
    of a second for each on this kind of machine: a slow hash would dominate the run. The
    hasher the portal uses is checked in tests/portal/test_settings.py."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _broker_tried_afresh(monkeypatch):
    """A broker found down in one test is not skipped in the next (portal/queueing.py)."""
    from portal import queueing

    monkeypatch.setattr(queueing, "_retry_at", 0.0)


@pytest.fixture(scope="session")
def django_db_setup(
    request,
    django_test_environment,
    django_db_blocker,
    django_db_modify_db_settings,
):
    """Each process's test database. On PostgreSQL under ``make test``'s processes, the
    first process to get here migrates a template database once for the run, and every
    process copies it (``CREATE DATABASE ... TEMPLATE``, a second) rather than each
    applying the migrations itself (half a minute each, all at once on two cores).
    Otherwise, as pytest-django does it."""
    from django.test.utils import setup_databases, teardown_databases

    run = os.environ.get("PYTEST_XDIST_TESTRUNUID")
    if not run or connection.vendor != "postgresql":
        with django_db_blocker.unblock():
            created = setup_databases(verbosity=0, interactive=False, aliases={"default"})
        yield
        with django_db_blocker.unblock():
            teardown_databases(created, verbosity=0)
        return
    template = f"test_{connection.settings_dict['NAME']}_template"
    with django_db_blocker.unblock(), _template_lock(template):
        name = _copy_of_the_migrated_template(template, run)
    yield
    with django_db_blocker.unblock(), _template_lock(template):
        connection.close()
        try:
            with connection.creation._nodb_cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
                # The first process to finish drops the template too; one that sets up
                # later (it had not needed a database) finds it gone and builds it again.
                cursor.execute(f'DROP DATABASE IF EXISTS "{template}"')
        except Exception as error:  # noqa: BLE001 - as pytest-django: a warning, not a failure
            request.node.warn(pytest.PytestWarning(f"test database not dropped: {error!r}"))


@contextlib.contextmanager
def _template_lock(template: str):
    """One process at a time builds, copies or drops the template (a file lock)."""
    import fcntl

    with open(Path(tempfile.gettempdir()) / f"{template}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _copy_of_the_migrated_template(template: str, run: str) -> str:
    """Migrate the template once for this run (a file beside the lock names the run it
    was built for), copy it into this process's test database and point the connection
    at the copy. Called under ``_template_lock``."""
    test = connection.settings_dict["TEST"]
    name = test["NAME"]  # test_<database>_gw<n>, as pytest-django names it
    marker = Path(tempfile.gettempdir()) / f"{template}.run"
    with connection.creation._nodb_cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [template])
        there = cursor.fetchone() is not None
    try:
        if not there or not marker.exists() or marker.read_text() != run:
            test["NAME"] = template
            connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
            connection.close()
            marker.write_text(run)
        with connection.creation._nodb_cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
            cursor.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    finally:
        test["NAME"] = name
    connection.close()
    settings.DATABASES["default"]["NAME"] = connection.settings_dict["NAME"] = name
    return name


@pytest.fixture(scope="module")
def seeded_demo(django_db_setup, django_db_blocker, tmp_path_factory):
    """``seed_demo`` run twice (it must be idempotent) once for a whole module, in a
    transaction rolled back after the module's last test. Each test of the module runs
    in a savepoint inside it (``pytestmark = pytest.mark.django_db``), so what one test
    changes the next does not see. Seeding takes a quarter of a minute, so a module that
    only reads the demo seeds it once rather than once a test."""
    import io

    from django.core.management import call_command
    from django.db import transaction

    folder = tmp_path_factory.mktemp("demo")
    seeding = override_settings(
        DEBUG=True,
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        MEDIA_ROOT=folder / "media",
        PRIVATE_STORAGE_ROOT=folder / "private",
        PDF_CACHE_DIR=folder / "media" / "cache" / "pdf",
    )
    with django_db_blocker.unblock(), transaction.atomic():
        with seeding:
            call_command("seed_demo", stdout=io.StringIO())
            call_command("seed_demo", stdout=io.StringIO())
        yield
        transaction.set_rollback(True)


@pytest.fixture
def make_staff(db):
    """Create a staff member in the given roles, with a verified email and MFA set up."""
    counter = iter(range(1, 10_000))

    def make(
        *roles: str, mfa: bool = True, superuser: bool = False, team: bool = True, **fields
    ) -> User:
        """``team``: social workers and team managers join one team (``TEST_TEAM``), so a
        manager sees the caseloads of the workers a test makes (portal.access)."""
        n = next(counter)
        email = fields.pop("email", f"staff{n}@oakway.example")
        user = User.objects.create_user(
            email=email,
            password="correct-horse-battery-staple",
            is_staff=True,
            is_superuser=superuser,
            first_name=fields.pop("first_name", f"Staff{n}"),
            last_name=fields.pop("last_name", "Member"),
            **fields,
        )
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
        if roles:
            user.groups.set(Group.objects.filter(name__in=roles))
        if team and {Role.SOCIAL_WORKERS, Role.TEAM_MANAGERS} & set(roles):
            shared, _ = Team.objects.get_or_create(name=TEST_TEAM)
            if Role.TEAM_MANAGERS in roles:
                shared.managers.add(user)
            if Role.SOCIAL_WORKERS in roles:
                shared.members.add(user)
        if mfa:
            TOTP.activate(user, generate_totp_secret())
        return user

    return make


@pytest.fixture
def staff_client(client, make_staff):
    """A test client signed in as a staff member of one role: ``staff_client(Role.X)``."""

    def sign_in(*roles: str, **fields):
        user = make_staff(*roles, **fields)
        client.force_login(user)
        client.user = user
        return client

    return sign_in


@pytest.fixture
def team_manager_client(staff_client):
    return staff_client(Role.TEAM_MANAGERS)


@pytest.fixture
def require_postgres():
    require(connection.vendor == "postgresql", "needs PostgreSQL (set DATABASE_URL)")


@pytest.fixture
def require_redis():
    require(bool(settings.REDIS_URL), "needs a Redis server (set REDIS_URL)")
    import redis

    try:
        redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        require(False, f"Redis is not answering at {settings.REDIS_URL}")


class _Inbox:
    """Messages received by the SMTP sink, parsed."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        import email
        from email import policy

        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted for delivery"

    def wait_for(self, predicate=lambda m: True, timeout=30.0):
        import time

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = [m for m in self.messages if predicate(m)]
            if found:
                return found
            time.sleep(0.1)
        raise AssertionError(f"No matching email within {timeout} s; got {len(self.messages)}")


@pytest.fixture
def smtp_sink():
    """A real SMTP server on loopback. ``smtp_sink.url`` is an EMAIL_URL for it."""
    import socket

    from aiosmtpd.controller import Controller

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    inbox.port = port
    inbox.url = f"smtp://127.0.0.1:{port}"
    try:
        yield inbox
    finally:
        controller.stop()


@pytest.fixture
def smtp_settings(settings, smtp_sink):
    """Send this process's email to the SMTP sink."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = smtp_sink.port
    settings.EMAIL_USE_TLS = False
    return smtp_sink


def celery_worker_argv(*, pool: str, schedule) -> list[str]:
    """The command that starts a real Celery worker with beat, as the tests run it."""
    import sys

    return [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "portal",
        "worker",
        "--beat",
        "--loglevel=INFO",
        "--concurrency=1",
        f"--pool={pool}",
        f"--schedule={schedule}",
    ]


def _reset_celery_pools(app):
    """Forget every broker connection, so the next publish connects to the current URL.

    kombu keeps pools in a process-wide registry; closing one without clearing the
    registry would hand the closed pool back to the next caller.
    """
    from kombu import pools

    pools.reset()
    app._after_fork()


@pytest.fixture
def celery_broker():
    """``with celery_broker(url, eager=False):`` publish tasks to a real broker for a while."""
    from contextlib import contextmanager

    from portal.celery import app

    @contextmanager
    def use(url: str, *, eager: bool = False):
        saved = (app.conf.broker_url, app.conf.task_always_eager)
        _reset_celery_pools(app)
        app.conf.broker_url = url
        app.conf.task_always_eager = eager
        try:
            yield app
        finally:
            app.conf.broker_url, app.conf.task_always_eager = saved
            _reset_celery_pools(app)

    return use


class _RedisServer:
    """A redis-server process of the test's own, which the test may stop and start again."""

    def __init__(self, port: int, folder):
        self.port = port
        self.folder = folder
        self.process = None

    def url(self, database: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{database}"

    def client(self, database: int = 0):
        import redis

        return redis.Redis(host="127.0.0.1", port=self.port, db=database, socket_connect_timeout=1)

    def start(self) -> None:
        import subprocess
        import time

        import redis

        self.process = subprocess.Popen(
            ["redis-server", "--bind", "127.0.0.1", "--port", str(self.port)]
            + ["--save", "", "--appendonly", "no", "--dir", str(self.folder)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 20
        while True:
            try:
                if self.client().ping():
                    return
            except redis.exceptions.ConnectionError:
                assert self.process.poll() is None, "redis-server exited"
                assert time.monotonic() < deadline, "redis-server did not answer"
                time.sleep(0.05)

    def stop(self, *, keep_data: bool = False) -> None:
        """Stop the process (by its pid); ``keep_data``: it comes back with what it held."""
        if keep_data:
            self.client().save()
        self.process.terminate()
        self.process.wait(timeout=20)
        self.process = None


@pytest.fixture
def redis_server(tmp_path):
    """A Redis of the test's own on ``TEST_REDIS_PORT`` (default: a free port)."""
    import os
    import shutil
    import socket

    require(shutil.which("redis-server") is not None, "needs redis-server on the PATH")
    port = int(os.environ.get("TEST_REDIS_PORT", "0"))
    if not port:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
    server = _RedisServer(port, tmp_path)
    server.start()
    try:
        yield server
    finally:
        if server.process is not None:
            server.process.terminate()
            server.process.wait(timeout=20)

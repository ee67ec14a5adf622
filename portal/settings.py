"""Settings for the portal: one module, read from the environment.

Every value has an embedded default fit for a laptop. With DEBUG off the
portal refuses to start unless the secrets and hosts are given.
"""

import ipaddress
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "dev-only-insecure-key-not-for-production"  # noqa: S105

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])
if not ALLOWED_HOSTS:
    if not DEBUG:
        raise ImproperlyConfigured("ALLOWED_HOSTS must be set when DEBUG is off.")
    ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]"]

SITE_URL = env.str("SITE_URL", default="").rstrip("/")
if not SITE_URL:
    if not DEBUG:
        raise ImproperlyConfigured("SITE_URL must be set when DEBUG is off.")
    SITE_URL = "http://127.0.0.1:8000"
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[SITE_URL])

# The agency this portal belongs to.
AGENCY_NAME = env.str("AGENCY_NAME", default="Oakway Adoption and Fostering")
AGENCY_EMAIL = env.str("AGENCY_EMAIL", default="hello@oakway.example")
AGENCY_PHONE = env.str("AGENCY_PHONE", default="0300 123 4567")
# The agency's postal address, lines separated by commas (the matching certificate names it).
AGENCY_ADDRESS = env.list(
    "AGENCY_ADDRESS", default=["Oakway House", "1 Station Road", "Oakford", "OK1 1AA"]
)
RECRUITMENT_TEAM_EMAIL = env.str("RECRUITMENT_TEAM_EMAIL", default="recruitment@oakway.example")
EVENTS_TEAM_EMAIL = env.str("EVENTS_TEAM_EMAIL", default="events@oakway.example")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "crispy_forms",
    "crispy_forms_gds",
    "auditlog",
    "portal",
    "content",
    "enquiries",
    "carers",
    "placements",
]

MIDDLEWARE = [
    "portal.middleware.RequestBodyLimitMiddleware",
    "portal.middleware.ClientAddressMiddleware",
    "portal.middleware.RefuseUnstorableInputMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "portal.middleware.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "portal.middleware.SignedInSessionMiddleware",
    "portal.middleware.StaffMFARequiredMiddleware",
    "auditlog.middleware.AuditlogMiddleware",
]

# The load benchmark (tests/benchmarks) mounts its baseline view with its own URLconf.
ROOT_URLCONF = env.str("ROOT_URLCONF", default="portal.urls")
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.context_processors.agency",
            ],
            # Dates as people read them, in every template: {{ when|day }}.
            "builtins": ["portal.templatetags.portal_formats"],
        },
    },
]

# Widgets render through TEMPLATES, so templates/admin/widgets/ can give the admin's own
# widgets what they lack (a label on each of a date and time pair).
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

# Database: SQLite on a laptop, PostgreSQL (psycopg 3) in production and CI.
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The development server, the worker and beat write to one file: wait for each
    # other's locks instead of failing, and let readers work alongside a writer.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Redis: the Celery broker (REDIS_URL) and the cache of pages and rate limits (CACHE_URL,
# by default the next database of the broker's server; in production a Redis of its own
# with maxmemory and eviction). Unset: an embedded broker and local memory.
REDIS_URL = env.str("REDIS_URL", default="")


def redis_database_after(url: str, by: int = 1) -> str:
    """The same Redis server, the database ``by`` after the URL's (0 after 15). The test
    processes also use it to give each its own databases (tests/conftest.py)."""
    parts = urlsplit(url)
    database = parts.path.strip("/") or "0"
    if not database.isdigit():
        return url
    return urlunsplit(parts._replace(path=f"/{(int(database) + by) % 16}"))


CACHE_URL = env.str("CACHE_URL", default=redis_database_after(REDIS_URL) if REDIS_URL else "")
CACHE_KEY_PREFIX = env.str("CACHE_KEY_PREFIX", default="portal")
# After failing to reach the cache or the broker, a process does without it for this long
# before trying again (portal/cache.py, portal/queueing.py).
REDIS_RETRY_SECONDS = env.float("REDIS_RETRY_SECONDS", default=5.0)
if CACHE_URL:
    CACHES = {
        "default": {
            "BACKEND": "portal.cache.FallbackRedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": CACHE_KEY_PREFIX,
            "TIMEOUT": 300,
            "OPTIONS": {
                "socket_connect_timeout": 2,
                "socket_timeout": 2,
                "RETRY_SECONDS": REDIS_RETRY_SECONDS,
            },
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "KEY_PREFIX": CACHE_KEY_PREFIX,
        }
    }

# Celery. Tasks take primary keys and are queued on commit; beat sweeps the outbox.
CELERY_BROKER_DIR = Path(env.str("CELERY_BROKER_DIR", default=str(BASE_DIR / "var" / "broker")))
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
else:
    # The file-system transport (portal.broker: each message written whole, then renamed
    # into the queue) needs no host; naming one keeps kombu from warning.
    CELERY_BROKER_URL = "portalfs://localhost/"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_BROKER_DIR / "queue"),
        "data_folder_out": str(CELERY_BROKER_DIR / "queue"),
        "processed_folder": str(CELERY_BROKER_DIR / "processed"),
        "control_folder": str(CELERY_BROKER_DIR / "control"),
        "store_processed": False,
    }
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=300)
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=240)
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = "Europe/London"
# What tasks print (the console email backend on a laptop) is output, not a warning.
CELERY_WORKER_REDIRECT_STDOUTS_LEVEL = "INFO"
CELERY_BEAT_SCHEDULE = {
    "deliver-due-notifications": {
        "task": "portal.tasks.deliver_due_notifications",
        "schedule": env.float("OUTBOX_SWEEP_SECONDS", default=60.0),
    },
    # One digest a working-day morning per person with overdue deadlines, every app's
    # (portal/deadlines.py); beat runs it hourly and the key stops a second one a day.
    "overdue-digests": {
        "task": "portal.tasks.queue_overdue_digests",
        "schedule": env.float("OVERDUE_DIGEST_SWEEP_SECONDS", default=3600.0),
    },
    "clear-expired-sessions": {
        "task": "portal.tasks.clear_expired_sessions",
        "schedule": 24 * 3600.0,
    },
    "queue-event-follow-ups": {
        "task": "enquiries.tasks.queue_event_follow_ups",
        "schedule": env.float("EVENT_FOLLOW_UP_SWEEP_SECONDS", default=300.0),
    },
    "fill-event-waiting-lists": {
        "task": "enquiries.tasks.fill_waiting_lists",
        "schedule": env.float("EVENT_WAITING_LIST_SWEEP_SECONDS", default=60.0),
    },
}

# Break-glass (portal.access): a record opened outside the worker's caseload stays open to
# them for this many minutes after they give their reason (agency policy).
BREAK_GLASS_MINUTES = env.int("BREAK_GLASS_MINUTES", default=60)

# Overdue deadlines of every app go in one digest per person, at this hour on working days.
OVERDUE_DIGEST_HOUR = env.int("OVERDUE_DIGEST_HOUR", default=8)

# Email: console on a laptop, SMTP in production (EMAIL_URL=smtp://host:port).
_email = env.email_url("EMAIL_URL", default="consolemail://")
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
EMAIL_HOST = _email.get("EMAIL_HOST", "localhost")
EMAIL_PORT = _email.get("EMAIL_PORT", 25)
EMAIL_HOST_USER = _email.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = _email.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = _email.get("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = _email.get("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default=f"{AGENCY_NAME} <{AGENCY_EMAIL}>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Outbox delivery policy. A message that cannot be sent is tried again after 1, 2, 4 ...
# minutes, then every OUTBOX_RETRY_MAX_MINUTES, until OUTBOX_GIVE_UP_DAYS after it fell
# due; only a refusal of the recipient for good (SMTP 5xx) fails it at once.
OUTBOX_BATCH_SIZE = env.int("OUTBOX_BATCH_SIZE", default=50)
OUTBOX_RETRY_MAX_MINUTES = env.int("OUTBOX_RETRY_MAX_MINUTES", default=30)
OUTBOX_GIVE_UP_DAYS = env.int("OUTBOX_GIVE_UP_DAYS", default=7)
# Team managers' staff home page counts messages still unsent this long after they fell due,
# and those given up in the last OUTBOX_FAILED_SHOWN_DAYS.
OUTBOX_WAITING_ALERT_MINUTES = env.int("OUTBOX_WAITING_ALERT_MINUTES", default=60)
OUTBOX_FAILED_SHOWN_DAYS = env.int("OUTBOX_FAILED_SHOWN_DAYS", default=30)
# A sweep takes no new message after this long: well inside the soft time limit, so a slow
# relay ends a sweep cleanly instead of having it cut off mid-send.
OUTBOX_SWEEP_BUDGET_SECONDS = env.int(
    "OUTBOX_SWEEP_BUDGET_SECONDS", default=CELERY_TASK_SOFT_TIME_LIMIT // 2
)
# A message being sent is taken by another sweep only this long after its worker took it:
# longer than the task time limit, so only a dead worker's messages are taken again.
OUTBOX_LEASE_SECONDS = env.int("OUTBOX_LEASE_SECONDS", default=2 * CELERY_TASK_TIME_LIMIT)

# Information events: booking policy.
BOOKING_MAX_PLACES = env.int("BOOKING_MAX_PLACES", default=2)
BOOKING_RATE_LIMIT_PER_HOUR = env.int("BOOKING_RATE_LIMIT_PER_HOUR", default=10)
# How long a booking waits for the event row's lock before it is retried, then refused.
BOOKING_LOCK_TIMEOUT_SECONDS = env.float("BOOKING_LOCK_TIMEOUT_SECONDS", default=5.0)
# Only the concurrency test turns this off, to show the overbooking the lock prevents.
BOOKING_LOCK_ENABLED = True
EVENT_REMINDER_DAYS_BEFORE = env.int("EVENT_REMINDER_DAYS_BEFORE", default=2)
EVENT_MORNING_REMINDER_HOUR = env.int("EVENT_MORNING_REMINDER_HOUR", default=8)
EVENT_FOLLOW_UP_HOURS_AFTER = env.int("EVENT_FOLLOW_UP_HOURS_AFTER", default=12)
EVENT_FOLLOW_UP_WINDOW_DAYS = env.int("EVENT_FOLLOW_UP_WINDOW_DAYS", default=14)

# Accounts: email is the login; staff must use MFA.
AUTH_USER_MODEL = "portal.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_REAUTHENTICATION_REQUIRED = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = f"{AGENCY_NAME}: "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if SITE_URL.startswith("https") else "http"
ACCOUNT_ADAPTER = "portal.adapter.AccountAdapter"
ACCOUNT_FORMS = {"login": "portal.forms.SignInForm"}
# Failed sign-ins: allauth limits each address; the adapter limits each account, with a far
# higher limit for a browser that has signed in to that account before (portal/adapter.py).
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip",
    "signup": "20/m/ip",
    "confirm_email": "1/3m/key",
    "reset_password": "20/m/ip,5/m/key",
}
SIGN_IN_ACCOUNT_FAILURE_LIMIT = env.int("SIGN_IN_ACCOUNT_FAILURE_LIMIT", default=5)
SIGN_IN_ACCOUNT_FAILURE_PERIOD_SECONDS = env.int(
    "SIGN_IN_ACCOUNT_FAILURE_PERIOD_SECONDS", default=5 * 60
)
SIGN_IN_KNOWN_BROWSER_FACTOR = env.int("SIGN_IN_KNOWN_BROWSER_FACTOR", default=10)
SIGN_IN_KNOWN_BROWSER_DAYS = env.int("SIGN_IN_KNOWN_BROWSER_DAYS", default=365)
# A staff invitation link works once, for this many days.
STAFF_INVITATION_VALID_DAYS = env.int("STAFF_INVITATION_VALID_DAYS", default=7)
# Where the bookers of a private event (training, groups) find their sessions: their own area.
PRIVATE_EVENTS_PATH = "/my/training/"
# Agency policy: how long the applicants of a closed household (refused, withdrawn or
# closed) may still sign in to read their letters, counted from the day it closed.
CARERS_CLOSED_ACCESS_DAYS = env.int("CARERS_CLOSED_ACCESS_DAYS", default=90)
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = AGENCY_NAME
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "/"

# Sessions: staff sessions end after 30 minutes idle or 12 hours in all (agency policy).
SESSION_COOKIE_AGE = 12 * 60 * 60
STAFF_SESSION_IDLE_SECONDS = env.int("STAFF_SESSION_IDLE_SECONDS", default=30 * 60)
STAFF_SESSION_MAX_SECONDS = env.int("STAFF_SESSION_MAX_SECONDS", default=12 * 60 * 60)
# Staff pages warn this long before the session ends, with a button to stay signed in.
STAFF_SESSION_WARNING_SECONDS = env.int("STAFF_SESSION_WARNING_SECONDS", default=5 * 60)
# Agency policy: the carers' sessions (and any signed-in account that is not staff) end
# after 30 minutes idle or 12 hours in all. Their pages warn as the staff's do.
CARERS_SESSION_IDLE_SECONDS = env.int("CARERS_SESSION_IDLE_SECONDS", default=30 * 60)
CARERS_SESSION_MAX_SECONDS = env.int("CARERS_SESSION_MAX_SECONDS", default=12 * 60 * 60)
CARERS_SESSION_WARNING_SECONDS = env.int("CARERS_SESSION_WARNING_SECONDS", default=5 * 60)
# Agency policy: the weekly summary of the carers' own area goes on this weekday (0 is
# Monday) from this hour, once a week to each applicant who has not turned it off.
CARERS_WEEKLY_SUMMARY_WEEKDAY = env.int("CARERS_WEEKLY_SUMMARY_WEEKDAY", default=0)
CARERS_WEEKLY_SUMMARY_HOUR = env.int("CARERS_WEEKLY_SUMMARY_HOUR", default=8)
CELERY_BEAT_SCHEDULE["carers-weekly-summaries"] = {
    "task": "carers.tasks.queue_weekly_summaries",
    "schedule": env.float("CARERS_WEEKLY_SUMMARY_SWEEP_SECONDS", default=3600.0),
}

# Security. HTTPS_ONLY is on in production; tests and `make run` turn it off.
HTTPS_ONLY = env.bool("HTTPS_ONLY", default=not DEBUG)
SECURE_SSL_REDIRECT = HTTPS_ONLY
SESSION_COOKIE_SECURE = HTTPS_ONLY
CSRF_COOKIE_SECURE = HTTPS_ONLY
SECURE_HSTS_SECONDS = 31536000 if HTTPS_ONLY else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS_ONLY
SECURE_HSTS_PRELOAD = HTTPS_ONLY
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# The proxies in front of the portal: addresses or networks (``10.0.0.5``, ``172.28.0.0/16``).
# X-Forwarded-For and X-Forwarded-Proto are believed only from these
# (portal.middleware.ClientAddressMiddleware); from anyone else they are removed.
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])
for _proxy in TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError:
        raise ImproperlyConfigured(f"TRUSTED_PROXIES: {_proxy!r} is not an address.") from None
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
# No inline script or style anywhere: every script and stylesheet is a file we serve.
# The authenticator app's QR code is a data: image.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
        "manifest-src": ["'self'"],
    },
}
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
# Sentence case for allauth's headings and buttons (locale/en_GB; `msgfmt` rebuilds the .mo).
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
# Hashed, compressed static files in production (after collectstatic); plain files from
# static/ on a development server and in tests.
STATIC_MANIFEST = env.bool("STATIC_MANIFEST", default=not DEBUG)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if STATIC_MANIFEST
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not STATIC_MANIFEST
WHITENOISE_AUTOREFRESH = DEBUG
# Uploaded documents are private: never served as static files, only through views that
# check permissions.
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / "media")))
PRIVATE_STORAGE_ROOT = Path(env.str("PRIVATE_STORAGE_ROOT", default=str(MEDIA_ROOT / "private")))
# Uploads larger than this are spooled to a temporary file rather than held in memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_500_000
# Limits on what a form posts besides its files, from the largest staff page: the household
# page of a household with 2 applicants, 8 members, 10 support contacts, 30 checks, 40
# training records and 5 documents posts 830 fields in 21 kB
# (tests/carers/test_household_page_limits.py prints both). Three times that many fields
# and a hundred times those bytes leave room for larger households; past them the save
# would be refused and the social worker's input lost.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_500_000
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2500
# PDFs (portal/pdf.py) are cached under a hash of what they contain, in a folder the web
# process and the worker share (MEDIA_ROOT is a shared volume in production).
PDF_CACHE_DIR = Path(env.str("PDF_CACHE_DIR", default=str(MEDIA_ROOT / "cache" / "pdf")))

# Public content: anonymous pages are cached until content is published, or for this long.
CONTENT_CACHE_SECONDS = env.int("CONTENT_CACHE_SECONDS", default=300)
# Events pages: cached until an event or a booking changes, an event's booking closes or
# it starts, or for this long.
EVENTS_CACHE_SECONDS = env.int("EVENTS_CACHE_SECONDS", default=300)
# Each web process re-reads what has changed (portal/pagecache.py) at most this often, so
# a change reaches the cached pages of other processes within this many seconds.
PUBLIC_CACHE_RECHECK_SECONDS = env.float("PUBLIC_CACHE_RECHECK_SECONDS", default=2.0)
# The information pack lists this many upcoming events; it is rebuilt at least this often.
INFORMATION_PACK_EVENTS = env.int("INFORMATION_PACK_EVENTS", default=4)
INFORMATION_PACK_MAX_AGE_SECONDS = env.int("INFORMATION_PACK_MAX_AGE_SECONDS", default=3600)
# Eligibility checker (policy: it explains, it never blocks).
ELIGIBILITY_MIN_AGE = env.int("ELIGIBILITY_MIN_AGE", default=21)
ELIGIBILITY_UK_RESIDENCE_MONTHS = env.int("ELIGIBILITY_UK_RESIDENCE_MONTHS", default=12)
ELIGIBILITY_AT_HOME_MONTHS_MIN = env.int("ELIGIBILITY_AT_HOME_MONTHS_MIN", default=9)
ELIGIBILITY_AT_HOME_MONTHS_PREFERRED = env.int("ELIGIBILITY_AT_HOME_MONTHS_PREFERRED", default=12)
ELIGIBILITY_TRAVEL_TIME = env.str("ELIGIBILITY_TRAVEL_TIME", default="about an hour")
ELIGIBILITY_RATE_LIMIT_PER_MINUTE = env.int("ELIGIBILITY_RATE_LIMIT_PER_MINUTE", default=60)

CRISPY_ALLOWED_TEMPLATE_PACKS = ["gds"]
CRISPY_TEMPLATE_PACK = "gds"
# crispy-forms-gds gives GOV.UK classes only to the widgets it knows by class name;
# every other input Django offers gets them here, so no public field renders unstyled.
CRISPY_CLASS_CONVERTERS = dict.fromkeys(
    (
        "telinput",
        "numberinput",
        "urlinput",
        "searchinput",
        "dateinput",
        "datetimeinput",
        "timeinput",
    ),
    "govuk-input",
)

# Carer assessments: agency policy, read here; statutory clocks are constants in
# carers/clocks.py with the regulation they come from.
CARERS_STAGE_ONE_MONTHS = env.int("CARERS_STAGE_ONE_MONTHS", default=2)
CARERS_APPROVAL_TARGET_MONTHS = env.int("CARERS_APPROVAL_TARGET_MONTHS", default=6)
CARERS_FORM_F_TO_PANEL_MONTHS = env.int("CARERS_FORM_F_TO_PANEL_MONTHS", default=8)
# The agency decision within 7 working days of receiving the panel's recommendation and
# final minutes: national minimum standards (Adoption NMS 2014 std 17; Fostering NMS 2011
# std 14), not a regulation; hence a setting.
CARERS_AGENCY_DECISION_WORKING_DAYS = env.int("CARERS_AGENCY_DECISION_WORKING_DAYS", default=7)
# After a proposed refusal: the final decision within this many working days of the day it
# may be made (the applicants' window closed, the panel's fresh recommendation or the
# independent review panel's recommendation received). Agency policy, in line with the
# 7 working days the national minimum standards give the decision after panel.
CARERS_FINAL_DECISION_WORKING_DAYS = env.int("CARERS_FINAL_DECISION_WORKING_DAYS", default=7)
# The agency's panel constitution, where it asks more than the regulations' quorum
# (carers/quorum.py holds the legal minimum; the stricter of the two applies): members
# present, and independent members among them, for each kind of panel.
CARERS_PANEL_QUORUM_MEMBERS = env.int("CARERS_PANEL_QUORUM_MEMBERS", default=5)
CARERS_PANEL_QUORUM_INDEPENDENT = env.int("CARERS_PANEL_QUORUM_INDEPENDENT", default=1)
CARERS_DBS_RENEWAL_YEARS = env.int("CARERS_DBS_RENEWAL_YEARS", default=3)
# After a placement with the carers ends (or an adoption order is made), each of their
# approvals is reviewed within this many weeks (no regulation sets it).
CARERS_REVIEW_AFTER_PLACEMENT_WEEKS = env.int("CARERS_REVIEW_AFTER_PLACEMENT_WEEKS", default=6)
# Reminders to the social worker, in working days before a deadline, at this hour; overdue
# items go in the one morning digest (OVERDUE_DIGEST_HOUR).
CARERS_REMINDER_WORKING_DAYS_BEFORE = env.list(
    "CARERS_REMINDER_WORKING_DAYS_BEFORE", cast=int, default=[10, 1]
)
CARERS_REMINDER_HOUR = env.int("CARERS_REMINDER_HOUR", default=8)
CARERS_DASHBOARD_DAYS = env.int("CARERS_DASHBOARD_DAYS", default=14)
# Reminders for households with no social worker assigned go to the team mailbox.
CARERS_TEAM_EMAIL = env.str("CARERS_TEAM_EMAIL", default="assessments@oakway.example")
CARERS_DOCUMENT_MAX_MB = env.int("CARERS_DOCUMENT_MAX_MB", default=20)
# How many new documents one save of a household page may carry (the form refuses more).
DOCUMENTS_PER_SAVE = env.int("DOCUMENTS_PER_SAVE", default=3)
# The largest request body any page takes: that many documents and the household page
# around them. Larger requests are refused from their Content-Length, unread
# (portal.middleware.RequestBodyLimitMiddleware); gunicorn and the proxy cap them too.
REQUEST_BODY_MAX_BYTES = (DOCUMENTS_PER_SAVE * CARERS_DOCUMENT_MAX_MB + 2) * 1024 * 1024

# Enquiries: the recruitment team's policy clocks, in working days after the enquiry arrives.
ENQUIRY_FIRST_CONTACT_WORKING_DAYS = env.int("ENQUIRY_FIRST_CONTACT_WORKING_DAYS", default=1)
ENQUIRY_INFORMATION_PACK_WORKING_DAYS = env.int("ENQUIRY_INFORMATION_PACK_WORKING_DAYS", default=5)
# The decision on a Registration of Interest, after its receipt: one policy for the enquiry
# and for the carer household that follows it (carers/clocks.py reads it too). Its former
# name, CARERS_ROI_DECISION_WORKING_DAYS, is still read from the environment.
ENQUIRY_ROI_DECISION_WORKING_DAYS = env.int(
    "ENQUIRY_ROI_DECISION_WORKING_DAYS",
    default=env.int("CARERS_ROI_DECISION_WORKING_DAYS", default=5),
)
# A Registration of Interest is chased if it has not arrived this long after the initial visit.
ENQUIRY_ROI_CHASE_WORKING_DAYS = env.int("ENQUIRY_ROI_CHASE_WORKING_DAYS", default=10)
# The link to the Registration of Interest form works this many days after it is emailed;
# the team can email a new one, which keeps the answers saved so far.
ROI_FORM_LINK_DAYS = env.int("ROI_FORM_LINK_DAYS", default=28)
# A missed deadline is reminded at this hour of the next working day, to the assigned
# person or, when nobody is assigned, to RECRUITMENT_TEAM_EMAIL.
ENQUIRY_REMINDER_HOUR = env.int("ENQUIRY_REMINDER_HOUR", default=9)
# The same email address enquiring again within this many days adds to the open enquiry.
ENQUIRY_REPEAT_WINDOW_DAYS = env.int("ENQUIRY_REPEAT_WINDOW_DAYS", default=30)
ENQUIRY_RATE_LIMIT_PER_HOUR = env.int("ENQUIRY_RATE_LIMIT_PER_HOUR", default=5)
ENQUIRY_STEP_RATE_LIMIT_PER_HOUR = env.int("ENQUIRY_STEP_RATE_LIMIT_PER_HOUR", default=120)
# Closed enquiries are anonymised after this many months; the funnel figures stay.
ENQUIRY_RETENTION_MONTHS = env.int("ENQUIRY_RETENTION_MONTHS", default=12)
ENQUIRY_FUNNEL_MONTHS = env.int("ENQUIRY_FUNNEL_MONTHS", default=12)
# The enquiries' rule is a class of the retention schedule (below): its job applies it.

# Placements: reminders to the carers' social worker, in working days before each statutory
# clock (reviews, visits, the 26 weeks); overdue items go in the one morning digest
# (OVERDUE_DIGEST_HOUR). Placements whose household has no social worker remind the team.
PLACEMENTS_REMINDER_WORKING_DAYS_BEFORE = env.list(
    "PLACEMENTS_REMINDER_WORKING_DAYS_BEFORE", cast=int, default=[5, 1]
)
PLACEMENTS_REMINDER_HOUR = env.int("PLACEMENTS_REMINDER_HOUR", default=8)
PLACEMENTS_TEAM_EMAIL = env.str("PLACEMENTS_TEAM_EMAIL", default="placements@oakway.example")
# The placement page lists family time sessions from this many days back (all are kept).
PLACEMENTS_FAMILY_TIME_DAYS_SHOWN = env.int("PLACEMENTS_FAMILY_TIME_DAYS_SHOWN", default=90)
# Matching (agency policy): the clocks on a referral, shown on it and on the staff home
# page with reminders, and the estimated travel time between carers and family time.
MATCHING_ACKNOWLEDGE_WORKING_DAYS = env.int("MATCHING_ACKNOWLEDGE_WORKING_DAYS", default=1)
MATCHING_CARERS_DECISION_WORKING_DAYS = env.int("MATCHING_CARERS_DECISION_WORKING_DAYS", default=2)
MATCHING_AGREED_DAYS_BEFORE_NEEDED = env.int("MATCHING_AGREED_DAYS_BEFORE_NEEDED", default=14)
MATCHING_REMINDER_WORKING_DAYS_BEFORE = env.list(
    "MATCHING_REMINDER_WORKING_DAYS_BEFORE", cast=int, default=[1]
)
MATCHING_REMINDER_HOUR = env.int("MATCHING_REMINDER_HOUR", default=8)
MATCHING_TEAM_EMAIL = env.str("MATCHING_TEAM_EMAIL", default="family.finding@oakway.example")
# Travel: straight-line distance between postcode district centres times a road factor,
# at an average speed; households further than the limit from family time are left out.
MATCHING_ROAD_FACTOR = env.float("MATCHING_ROAD_FACTOR", default=1.3)
MATCHING_SPEED_KMH = env.float("MATCHING_SPEED_KMH", default=40.0)
MATCHING_TRAVEL_LIMIT_MINUTES = env.int("MATCHING_TRAVEL_LIMIT_MINUTES", default=60)
# The measures count approved carers waiting longer than this since approval.
MATCHING_WAITING_ALERT_DAYS = env.int("MATCHING_WAITING_ALERT_DAYS", default=90)
# Family time (placements/services/family_time.py): agency policy. Sessions are generated
# this many weeks ahead by the beat job; none on bank holidays while the family centres
# close on them. The carers' supervising social worker is alerted when fewer sessions were
# held than planned over the rolling window, when the parent missed this many sessions in
# a row, and when a cancellation gave less notice than this many hours.
FAMILY_TIME_WEEKS_AHEAD = env.int("FAMILY_TIME_WEEKS_AHEAD", default=4)
FAMILY_TIME_SKIP_BANK_HOLIDAYS = env.bool("FAMILY_TIME_SKIP_BANK_HOLIDAYS", default=True)
FAMILY_TIME_WINDOW_WEEKS = env.int("FAMILY_TIME_WINDOW_WEEKS", default=4)
FAMILY_TIME_MISSED_IN_A_ROW = env.int("FAMILY_TIME_MISSED_IN_A_ROW", default=2)
FAMILY_TIME_SHORT_NOTICE_HOURS = env.int("FAMILY_TIME_SHORT_NOTICE_HOURS", default=24)
# The carers' mileage for family time journeys, in pence a mile.
FAMILY_TIME_MILEAGE_PENCE = env.int("FAMILY_TIME_MILEAGE_PENCE", default=45)
# The carers' average speed on family time journeys, for the measure of their travel
# in hours (the miles they claim, at this speed).
FAMILY_TIME_TRAVEL_MPH = env.int("FAMILY_TIME_TRAVEL_MPH", default=25)
CELERY_BEAT_SCHEDULE["placements-family-time-sessions"] = {
    "task": "placements.tasks.generate_family_time_sessions",
    "schedule": env.float("PLACEMENTS_SWEEP_SECONDS", default=3600.0),
}
# The plan's time to confirm by (e.g. 09:00 on the day): checked this often, so that the
# carers hear that an unconfirmed session is off within minutes, before they set off.
CELERY_BEAT_SCHEDULE["placements-family-time-unconfirmed"] = {
    "task": "placements.tasks.cancel_unconfirmed_family_time",
    "schedule": env.float("FAMILY_TIME_CONFIRMATION_SECONDS", default=300.0),
}
# The EP measures over all years add up kept figures for the sessions before this many
# weeks ago and count the weeks since (placements.models.FamilyTimeFiguresBefore). Not
# policy: how far back sessions are still commonly recorded; an older change is caught by
# a trigger, so the figure only decides how often the kept figures are counted again.
FAMILY_TIME_FIGURES_OPEN_WEEKS = env.int("FAMILY_TIME_FIGURES_OPEN_WEEKS", default=8)
CELERY_BEAT_SCHEDULE["placements-keep-family-time-figures"] = {
    "task": "placements.tasks.keep_family_time_figures",
    "schedule": env.float("FAMILY_TIME_FIGURES_SECONDS", default=3600.0),
}
CELERY_BEAT_SCHEDULE["placements-family-time-alerts"] = {
    "task": "placements.tasks.queue_family_time_alerts",
    "schedule": env.float("FAMILY_TIME_ALERTS_SECONDS", default=24 * 3600.0),
}
CELERY_BEAT_SCHEDULE["placements-follow-social-workers"] = {
    "task": "placements.tasks.follow_social_workers",
    "schedule": env.float("PLACEMENTS_SWEEP_SECONDS", default=3600.0),
}
CELERY_BEAT_SCHEDULE["placements-end-overtaken-temporary-approvals"] = {
    "task": "placements.tasks.end_overtaken_temporary_approvals",
    "schedule": env.float("PLACEMENTS_SWEEP_SECONDS", default=3600.0),
}

# The retention schedule (portal/retention.py; the README's "Retention schedule" table).
# Periods set by law are constants beside their class; these are the agency's policy.
RETENTION_BATCH_SIZE = env.int("RETENTION_BATCH_SIZE", default=200)
BOOKING_RETENTION_MONTHS = env.int("BOOKING_RETENTION_MONTHS", default=12)
OUTBOX_DELIVERED_RETENTION_DAYS = env.int("OUTBOX_DELIVERED_RETENTION_DAYS", default=90)
CARERS_NOT_APPROVED_RETENTION_YEARS = env.int("CARERS_NOT_APPROVED_RETENTION_YEARS", default=3)
CELERY_BEAT_SCHEDULE["retention-schedule"] = {
    "task": "portal.tasks.apply_retention_schedule",
    "schedule": env.float("RETENTION_SWEEP_SECONDS", default=6 * 3600.0),
}

# Audit trail: changes to carer, placement and enquiry records.
AUDITLOG_INCLUDE_ALL_MODELS = False
AUDITLOG_DISABLE_REMOTE_ADDR = False

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "filters": {
        # Booking tokens and reset keys in paths are credentials (portal/logroutes.py).
        "route_not_credential": {"()": "portal.logroutes.RouteNotCredential"},
        "forbidden_on_one_line": {"()": "portal.logfilters.ForbiddenOnOneLine"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain"},
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # At DEBUG, a template variable that fails to resolve is logged with the whole
        # context's repr: names, emails and dates of birth (tests/test_logs_have_no_personal_data.py).
        "django.template": {"level": "INFO"},
        # WeasyPrint logs every rendering step and font subset at INFO.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        # pikepdf (completing PDF tagging) announces its logging bridge at INFO.
        "pikepdf": {"level": "WARNING"},
        # Where a request's path is logged: "Not Found", CSRF refusals, runserver.
        # A 403 is one line, not a traceback (portal/logfilters.py).
        "django.request": {"filters": ["route_not_credential", "forbidden_on_one_line"]},
        "django.security.csrf": {"filters": ["route_not_credential"]},
        "django.server": {
            "filters": ["route_not_credential"],
            "handlers": ["console"],
            "level": "INFO",
            "propagate": False,
        },
    },
}

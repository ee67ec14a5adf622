"""Settings for the portal: one module, read from the environment.

Every value has an embedded default fit for a laptop. With DEBUG off the
portal refuses to start unless the secrets and hosts are given.
"""

from pathlib import Path

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
    "portal.middleware.ClientAddressMiddleware",
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
    "portal.middleware.StaffSessionMiddleware",
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
        },
    },
]

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

# Redis: Celery broker, cache and rate limits. Unset: an embedded broker and local memory.
REDIS_URL = env.str("REDIS_URL", default="")
CACHE_KEY_PREFIX = env.str("CACHE_KEY_PREFIX", default="portal")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": CACHE_KEY_PREFIX,
            "TIMEOUT": 300,
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
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
    CELERY_BROKER_URL = "filesystem://"
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
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = "Europe/London"
CELERY_BEAT_SCHEDULE = {
    "deliver-due-notifications": {
        "task": "portal.tasks.deliver_due_notifications",
        "schedule": env.float("OUTBOX_SWEEP_SECONDS", default=60.0),
    },
    "clear-expired-sessions": {
        "task": "portal.tasks.clear_expired_sessions",
        "schedule": 24 * 3600.0,
    },
    "queue-event-follow-ups": {
        "task": "enquiries.tasks.queue_event_follow_ups",
        "schedule": env.float("EVENT_FOLLOW_UP_SWEEP_SECONDS", default=300.0),
    },
}

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

# Outbox delivery policy.
OUTBOX_BATCH_SIZE = env.int("OUTBOX_BATCH_SIZE", default=50)
OUTBOX_MAX_ATTEMPTS = env.int("OUTBOX_MAX_ATTEMPTS", default=8)

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
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "confirm_email": "1/3m/key",
    "reset_password": "20/m/ip,5/m/key",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = AGENCY_NAME
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "/"

# Sessions: staff sessions end after 30 minutes idle or 12 hours in all.
SESSION_COOKIE_AGE = 12 * 60 * 60
STAFF_SESSION_IDLE_SECONDS = env.int("STAFF_SESSION_IDLE_SECONDS", default=30 * 60)
STAFF_SESSION_MAX_SECONDS = env.int("STAFF_SESSION_MAX_SECONDS", default=12 * 60 * 60)

# Security. HTTPS_ONLY is on in production; tests and `make run` turn it off.
HTTPS_ONLY = env.bool("HTTPS_ONLY", default=not DEBUG)
SECURE_SSL_REDIRECT = HTTPS_ONLY
SESSION_COOKIE_SECURE = HTTPS_ONLY
CSRF_COOKIE_SECURE = HTTPS_ONLY
SECURE_HSTS_SECONDS = 31536000 if HTTPS_ONLY else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS_ONLY
SECURE_HSTS_PRELOAD = HTTPS_ONLY
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
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
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 400
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

# Carer assessments: agency policy, read here; statutory clocks are constants in
# carers/clocks.py with the regulation they come from.
CARERS_ROI_DECISION_WORKING_DAYS = env.int("CARERS_ROI_DECISION_WORKING_DAYS", default=5)
CARERS_STAGE_ONE_MONTHS = env.int("CARERS_STAGE_ONE_MONTHS", default=2)
CARERS_APPROVAL_TARGET_MONTHS = env.int("CARERS_APPROVAL_TARGET_MONTHS", default=6)
CARERS_FORM_F_TO_PANEL_MONTHS = env.int("CARERS_FORM_F_TO_PANEL_MONTHS", default=8)
CARERS_AGENCY_DECISION_WORKING_DAYS = env.int("CARERS_AGENCY_DECISION_WORKING_DAYS", default=7)
CARERS_DBS_RENEWAL_YEARS = env.int("CARERS_DBS_RENEWAL_YEARS", default=3)
# Reminders to the social worker, in working days before a deadline; overdue items go out
# in one morning digest per social worker (the sweep below), at this hour on working days.
CARERS_REMINDER_WORKING_DAYS_BEFORE = env.list(
    "CARERS_REMINDER_WORKING_DAYS_BEFORE", cast=int, default=[10, 1]
)
CARERS_REMINDER_HOUR = env.int("CARERS_REMINDER_HOUR", default=8)
CARERS_DASHBOARD_DAYS = env.int("CARERS_DASHBOARD_DAYS", default=14)
# Reminders for households with no social worker assigned go to the team mailbox.
CARERS_TEAM_EMAIL = env.str("CARERS_TEAM_EMAIL", default="assessments@oakway.example")
CARERS_DOCUMENT_MAX_MB = env.int("CARERS_DOCUMENT_MAX_MB", default=20)
CELERY_BEAT_SCHEDULE["carers-deadline-reminders"] = {
    "task": "carers.tasks.sweep_deadline_reminders",
    "schedule": env.float("CARERS_REMINDER_SWEEP_SECONDS", default=3600.0),
}

# Enquiries: the recruitment team's policy clocks, in working days after the enquiry arrives.
# The Registration of Interest decision uses CARERS_ROI_DECISION_WORKING_DAYS (one policy).
ENQUIRY_FIRST_CONTACT_WORKING_DAYS = env.int("ENQUIRY_FIRST_CONTACT_WORKING_DAYS", default=1)
ENQUIRY_INFORMATION_PACK_WORKING_DAYS = env.int(
    "ENQUIRY_INFORMATION_PACK_WORKING_DAYS", default=5
)
# A Registration of Interest is chased if it has not arrived this long after the initial visit.
ENQUIRY_ROI_CHASE_WORKING_DAYS = env.int("ENQUIRY_ROI_CHASE_WORKING_DAYS", default=10)
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
CELERY_BEAT_SCHEDULE["enquiries-anonymise-closed"] = {
    "task": "enquiries.tasks.anonymise_closed_enquiries",
    "schedule": env.float("ENQUIRY_RETENTION_SWEEP_SECONDS", default=6 * 3600.0),
}

# Placements: reminders to the carers' social worker, in working days before each statutory
# clock (reviews, visits, the 26 weeks); overdue items go in one morning digest per social
# worker on working days. Placements whose household has no social worker remind the team.
PLACEMENTS_REMINDER_WORKING_DAYS_BEFORE = env.list(
    "PLACEMENTS_REMINDER_WORKING_DAYS_BEFORE", cast=int, default=[5, 1]
)
PLACEMENTS_REMINDER_HOUR = env.int("PLACEMENTS_REMINDER_HOUR", default=8)
PLACEMENTS_TEAM_EMAIL = env.str("PLACEMENTS_TEAM_EMAIL", default="placements@oakway.example")
# The placement page lists family time sessions from this many days back (all are kept).
PLACEMENTS_FAMILY_TIME_DAYS_SHOWN = env.int("PLACEMENTS_FAMILY_TIME_DAYS_SHOWN", default=90)
CELERY_BEAT_SCHEDULE["placements-sweep"] = {
    "task": "placements.tasks.sweep",
    "schedule": env.float("PLACEMENTS_SWEEP_SECONDS", default=3600.0),
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
    },
}

"""All of Tocsin's configuration, read from the environment in one place.

Secrets may be given directly (``TOCSIN_SECRET_KEY``) or as a path to a file
holding them (``TOCSIN_SECRET_KEY_FILE``), so they never need to sit in a
process listing or a shell history. A production setting that is missing
stops start-up with a message naming it, rather than running half-configured.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent


def env(name: str, default: str | None = None) -> str | None:
    """Read ``NAME`` or, failing that, the contents of the file named by ``NAME_FILE``."""
    if name in os.environ:
        return os.environ[name]
    path = os.environ.get(f"{name}_FILE")
    if path:
        try:
            return Path(path).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"{name}_FILE={path} cannot be read: {exc}") from exc
    return default


def required(name: str) -> str:
    value = env(name)
    if not value:
        raise ImproperlyConfigured(
            f"{name} (or {name}_FILE) must be set; see README.md, section Configuration."
        )
    return value


def env_int(name: str, default: int) -> int:
    value = env(name)
    try:
        return int(value) if value else default
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from exc


def env_bool(name: str, default: bool = False) -> bool:
    value = env(name)
    return default if value is None else value.lower() in {"1", "true", "yes", "on"}


DEBUG = env_bool("TOCSIN_DEBUG")
SECRET_KEY = required("TOCSIN_SECRET_KEY")
DATA_DIR = Path(env("TOCSIN_DATA_DIR") or "var").resolve()
# Readable by Tocsin's own user only: it holds the database and the evidence.
DATA_DIR.mkdir(mode=0o700, parents=True, exist_ok=True)
MEDIA_ROOT = DATA_DIR / "evidence"
UPLOAD_TEMP_DIR = DATA_DIR / "tmp"
ALLOWED_HOSTS = (env("TOCSIN_ALLOWED_HOSTS") or "127.0.0.1,localhost,[::1]").split(",")
# The public address, for links in alerts and certificates.
BASE_URL = (env("TOCSIN_BASE_URL") or "http://127.0.0.1:8000").rstrip("/")
HTTPS = env_bool("TOCSIN_HTTPS", BASE_URL.startswith("https://"))

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_countries",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "tocsin.accounts",
    "tocsin.alerts",
    "tocsin.audit",
    "tocsin.cases",
    "tocsin.intake",
    "tocsin.server",
    "tocsin.registry",
    "tocsin.attestations",
    "tocsin.enrolment",
    "tocsin.screening",
    "tocsin.tokens",
    "tocsin.counsel",
    "tocsin.demands",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "tocsin.server.middleware.BodyLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # A session past the password but not yet past the second factor gets no staff page.
    "tocsin.accounts.middleware.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "tocsin.server.middleware.ContentSecurityPolicyMiddleware",
]

ROOT_URLCONF = "tocsin.urls"
WSGI_APPLICATION = "tocsin.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "cases:inbox"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# -- Database --------------------------------------------------------------
# SQLite by default: WAL so readers never wait for the writer, synchronous=FULL
# so an accepted report survives a power cut, and IMMEDIATE transactions so two
# writers queue for the lock at BEGIN instead of failing half-way through.
DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'tocsin.sqlite3'}",
        conn_max_age=600,
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Django's backend with writers queued at a file lock (see tocsin/server/sqlite).
    DATABASES["default"]["ENGINE"] = "tocsin.server.sqlite"
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL;PRAGMA synchronous=FULL;PRAGMA busy_timeout=20000"
        ),
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env("REDIS_URL")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# -- Accounts and sessions --------------------------------------------------
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
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
# Argon2id cost of wrapping a responder's private key under their password
# (3 passes over 64 MiB, ~0.1 s here): paid once per login, never on intake.
KEY_WRAP_OPSLIMIT = env_int("TOCSIN_KEY_WRAP_OPSLIMIT", 3)
KEY_WRAP_MEMLIMIT = env_int("TOCSIN_KEY_WRAP_MEMLIMIT", 64 * 1024 * 1024)

# Granting access to a case or exporting one asks for the password again
# if the responder last proved who they are longer ago than this.
REAUTH_SECONDS = env_int("TOCSIN_REAUTH_SECONDS", 300)

# Every account that logs in proves a second factor: a TOTP code from an
# authenticator app, enrolled at the first login. The password step must be
# followed by the code within SECOND_FACTOR_SECONDS, or the login starts over.
SECOND_FACTOR_SECONDS = env_int("TOCSIN_SECOND_FACTOR_SECONDS", 900)
OTP_TOTP_ISSUER = "Tocsin"
# Wrong codes are throttled below, per account and per client, with a page that
# says when to try again; django-otp's own exponential lock-out would refuse
# even the right code a second after a typo, with nothing to tell the responder.
OTP_TOTP_THROTTLE_FACTOR = 0
# Failed passwords and codes allowed per window before the login answers 429.
# Counted in the cache only, under the username or account and under a keyed
# hash of the address: nothing about who tried is ever stored. A failure limit
# per username lets an attacker lock a responder out for one window; that is
# the price of stopping guessing spread over many addresses.
LOGIN_FAILURE_WINDOW_SECONDS = env_int("TOCSIN_LOGIN_FAILURE_WINDOW_SECONDS", 15 * 60)
LOGIN_FAILURES_PER_USERNAME = env_int("TOCSIN_LOGIN_FAILURES_PER_USERNAME", 5)
LOGIN_FAILURES_PER_ADDRESS = env_int("TOCSIN_LOGIN_FAILURES_PER_ADDRESS", 20)
OTP_FAILURES_PER_ACCOUNT = env_int("TOCSIN_OTP_FAILURES_PER_ACCOUNT", 5)
SESSION_COOKIE_AGE = env_int("TOCSIN_SESSION_SECONDS", 8 * 3600)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_SAMESITE = "Strict"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
CSRF_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
# Not "no-referrer": under it browsers send `Origin: null` with every form POST
# and Django's CSRF check refuses them all (found by the browser test). Our own
# origin is no secret to us; no other site ever learns where a visitor came from.
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if HTTPS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = 31536000

# -- Languages ---------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("ru", _("Russian"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "UTC"
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SECURE = HTTPS

STATIC_URL = "/static/"
# `tocsin` itself is not an installed app, so its own static folder is named here.
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

# -- Intake limits -------------------------------------------------------------
MAX_FILE_BYTES = env_int("TOCSIN_MAX_FILE_BYTES", 50 * 1024 * 1024)
MAX_REPORT_BYTES = env_int("TOCSIN_MAX_REPORT_BYTES", 200 * 1024 * 1024)
MAX_FILES_PER_REPORT = env_int("TOCSIN_MAX_FILES_PER_REPORT", 20)
# Form fields other than files; a narrative is text, not a book.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("TOCSIN_MAX_FIELDS_BYTES", 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = 0  # every upload goes through the encrypting handler
FILE_UPLOAD_HANDLERS = ["tocsin.intake.uploads.EncryptingUploadHandler"]
# Wrong receipts allowed per client per minute before /followup/ answers 429.
# The counter is keyed by a keyed hash of the address, held in the cache only.
RECEIPT_GUESSES_PER_MINUTE = env_int("TOCSIN_RECEIPT_GUESSES_PER_MINUTE", 10)

# -- Response-time promises (SLA); a team may override each (`tocsin sla set`) --
# Minutes within which a case of each severity must be acknowledged.
SLA_ACKNOWLEDGE_MINUTES = {
    "critical": env_int("TOCSIN_SLA_CRITICAL_MINUTES", 15),
    "high": env_int("TOCSIN_SLA_HIGH_MINUTES", 60),
    "normal": env_int("TOCSIN_SLA_NORMAL_MINUTES", 120),
}
# The ladder: minutes without acknowledgement before the shift lead, then the
# director, is alerted (the on-call responders are alerted at once).
SLA_ESCALATION_MINUTES = {
    "shift_lead": env_int("TOCSIN_SLA_SHIFT_LEAD_MINUTES", 60),
    "director": env_int("TOCSIN_SLA_DIRECTOR_MINUTES", 90),
}
for _name, _minutes in [*SLA_ACKNOWLEDGE_MINUTES.items(), *SLA_ESCALATION_MINUTES.items()]:
    if not 1 <= _minutes <= 7 * 24 * 60:
        raise ImproperlyConfigured(f"TOCSIN_SLA_{_name.upper()}_MINUTES must be from 1 to 10080, "
                                   f"not {_minutes}")
if SLA_ESCALATION_MINUTES["director"] < SLA_ESCALATION_MINUTES["shift_lead"]:
    raise ImproperlyConfigured("TOCSIN_SLA_DIRECTOR_MINUTES must not be less than "
                               "TOCSIN_SLA_SHIFT_LEAD_MINUTES")
# A referral's follow-up reminder fires at this hour (TIME_ZONE) of its
# follow-up date -- office work, not a 3 a.m. page -- and again every so many
# hours until the referral is followed up (0: once).
REFERRAL_REMINDER_HOUR = env_int("TOCSIN_REFERRAL_REMINDER_HOUR", 9)
REFERRAL_REMINDER_REPEAT_HOURS = env_int("TOCSIN_REFERRAL_REMINDER_REPEAT_HOURS", 24)
if not 0 <= REFERRAL_REMINDER_HOUR <= 23 or REFERRAL_REMINDER_REPEAT_HOURS < 0:
    raise ImproperlyConfigured("TOCSIN_REFERRAL_REMINDER_HOUR must be 0-23 and "
                               "TOCSIN_REFERRAL_REMINDER_REPEAT_HOURS not negative")

# The audit log's newest entry (its anchor) is sent this often to every active
# administrator's own alert channels, so that a copy lives off the server and
# `tocsin audit verify --anchor` can show a rewrite of the whole chain (0: never).
AUDIT_ANCHOR_HOURS = env_int("TOCSIN_AUDIT_ANCHOR_HOURS", 24)
if AUDIT_ANCHOR_HOURS < 0:
    raise ImproperlyConfigured("TOCSIN_AUDIT_ANCHOR_HOURS must not be negative")

# -- Alert delivery ----------------------------------------------------------------
# Seconds a worker holds an alert it claimed. It must outlast one delivery
# (up to ~25 s against a receiver that hangs), or that alert goes out twice;
# it is also how long the alerts of a worker that died wait for another.
ALERT_LEASE_SECONDS = env_int("TOCSIN_ALERT_LEASE_SECONDS", 60)
if ALERT_LEASE_SECONDS < 1:
    raise ImproperlyConfigured("TOCSIN_ALERT_LEASE_SECONDS must be at least 1")

# -- Logging: no IP address, user agent or receipt is ever written -------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("TOCSIN_LOG_LEVEL") or "INFO"},
    "loggers": {
        # django.request logs the path of every 4xx/5xx with the request attached;
        # handlers that print the request would expose headers, so keep to the message.
        "django.request": {"level": "ERROR"},
        # At DEBUG, a missing template variable is logged with the whole page
        # context -- decrypted reports and receipts included. Never below INFO.
        "django.template": {"level": "INFO"},
        "django.security": {"level": "WARNING"},
        # Apprise says "Sent ..." for every alert; failures (warnings) are what matter.
        "apprise": {"level": "WARNING"},
    },
}
ADMINS: list[tuple[str, str]] = []  # no error mails: they would carry request data

# -- Licence protection and screening ---------------------------------------------

# The site's own Apprise mailto:// sender (without to=) for notices to enrolled
# organisations; empty: reviewers are alerted to call the group instead.
ENROLMENT_MAIL_URL = env("TOCSIN_ENROLMENT_MAIL_URL") or ""
ENROLMENT_MAIL_ALLOW_PRIVATE = env_bool("TOCSIN_ENROLMENT_MAIL_ALLOW_PRIVATE")
# Requests a minute a new API token may make (each token can have its own).
API_TOKEN_REQUESTS_PER_MINUTE = env_int("TOCSIN_API_TOKEN_REQUESTS_PER_MINUTE", 600)
# Eligibility: pin a rule-set version (default: the newest in tocsin/registry/rules/).
ELIGIBILITY_RULES = env("TOCSIN_ELIGIBILITY_RULES") or ""
# Extend the current rule set's coverage to this ISO date (e.g. 2027-12-31): the
# 2010 programme's own dates ended on 2012-01-01.
COVERAGE_UNTIL = env("TOCSIN_COVERAGE_UNTIL") or ""
# The issuer named in every attestation and on its certificate.
ATTESTATION_ISSUER = env("TOCSIN_ATTESTATION_ISSUER") or "Tocsin"

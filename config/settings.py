"""Alongside settings: one module, driven by environment variables.

Every variable is listed in the README's configuration table. The defaults are safe for
production; the development conveniences (DEBUG, a throwaway secret key, console email) only
switch on when ``DEBUG`` is true, which ``make run`` sets.
"""

import os
import secrets
import tempfile
from datetime import timedelta
from pathlib import Path

import environ
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)


def _development_secret_key() -> str:
    """A random key kept in var/ so development logins survive a restart. Production must set
    SECRET_KEY: it signs sessions, invitations and password reset links."""
    VAR_DIR.mkdir(exist_ok=True)
    key_file = VAR_DIR / "development-secret-key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


TESTING = "PYTEST_VERSION" in os.environ
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY and (DEBUG or TESTING):
    SECRET_KEY = _development_secret_key()
# Previous keys, comma separated, still accepted for signatures made before a rotation (sessions,
# invitation and password-reset links); new signatures use SECRET_KEY. docs/security.md.
SECRET_KEY_FALLBACKS = env.list("SECRET_KEY_FALLBACKS", default=[])
if not SECRET_KEY:
    raise ImproperlyConfigured(
        "SECRET_KEY must be set when DEBUG is off. Generate one with: "
        "python -c 'import secrets; print(secrets.token_urlsafe(50))'"
    )

PORT = env.int("PORT", default=8000)
_default_site_url = (
    f"http://127.0.0.1:{PORT}" if DEBUG else ("http://testserver" if TESTING else "")
)
SITE_URL = env.str("SITE_URL", default=_default_site_url).rstrip("/")
if not SITE_URL:
    raise ImproperlyConfigured(
        "SITE_URL must be set when DEBUG is off, e.g. https://alongside.example.org"
    )

ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"] if DEBUG or TESTING else []
)
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[SITE_URL])

INSTALLED_APPS = [
    # Our apps come first so their templates override those of the libraries.
    "accounts",
    "organizations",
    "cms",
    "courses",
    "assessments",
    "hours",
    "certificates",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    "accounts.apps.AlongsideUsersAppConfig",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    # Lists a person's signed-in sessions and lets them end the others (/accounts/sessions/).
    "allauth.usersessions",
    "axes",
    "csp",
    "rules",
    "django_tasks",
    "django_tasks_db",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "django_filters",
]

# Form templates come from our templates folder first (see templates/django/forms/).
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # config/security.py: the absolute session lifetime, refused requests as security events,
    # and no-store on every page shown to a signed-in person.
    "config.security.SessionLifetimeMiddleware",
    "config.security.SecurityLogMiddleware",
    "config.security.PersonalPagesNoStoreMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "config.csp.SiteCSPMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # After authentication and the session lifetime check; records activity only when
    # USERSESSIONS_TRACK_ACTIVITY is on.
    "allauth.usersessions.middleware.UserSessionsMiddleware",
    "organizations.middleware.RequireMFAMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # Axes last, as its documentation asks, so it sees the outcome of authentication.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
                "cms.context_processors.site_shell",
            ],
        },
    },
]

# Database -------------------------------------------------------------------------------------

VAR_DIR.mkdir(exist_ok=True)
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'alongside.sqlite3'}")
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers run beside one writer; IMMEDIATE takes the write lock at the start of a
    # transaction instead of failing half way; the timeout makes a second writer wait its turn.
    # Together they let the web server, the task worker and a command write at the same time.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    }
    # Tests use a file too, not shared-cache memory: there, two requests of the browser tests'
    # live server writing at once (a page and its scripts, each saving the session) fail with
    # "table is locked" instead of waiting their turn.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache, sessions ------------------------------------------------------------------------------

CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://alongside")}

SESSION_IDLE_TIMEOUT = env.int("SESSION_IDLE_TIMEOUT", default=30 * 60)
# The cookie and the stored session live for the idle timeout and are renewed by activity, so a
# session ends after that many seconds without any. Renewed at most once a SESSION_REFRESH_SECONDS
# (config.security.SessionLifetimeMiddleware) rather than on every request: saving the session
# is a database write per page view, and a minute less of idle allowance costs nobody anything.
SESSION_COOKIE_AGE = SESSION_IDLE_TIMEOUT
SESSION_SAVE_EVERY_REQUEST = False
SESSION_REFRESH_SECONDS = 60
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_ABSOLUTE_TIMEOUT = env.int("SESSION_ABSOLUTE_TIMEOUT", default=12 * 60 * 60)
"""Seconds after logging in when a session ends however active it was
(``config.security.SessionLifetimeMiddleware``)."""
# No script reads the CSRF cookie: our pages and Wagtail's admin take the token from the page.
CSRF_COOKIE_HTTPONLY = True
# Flash messages can name people ("Sent back to Jordan Rivera"): keep them in the server-side
# session, not in a cookie the browser stores.
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

# Authentication -------------------------------------------------------------------------------

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "accounts.passwords.ContextWordsValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "/"

ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = env.str(
    "ACCOUNT_EMAIL_VERIFICATION", default="optional" if DEBUG else "mandatory"
)
ACCOUNT_SIGNUP_FORM_CLASS = "accounts.forms.SignupDetailsForm"
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_REAUTHENTICATION_TIMEOUT = 300
# Adding, removing or choosing the main email address asks for the password again (two-step
# verification and password changes already do).
ACCOUNT_REAUTHENTICATION_REQUIRED = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Alongside] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http" if DEBUG or TESTING else "https"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Alongside"
MFA_ADAPTER = "accounts.mfa_adapter.MFAAdapter"
# The TOTP secrets and recovery-code seeds in the database are encrypted with keys kept outside
# it (accounts/mfa_adapter.py): Fernet keys, comma separated, newest first; new secrets use the
# first, any of them decrypts. Unset (the default in development, tests and production alike,
# so CI's production check needs nothing new), the key is derived from SECRET_KEY, and from
# SECRET_KEY_FALLBACKS for decrypting: rotate SECRET_KEY only with the old one kept as a
# fallback until `manage.py encrypt_mfa_secrets` has run, or two-step verification is lost.
MFA_ENCRYPTION_KEY = env.list("MFA_ENCRYPTION_KEY", default=[])
for _key in MFA_ENCRYPTION_KEY:
    try:
        Fernet(_key)
    except ValueError:
        raise ImproperlyConfigured(
            "MFA_ENCRYPTION_KEY must hold Fernet keys, comma separated. Make one with: python "
            "-c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'"
        ) from None
# When on, supervisors, organization admins and site staff must set up two-step verification
# before they can use the site.
MFA_REQUIRED_FOR_PRIVILEGED = env.bool("MFA_REQUIRED_FOR_PRIVILEGED", default=False)
# Signed-in sessions are recorded at login (address, browser, time). Tracking activity would
# also update that record (last seen, address) in a transaction on every signed-in request: a
# database write per request, so it stays off and the sessions page shows when each session
# started.
USERSESSIONS_TRACK_ACTIVITY = False

AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_CALLABLE = "accounts.lockout.username_from_request"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "account/lockout.html"
AXES_VERBOSE = False
# The client address for lockouts, the verification rate limit, signatures and security logs.
# Behind reverse proxies set TRUSTED_PROXY_COUNT to how many append to X-Forwarded-For;
# config.security.client_ip explains why only those entries are believed.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
# allauth reads the client address for its own sign-in rate limits the same way.
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT
AXES_CLIENT_IP_CALLABLE = "config.security.client_ip"

# Wagtail --------------------------------------------------------------------------------------

WAGTAIL_SITE_NAME = "Alongside"

# Credentials --------------------------------------------------------------------------------

CREDENTIAL_ISSUER_NAME = env.str("CREDENTIAL_ISSUER_NAME", default="Alongside")
"""Who issues the credentials, as printed on certificates and shown on program pages."""

# Signed credentials (Open Badges 3.0) -----------------------------------------------------------

# The issuer's Ed25519 signing keys (certificates/openbadges/keys.py describes the format). From
# the ISSUER_KEYS environment variable when set (then read-only), else from this file, created
# with a new key on first use; back it up with the database. Tests use a throwaway folder.
ISSUER_KEYS = "" if TESTING else env.str("ISSUER_KEYS", default="")
ISSUER_KEYS_FILE = (
    Path(tempfile.mkdtemp(prefix="alongside-keys-")) / "issuer-keys.json"
    if TESTING
    else Path(env.str("ISSUER_KEYS_FILE", default=str(VAR_DIR / "issuer-keys.json")))
)

VERIFY_RATE_LIMIT = env.int("VERIFY_RATE_LIMIT", default=60)
"""Requests a minute one client may make to the public verification pages. Counted in the
default cache: point ``CACHE_URL`` at Redis in production so every app server shares the count."""
EXPORT_RATE_LIMIT = env.int("EXPORT_RATE_LIMIT", default=10)
"""Documents a minute one signed-in person may have made on request (hours record PDF, program
packet PDF, certificate ZIP, a lost certificate PDF made again), counted per kind of document
in the same cache (``certificates.ratelimit.export_rate_limited``)."""

# Wagtail admin --------------------------------------------------------------------------------

WAGTAILADMIN_BASE_URL = SITE_URL
# No Gravatar: it would send a hash of every staff email address to a third party.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAILADMIN_LOGIN_URL = "account_login"
# Passwords, email addresses and two-step verification are managed in one place: allauth.
WAGTAIL_PASSWORD_MANAGEMENT_ENABLED = False
WAGTAIL_PASSWORD_RESET_ENABLED = False
WAGTAIL_EMAIL_MANAGEMENT_ENABLED = False
# Administrators cannot type a password for someone (ASVS 6.4.1): people set their own, through
# an invitation or a password reset.
WAGTAILUSERS_PASSWORD_ENABLED = False
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILDOCS_EXTENSIONS = ["pdf", "txt", "csv", "json"]
WAGTAIL_ENABLE_UPDATE_CHECK = False

# Background tasks -----------------------------------------------------------------------------

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
TASK_STALE_AFTER_SECONDS = env.int("TASK_STALE_AFTER_SECONDS", default=600)
"""A task running longer than this is taken to have lost its worker: ``recover_tasks`` queues it
again. Keep it well above the longest task."""
TASK_MAX_ATTEMPTS = env.int("TASK_MAX_ATTEMPTS", default=3)
"""Runs of a task whose worker keeps dying before it is marked failed."""

# Email ----------------------------------------------------------------------------------------

vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Alongside <no-reply@localhost>")
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)
"""Seconds to wait for the mail server: well under TASK_STALE_AFTER_SECONDS, so a hung server
fails the email task instead of letting it look like a dead worker's (and be run again)."""
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Internationalisation -------------------------------------------------------------------------

LANGUAGE_CODE = "en"
# Every string is marked for translation; a language is listed here once its catalog exists,
# so a visitor never sees pages half in one language and half in another.
LANGUAGES = [("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.str("TIME_ZONE", default="America/New_York")
USE_I18N = True
USE_TZ = True

# Static and media -----------------------------------------------------------------------------

STATIC_URL = "/static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=VAR_DIR / "static")
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=VAR_DIR / "media")
# Private files (certificate PDFs) are never served by URL: only permission-checked views read
# them. In tests they go to a throwaway folder.
PRIVATE_MEDIA_ROOT = (
    Path(tempfile.mkdtemp(prefix="alongside-private-"))
    if TESTING
    else env.path("PRIVATE_MEDIA_ROOT", default=VAR_DIR / "private")
)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "private": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(PRIVATE_MEDIA_ROOT)},
    },
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# Uploads and certificate PDFs live in the folders above ("filesystem", a shared volume when
# there are several servers) or in two buckets of an S3-compatible store ("s3", through
# django-storages: pip install -e '.[s3]'). See "Media" in the README.
MEDIA_STORAGE = env.str("MEDIA_STORAGE", default="filesystem")
if MEDIA_STORAGE not in ("filesystem", "s3"):
    raise ImproperlyConfigured(
        f'MEDIA_STORAGE must be "filesystem" or "s3", not "{MEDIA_STORAGE}".'
    )
if MEDIA_STORAGE == "s3":
    import importlib.util
    from urllib.parse import urlsplit

    if not (importlib.util.find_spec("storages") and importlib.util.find_spec("boto3")):
        raise ImproperlyConfigured(
            "MEDIA_STORAGE=s3 needs django-storages and boto3: pip install -e '.[s3]'."
        )
    for _variable, _what in (
        ("MEDIA_S3_BUCKET", "uploaded images and documents"),
        ("PRIVATE_MEDIA_S3_BUCKET", "certificate PDFs"),
    ):
        if not env.str(_variable, default=""):
            raise ImproperlyConfigured(
                f"MEDIA_STORAGE=s3 needs {_variable}: the name of the bucket for {_what}."
            )
    MEDIA_S3_BUCKET = env.str("MEDIA_S3_BUCKET")
    PRIVATE_MEDIA_S3_BUCKET = env.str("PRIVATE_MEDIA_S3_BUCKET")
    if MEDIA_S3_BUCKET == PRIVATE_MEDIA_S3_BUCKET:
        raise ImproperlyConfigured(
            "MEDIA_S3_BUCKET and PRIVATE_MEDIA_S3_BUCKET must name two different buckets."
        )
    # Empty for AWS itself; the store's address for MinIO and other S3-compatible stores.
    S3_ENDPOINT_URL = env.str("S3_ENDPOINT_URL", default="")
    S3_REGION = env.str("S3_REGION", default=env.str("AWS_DEFAULT_REGION", default=""))
    # Credentials come from boto3's own chain (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY,
    # or the machine's role), never from here. Both buckets stay private: objects are written
    # without an ACL, so only the bucket owner can read them (the same as the "private" ACL,
    # and accepted by buckets with ACLs disabled, AWS's default). Links to objects are signed
    # and short-lived; only the admin's image previews use them. Documents go through
    # Wagtail's view (collection privacy, safe headers), certificate PDFs through
    # permission-checked views. Names are never overwritten: a second upload of "logo.png"
    # gets its own name, as on the filesystem, and the render task deletes a certificate's
    # old PDF before saving the new one under the same name.
    _s3_options = {
        "endpoint_url": S3_ENDPOINT_URL or None,
        "region_name": S3_REGION or None,
        "signature_version": "s3v4",
        "addressing_style": "path" if S3_ENDPOINT_URL else "virtual",
        "default_acl": None,
        "querystring_auth": True,
        "file_overwrite": False,
    }
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {**_s3_options, "bucket_name": MEDIA_S3_BUCKET, "querystring_expire": 600},
    }
    STORAGES["private"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            **_s3_options,
            "bucket_name": PRIVATE_MEDIA_S3_BUCKET,
            "querystring_expire": 60,
        },
    }
    WAGTAILDOCS_SERVE_METHOD = "serve_view"
    # Where the signed image links point, for the Content-Security-Policy below.
    if S3_ENDPOINT_URL:
        _endpoint = urlsplit(S3_ENDPOINT_URL)
        MEDIA_S3_ORIGIN = f"{_endpoint.scheme}://{_endpoint.netloc}"
    elif S3_REGION in ("", "us-east-1"):
        MEDIA_S3_ORIGIN = f"https://{MEDIA_S3_BUCKET}.s3.amazonaws.com"
    else:
        MEDIA_S3_ORIGIN = f"https://{MEDIA_S3_BUCKET}.s3.{S3_REGION}.amazonaws.com"
WHITENOISE_USE_FINDERS = DEBUG


def _static_file_headers(headers, path, url):
    """Static files are never pages: if one is opened on its own (an SVG, say), nothing in it
    may run, load or be framed. The site's pages get their policy from config/csp.py."""
    headers["Content-Security-Policy"] = "default-src 'none'; frame-ancestors 'none'; sandbox"


WHITENOISE_ADD_HEADERS_FUNCTION = _static_file_headers

# Security -------------------------------------------------------------------------------------

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# HTTPS-only cookies and redirects whenever the site is served for real. The test suite's live
# server speaks plain HTTP, so it is the one exception; CI checks these with `check --deploy`.
if not DEBUG and not TESTING:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    # The __Host- prefix makes browsers refuse these cookies unless they are Secure, for this
    # host only (no Domain) and for the whole site (Path=/), so no subdomain can set them.
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"

# No inline script or style anywhere on the site. Wagtail's own admin still writes inline
# styles and scripts, so config/csp.py relaxes those two directives for /admin/ only.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-src": ["'none'"],
        "frame-ancestors": ["'none'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
    }
}
if MEDIA_STORAGE == "s3":
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"].append(MEDIA_S3_ORIGIN)

# Invitations ----------------------------------------------------------------------------------

INVITATION_MAX_AGE_DAYS = env.int("INVITATION_MAX_AGE_DAYS", default=14)

if TESTING:
    # Fast and isolated, as the test suite needs: a quick password hash, a private cache, tasks
    # run at once in the same process.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"
    WHITENOISE_USE_FINDERS = True
    WHITENOISE_AUTOREFRESH = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Times in UTC with the offset written out, so logs from several servers line up.
    "formatters": {
        "utc": {
            "()": "config.log_format.UTCFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s",
        }
    },
    # Paths in Django's own request logs lose their secrets (verification codes, tokens) and
    # their line breaks, as the security log's do (config/log_format.py).
    "filters": {"safe_paths": {"()": "config.log_format.SafePathsFilter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "utc",
            "filters": ["safe_paths"],
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        # Logins, lockouts, refused requests: accounts/security.py. Kept at INFO whatever
        # LOG_LEVEL says, so successful logins are recorded too.
        "alongside.security": {"level": "INFO"},
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
        "wagtail": {"level": "WARNING"},
        "django_tasks": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
    },
}

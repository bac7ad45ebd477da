"""HH Quiz settings: one module, driven by environment variables.

Every variable is listed in .env.example. Local defaults are safe for a laptop
(DEBUG on, SQLite file); production is DEBUG=0 plus a real SECRET_KEY and
ALLOWED_HOSTS, and then `manage.py check --deploy` is clean.
"""

import os
import sys
from datetime import timedelta
from pathlib import Path

from django.utils.csp import CSP

from hhquiz.env import cache_config, database_config, env_bool, env_int, env_list

ENV = os.environ
PACKAGE_DIR = Path(__file__).resolve().parent
# templates/, static/ and fixtures/ sit beside hhquiz/ in a checkout; an installed
# wheel carries them inside the hhquiz package (see setup.py). BASE_DIR is where they are.
INSTALLED_PACKAGE = (PACKAGE_DIR / "templates").is_dir()
BASE_DIR = PACKAGE_DIR if INSTALLED_PACKAGE else PACKAGE_DIR.parent
# Where the app writes files (the default SQLite database, the local rate-limit cache,
# collected static files): the checkout in development, the working directory when
# installed from a wheel, or HHQUIZ_DATA_DIR.
DATA_DIR = Path(ENV.get("HHQUIZ_DATA_DIR") or (Path.cwd() if INSTALLED_PACKAGE else BASE_DIR))

DEBUG = env_bool(ENV, "DEBUG", True)
TESTING = "pytest" in sys.modules

_DEV_SECRET = "django-insecure-local-development-only-never-in-production"  # noqa: S105
SECRET_KEY = ENV.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise RuntimeError("SECRET_KEY must be set when DEBUG=0")
    SECRET_KEY = _DEV_SECRET

ALLOWED_HOSTS = env_list(ENV, "ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list(ENV, "CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "axes",
    "quiz",
]

MIDDLEWARE = [
    "quiz.middleware.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "quiz.middleware.CsrfCookieRenewalMiddleware",  # right after CSRF: see its docstring
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "quiz.middleware.SessionTimeoutMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "quiz.middleware.HtmxMiddleware",  # django-htmx's, headers read from META
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "hhquiz.urls"

TEMPLATES = [
    {
        # The project's templates (templates/): Jinja2, with partials ("page.html#block"),
        # cached url()/static() and memo(): hhquiz/templating.py, quiz/templating.py.
        "NAME": "jinja2",
        "BACKEND": "hhquiz.templating.Jinja2",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": False,
        "OPTIONS": {
            "environment": "hhquiz.templating.environment",
            "context_processors": [
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "quiz.theme.context",
            ],
        },
    },
    {
        # Django's own engine, for the admin (and the project's admin overrides in quiz/templates/admin/).
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "hhquiz.wsgi.application"
ASGI_APPLICATION = "hhquiz.asgi.application"

DATABASES = {"default": database_config(ENV, DATA_DIR)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = ENV.get("REDIS_URL", "").strip()
# Seconds any request waits at most on one Redis command before serving from the database.
REDIS_SOCKET_TIMEOUT = float(ENV.get("REDIS_SOCKET_TIMEOUT") or 0.5)
CACHES = cache_config(ENV)

# Sessions live in the database (cached in Redis when configured): no process
# memory, so any app server can answer any request. Django's engines, with the
# session read compiled once (quiz.sessions).
SESSION_ENGINE = "quiz.sessions.cached_db" if REDIS_URL else "quiz.sessions.db"
SESSION_COOKIE_AGE = env_int(ENV, "SESSION_ABSOLUTE_TIMEOUT", 14 * 24 * 3600)
SESSION_IDLE_TIMEOUT = env_int(ENV, "SESSION_IDLE_TIMEOUT", 3 * 24 * 3600)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # ModelBackend, reading the user and their player in one query.
    "quiz.auth.PlayerBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "quiz:home"
LOGOUT_REDIRECT_URL = "quiz:home"

# Login throttling (django-axes): per username and per IP, counted in the
# "ratelimit" cache (Redis, or the quiz_counter table without it or while it
# is down) so every app server sees the same counts and none is culled early.
AXES_HANDLER = "axes.handlers.cache.AxesCacheHandler"
AXES_CACHE = "ratelimit"
AXES_FAILURE_LIMIT = env_int(ENV, "LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int(ENV, "LOGIN_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["ip_address", "username"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False
AXES_CLIENT_IP_CALLABLE = "hhquiz.proxies.client_ip"

# Number of trusted reverse proxies in front of the app. 0 (default): the
# client address is REMOTE_ADDR and X-Forwarded-For is ignored, so nobody can
# forge it. N: the Nth address from the right of X-Forwarded-For is the client.
TRUSTED_PROXY_COUNT = env_int(ENV, "TRUSTED_PROXY_COUNT", 0)

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG or TESTING

# Email (Django 6.1 MAILERS): the console backend locally (DEBUG=1) so password
# reset works without a mail server; SMTP in production, configured by
# EMAIL_HOST/PORT/USER/PASSWORD/USE_TLS (EMAIL_BACKEND overrides either).
_EMAIL_BACKEND = ENV.get("EMAIL_BACKEND") or (
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend"
)
_EMAIL_OPTIONS = {}
if _EMAIL_BACKEND.endswith("smtp.EmailBackend"):
    _EMAIL_OPTIONS = {
        "host": ENV.get("EMAIL_HOST", "localhost"),
        "port": env_int(ENV, "EMAIL_PORT", 25),
        "username": ENV.get("EMAIL_HOST_USER", ""),
        "password": ENV.get("EMAIL_HOST_PASSWORD", ""),
        "use_tls": env_bool(ENV, "EMAIL_USE_TLS", False),
        "timeout": 10,
    }
MAILERS = {"default": {"BACKEND": _EMAIL_BACKEND, "OPTIONS": _EMAIL_OPTIONS}}
DEFAULT_FROM_EMAIL = ENV.get("DEFAULT_FROM_EMAIL") or "HH Quiz <quiz@localhost>"
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Security headers. Secure by default in production; each can be relaxed by
# an operator through the environment.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_SSL_REDIRECT = env_bool(ENV, "SECURE_SSL_REDIRECT", not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
if env_bool(ENV, "USE_X_FORWARDED_PROTO", not DEBUG):
    # TLS ends at the load balancer, which sets X-Forwarded-Proto.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env_int(ENV, "SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool(ENV, "SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool(ENV, "SECURE_HSTS_PRELOAD", not DEBUG)
SESSION_COOKIE_SECURE = env_bool(ENV, "SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool(ENV, "CSRF_COOKIE_SECURE", not DEBUG)

# Content Security Policy: only our own scripts and styles. htmx is configured
# (meta htmx-config in base.html) to need neither eval nor inline styles.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "font-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "object-src": [CSP.NONE],
}

# Quiz play: rate limits per player/session (requests per minute).
QUIZ_START_RATE = env_int(ENV, "QUIZ_START_RATE", 30)
QUIZ_ANSWER_RATE = env_int(ENV, "QUIZ_ANSWER_RATE", 120)
QUIZ_REPORT_RATE = env_int(ENV, "QUIZ_REPORT_RATE", 10)

# Public API (/api/, Open Trivia DB-compatible). Like Open Trivia DB: one
# api.php request per address every API_RATE_LIMIT_SECONDS (0 disables), and
# session tokens that expire after API_TOKEN_IDLE_SECONDS without use. New
# tokens per address per minute are capped by API_TOKEN_RATE.
API_RATE_LIMIT_SECONDS = env_int(ENV, "API_RATE_LIMIT_SECONDS", 5)
API_TOKEN_IDLE_SECONDS = env_int(ENV, "API_TOKEN_IDLE_SECONDS", 6 * 3600)
API_TOKEN_RATE = env_int(ENV, "API_TOKEN_RATE", 30)

# Leaderboards: Redis sorted sets when REDIS_URL is set, else the database.
LEADERBOARD_BACKEND = ENV.get("LEADERBOARD_BACKEND", "redis" if REDIS_URL else "database")
LEADERBOARD_REDIS_PREFIX = ENV.get("LEADERBOARD_REDIS_PREFIX", "hhquiz:lb")

# /healthz answers 503 when the SQLite database's disk has less free space.
HEALTH_MIN_FREE_MB = env_int(ENV, "HEALTH_MIN_FREE_MB", 16)

LOG_LEVEL = ENV.get("LOG_LEVEL", "INFO").upper()
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
    },
    "handlers": {
        "stdout": {"class": "logging.StreamHandler", "stream": sys.stdout, "formatter": "plain"},
    },
    "root": {"handlers": ["stdout"], "level": LOG_LEVEL},
    "loggers": {
        "django": {"handlers": ["stdout"], "level": LOG_LEVEL, "propagate": False},
        "axes": {"handlers": ["stdout"], "level": "WARNING", "propagate": False},
        "hhquiz.redis": {"handlers": ["stdout"], "level": "WARNING", "propagate": False},
    },
}

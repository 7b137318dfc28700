"""Newsroom settings, read from the environment.

Development defaults are safe and need nothing set: SQLite in the project folder,
DEBUG on, mail to the console. Production is ``DJANGO_ENV=production``: there a missing
``SECRET_KEY`` or ``ALLOWED_HOSTS`` refuses to start rather than run insecurely.
"""

import ipaddress
import os
from pathlib import Path

import dj_database_url
from django.conf.locale import LANG_INFO
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name, default=None):
    return os.environ.get(name, default)


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name, default):
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def env_list(name, default=""):
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


PRODUCTION = env("DJANGO_ENV", "development") == "production"
DEBUG = env_bool("DEBUG", default=not PRODUCTION)

SECRET_KEY = env("SECRET_KEY")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("SECRET_KEY must be set when DJANGO_ENV=production.")
    # Development only: a fixed, clearly-marked key so sessions survive restarts.
    SECRET_KEY = "dev-only-insecure-key-never-use-in-production"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "" if PRODUCTION else "localhost,127.0.0.1,[::1]")
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set when DJANGO_ENV=production.")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    # django.contrib.admin, with a site that hardens every model admin (core.admin_site).
    "core.apps.NewsroomAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.postgres",
    "django_filters",
    # django-taggit, named "Topics" in the admin (articles/topics_config.py).
    "articles.topics_config.TopicsConfig",
    "django_prose_editor",
    "axes",
    "django_tasks_db",
    # The ground floor (site settings, security, roles): first, so every app may use it.
    "core",
    # Every e-mail: queued as a row, sent and retried by the worker (outbox/).
    "outbox",
    "newsroom",
    "media_library",
    "press",
    "articles",
    "desk",
    "interchange",
    "alerts",
    "embargo",
]

MIDDLEWARE = [
    # First: forwarded headers from anyone but a trusted proxy are dropped before
    # anything (HTTPS detection, the client address) reads them.
    "core.security.TrustedProxyMiddleware",
    # Then refuse what no page takes (OPTIONS, TRACE, PUT…, a Host with an impossible
    # port) before anything is built from it, the HTTPS redirect included.
    "core.http.AllowedRequestMiddleware",
    # The page's language, from its URL alone (/es/news/): before anything renders.
    "core.languages.LanguageMiddleware",
    # Answers If-None-Match with 304 from the page's ETag.
    "django.middleware.http.ConditionalGetMiddleware",
    # Says what the edge may keep (Cache-Control) and reads the content epoch once.
    "core.cache.CacheHeadersMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    # Inside the CSP middleware: picks the admin's and uploaded files' policies.
    "core.security.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, so that it sees the authenticated user and throttles admin logins.
    "axes.middleware.AxesMiddleware",
    # A database that stops answering under a view is a 503 page, not a server error.
    "core.outage.DatabaseUnavailableMiddleware",
]

ROOT_URLCONF = "newsroom.urls"
WSGI_APPLICATION = "newsroom.wsgi.application"

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
                "django.template.context_processors.csp",
                "core.context_processors.site_settings",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------
# DATABASE_URL switches to PostgreSQL (postgres://user@host:5432/name), the production
# database. Persistent connections save a connect per request under gunicorn.
DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite with a writer beside the site (`make run` runs `db_worker`, which takes the
    # write lock every second): WAL lets readers and the writer work at once; IMMEDIATE
    # takes the write lock when a transaction begins, so two writers wait for each other
    # (up to `timeout` seconds) instead of one failing at once with "database is
    # locked" when it upgrades a read lock; NORMAL is WAL's durable pairing.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        **DATABASES["default"].get("OPTIONS", {}),
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache ---------------------------------------------------------------------------
# Redis in production, shared by every app server (content version, derived data, rate
# limits). Its backend never fails a request: short timeouts, then it answers as an empty
# cache and skips Redis for CACHE_RETRY_SECONDS before probing it again (core/cache.py).
# Without REDIS_URL (development) a folder of files that every process on the machine
# shares, so the dev server sees at once what the worker or an import in another
# terminal changed; a per-process memory cache would keep serving the old version.
REDIS_URL = env("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "core.cache_backends.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env("CACHE_KEY_PREFIX", "newsroom"),
            "RETRY_SECONDS": float(env("CACHE_RETRY_SECONDS", "5")),
            "OPTIONS": {
                # Well under a second: a hanging Redis must not hold a page for long.
                "socket_connect_timeout": float(env("CACHE_TIMEOUT_SECONDS", "0.25")),
                "socket_timeout": float(env("CACHE_TIMEOUT_SECONDS", "0.25")),
            },
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": Path(env("CACHE_DIR", BASE_DIR / ".cache")),
            "OPTIONS": {"MAX_ENTRIES": 20_000},
        }
    }

# Whole public pages are kept by the edge (deploy/nginx.conf, or a CDN), which keeps
# anonymous visitors' answers for their s-maxage (core/cache.py). Browsers always
# revalidate public pages (max-age=0, must-revalidate, with an ETag); a shared cache may
# serve its copy this long without asking, never past a scheduled publication:
PAGE_SHARED_MAX_AGE = env_int("PAGE_SHARED_MAX_AGE", 10)
# ...and serve it this long while the site answers errors (stale-if-error; nginx itself
# serves its last good copy for as long as it keeps it).
PAGE_STALE_IF_ERROR = env_int("PAGE_STALE_IF_ERROR", 3600)
# The site's public pages and the query parameters each understands; apps register their
# own from AppConfig.ready() with core.cache.public_pages (articles: /news/…, with the
# parameters its FilterSet declares). A response to a query with any other parameter is
# not marked for shared caches, so random parameters never create entries.
PAGE_CACHE_PATHS = {
    r"^/$": [],
    r"^/press/$": [],
    # Contact cards (.vcf) of spokespeople and press officers: no parameters.
    r"^/press/(spokespeople/[\w-]+|contacts/\d+)\.vcf$": [],
    r"^/sitemap(-[\w-]+)?\.xml$": ["p"],
    r"^/robots\.txt$": [],
}
# Forms with a CSRF token, and the alerts' pages reached through personal links.
PAGE_CACHE_EXCLUDE_PATHS = [r"^/press/inquiry/", r"^/press/alerts/"]

# --- Background tasks -----------------------------------------------------------------
# Django's tasks framework: e-mail, renditions and other slow work never run inside a
# request. The default backend keeps tasks in the database (django-tasks-db), so nothing
# else has to run but a worker (`manage.py db_worker`: `make run` starts one, and so does
# docker-compose.yml). A larger site moves to a Redis queue by settings alone:
# `pip install ".[rq]"`, TASKS_BACKEND=django_tasks_rq.RQBackend, and workers running
# `manage.py rqworker --job-class django_tasks_rq.Job --with-scheduler default`
# (the scheduler runs the retries that tasks schedule for later).
TASKS_BACKEND = env("TASKS_BACKEND", "django_tasks_db.DatabaseBackend")
TASKS = {"default": {"BACKEND": TASKS_BACKEND, "QUEUES": ["default"]}}
if TASKS_BACKEND == "django_tasks_rq.RQBackend":
    INSTALLED_APPS += ["django_rq", "django_tasks_rq"]
    # A queue must not be evicted like a cache: give it its own Redis (or database)
    # without maxmemory eviction.
    RQ_QUEUES = {"default": {"URL": env("TASKS_REDIS_URL", REDIS_URL)}}

# --- Authentication -------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Admin login throttling: five failures lock the username from that address for an hour.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_HOURS", 1)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_ENABLED = env_bool("AXES_ENABLED", True)
# The visitor's address comes from core.security.client_ip (django-ipware is not
# installed), the same function the inquiry form's rate limit uses: see TRUSTED_PROXIES.
AXES_CLIENT_IP_CALLABLE = "core.security.client_ip"
# Failed logins are counted in the database, never the cache: throttling must hold while
# Redis is down (and a cache flush must not unlock anyone).
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_LOCKOUT_TEMPLATE = "security/lockout.html"

# The admin's address is configurable so that it is not where scanners look first.
ADMIN_URL = env("ADMIN_URL", "admin/").strip("/") + "/"

# --- Internationalisation -------------------------------------------------------------
# The languages the newsroom publishes in, e.g. LANGUAGES=en,es,fr,ar: the first is the
# default. Each is named in its own language (Django's LANG_INFO), as a language switcher
# shows it to a reader who may not read the current page's language.
LANGUAGES = []
for code in env_list("LANGUAGES", "en"):
    code = code.lower()
    info = LANG_INFO.get(code, {})
    if "name_local" not in info:
        raise ImproperlyConfigured(
            f"LANGUAGES: {code!r} is not a language code Django knows "
            "(use codes such as en, es, fr, ar, pt-br, zh-hans)."
        )
    if code in dict(LANGUAGES):
        raise ImproperlyConfigured(f"LANGUAGES: {code!r} is listed twice.")
    LANGUAGES.append((code, info["name_local"]))
if not LANGUAGES:
    raise ImproperlyConfigured("LANGUAGES must name at least one language, e.g. LANGUAGES=en.")
LANGUAGE_CODE = LANGUAGES[0][0]
# The interface's own catalogues (es, fr, ar…); Django's and the admin's come with Django.
LOCALE_PATHS = [BASE_DIR / "locale"]
# All times are stored in UTC and shown in the newsroom's own zone.
TIME_ZONE = env("TIME_ZONE", "America/New_York")
USE_I18N = True
USE_TZ = True
# "June 15, 2017"
DATE_FORMAT = "F j, Y"
DATETIME_FORMAT = "F j, Y, g:i A"
SHORT_DATE_FORMAT = "m/d/Y"

# --- Static and media files -----------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = env("MEDIA_URL", "/media/")
MEDIA_ROOT = Path(env("MEDIA_ROOT", BASE_DIR / "media"))
# Originals of photos (media_library.storage): outside MEDIA_ROOT, so that nothing that
# serves the media folder (nginx, a CDN, `runserver`) can ever reach them.
PRIVATE_MEDIA_ROOT = Path(env("PRIVATE_MEDIA_ROOT", BASE_DIR / "private_media"))
if PRIVATE_MEDIA_ROOT.resolve().is_relative_to(MEDIA_ROOT.resolve()):
    raise ImproperlyConfigured("PRIVATE_MEDIA_ROOT must not be inside MEDIA_ROOT.")

# S3-compatible object storage for media when several app servers must share it.
# Public files (renditions, documents) in AWS_STORAGE_BUCKET_NAME, typed by their
# verified extension; originals private, in AWS_PRIVATE_STORAGE_BUCKET_NAME (best: a
# bucket with every public access blocked) or else under the "private/" prefix of the
# same bucket, which its public-read policy must then leave out. See docs/production.md,
# "Scaling out".
if env("AWS_STORAGE_BUCKET_NAME"):
    _s3_connection = {
        "endpoint_url": env("AWS_S3_ENDPOINT_URL"),
        "region_name": env("AWS_S3_REGION_NAME"),
        "file_overwrite": False,
    }
    _media_storage = {
        "BACKEND": "media_library.storage.PublicMediaS3Storage",
        "OPTIONS": {
            **_s3_connection,
            "bucket_name": env("AWS_STORAGE_BUCKET_NAME"),
            "custom_domain": env("AWS_S3_CUSTOM_DOMAIN"),
            "default_acl": env("AWS_DEFAULT_ACL"),
            "querystring_auth": env_bool("AWS_QUERYSTRING_AUTH", False),
            "object_parameters": {"CacheControl": "public, max-age=31536000"},
        },
    }
    _originals_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            **_s3_connection,
            "bucket_name": env("AWS_PRIVATE_STORAGE_BUCKET_NAME")
            or env("AWS_STORAGE_BUCKET_NAME"),
            "location": env(
                "AWS_PRIVATE_LOCATION",
                "" if env("AWS_PRIVATE_STORAGE_BUCKET_NAME") else "private",
            ),
            "default_acl": "private",
            # Never a public URL: a link to an original, if ever made, is signed and short.
            "querystring_auth": True,
            "querystring_expire": 300,
            "custom_domain": None,
            "object_parameters": {"CacheControl": "private, no-store"},
        },
    }
else:
    _media_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    _originals_storage = {"BACKEND": "media_library.storage.PrivateFileSystemStorage"}

STORAGES = {
    "default": _media_storage,
    "originals": _originals_storage,
    "staticfiles": {
        # Hashed names let browsers and CDNs cache static files for a year.
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage",
    },
}
# Hashed files (app.3f2a1c.css) are served "immutable" for a year by WhiteNoise itself;
# this is for the few unhashed ones, which must be able to change within the hour.
WHITENOISE_MAX_AGE = env_int("WHITENOISE_MAX_AGE", 0 if DEBUG else 3600)

# Upload limits: a photo larger than this, or with more pixels, is refused with a message.
PHOTO_MAX_UPLOAD_BYTES = env_int("PHOTO_MAX_UPLOAD_BYTES", 25 * 1024 * 1024)
PHOTO_MAX_PIXELS = env_int("PHOTO_MAX_PIXELS", 60_000_000)
DOCUMENT_MAX_UPLOAD_BYTES = env_int("DOCUMENT_MAX_UPLOAD_BYTES", 100 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_PERMISSIONS = 0o644

# --- E-mail ---------------------------------------------------------------------------
# Django 6.1's MAILERS: SMTP in production, the console in development.
_email_backend = env(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    else "django.core.mail.backends.console.EmailBackend",
)
_email_options = {}
if _email_backend.endswith("smtp.EmailBackend"):
    _email_options = {
        "host": env("EMAIL_HOST", "localhost"),
        "port": env_int("EMAIL_PORT", 25),
        "username": env("EMAIL_HOST_USER", ""),
        "password": env("EMAIL_HOST_PASSWORD", ""),
        "use_tls": env_bool("EMAIL_USE_TLS"),
        # A slow mail server must not hold a journalist's request for long.
        "timeout": env_int("EMAIL_TIMEOUT", 10),
    }
MAILERS = {"default": {"BACKEND": _email_backend, "OPTIONS": _email_options}}
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "Newsroom <newsroom@localhost>")
SERVER_EMAIL = env("SERVER_EMAIL", DEFAULT_FROM_EMAIL)
# The press office's address until staff set one in the site settings (core.SiteSettings),
# which then own it: the address the site shows and the one told of each inquiry.
PRESS_OFFICE_EMAIL = env("PRESS_OFFICE_EMAIL", "press@example.org")
# Who gets a report of every server error (500) and failed background task, by e-mail
# sent from a task (press/errors.py). Empty: no reports, and the 500 page does not claim
# that anyone was told.
ADMINS = env_list("ADMINS")
EMAIL_SUBJECT_PREFIX = env("EMAIL_SUBJECT_PREFIX", "[Newsroom] ")
# The outbox (outbox/): mails per claim and SMTP connection; how long a worker holds the
# mails it claimed (after that a worker that died mid-send is taken over); sender threads
# per worker (each has one SMTP transaction in flight: a worker killed mid-send repeats
# at most that many mails); how long a silent worker's unfinished tasks wait before they
# are marked failed. Short values are for the crash tests.
OUTBOX_BATCH_SIZE = env_int("OUTBOX_BATCH_SIZE", 200)
OUTBOX_LEASE_SECONDS = env_int("OUTBOX_LEASE_SECONDS", 300)
OUTBOX_SENDERS = env_int("OUTBOX_SENDERS", 1)
OUTBOX_WORKER_STALE_SECONDS = env_int("OUTBOX_WORKER_STALE_SECONDS", 60)

# --- Site -----------------------------------------------------------------------------
# Absolute base for feeds, sitemaps and share links when no request is at hand: every
# such link goes through core.links.absolute_url. `make run` sets it to where it serves.
SITE_URL = env("SITE_URL", "http://localhost:8000").rstrip("/")

# --- Security -------------------------------------------------------------------------
# The reverse proxies (load balancer, nginx) in front of the app: addresses or networks,
# comma-separated. Only a request from one of them may say, in X-Forwarded-For and
# X-Forwarded-Proto, who the client is and whether it used HTTPS (core.security);
# gunicorn's forwarded_allow_ips is read from here too. From anywhere else those
# headers are dropped, so a visitor cannot pose as another address to dodge the login
# throttle or the inquiry limit, nor fake HTTPS. The default suits a proxy on the same
# host; docker-compose.yml sets its own.
TRUSTED_PROXIES = []
for _proxy in env_list("TRUSTED_PROXIES", "127.0.0.1,::1"):
    try:
        TRUSTED_PROXIES.append(str(ipaddress.ip_network(_proxy, strict=False)))
    except ValueError as error:
        raise ImproperlyConfigured(f"TRUSTED_PROXIES: {error}") from error
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# Public pages: no inline script or style at all; JSON-LD carries the per-request nonce.
# The admin gets a relaxed copy (core.security.admin_csp) for its editor's inline
# import map and styles; uploaded files get "default-src 'none'; sandbox".
_csp_img_src = [CSP.SELF, "data:"]
if env("AWS_S3_CUSTOM_DOMAIN"):
    _csp_img_src.append(f"https://{env('AWS_S3_CUSTOM_DOMAIN')}")
if MEDIA_URL.startswith(("https://", "http://")):
    _csp_img_src.append("/".join(MEDIA_URL.split("/", 3)[:3]))
_csp_img_src += env_list("CSP_IMG_SRC")
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": _csp_img_src,
    "font-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"require_debug_false": {"()": "django.utils.log.RequireDebugFalse"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler"},
        # Django's default mails ADMINS from inside the failing request; this enqueues the
        # same report as a task instead.
        "mail_admins": {
            "level": "ERROR",
            "filters": ["require_debug_false"],
            "class": "press.errors.TaskAdminEmailHandler",
        },
    },
    # gunicorn takes the same variable in lower case; logging needs upper case.
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO").upper()},
    "loggers": {
        "django": {"handlers": ["mail_admins"], "level": "INFO"},
        # The 400s of a bad Host header, an oversized body, too many fields and the rest
        # of SuspiciousOperation: scanners cause them all day. Logged, never mailed, as
        # Django's documentation advises for DisallowedHost.
        "django.security": {"handlers": ["console"], "propagate": False},
        "django.db.backends": {"level": "WARNING"},
    },
}

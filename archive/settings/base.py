"""Settings for every environment; each value comes from the environment with a working default.

test.py and production.py import this module and change only what differs.
"""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import dj_database_url
from csp.constants import NONE, SELF

from archive.settings.env import env_base_url, env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent.parent

SECRET_KEY = env_str("DJANGO_SECRET_KEY", "insecure-development-key-change-me")
DEBUG = env_bool("DJANGO_DEBUG", True)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    # configuration: settings, urls, the worker command
    "archive",
    # the places people use
    "curation",
    "research",
    "storyteller",
    "public",
    # the engines
    "search",
    "coding",
    "transcribe",
    # the domain
    "stories",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.routable_page",
    "wagtail.contrib.settings",
    "wagtail.contrib.sitemaps",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_tasks",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",  # static files, compressed, cached for ever
    "archive.middleware.PublicPageCacheMiddleware",  # before sessions: a kept page costs none
    "archive.middleware.ArchiveCSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "archive.middleware.PrivateWhenSignedInMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    "axes.middleware.AxesMiddleware",  # last: turns a sign-in lockout into its page
]

ROOT_URLCONF = "archive.urls"
WSGI_APPLICATION = "archive.wsgi.application"

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
            ],
        },
    },
]

# SQLite by default so the archive runs with no server; PostgreSQL at scale and in tests.
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server read while the worker writes a transcript.
    DATABASES["default"].setdefault("OPTIONS", {})["init_command"] = (
        "PRAGMA journal_mode=WAL; PRAGMA busy_timeout=10000;"
    )
    DATABASES["default"]["OPTIONS"]["transaction_mode"] = "IMMEDIATE"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Argon2 (Django's recommendation) for new passwords; a password kept with an older hasher
# still works and is rehashed with Argon2 the next time its owner signs in.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.BCryptSHA256PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = env_str("DJANGO_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "static")))
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "archive.vendor_static.NodeModulesFinder",  # the chart library, from npm
]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))

STORAGES: dict[str, dict[str, Any]] = {
    "default": {"BACKEND": env_str("MEDIA_STORAGE", "django.core.files.storage.FileSystemStorage")},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "archive@localhost")

CACHES = {
    "default": {
        "BACKEND": env_str("CACHE_BACKEND", "django.core.cache.backends.locmem.LocMemCache"),
        "LOCATION": env_str("CACHE_LOCATION", "community-archive"),
    },
    # Public pages for visitors who are not signed in (stories.pagecache): shared by every
    # server process, so files on this machine by default; any Django cache that all servers
    # reach at scale (e.g. django.core.cache.backends.db.DatabaseCache + `createcachetable`).
    "pages": {
        "BACKEND": env_str(
            "ARCHIVE_PAGE_CACHE_BACKEND", "django.core.cache.backends.filebased.FileBasedCache"
        ),
        "LOCATION": env_str("ARCHIVE_PAGE_CACHE_LOCATION", str(BASE_DIR / ".cache" / "pages")),
        "OPTIONS": {"MAX_ENTRIES": env_int("ARCHIVE_PAGE_CACHE_ENTRIES", 5000)},
    },
}
# How long the server keeps a public page at most (0 turns the page cache off). Any change
# to what it shows makes it stale at once; this only bounds what a crash could leave behind.
ARCHIVE_PAGE_CACHE_SECONDS = env_int("ARCHIVE_PAGE_CACHE_SECONDS", 600)

# Wagtail's own small background tasks (reference index, renditions…) go through django-tasks;
# by default they run in the process that queues them, after its transaction commits, as in
# Wagtail's own default. Transcription has its own queue: the job table (archive_worker).
TASKS = {
    "default": {
        "BACKEND": env_str("TASKS_BACKEND", "django_tasks.backends.immediate.ImmediateBackend"),
    }
}

WAGTAIL_SITE_NAME = "Community Story Archive"
# The site's own address: links in emails, feeds and sitemaps, and the Wagtail Site
# (`manage.py site_address` keeps it in step). The admin's address defaults to it.
ARCHIVE_BASE_URL = env_base_url("ARCHIVE_BASE_URL", "http://localhost:8000")
WAGTAILADMIN_BASE_URL = env_str("WAGTAILADMIN_BASE_URL", ARCHIVE_BASE_URL)
WAGTAIL_I18N_ENABLED = False
WAGTAILIMAGES_MAX_IMAGE_PIXELS = 40_000_000
WAGTAILIMAGES_MAX_UPLOAD_SIZE = env_int("IMAGE_MAX_UPLOAD_BYTES", 20 * 1024 * 1024)
WAGTAILDOCS_EXTENSIONS = ["pdf", "txt", "vtt", "srt"]
# Wagtail's own page search stays on the database; story search goes through search/.
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}

# Public pages: how long shared caches may keep a page for people who are not signed in.
# Short, because a withdrawal must take a story off the site (caches included) quickly.
ARCHIVE_PUBLIC_CACHE_SECONDS = env_int("ARCHIVE_PUBLIC_CACHE_SECONDS", 60)

# OAI-PMH (/oai/): the address its Identify answer names for the archive's keepers, and how
# many records one ListRecords or ListIdentifiers answer holds before its resumption token.
ARCHIVE_ADMIN_EMAIL = env_str("ARCHIVE_ADMIN_EMAIL", "archive@example.org")
ARCHIVE_OAI_PAGE_SIZE = env_int("ARCHIVE_OAI_PAGE_SIZE", 100)

# Search across stories: "database" (embedded, no server) or "elasticsearch".
ELASTICSEARCH_URL = env_str("ELASTICSEARCH_URL", "")
SEARCH_BACKEND = env_str("SEARCH_BACKEND", "elasticsearch" if ELASTICSEARCH_URL else "database")
SEARCH_INDEX_PREFIX = env_str("SEARCH_INDEX_PREFIX", "archive")
SEARCH_ES_TIMEOUT = env_int("SEARCH_ES_TIMEOUT", 10)  # seconds per Elasticsearch request
SEARCH_ES_REPLICAS = env_int("SEARCH_ES_REPLICAS", 0)  # replicas of new indices (1+ on a cluster)
SEARCH_DRAIN_BATCH = env_int("SEARCH_DRAIN_BATCH", 200)  # outbox rows per bulk request
# Processes that build documents during an Elasticsearch rebuild (1: in the command's own).
SEARCH_REBUILD_PROCESSES = env_int("SEARCH_REBUILD_PROCESSES", 2)
SEARCH_MEANING = env_bool("SEARCH_MEANING", True)  # passages embedded; search by meaning too
SEARCH_EMBED_THREADS = env_int("SEARCH_EMBED_THREADS", 1)  # more stall on busy cores

# Accounts: storytellers join by invitation; open sign-up is a choice.
ARCHIVE_SELF_SIGNUP = env_bool("ARCHIVE_SELF_SIGNUP", False)
ARCHIVE_INVITATION_DAYS = env_int("ARCHIVE_INVITATION_DAYS", 14)
# The version of the plain-language consent text that the consent form shows.
ARCHIVE_CONSENT_TEXT_VERSION = env_str("ARCHIVE_CONSENT_TEXT_VERSION", "2026-1")

# Storyteller journey: private story files, uploads, photos, reminders.
# Story media and photos live in their own storage, outside MEDIA_ROOT, and are only streamed
# by the `stories:media` view after the visibility rule allows it.
ARCHIVE_PRIVATE_MEDIA_ROOT = Path(
    env_str("ARCHIVE_PRIVATE_MEDIA_ROOT", str(BASE_DIR / "private-media"))
)
_STORY_STORAGE = env_str("STORY_MEDIA_STORAGE", "stories.storage.PrivateFileSystemStorage")
STORAGES["stories"] = {
    "BACKEND": _STORY_STORAGE,
    "OPTIONS": (
        {"location": ARCHIVE_PRIVATE_MEDIA_ROOT}
        if _STORY_STORAGE == "stories.storage.PrivateFileSystemStorage"
        else {}
    ),
}
# Partial uploads are assembled here (same disk as the story storage, so finishing is a move).
ARCHIVE_UPLOAD_TEMP_DIR = Path(
    env_str("ARCHIVE_UPLOAD_TEMP_DIR", str(ARCHIVE_PRIVATE_MEDIA_ROOT / "partial"))
)
ARCHIVE_MAX_UPLOAD_BYTES = env_int("ARCHIVE_MAX_UPLOAD_BYTES", 2 * 1024**3)
ARCHIVE_UPLOAD_CHUNK_BYTES = env_int("ARCHIVE_UPLOAD_CHUNK_BYTES", 8 * 1024**2)
ARCHIVE_UPLOAD_SESSION_DAYS = env_int("ARCHIVE_UPLOAD_SESSION_DAYS", 7)
ARCHIVE_MAX_PHOTO_BYTES = env_int("ARCHIVE_MAX_PHOTO_BYTES", 20 * 1024**2)
ARCHIVE_MAX_PHOTO_PIXELS = 40_000_000
ARCHIVE_CONSENT_REMINDER_DAYS = env_int("ARCHIVE_CONSENT_REMINDER_DAYS", 30)
# Files a plain (no JavaScript) form upload holds in memory before spilling to disk.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024**2

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}

# --- Transcription (transcribe/) ----------------------------------------------------------
# Engine and model: faster-whisper with the bundled tiny.en runs offline on any CPU. "base"
# is the bundled multilingual model; any faster-whisper model name or folder also works.
TRANSCRIBE_ENGINE = env_str("TRANSCRIBE_ENGINE", "faster-whisper")  # or "openai-whisper"
TRANSCRIBE_MODEL = env_str("TRANSCRIBE_MODEL", "tiny.en")
TRANSCRIBE_DEVICE = env_str("TRANSCRIBE_DEVICE", "cpu")  # cpu, cuda or auto
TRANSCRIBE_COMPUTE_TYPE = env_str("TRANSCRIBE_COMPUTE_TYPE", "int8")  # float16 on a GPU
TRANSCRIBE_BEAM_SIZE = env_int("TRANSCRIBE_BEAM_SIZE", 5)
TRANSCRIBE_CPU_THREADS = env_int("TRANSCRIBE_CPU_THREADS", 0)  # 0: one per core, up to 4
TRANSCRIBE_BATCH_SIZE = env_int("TRANSCRIBE_BATCH_SIZE", 0)  # >0: batched inference
TRANSCRIBE_MODEL_CACHE = env_str("TRANSCRIBE_MODEL_CACHE", "")  # "": the user cache folder
TRANSCRIBE_LANGUAGE = env_str("TRANSCRIBE_LANGUAGE", "")  # "": detect
TRANSCRIBE_WORD_TIMESTAMPS = env_bool("TRANSCRIBE_WORD_TIMESTAMPS", True)
TRANSCRIBE_VAD_FILTER = env_bool("TRANSCRIBE_VAD_FILTER", True)  # skip what holds no voice
TRANSCRIBE_DIARIZE = env_bool("TRANSCRIBE_DIARIZE", True)  # speaker turns S1, S2… (offline)
# Jobs: a worker renews its lease while it works; a job whose lease expired is run again.
TRANSCRIBE_LEASE_SECONDS = env_int("TRANSCRIBE_LEASE_SECONDS", 60)
TRANSCRIBE_MAX_ATTEMPTS = env_int("TRANSCRIBE_MAX_ATTEMPTS", 3)
TRANSCRIBE_RETRY_SECONDS = env_int("TRANSCRIBE_RETRY_SECONDS", 30)  # doubled after each failure

# --- Sign-in throttling (django-axes) ------------------------------------------------------
# Failed sign-ins are counted per account and per address, on every sign-in form (the site's
# and the Wagtail admin's, through Django's authenticate). After ARCHIVE_SIGNIN_FAILURE_LIMIT
# failures signing in is paused for ARCHIVE_SIGNIN_LOCKOUT_MINUTES; the page says so and when
# to try again. Attempts made while paused do not extend the pause, and only failures are kept
# (no log of successful sign-ins); they are cleared once the pause is over.
INSTALLED_APPS += ["axes", "csp", "ninja"]  # ninja: the API docs served from our static files
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("ARCHIVE_SIGNIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env_int("ARCHIVE_SIGNIN_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # each counted on its own
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_DISABLE_ACCESS_LOG = True
AXES_VERBOSE = False  # no banner on every start
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# The address counted: the connection's, or behind ARCHIVE_TRUSTED_PROXY_COUNT reverse proxies
# the one the outermost proxy appended to X-Forwarded-For (archive/signin.py).
AXES_CLIENT_IP_CALLABLE = "archive.signin.client_address"
ARCHIVE_TRUSTED_PROXY_COUNT = env_int("ARCHIVE_TRUSTED_PROXY_COUNT", 0)

# --- Content-Security-Policy (django-csp) ----------------------------------------------------
# The archive's own pages: scripts and styles only from its own static files, nothing inline,
# no plugins, no framing. The Wagtail admin (under /admin/) needs inline scripts and styles, so
# it gets a policy of its own that still keeps everything on this origin.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "media-src": [SELF],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
ARCHIVE_CSP_ADMIN_PREFIXES = ("/admin/",)
ARCHIVE_ADMIN_CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, "'unsafe-inline'"],
        "style-src": [SELF, "'unsafe-inline'"],
        "img-src": [SELF, "data:", "blob:"],
        "media-src": [SELF, "blob:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "frame-src": [SELF],  # page previews
        "worker-src": [SELF, "blob:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [SELF],
    }
}
# Avatars in the admin come from this archive, not from a third-party service.
WAGTAIL_GRAVATAR_PROVIDER_URL = None

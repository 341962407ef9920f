"""Settings for the test suite: PostgreSQL and Elasticsearch from the environment, fast hashing."""

from __future__ import annotations

import os

os.environ.setdefault("DATABASE_URL", "postgres://archive:archive@127.0.0.1:5432/archive")
os.environ.setdefault("ELASTICSEARCH_URL", "http://127.0.0.1:9200")
os.environ.setdefault("SEARCH_INDEX_PREFIX", "test")
os.environ.setdefault("SEARCH_BACKEND", "database")

from archive.settings.base import *  # noqa: F403
from archive.settings.base import BASE_DIR, CACHES

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# The page cache is off unless a test turns it on (tests/test_public_page_cache.py does, on
# files as in production): most tests change rows directly and read the page straight after.
ARCHIVE_PAGE_CACHE_SECONDS = 0
CACHES = {
    **CACHES,
    "pages": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "pages"},
}
# No collectstatic before the tests: WhiteNoise finds static files where they are.
WHITENOISE_AUTOREFRESH = True
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = BASE_DIR / ".cache" / "test-media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Storyteller journey: private story files in a throw-away folder.
ARCHIVE_PRIVATE_MEDIA_ROOT = BASE_DIR / ".cache" / "test-private-media"
ARCHIVE_UPLOAD_TEMP_DIR = ARCHIVE_PRIVATE_MEDIA_ROOT / "partial"
STORAGES["stories"] = {
    "BACKEND": "stories.storage.PrivateFileSystemStorage",
    "OPTIONS": {"location": ARCHIVE_PRIVATE_MEDIA_ROOT},
}

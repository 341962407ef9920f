"""Production: secrets and hosts must come from the environment; HTTPS everywhere."""

from __future__ import annotations

import os

from django.core.exceptions import ImproperlyConfigured

from archive.settings.base import *  # noqa: F403
from archive.settings.base import STORAGES
from archive.settings.env import env_bool, env_int

DEBUG = False
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if len(SECRET_KEY) < 50 or SECRET_KEY.startswith("insecure"):
    raise ImproperlyConfigured(
        "Set DJANGO_SECRET_KEY to a random string of 50+ characters, e.g. "
        "python -c 'import secrets; print(secrets.token_urlsafe(64))'."
    )

# Static files compressed (gzip, and Brotli when installed) with content hashes in their names,
# served by WhiteNoise with far-future cache headers (run `manage.py collectstatic`).
STORAGES["staticfiles"] = {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = env_int("DJANGO_SECURE_HSTS_SECONDS", 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Sign-in throttling counts failures per address: behind a reverse proxy (assumed, as for
# SECURE_PROXY_SSL_HEADER above) that is the address the proxy appended to X-Forwarded-For.
# Set ARCHIVE_TRUSTED_PROXY_COUNT to the number of proxies in front of the archive (0: none).
ARCHIVE_TRUSTED_PROXY_COUNT = env_int("ARCHIVE_TRUSTED_PROXY_COUNT", 1)

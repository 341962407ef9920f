"""gunicorn's settings for the archive (scripts/serve.sh; README "At scale").

Every value comes from the environment, with defaults for one machine.
"""

import multiprocessing
import os

# Behind a reverse proxy on this machine by default; HOST=0.0.0.0 in a container.
bind = os.environ.get(
    "BIND", f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
)
# Sync workers: one request each, two per core plus one (gunicorn's own advice).
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("WEB_THREADS", "1"))
# Load the archive once, then fork: workers start at once and share the loaded code.
preload_app = True
# A plain-form upload may take a while; chunked uploads send 8 MB at a time.
timeout = int(os.environ.get("WEB_TIMEOUT", "120"))
graceful_timeout = 30
keepalive = 5
# Recycle a worker now and then, so a slow leak can never grow without bound.
max_requests = int(os.environ.get("WEB_MAX_REQUESTS", "2000"))
max_requests_jitter = 200
accesslog = os.environ.get("WEB_ACCESS_LOG", "-") or None
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")

#!/bin/sh
# Serve the archive with gunicorn (the production WSGI server): migrate, make the cache table
# if the page cache is in the database, collect the static files, then start gunicorn with
# gunicorn.conf.py. Settings come from the environment (README "Configuration", "At scale").
#   scripts/serve.sh                    # http://0.0.0.0:8000/, WEB_CONCURRENCY workers
#   PORT=9000 WEB_CONCURRENCY=4 scripts/serve.sh
set -eu
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-.venv/bin/python}"
"$PYTHON" manage.py migrate --no-input
"$PYTHON" manage.py createcachetable
"$PYTHON" manage.py collectstatic --no-input --verbosity 0
exec "$PYTHON" -m gunicorn --config gunicorn.conf.py archive.wsgi:application

#!/usr/bin/env bash
# Private PostgreSQL cluster for development and tests.
#
#   scripts/postgres.sh start    initialise (first time) and start; no-op when already running
#   scripts/postgres.sh stop     stop it (fast shutdown)
#   scripts/postgres.sh status   exit 0 when running, 3 when not
#   scripts/postgres.sh url      print the DATABASE_URL to use
#
# The cluster uses Debian's PostgreSQL server binaries (the newest
# /usr/lib/postgresql/<major>/bin, or the major the data directory was created with).
# It listens on 127.0.0.1:${ARCHIVE_PG_PORT:-5432} only; its Unix socket lives in the data
# directory, so it never touches the system cluster's /var/run/postgresql.
# `start` makes sure (idempotently) that role `archive` (password `archive`, LOGIN CREATEDB)
# and database `archive` exist; tests create their own databases with that role.
#
# Who runs the server: PostgreSQL refuses to run as root. Run as a normal user, the cluster
# runs as that user. Run as root (CI), it runs as the `postgres` OS user that Debian's
# postgresql package creates.
#
# Where the data lives (kept between runs):
#   ARCHIVE_PG_DATA, if set; otherwise ${XDG_CACHE_HOME:-$HOME/.cache}/community-archive/pgdata.
#   As root, when the `postgres` user cannot reach that path (root's home is usually 0700),
#   the default becomes /var/lib/community-archive/pgdata instead: a root-owned, world-
#   traversable directory outside any home and outside /var/tmp (whose files systemd may age
#   out after 30 days, which would corrupt a cluster).
#
# Durability: this is a throw-away development cluster, so it runs with fsync, full page
# writes and synchronous commit off, which makes test database set-up much faster. After a
# machine crash the cluster may be damaged: stop it, remove the data directory, start again.
# Set ARCHIVE_PG_DURABLE=1 to keep PostgreSQL's durable defaults.
#
# Environment: ARCHIVE_PG_PORT (5432), ARCHIVE_PG_DATA (see above),
#              ARCHIVE_PG_START_TIMEOUT (60 seconds), ARCHIVE_PG_DURABLE (0).
set -euo pipefail

PORT="${ARCHIVE_PG_PORT:-5432}"
START_TIMEOUT="${ARCHIVE_PG_START_TIMEOUT:-60}"
DB_USER=archive
DB_PASSWORD=archive
DB_NAME=archive
URL="postgres://${DB_USER}:${DB_PASSWORD}@127.0.0.1:${PORT}/${DB_NAME}"
ROOT_FALLBACK_DIR=/var/lib/community-archive/pgdata

die() {
    printf 'postgres.sh: %s\n' "$*" >&2
    exit 1
}
say() { printf 'postgres.sh: %s\n' "$*"; }

usage() {
    cat >&2 <<EOF
usage: scripts/postgres.sh start|stop|status|url

  start   start the private cluster on 127.0.0.1:${PORT} (creates it the first time)
  stop    stop it
  status  print whether it runs (exit 0) or not (exit 3)
  url     print ${URL}
EOF
    exit 2
}

# --- who runs the server -----------------------------------------------------------------
if [[ $EUID -eq 0 ]]; then
    SERVICE_USER=postgres
    id -u "$SERVICE_USER" >/dev/null 2>&1 ||
        die "there is no '$SERVICE_USER' OS user to run PostgreSQL as (PostgreSQL refuses root). Install the server: scripts/system-deps.sh"
else
    SERVICE_USER="$(id -un)"
fi

as_service() {
    if [[ $EUID -eq 0 ]]; then
        runuser -u "$SERVICE_USER" -- "$@"
    else
        "$@"
    fi
}

# True when the service user can reach PATH once missing parts are created by us (mode 755).
service_can_reach() {
    local path="$1"
    [[ $EUID -eq 0 ]] || return 0
    while [[ ! -e "$path" ]]; do path="$(dirname "$path")"; done
    as_service test -x "$path" 2>/dev/null
}

# --- where the data lives ----------------------------------------------------------------
if [[ -n "${ARCHIVE_PG_DATA:-}" ]]; then
    PGDATA="$ARCHIVE_PG_DATA"
    service_can_reach "$PGDATA" ||
        die "the '$SERVICE_USER' user cannot reach ARCHIVE_PG_DATA=$PGDATA (a parent directory is not traversable). Choose a path outside private home directories, or unset ARCHIVE_PG_DATA."
else
    PGDATA="${XDG_CACHE_HOME:-$HOME/.cache}/community-archive/pgdata"
    if ! service_can_reach "$PGDATA"; then
        PGDATA="$ROOT_FALLBACK_DIR"
    fi
fi
[[ "$PGDATA" == /* ]] || PGDATA="$PWD/$PGDATA"
LOGFILE="$PGDATA/server.log"

# --- which binaries ----------------------------------------------------------------------
pick_bindir() {
    local major dir
    if [[ -f "$PGDATA/PG_VERSION" ]]; then
        major="$(cat "$PGDATA/PG_VERSION")"
        dir="/usr/lib/postgresql/$major/bin"
        [[ -x "$dir/pg_ctl" ]] ||
            die "the cluster in $PGDATA was created by PostgreSQL $major, whose server is not installed. Install postgresql-$major, or remove $PGDATA to start afresh."
        printf '%s\n' "$dir"
        return
    fi
    dir="$(find /usr/lib/postgresql -mindepth 2 -maxdepth 3 -path '*/bin/pg_ctl' 2>/dev/null |
        sort -V | tail -n 1)"
    [[ -n "$dir" ]] ||
        die "no PostgreSQL server found under /usr/lib/postgresql. Install it: scripts/system-deps.sh (or: sudo apt-get install -y postgresql)"
    dirname "$dir"
}

is_running() {
    [[ -f "$PGDATA/postmaster.pid" ]] || return 1
    as_service "$BINDIR/pg_ctl" status -D "$PGDATA" >/dev/null 2>&1
}

running_port() { # the port the running cluster listens on (line 4 of postmaster.pid)
    sed -n 4p "$PGDATA/postmaster.pid" 2>/dev/null || true
}

accepting() {
    "$BINDIR/pg_isready" -q -h 127.0.0.1 -p "$PORT" -t 1 >/dev/null 2>&1
}

admin_psql() {
    as_service "$BINDIR/psql" -X -q -v ON_ERROR_STOP=1 -h "$PGDATA" -p "$PORT" \
        -U "$SERVICE_USER" -d postgres
}

show_log() {
    if [[ -f "$LOGFILE" ]]; then
        printf -- '--- last lines of %s ---\n' "$LOGFILE" >&2
        tail -n 30 "$LOGFILE" >&2 || true
        printf -- '---\n' >&2
    fi
}

write_settings() {
    local durable="off"
    [[ "${ARCHIVE_PG_DURABLE:-0}" == 1 ]] && durable="on"
    as_service tee "$PGDATA/archive.conf" >/dev/null <<EOF
# Written by scripts/postgres.sh on every start; edit the script, not this file.
listen_addresses = '127.0.0.1'
port = $PORT
unix_socket_directories = '$PGDATA'
fsync = $durable
full_page_writes = $durable
synchronous_commit = $durable
max_connections = 200
EOF
}

init_cluster() {
    say "creating a new cluster in $PGDATA"
    mkdir -p "$(dirname "$PGDATA")"
    mkdir -p "$PGDATA"
    if [[ $EUID -eq 0 ]]; then
        chown "$SERVICE_USER": "$PGDATA"
    fi
    chmod 700 "$PGDATA"
    local out
    if ! out="$(as_service "$BINDIR/initdb" -D "$PGDATA" -U "$SERVICE_USER" --encoding=UTF8 \
        --locale=C --auth-local=peer --auth-host=scram-sha-256 2>&1)"; then
        printf '%s\n' "$out" >&2
        die "initdb failed (output above). Remove $PGDATA and try again."
    fi
    printf "\ninclude_if_exists = 'archive.conf'\n" | as_service tee -a "$PGDATA/postgresql.conf" >/dev/null
}

ensure_role_and_database() {
    admin_psql <<EOF
DO \$\$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$DB_USER') THEN
    CREATE ROLE $DB_USER LOGIN CREATEDB PASSWORD '$DB_PASSWORD';
  ELSE
    ALTER ROLE $DB_USER LOGIN CREATEDB PASSWORD '$DB_PASSWORD';
  END IF;
END
\$\$;
SELECT 'CREATE DATABASE $DB_NAME OWNER $DB_USER'
 WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '$DB_NAME') \gexec
EOF
}

start() {
    if is_running; then
        local port
        port="$(running_port)"
        [[ -z "$port" || "$port" == "$PORT" ]] ||
            die "the cluster in $PGDATA already runs on port $port, not $PORT. Use ARCHIVE_PG_PORT=$port, or move it: scripts/postgres.sh stop, then start again with ARCHIVE_PG_PORT=$PORT"
        if accepting; then
            ensure_role_and_database
            say "already running on 127.0.0.1:$PORT (data: $PGDATA)"
            return 0
        fi
    elif accepting; then
        die "another PostgreSQL already listens on 127.0.0.1:$PORT (the Debian system cluster? see pg_lsclusters; stop it with: pg_ctlcluster <version> main stop). Or choose another port: ARCHIVE_PG_PORT=5433 scripts/postgres.sh start"
    fi
    if [[ ! -f "$PGDATA/PG_VERSION" ]]; then
        init_cluster
    fi
    if ! is_running; then
        write_settings
        say "starting PostgreSQL $(cat "$PGDATA/PG_VERSION") on 127.0.0.1:$PORT (data: $PGDATA)"
        # 9>&-: the server must not inherit the lock held on fd 9.
        if ! as_service "$BINDIR/pg_ctl" start -D "$PGDATA" -l "$LOGFILE" -w -t "$START_TIMEOUT" \
            >/dev/null 9>&-; then
            show_log
            die "PostgreSQL did not start (log above). If the cluster is damaged, remove $PGDATA and start again."
        fi
    fi
    local deadline=$((SECONDS + START_TIMEOUT))
    until accepting; do
        if ((SECONDS >= deadline)); then
            show_log
            die "PostgreSQL runs but does not accept connections on 127.0.0.1:$PORT after ${START_TIMEOUT}s (log above). Is ARCHIVE_PG_PORT the port it was started with? Try: scripts/postgres.sh stop && scripts/postgres.sh start"
        fi
        sleep 0.2
    done
    ensure_role_and_database
    say "ready: $URL"
}

stop() {
    if ! is_running; then
        say "not running (data: $PGDATA)"
        return 0
    fi
    say "stopping PostgreSQL (data: $PGDATA)"
    as_service "$BINDIR/pg_ctl" stop -D "$PGDATA" -m fast -w -t "$START_TIMEOUT" >/dev/null ||
        die "PostgreSQL did not stop within ${START_TIMEOUT}s. See $LOGFILE"
}

status() {
    if is_running && [[ "$(running_port)" != "$PORT" ]]; then
        say "running on port $(running_port), not $PORT (data: $PGDATA); set ARCHIVE_PG_PORT=$(running_port)"
        return 3
    fi
    if is_running && accepting; then
        say "running on 127.0.0.1:$PORT (data: $PGDATA) -> $URL"
        return 0
    fi
    if is_running; then
        say "running (data: $PGDATA) but not accepting connections on 127.0.0.1:$PORT"
    else
        say "not running (data: $PGDATA); start it with: scripts/postgres.sh start"
    fi
    return 3
}

# Serialise start/stop so that two test runs starting at once do not race.
with_lock() {
    local lockfile="${PGDATA%/}.lock"
    mkdir -p "$(dirname "$lockfile")"
    exec 9>>"$lockfile"
    flock -w 120 9 || die "another postgres.sh holds $lockfile for over 120s"
    "$@"
}

[[ $# -eq 1 ]] || usage
case "$1" in
    url)
        printf '%s\n' "$URL"
        ;;
    start)
        BINDIR="$(pick_bindir)"
        with_lock start
        ;;
    stop)
        BINDIR="$(pick_bindir)"
        with_lock stop
        ;;
    status)
        BINDIR="$(pick_bindir)"
        status
        ;;
    *) usage ;;
esac

#!/usr/bin/env bash
# A local single-node Elasticsearch for development and tests.
#
#   scripts/elasticsearch.sh start      fetch (first time), start, wait for health yellow/green;
#                                       no-op when already running
#   scripts/elasticsearch.sh stop       stop it cleanly (SIGTERM, then wait)
#   scripts/elasticsearch.sh status     exit 0 when running and healthy, 3 when not
#   scripts/elasticsearch.sh url        print the ELASTICSEARCH_URL to use
#   scripts/elasticsearch.sh java-home  print the JDK (21 or newer) it would run on
#
# The server is the real Elasticsearch that Maven Central publishes as
# org.elasticsearch.distribution.integ-test-zip:elasticsearch:<version>:zip (no Debian or
# PyPI package ships it). It is copied with `mvn dependency:copy` (Maven keeps it in
# ~/.m2, so a fresh clone copies it again without the network) into .cache/elasticsearch/
# (git-ignored) and unpacked there once. That distribution holds the server, the
# transport-netty4, apm, x-pack-core and x-pack-security modules only: security is turned
# off below; there is no analysis-common, painless, reindex or ingest-geoip module, so the
# archive must not rely on them. Nor is there rest-root: `GET /` (the Python client's info()
# and ping()) answers 405, so probe the node with _cluster/health instead.
#
# It runs on 127.0.0.1:${ES_PORT:-9200} with discovery.type=single-node, on a JDK 21 or
# newer (ES_JAVA_HOME, else the newest found in /usr/lib/jvm, JAVA_HOME or PATH).
# Elasticsearch refuses to run as root: run as a normal user it runs as that user; run as
# root (CI) it runs as the `elasticsearch` system user, created when missing.
#
# Where things live (kept between runs, one node directory per version):
#   .cache/elasticsearch/elasticsearch-<version>.zip      the copied distribution
#   .cache/elasticsearch/elasticsearch-<version>/         unpacked, read-only
#   .cache/elasticsearch/node-<version>/{config,data,logs,run}  owned by the service user
# ES_CACHE_DIR moves all of it. As root, when the `elasticsearch` user cannot reach the
# repository (say it is cloned under a 0700 home), the unpacked server and node directory
# go to /var/lib/community-archive/elasticsearch instead.
#
# With ES_VERSION unset and 9.5.4 not fetchable (offline), the newest 9.x zip already in
# .cache/elasticsearch or ~/.m2 is used instead, with a notice.
# Node settings for tests: disk watermarks off (a full-ish disk never blocks writes) and
# action.destructive_requires_name false (tests delete their indices by prefix).
#
# Environment: ES_VERSION (9.5.4), ES_PORT (9200), ES_HEAP (512m), ES_JAVA_HOME,
#              ES_CACHE_DIR (.cache/elasticsearch), ES_START_TIMEOUT (180 seconds),
#              ES_STOP_TIMEOUT (60 seconds).
set -euo pipefail

DEFAULT_VERSION=9.5.4
VERSION_CHOSEN="${ES_VERSION:+yes}"
ES_VERSION="${ES_VERSION:-$DEFAULT_VERSION}"
PORT="${ES_PORT:-9200}"
HEAP="${ES_HEAP:-512m}"
START_TIMEOUT="${ES_START_TIMEOUT:-180}"
STOP_TIMEOUT="${ES_STOP_TIMEOUT:-60}"
URL="http://127.0.0.1:${PORT}"
M2_DIR="$HOME/.m2/repository/org/elasticsearch/distribution/integ-test-zip/elasticsearch"
MIN_JAVA=21
ROOT_FALLBACK_DIR=/var/lib/community-archive/elasticsearch

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE_DIR="${ES_CACHE_DIR:-$REPO_ROOT/.cache/elasticsearch}"
[[ "$CACHE_DIR" == /* ]] || CACHE_DIR="$PWD/$CACHE_DIR"

die() {
    printf 'elasticsearch.sh: %s\n' "$*" >&2
    exit 1
}
say() { printf 'elasticsearch.sh: %s\n' "$*"; }

usage() {
    cat >&2 <<EOF
usage: scripts/elasticsearch.sh start|stop|status|url|java-home

  start      start Elasticsearch ${ES_VERSION} on ${URL} (fetches it the first time)
  stop       stop it
  status     print whether it runs (exit 0) or not (exit 3)
  url        print ${URL}
  java-home  print the JDK ${MIN_JAVA}+ it runs on
EOF
    exit 2
}

# --- JDK ---------------------------------------------------------------------------------
java_major() { # JAVA_BINARY -> major version, or nothing
    local line v
    line="$("$1" -version 2>&1 | grep -m1 -E 'version "' || true)"
    v="$(sed -E 's/.*version "([^"]*)".*/\1/' <<<"$line")"
    [[ "$v" =~ ^1\.([0-9]+) ]] && { echo "${BASH_REMATCH[1]}"; return; }
    [[ "$v" =~ ^([0-9]+) ]] && echo "${BASH_REMATCH[1]}"
}

find_java_home() {
    local candidate major best="" best_major=0
    if [[ -n "${ES_JAVA_HOME:-}" ]]; then
        [[ -x "$ES_JAVA_HOME/bin/java" ]] || die "ES_JAVA_HOME=$ES_JAVA_HOME has no bin/java"
        major="$(java_major "$ES_JAVA_HOME/bin/java")"
        ((${major:-0} >= MIN_JAVA)) ||
            die "ES_JAVA_HOME=$ES_JAVA_HOME is Java ${major:-?}; Elasticsearch ${ES_VERSION} needs ${MIN_JAVA} or newer"
        printf '%s\n' "$ES_JAVA_HOME"
        return
    fi
    local -a homes=()
    for candidate in /usr/lib/jvm/*/; do homes+=("${candidate%/}"); done
    [[ -n "${JAVA_HOME:-}" ]] && homes+=("$JAVA_HOME")
    if command -v java >/dev/null 2>&1; then
        homes+=("$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")")
    fi
    local -A seen=()
    for candidate in "${homes[@]}"; do
        [[ -x "$candidate/bin/java" ]] || continue
        local real
        real="$(readlink -f "$candidate/bin/java")"
        [[ -z "${seen[$real]:-}" ]] || continue
        seen[$real]=1
        major="$(java_major "$candidate/bin/java")"
        if ((${major:-0} >= MIN_JAVA && ${major:-0} > best_major)); then
            best="$candidate"
            best_major="$major"
        fi
    done
    [[ -n "$best" ]] ||
        die "no JDK ${MIN_JAVA} or newer found (looked at ES_JAVA_HOME, /usr/lib/jvm/*, JAVA_HOME, java on PATH). Install one (scripts/system-deps.sh tries) or set ES_JAVA_HOME."
    printf '%s\n' "$best"
}

# --- who runs the server -----------------------------------------------------------------
if [[ $EUID -eq 0 ]]; then
    SERVICE_USER=elasticsearch
else
    SERVICE_USER="$(id -un)"
fi

ensure_service_user() {
    [[ $EUID -eq 0 ]] || return 0
    id -u "$SERVICE_USER" >/dev/null 2>&1 && return 0
    say "creating system user '$SERVICE_USER' (Elasticsearch refuses to run as root)"
    useradd --system --user-group --no-create-home --home-dir /nonexistent \
        --shell /usr/sbin/nologin "$SERVICE_USER" ||
        die "could not create the '$SERVICE_USER' user; create it yourself: useradd --system --user-group $SERVICE_USER"
}

as_service() {
    if [[ $EUID -eq 0 ]]; then
        runuser -u "$SERVICE_USER" -- "$@"
    else
        "$@"
    fi
}

# Where the unpacked server and node directory live: the repository cache unless, as root,
# the service user cannot reach it.
resolve_base() {
    BASE="$CACHE_DIR"
    if [[ $EUID -eq 0 && -z "${ES_CACHE_DIR:-}" ]] && id -u "$SERVICE_USER" >/dev/null 2>&1; then
        local path="$BASE"
        while [[ ! -e "$path" ]]; do path="$(dirname "$path")"; done
        as_service test -x "$path" 2>/dev/null || BASE="$ROOT_FALLBACK_DIR"
    fi
    ZIP="$CACHE_DIR/elasticsearch-${ES_VERSION}.zip"
    # The node started last (its directory), so that stop and status find it whatever
    # ES_VERSION says.
    RUNNING_FILE="$BASE/running-node"
    ES_HOME="$BASE/elasticsearch-${ES_VERSION}"
    set_node_dir "$BASE/node-${ES_VERSION}"
}

set_node_dir() {
    NODE_DIR="$1"
    PIDFILE="$NODE_DIR/run/elasticsearch.pid"
    LOG="$NODE_DIR/logs/community-archive.log"
    CLI_OUT="$NODE_DIR/run/start.out"
}

# stop and status look at the node started last, if any.
use_running_node() {
    local dir
    dir="$(cat "$RUNNING_FILE" 2>/dev/null || true)"
    if [[ -n "$dir" && -d "$dir" ]]; then
        set_node_dir "$dir"
    fi
}

# --- fetch and unpack --------------------------------------------------------------------
fetch_zip() {
    [[ -s "$ZIP" ]] && return 0
    mvn_copy && return 0
    [[ -z "$VERSION_CHOSEN" ]] || exit 1
    # The default version cannot be fetched now (offline?): use the newest 9.x at hand.
    local found
    found="$( (ls "$CACHE_DIR"/elasticsearch-9.*.zip "$M2_DIR"/9.*/elasticsearch-9.*.zip 2>/dev/null || true) |
        sed -E 's#.*/elasticsearch-(9\.[0-9]+\.[0-9]+)\.zip$#\1#' | sort -uV | tail -n 1)"
    [[ -n "$found" ]] ||
        die "could not fetch Elasticsearch ${ES_VERSION} and no other 9.x is cached in $CACHE_DIR or ~/.m2. Check the network (or proxy settings in ~/.m2/settings.xml)."
    say "using Elasticsearch ${found}, which is already cached, instead (set ES_VERSION to choose)"
    ES_VERSION="$found"
    resolve_base
    [[ -s "$ZIP" ]] || mvn_copy || exit 1
}

mvn_copy() {
    local artifact="org.elasticsearch.distribution.integ-test-zip:elasticsearch:${ES_VERSION}:zip"
    if ! command -v mvn >/dev/null 2>&1; then
        printf 'elasticsearch.sh: %s\n' "Maven (mvn) is needed to fetch Elasticsearch ${ES_VERSION}. Install it: scripts/system-deps.sh (or: sudo apt-get install -y maven)" >&2
        return 1
    fi
    mkdir -p "$CACHE_DIR"
    say "copying $artifact from Maven into $CACHE_DIR"
    local log="$CACHE_DIR/mvn-${ES_VERSION}.log"
    local -a mvn=(mvn -q -B -Dstyle.color=never dependency:copy -Dartifact="$artifact"
        -DoutputDirectory="$CACHE_DIR")
    # Offline first: a version already in ~/.m2 needs no network.
    if ! "${mvn[@]}" -o >"$log" 2>&1; then
        # -U: retry even when an earlier failure is cached in ~/.m2.
        if ! "${mvn[@]}" -U >"$log" 2>&1; then
            printf 'elasticsearch.sh: %s\n' "could not fetch $artifact from Maven Central: $(grep -m1 -oE 'Could not (find|transfer) artifact [^ ]+|[^ ]+ was not found in [^ ]+|Unknown host [^ ]+' "$log" || echo "see the log")" \
                "Check the network (or proxy settings in ~/.m2/settings.xml), or pick a published version with ES_VERSION. Maven's output: $log" >&2
            return 1
        fi
    fi
    rm -f "$log"
    [[ -s "$ZIP" ]] || die "Maven finished but $ZIP is missing"
}


unpack() {
    [[ -x "$ES_HOME/bin/elasticsearch" ]] && return 0
    command -v unzip >/dev/null 2>&1 ||
        die "unzip is needed. Install it: scripts/system-deps.sh (or: sudo apt-get install -y unzip)"
    say "unpacking $(basename "$ZIP") into $BASE"
    mkdir -p "$BASE"
    chmod 755 "$BASE"
    local tmp
    tmp="$(mktemp -d "$BASE/.unpack.XXXXXX")"
    unzip -q "$ZIP" -d "$tmp" || {
        rm -rf "$tmp"
        die "could not unpack $ZIP; remove it and start again to fetch a fresh copy"
    }
    [[ -d "$tmp/elasticsearch-${ES_VERSION}" ]] || {
        rm -rf "$tmp"
        die "$ZIP does not hold elasticsearch-${ES_VERSION}/"
    }
    chmod -R go+rX "$tmp/elasticsearch-${ES_VERSION}"
    rm -rf "$ES_HOME"
    mv "$tmp/elasticsearch-${ES_VERSION}" "$ES_HOME"
    rmdir "$tmp"
}

prepare_node_dir() {
    mkdir -p "$NODE_DIR"
    chmod 755 "$NODE_DIR"
    local d
    for d in config data logs run; do
        mkdir -p "$NODE_DIR/$d"
    done
    if [[ ! -f "$NODE_DIR/config/jvm.options" ]]; then
        cp -R "$ES_HOME/config/." "$NODE_DIR/config/"
    fi
    mkdir -p "$NODE_DIR/config/jvm.options.d"
    if [[ $EUID -eq 0 ]]; then
        for d in config data logs run; do
            if [[ "$(stat -c %U "$NODE_DIR/$d")" != "$SERVICE_USER" ]] ||
                [[ -n "$(find "$NODE_DIR/$d" ! -user "$SERVICE_USER" -print -quit)" ]]; then
                chown -R "$SERVICE_USER": "$NODE_DIR/$d"
            fi
        done
    fi
    as_service tee "$NODE_DIR/config/elasticsearch.yml" >/dev/null <<EOF
# Written by scripts/elasticsearch.sh on every start; edit the script, not this file.
cluster.name: community-archive
node.name: community-archive-dev
discovery.type: single-node
network.host: 127.0.0.1
http.port: $PORT
path.data: $NODE_DIR/data
path.logs: $NODE_DIR/logs
# The integ-test distribution carries x-pack-security; a local dev/test node runs without it.
xpack.security.enabled: false
# A nearly full disk must never turn indices read-only under the tests.
cluster.routing.allocation.disk.threshold_enabled: false
# Tests delete their own indices by prefix (test_<name>_*).
action.destructive_requires_name: false
EOF
}

# --- process state -----------------------------------------------------------------------
server_pid() { # prints the pid of our running server, or fails
    [[ -f "$PIDFILE" ]] || return 1
    local pid
    pid="$(tr -dc '0-9' <"$PIDFILE" 2>/dev/null || true)"
    [[ -n "$pid" && -r "/proc/$pid/cmdline" ]] || return 1
    tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q 'org.elasticsearch' || return 1
    printf '%s\n' "$pid"
}

health() { # prints the cluster status (green, yellow, red) or fails
    curl -fsS -m 3 "$URL/_cluster/health?wait_for_status=yellow&timeout=${1:-1}s" 2>/dev/null |
        grep -oE '"status":"[a-z]+"' | cut -d'"' -f4
}

answers_http() {
    curl -s -o /dev/null -m 2 "$URL/" 2>/dev/null
}

show_log() {
    local f
    for f in "$CLI_OUT" "$LOG"; do
        if [[ -s "$f" ]]; then
            printf -- '--- last lines of %s ---\n' "$f" >&2
            tail -n 40 "$f" >&2 || true
        fi
    done
    printf -- '---\n' >&2
}

wait_healthy() {
    local pid="$1" deadline=$((SECONDS + START_TIMEOUT)) status
    while :; do
        status="$(health 2 || true)"
        if [[ "$status" == green || "$status" == yellow ]]; then
            return 0
        fi
        if [[ ! -d "/proc/$pid" ]]; then
            show_log
            die "Elasticsearch exited while starting (log above)."
        fi
        if ((SECONDS >= deadline)); then
            show_log
            die "Elasticsearch did not reach health yellow within ${START_TIMEOUT}s (log above). Stop it with scripts/elasticsearch.sh stop; raise ES_START_TIMEOUT on a slow machine."
        fi
        sleep 0.5
    done
}

start() {
    local pid
    use_running_node
    if pid="$(server_pid)"; then
        wait_healthy "$pid"
        say "already running on $URL (pid $pid, node: $NODE_DIR)"
        return 0
    fi
    resolve_base
    if answers_http; then
        die "something else already answers on $URL. Stop it, or use another port: ES_PORT=9201 scripts/elasticsearch.sh start (and ELASTICSEARCH_URL=http://127.0.0.1:9201)"
    fi
    local java_home
    java_home="$(find_java_home)"
    ensure_service_user
    resolve_base
    fetch_zip
    unpack
    prepare_node_dir
    rm -f "$PIDFILE"
    : >"$CLI_OUT"
    say "starting Elasticsearch ${ES_VERSION} on $URL (java: $java_home, heap: $HEAP, node: $NODE_DIR)"
    # A clean environment: nothing from the caller (JAVA_TOOL_OPTIONS, JAVA_HOME...) leaks in.
    # 9>&-: the daemon must not inherit the lock held on fd 9.
    if ! (cd "$NODE_DIR" && { ulimit -n 65535 2>/dev/null || true; } && as_service env -i \
        PATH=/usr/local/bin:/usr/bin:/bin \
        HOME="$NODE_DIR" \
        LANG=C.UTF-8 \
        ES_JAVA_HOME="$java_home" \
        ES_PATH_CONF="$NODE_DIR/config" \
        ES_JAVA_OPTS="-Xms$HEAP -Xmx$HEAP" \
        "$ES_HOME/bin/elasticsearch" -d -p "$PIDFILE") >>"$CLI_OUT" 2>&1 9>&-; then
        show_log
        die "Elasticsearch did not start (log above)."
    fi
    printf '%s\n' "$NODE_DIR" >"$RUNNING_FILE"
    local deadline=$((SECONDS + 30))
    until pid="$(server_pid)"; do
        if ((SECONDS >= deadline)); then
            show_log
            die "Elasticsearch started but wrote no pid file to $PIDFILE (log above)."
        fi
        sleep 0.2
    done
    wait_healthy "$pid"
    say "ready: $URL (pid $pid, health $(health 1 || echo unknown))"
}

stop() {
    local pid
    if ! pid="$(server_pid)"; then
        say "not running"
        rm -f "$PIDFILE"
        return 0
    fi
    say "stopping Elasticsearch (pid $pid)"
    kill -TERM "$pid" 2>/dev/null || true
    local deadline=$((SECONDS + STOP_TIMEOUT))
    while [[ -d "/proc/$pid" ]]; do
        if ((SECONDS >= deadline)); then
            say "still running after ${STOP_TIMEOUT}s; killing it (pid $pid)"
            kill -KILL "$pid" 2>/dev/null || true
            sleep 0.5
            break
        fi
        sleep 0.2
    done
    rm -f "$PIDFILE"
}

status() {
    local pid state
    if pid="$(server_pid)"; then
        state="$(health 1 || true)"
        if [[ -n "$state" ]]; then
            say "running on $URL (pid $pid, health $state, node: $NODE_DIR)"
            return 0
        fi
        say "process $pid runs but $URL does not answer with health yellow/green yet"
        return 3
    fi
    say "not running; start it with: scripts/elasticsearch.sh start"
    return 3
}

# Serialise start/stop so that two test runs starting at once do not race.
with_lock() {
    mkdir -p "$BASE"
    local lockfile="$BASE/.lock"
    exec 9>>"$lockfile"
    flock -w 300 9 || die "another elasticsearch.sh holds $lockfile for over 300s"
    "$@"
}

[[ $# -eq 1 ]] || usage
case "$1" in
    url) printf '%s\n' "$URL" ;;
    java-home) find_java_home ;;
    start)
        resolve_base
        with_lock start
        ;;
    stop)
        resolve_base
        use_running_node
        with_lock stop
        ;;
    status)
        resolve_base
        use_running_node
        status
        ;;
    *) usage ;;
esac

#!/usr/bin/env bash
# Installs the Debian packages that the tests and the local services need, when missing.
#
#   scripts/system-deps.sh          check, and install what is missing (root), or print the
#                                   apt-get command to run and exit 1 (not root)
#   scripts/system-deps.sh --check  only check: exit 0 when all is present, 1 otherwise
#
# What and why:
#   espeak-ng, sox        synthesise real speech for the transcription tests
#   ffmpeg                decode/convert media in test fixtures
#   chromium, chromium-driver   headless browser tests (selenium)
#   postgresql            the database the test suite runs on (scripts/postgres.sh)
#   maven, unzip, curl    fetch, unpack and probe Elasticsearch (scripts/elasticsearch.sh)
#   python3-venv          `python3 -m venv` for the project's virtual environment
#   a JDK 21 or newer     Elasticsearch 9 runs on it. Any JDK >= 21 already on the machine
#                         (ES_JAVA_HOME, /usr/lib/jvm/*, JAVA_HOME, PATH) will do; otherwise
#                         the first Debian package with an install candidate among
#                         openjdk-25/21-jre-headless and temurin-25/21-jdk is installed.
#
# Idempotent and quick when everything is there: it asks dpkg first and only runs
# `apt-get update` and `apt-get install` when something is missing.
set -euo pipefail

SCRIPTS_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CHECK_ONLY=0
case "${1:-}" in
    "") ;;
    --check) CHECK_ONLY=1 ;;
    *)
        echo "usage: scripts/system-deps.sh [--check]" >&2
        exit 2
        ;;
esac

say() { printf 'system-deps.sh: %s\n' "$*"; }
die() {
    printf 'system-deps.sh: %s\n' "$*" >&2
    exit 1
}

command -v dpkg-query >/dev/null 2>&1 ||
    die "this script knows Debian/Ubuntu (dpkg, apt-get) only. Install by hand: espeak-ng sox ffmpeg chromium + chromedriver, PostgreSQL server, Maven, unzip, curl, a JDK 21+."

PACKAGES=(espeak-ng sox ffmpeg chromium chromium-driver postgresql maven unzip curl python3-venv)
JDK_PACKAGES=(openjdk-25-jre-headless openjdk-21-jre-headless temurin-25-jdk temurin-21-jdk)

installed() {
    [[ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null || true)" == installed ]]
}

have_jdk() {
    "$SCRIPTS_DIR/elasticsearch.sh" java-home >/dev/null 2>&1
}

missing=()
for pkg in "${PACKAGES[@]}"; do
    installed "$pkg" || missing+=("$pkg")
done
need_jdk=0
have_jdk || need_jdk=1

if [[ ${#missing[@]} -eq 0 && $need_jdk -eq 0 ]]; then
    say "all present (JDK for Elasticsearch: $("$SCRIPTS_DIR/elasticsearch.sh" java-home))"
    exit 0
fi

if [[ $need_jdk -eq 1 ]]; then
    say "no JDK 21 or newer found"
fi
if [[ ${#missing[@]} -gt 0 ]]; then
    say "missing: ${missing[*]}"
fi

if [[ $CHECK_ONLY -eq 1 ]]; then
    exit 1
fi

if [[ $EUID -ne 0 ]]; then
    if [[ ${#missing[@]} -gt 0 ]]; then
        say "run as root:  sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing[*]}"
    fi
    if [[ $need_jdk -eq 1 ]]; then
        say "and install a JDK 21 or newer: openjdk-21-jre-headless where your release has it, temurin-21-jdk from Adoptium's apt repository, or any JDK 21+ with ES_JAVA_HOME pointing at it (running this script as root tries the packages)"
    fi
    exit 1
fi

export DEBIAN_FRONTEND=noninteractive
say "apt-get update"
apt-get update -qq || die "apt-get update failed (network or apt sources?); fix it and run this script again"

if [[ $need_jdk -eq 1 ]]; then
    jdk_pkg=""
    for pkg in "${JDK_PACKAGES[@]}"; do
        candidate="$(apt-cache policy "$pkg" 2>/dev/null | awk '/Candidate:/ {print $2}')"
        if [[ -n "$candidate" && "$candidate" != "(none)" ]]; then
            jdk_pkg="$pkg"
            break
        fi
    done
    [[ -n "$jdk_pkg" ]] ||
        die "Elasticsearch 9 needs a JDK 21 or newer and none of ${JDK_PACKAGES[*]} can be installed from the configured apt sources (Debian 12 ships only 17). Add Adoptium's repository (https://adoptium.net/installation/linux/) and run this again, or unpack a JDK 21+ and set ES_JAVA_HOME to it."
    missing+=("$jdk_pkg")
fi

say "apt-get install ${missing[*]}"
apt-get install -y -qq --no-install-recommends "${missing[@]}" ||
    die "apt-get install failed (see above); fix it and run this script again"

# Debian's postgresql package creates and starts a "main" cluster on port 5432, which is the
# port scripts/postgres.sh uses for the project's own cluster. A cluster created by this very
# install holds nothing yet: stop it and keep it from starting at boot.
if [[ " ${missing[*]} " == *" postgresql "* ]] && command -v pg_lsclusters >/dev/null 2>&1; then
    while read -r version name port state _; do
        [[ "$port" == "${ARCHIVE_PG_PORT:-5432}" ]] || continue
        say "stopping the new Debian cluster $version/$name on port $port (scripts/postgres.sh runs the project's own cluster there); start.conf set to manual"
        if [[ "$state" == online ]]; then
            pg_ctlcluster "$version" "$name" stop || true
        fi
        echo manual >"/etc/postgresql/$version/$name/start.conf"
    done < <(pg_lsclusters --no-header 2>/dev/null || true)
fi

have_jdk || die "installed ${missing[*]} but still no JDK 21 or newer is found; set ES_JAVA_HOME"
say "done (JDK for Elasticsearch: $("$SCRIPTS_DIR/elasticsearch.sh" java-home))"

#!/usr/bin/env bash
# What the test suite needs beyond Python packages, installed and started where missing:
#   - the Debian packages of tests/debian-packages.txt (chromium, WordPress, MariaDB, PHP, phpcs,
#     gettext), python3.11 with venv, and make;
#   - a PostgreSQL server on 127.0.0.1:5432 that trusts local TCP connections, with the role
#     `postgres` and a database `test` (postgresql://postgres@127.0.0.1:5432/test), unless
#     RELIABILITY_TEST_POSTGRES names another server for the tests.
# `make test` runs this first (and .ci/run runs `make test`). What is already there is left as it
# is, so a second run does nothing. Installing needs root (apt-get): without it, this says so in one
# line and exits 3, and nothing is skipped.
set -euo pipefail
cd "$(dirname "$0")/.."

export DEBIAN_FRONTEND=noninteractive
PG_HOST=127.0.0.1
PG_PORT=5432
EXIT_NEEDS_ROOT=3

say() { echo "system-deps: $*" >&2; }

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }

pg_answers() { command -v pg_isready >/dev/null && pg_isready -q -h "$PG_HOST" -p "$PG_PORT"; }

# The tests connect as postgres without a password (-w: never prompt; CI has no stdin).
pg_trusts() { psql -w -h "$PG_HOST" -p "$PG_PORT" -U postgres -d postgres -tAc "SELECT 1" >/dev/null 2>&1; }

own_postgres=1
[ -z "${RELIABILITY_TEST_POSTGRES:-}" ] || own_postgres=""

missing=()
# Debian's python3.11 comes without venv (ensurepip) unless python3.11-venv is installed.
python3.11 -c "import ensurepip, venv" >/dev/null 2>&1 || missing+=(python3.11 python3.11-venv)
command -v make >/dev/null || missing+=(make)
while read -r package _; do
    case "$package" in "" | "#"*) continue ;; esac
    installed "$package" || missing+=("$package")
done < tests/debian-packages.txt
if [ -n "$own_postgres" ] && ! pg_answers \
    && ! { command -v pg_ctlcluster >/dev/null && [ -n "$(ls /usr/lib/postgresql 2>/dev/null)" ]; }; then
    missing+=(postgresql)
fi
if [ -n "$own_postgres" ] && ! command -v psql >/dev/null; then
    missing+=(postgresql-client)
fi

need_root() {
    if [ "$(id -u)" != 0 ]; then
        say "$1 needs root: run \`sudo ${2}\` (or \`make test\` as root), then \`make test\` again"
        exit "$EXIT_NEEDS_ROOT"
    fi
}

if [ "${#missing[@]}" -gt 0 ]; then
    command -v apt-get >/dev/null || {
        say "missing ${missing[*]} (Debian package names) and no apt-get here: install them, then \`make test\` again"
        exit "$EXIT_NEEDS_ROOT"
    }
    need_root "installing ${missing[*]}" "apt-get update && sudo apt-get install -y --no-install-recommends ${missing[*]}"
    started=$SECONDS
    say "installing ${missing[*]} (Debian packages)"
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/tmp/system-deps-apt.log 2>&1 || {
        cat /tmp/system-deps-apt.log >&2
        exit 1
    }
    say "installed in $((SECONDS - started)) s"
fi

# Debian's cluster layout: /etc/postgresql/VERSION/main, run with pg_ctlcluster (postgresql-common).
start_postgres() {
    need_root "starting PostgreSQL on $PG_HOST:$PG_PORT" "tests/system-deps.sh"
    say "PostgreSQL on $PG_HOST:$PG_PORT does not answer or asks for a password; setting it up (cluster, trust)"
    local version conf
    version=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
    [ -d "/etc/postgresql/$version/main" ] || pg_createcluster --port "$PG_PORT" "$version" main >/dev/null
    conf=/etc/postgresql/$version/main
    # Trust local TCP connections (the first matching line wins, so these go on top).
    if ! grep -q "^host all all 127.0.0.1/32 trust" "$conf/pg_hba.conf"; then
        sed -i '1i host all all 127.0.0.1/32 trust\nhost all all ::1/128 trust' "$conf/pg_hba.conf"
    fi
    pg_conftool "$version" main set port "$PG_PORT"
    pg_conftool "$version" main set listen_addresses localhost
    if pg_ctlcluster "$version" main status >/dev/null 2>&1; then
        pg_ctlcluster "$version" main restart
    else
        pg_ctlcluster "$version" main start
    fi
    for _ in $(seq 1 30); do
        pg_answers && pg_trusts && return 0
        sleep 1
    done
    say "PostgreSQL $version did not start on $PG_HOST:$PG_PORT"
    exit 1
}

[ -n "$own_postgres" ] || exit 0
# Debian's postinst starts a fresh cluster that asks TCP clients for a password: trust is set up then.
{ pg_answers && pg_trusts; } || start_postgres

# The database `test`, created if missing.
if [ "$(psql -w -h "$PG_HOST" -p "$PG_PORT" -U postgres -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'test'")" != 1 ]; then
    createdb -w -h "$PG_HOST" -p "$PG_PORT" -U postgres test
fi

# shellcheck shell=bash
#
# System prerequisites of the test suite: Debian `chromium` for the Playwright
# e2e tests and a throwaway PostgreSQL cluster for the database tests.
# Sourced by scripts/test.sh and .ci/run (after scripts/bootstrap.sh).

assay_can_apt() {
  [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1
}

assay_apt_install() {
  assay_can_apt || return 1
  assay_log "apt-get install -y $*"
  if [ -z "${ASSAY_APT_UPDATED:-}" ]; then
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2 || true
    ASSAY_APT_UPDATED=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >&2
}

# Compilers for native modules that build from source (better-sqlite3).
assay_ensure_build_tools() {
  local missing=()
  command -v python3 >/dev/null 2>&1 || missing+=(python3)
  command -v make >/dev/null 2>&1 || missing+=(make)
  command -v g++ >/dev/null 2>&1 || missing+=(g++)
  [ "${#missing[@]}" = 0 ] && return 0
  assay_apt_install "${missing[@]}" ||
    assay_die "Missing ${missing[*]}, needed to build better-sqlite3. Install them (Debian/Ubuntu: sudo apt-get install -y build-essential python3)."
}

# The browser Playwright drives: $ASSAY_CHROMIUM, else Debian's chromium.
assay_ensure_chromium() {
  export ASSAY_CHROMIUM="${ASSAY_CHROMIUM:-/usr/bin/chromium}"
  if [ -x "$ASSAY_CHROMIUM" ]; then
    return 0
  fi
  assay_apt_install chromium ||
    assay_die "No Chromium at $ASSAY_CHROMIUM. Install it (Debian/Ubuntu: sudo apt-get install -y chromium) or set ASSAY_CHROMIUM to a Chromium/Chrome binary."
  [ -x "$ASSAY_CHROMIUM" ] || assay_die "chromium is installed but not at $ASSAY_CHROMIUM; set ASSAY_CHROMIUM."
}

# Prometheus server for the delivery-backend integration test (the test
# starts it itself on a free port with a temp data dir).
assay_ensure_prometheus() {
  export ASSAY_PROMETHEUS_BIN="${ASSAY_PROMETHEUS_BIN:-/usr/bin/prometheus}"
  if [ -x "$ASSAY_PROMETHEUS_BIN" ]; then
    return 0
  fi
  assay_apt_install prometheus ||
    assay_die "No Prometheus at $ASSAY_PROMETHEUS_BIN. Install it (Debian/Ubuntu: sudo apt-get install -y prometheus) or set ASSAY_PROMETHEUS_BIN to a prometheus server binary."
  [ -x "$ASSAY_PROMETHEUS_BIN" ] || assay_die "prometheus is installed but not at $ASSAY_PROMETHEUS_BIN; set ASSAY_PROMETHEUS_BIN."
}

# What the onboarding template's tests run the generated service with:
# promtool (alert rules), Python with prometheus_client + pytest (the
# generated Python service's own tests) and unshare (SIGTERM as PID 1).
assay_ensure_onboarding_tools() {
  local need=()
  command -v promtool >/dev/null 2>&1 || need+=(prometheus)
  /usr/bin/python3 -c 'import prometheus_client' >/dev/null 2>&1 || need+=(python3-prometheus-client)
  /usr/bin/python3 -c 'import pytest' >/dev/null 2>&1 || need+=(python3-pytest)
  command -v unshare >/dev/null 2>&1 || need+=(util-linux)
  [ "${#need[@]}" -eq 0 ] && return 0
  assay_apt_install "${need[@]}" ||
    assay_die "Missing ${need[*]} for the onboarding template's tests. Install them (Debian/Ubuntu: sudo apt-get install -y ${need[*]})."
}

# A directory holding initdb and pg_ctl: from PATH, else Debian's newest
# /usr/lib/postgresql/<version>/bin.
assay_pg_bindir() {
  local d
  if command -v pg_ctl >/dev/null 2>&1; then
    d="$(dirname "$(readlink -f "$(command -v pg_ctl)")")"
    if [ -x "$d/initdb" ]; then
      echo "$d"
      return 0
    fi
  fi
  d="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
  if [ -n "$d" ] && [ -x "$d/pg_ctl" ] && [ -x "$d/initdb" ]; then
    echo "$d"
  fi
}

assay_ensure_postgres_binaries() {
  if [ -z "$(assay_pg_bindir)" ]; then
    assay_apt_install postgresql ||
      assay_die "PostgreSQL is needed for the database tests. Install it (Debian/Ubuntu: sudo apt-get install -y postgresql), or point BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING at a server you own (e.g. postgresql://postgres:secret@localhost:5432)."
  fi
}

# Starts a PostgreSQL cluster in a temporary directory (trust auth, superuser
# `postgres`, first free port from $ASSAY_PG_PORT, default 5433), exports
# BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING, and stops and removes
# the cluster when the shell exits.
assay_start_postgres() {
  assay_ensure_postgres_binaries
  local bindir port dir run
  bindir="$(assay_pg_bindir)"
  port="${ASSAY_PG_PORT:-5433}"
  while (: </dev/tcp/127.0.0.1/"$port") 2>/dev/null; do
    port=$((port + 1))
  done
  dir="$(mktemp -d "${TMPDIR:-/tmp}/assay-pg.XXXXXX")"
  if [ "$(id -u)" = 0 ]; then
    # initdb refuses to run as root: run the cluster as the `postgres` user.
    id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
    chown postgres "$dir"
    run() { (cd / && runuser -u postgres -- "$@"); }
  else
    run() { "$@"; }
  fi
  assay_log "starting PostgreSQL ($bindir) on port $port in $dir"
  run "$bindir/initdb" -D "$dir/data" -U postgres --auth=trust \
    --no-sync >"$dir/initdb.log" 2>&1 ||
    { cat "$dir/initdb.log" >&2; assay_die "initdb failed"; }
  run "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
    -o "-p $port -k $dir -c listen_addresses=localhost -c fsync=off -c max_connections=200" \
    start >/dev/null ||
    { cat "$dir/server.log" >&2; assay_die "PostgreSQL did not start"; }
  ASSAY_PG_DIR="$dir"
  ASSAY_PG_BINDIR="$bindir"
  export BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING="postgresql://postgres@localhost:$port"
  trap assay_stop_postgres EXIT
}

assay_stop_postgres() {
  if [ -n "${ASSAY_PG_DIR:-}" ] && [ -d "$ASSAY_PG_DIR/data" ]; then
    if [ "$(id -u)" = 0 ]; then
      (cd / && runuser -u postgres -- "$ASSAY_PG_BINDIR/pg_ctl" -D "$ASSAY_PG_DIR/data" -m fast stop >/dev/null 2>&1) || true
    else
      "$ASSAY_PG_BINDIR/pg_ctl" -D "$ASSAY_PG_DIR/data" -m fast stop >/dev/null 2>&1 || true
    fi
    rm -rf "$ASSAY_PG_DIR"
    ASSAY_PG_DIR=
  fi
}

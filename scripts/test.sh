#!/usr/bin/env bash
# Installs the dependencies and runs the whole Assay test suite:
#   yarn install --immutable, tsc, lint:all, prettier:check,
#   test:all (unit + database tests on SQLite and PostgreSQL),
#   test:reliability (two evidence processes on PostgreSQL, one killed), build:all,
#   test:e2e (Playwright in Chromium).
#
# Prerequisites it takes care of (as root on Debian/Ubuntu it installs what is
# missing with apt-get; otherwise it tells you what to install):
#   - Node 22+ and yarn: see scripts/bootstrap.sh
#   - chromium (or ASSAY_CHROMIUM=/path/to/chrome)
#   - PostgreSQL: a throwaway cluster is started unless
#     BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING is already set.
# ASSAY_TEST_KEEP_GOING=1 runs every step even after a failure.
# Single steps: run the yarn scripts directly (see README).
set -euo pipefail
# shellcheck source=scripts/bootstrap.sh
source "$(dirname "${BASH_SOURCE[0]}")/bootstrap.sh"
# shellcheck source=scripts/prerequisites.sh
source "$ASSAY_ROOT/scripts/prerequisites.sh"
cd "$ASSAY_ROOT"

assay_ensure_build_tools
assay_ensure_chromium
assay_ensure_prometheus
assay_ensure_onboarding_tools
if [ -z "${BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING:-}" ]; then
  assay_start_postgres
fi
assay_log "PostgreSQL for tests: $BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING"

SUMMARY=()
FAILED=()
summary() {
  printf '  %s\n' "${SUMMARY[@]}" >&2
}
# Runs one step and records its time. A failing step stops the run, unless
# ASSAY_TEST_KEEP_GOING=1: then the remaining steps run too and the script
# fails at the end.
step() {
  local name="$1" start took status=0
  shift
  assay_log "── $name: $*"
  start=$(date +%s)
  "$@" || status=$?
  took=$(($(date +%s) - start))
  if [ "$status" = 0 ]; then
    SUMMARY+=("$(printf 'ok    %-10s %5ss' "$name" "$took")")
  else
    SUMMARY+=("$(printf 'FAIL  %-10s %5ss' "$name" "$took")")
    FAILED+=("$name")
    if [ -z "${ASSAY_TEST_KEEP_GOING:-}" ] || [ "$name" = install ]; then
      assay_log "$name failed"
      summary
      exit "$status"
    fi
  fi
}

TOTAL_START=$(date +%s)
step install yarn install --immutable
step tsc yarn tsc
step lint yarn lint:all
step prettier yarn prettier:check
step unit+db yarn test:all
step reliability yarn test:reliability
step build yarn build:all
step e2e yarn test:e2e

TOTAL=$(($(date +%s) - TOTAL_START))
if [ "${#FAILED[@]}" -gt 0 ]; then
  assay_log "failed: ${FAILED[*]} (${TOTAL}s)"
  summary
  exit 1
fi
assay_log "all tests passed in ${TOTAL}s"
summary

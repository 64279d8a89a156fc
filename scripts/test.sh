#!/usr/bin/env bash
# Installs the dependencies and runs the whole Assay test suite:
#   yarn install --immutable, tsc, lint:all, prettier:check,
#   test:all (unit + database tests on SQLite and PostgreSQL), build:all,
#   test:e2e (Playwright in Chromium).
#
# Prerequisites it takes care of (as root on Debian/Ubuntu it installs what is
# missing with apt-get; otherwise it tells you what to install):
#   - Node 22+ and yarn: see scripts/bootstrap.sh
#   - chromium (or ASSAY_CHROMIUM=/path/to/chrome)
#   - PostgreSQL: a throwaway cluster is started unless
#     BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING is already set.
# Extra arguments are not accepted; run single steps with yarn (see README).
set -euo pipefail
# shellcheck source=scripts/bootstrap.sh
source "$(dirname "${BASH_SOURCE[0]}")/bootstrap.sh"
# shellcheck source=scripts/prerequisites.sh
source "$ASSAY_ROOT/scripts/prerequisites.sh"
cd "$ASSAY_ROOT"

assay_ensure_chromium
if [ -z "${BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING:-}" ]; then
  assay_start_postgres
fi
assay_log "PostgreSQL for tests: $BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING"

SUMMARY=()
step() {
  local name="$1" start
  shift
  assay_log "── $name: $*"
  start=$(date +%s)
  "$@"
  SUMMARY+=("$(printf '%-16s %4ss' "$name" "$(($(date +%s) - start))")")
}

TOTAL_START=$(date +%s)
step install yarn install --immutable
step tsc yarn tsc
step lint yarn lint:all
step prettier yarn prettier:check
step unit+db yarn test:all
step build yarn build:all
step e2e yarn test:e2e

assay_log "all tests passed in $(($(date +%s) - TOTAL_START))s"
printf '  %s\n' "${SUMMARY[@]}" >&2

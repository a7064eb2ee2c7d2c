#!/usr/bin/env bash
# Installs code-server 4.100.3 (VS Code 1.100.3, the last release for Node 20) into .e2e/code-server,
# in its own folder with its own lockfile, for the end-to-end test (test/e2e/extension.e2e.test.ts).
# Offline fixes from ../shared/notes/vscode-e2e.md: @vscode/ripgrep's download is seeded from
# Debian's rg; argon2 builds from source on its own; kerberos needs libkrb5-dev + pkg-config.
set -euo pipefail
cd "$(dirname "$0")/.."
DIR=.e2e/code-server
VERSION=4.100.3
BIN="$DIR/node_modules/.bin/code-server"

if [ -x "$BIN" ] && grep -q "\"version\": \"$VERSION\"" "$DIR/node_modules/code-server/package.json" 2>/dev/null; then
  echo "e2e-setup: code-server $VERSION already in $DIR"
  exit 0
fi

missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v rg >/dev/null 2>&1 || missing+=(ripgrep)
command -v pkg-config >/dev/null 2>&1 || missing+=(pkg-config)
dpkg -s libkrb5-dev >/dev/null 2>&1 || missing+=(libkrb5-dev)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "e2e-setup: apt-get install ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "e2e-setup: missing ${missing[*]} (apt-get install -y chromium libkrb5-dev pkg-config ripgrep)" >&2
    exit 1
  fi
fi

# Seed @vscode/ripgrep's cache so its postinstall does not reach GitHub.
TMP="${TMPDIR:-/tmp}"
CACHE="$TMP/vscode-ripgrep-cache-1.15.11"
TGZ="$CACHE/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz"
if [ ! -f "$TGZ" ]; then
  mkdir -p "$CACHE"
  RG="$(command -v rg)"
  tar -czf "$TGZ" -C "$(dirname "$RG")" "$(basename "$RG")"
fi

mkdir -p "$DIR"
cat > "$DIR/package.json" <<JSON
{ "name": "grok-e2e-code-server", "private": true, "description": "code-server for Grok's end-to-end test" }
JSON
start=$(date +%s)
( cd "$DIR" && npm_config_unsafe_perm=true npm_config_yes=true \
    npm install --no-audit --no-fund --loglevel=error "code-server@$VERSION" )
echo "e2e-setup: code-server $VERSION installed in $DIR in $(( $(date +%s) - start ))s"

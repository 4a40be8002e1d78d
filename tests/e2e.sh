#!/usr/bin/env bash
# Browser end-to-end: starts a fresh local site with demo data on a free
# loopback port, drives the Custom UI in headless Chromium, stops the site.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x /usr/bin/chromium ]; then
  echo "e2e: installing Debian's chromium (headless browser for the UI test)"
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq && $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi

state=$(mktemp -d)
log="$state/aigis.log"
cleanup() { [ -n "${pid:-}" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$state"; }
trap cleanup EXIT

target/debug/aigis --state-dir "$state" --components-dir target/wasm32-wasip2/wasm up --demo --port 0 >"$log" 2>&1 &
pid=$!
url=""
for _ in $(seq 1 120); do
  url=$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$log" | head -1 || true)
  [ -n "$url" ] && break
  kill -0 "$pid" 2>/dev/null || { cat "$log"; echo "e2e: aigis exited"; exit 1; }
  sleep 0.5
done
[ -n "$url" ] || { cat "$log"; echo "e2e: aigis did not start"; exit 1; }
echo "e2e: site at $url"
# Warm up: the first invocation compiles the components (cached afterwards),
# so the browser's first clicks don't race the compiler.
for key in whoami catalog.list; do
  curl -sf -u ada@aigis.example:demo-ada-token -X POST "$url/api/invoke/$key" -d '{}' >/dev/null
done
AIGIS_URL="$url" node frontend/tests/e2e.mjs

# The local Jira-like site: the modules framed by the shell through the
# bridge emulation (tests/e2e/, each flow file starts its own fresh site).
kill "$pid" 2>/dev/null || true
wait "$pid" 2>/dev/null || true
pid=""
(cd tests/e2e && (test -d node_modules || npm ci --no-audit --no-fund) && npm test)

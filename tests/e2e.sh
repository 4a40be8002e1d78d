#!/usr/bin/env bash
# Browser end-to-end: the local Jira-like site (the shell framing each module
# through the bridge emulation), driven in headless Chromium by tests/e2e/.
# Each flow file starts its own fresh `aigis up --demo` on a free loopback port.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x /usr/bin/chromium ]; then
  echo "e2e: installing Debian's chromium (headless browser for the UI test)"
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq && $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi

(cd tests/e2e && (test -d node_modules || npm ci --no-audit --no-fund) && npm test)

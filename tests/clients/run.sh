#!/usr/bin/env bash
# The Python `jira` client, unmodified, against the Jira simulator on loopback.
# Usage: tests/clients/run.sh PATH-TO-serve-EXAMPLE
# Installs tests/clients/requirements.txt into target/clients/venv (once per
# version of that file), then runs test_python_jira.py, which starts the
# simulator itself.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
serve="${1:?usage: run.sh PATH-TO-serve}"
venv="$root/target/clients/venv"
stamp="$venv/.requirements.sha256"
want="$(sha256sum "$here/requirements.txt" | cut -d' ' -f1)"
if [[ ! -x "$venv/bin/python" || "$(cat "$stamp" 2>/dev/null)" != "$want" ]]; then
    rm -rf "$venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check --no-deps -r "$here/requirements.txt"
    "$venv/bin/pip" check
    echo "$want" > "$stamp"
fi
serve="$(cd "$(dirname "$serve")" && pwd)/$(basename "$serve")"
cd "$here"
AIGIS_JIRA_SIM_SERVE="$serve" "$venv/bin/python" -B -m unittest -v test_python_jira

#!/usr/bin/env bash
# Well-known client libraries, unmodified, against the simulators on loopback:
# the Python `jira` client against the Jira simulator, the official Okta SDK
# (PyPI `okta`) against the Okta simulator, the official Microsoft Graph SDK
# (PyPI `msgraph-sdk` + `azure-identity`) against the Graph simulator over TLS.
# Usage: tests/clients/run.sh JIRA-serve OKTA-serve GRAPH-serve
# Installs each requirements file into its own venv under target/clients
# (once per version of that file), then runs the tests, which start the
# simulators themselves.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
jira_serve="${1:?usage: run.sh JIRA-serve OKTA-serve GRAPH-serve}"
okta_serve="${2:?usage: run.sh JIRA-serve OKTA-serve GRAPH-serve}"
graph_serve="${3:?usage: run.sh JIRA-serve OKTA-serve GRAPH-serve}"

venv_for() { # venv_for NAME REQUIREMENTS-FILE -> prints the venv's python
    local venv="$root/target/clients/$1" req="$here/$2"
    local stamp="$venv/.requirements.sha256" want
    want="$(sha256sum "$req" | cut -d' ' -f1)"
    if [[ ! -x "$venv/bin/python" || "$(cat "$stamp" 2>/dev/null)" != "$want" ]]; then
        rm -rf "$venv"
        python3 -m venv "$venv"
        "$venv/bin/pip" install --quiet --disable-pip-version-check --no-deps -r "$req" >&2
        "$venv/bin/pip" check >&2
        echo "$want" > "$stamp"
    fi
    echo "$venv/bin/python"
}
abs() { echo "$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"; }

jira_py="$(venv_for venv requirements.txt)"
idp_py="$(venv_for venv-idp requirements-idp.txt)"
jira_serve="$(abs "$jira_serve")"
okta_serve="$(abs "$okta_serve")"
graph_serve="$(abs "$graph_serve")"
cd "$here"
AIGIS_JIRA_SIM_SERVE="$jira_serve" "$jira_py" -B -m unittest -v test_python_jira
AIGIS_OKTA_SIM_SERVE="$okta_serve" "$idp_py" -B -m unittest -v test_python_okta
AIGIS_GRAPH_SIM_SERVE="$graph_serve" "$idp_py" -B -W ignore::DeprecationWarning -m unittest -v test_python_graph

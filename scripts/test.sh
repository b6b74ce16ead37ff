#!/usr/bin/env bash
# Install everything the tests need and run them all: the Python test extras into .venv, and
# Debian's PostgreSQL server and Chromium where they are missing. The tests start their own
# throwaway PostgreSQL server and drive the real dashboard in Chromium.
# Extra arguments go to pytest (for example -k estimates).
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || missing+=(postgresql)
command -v chromium >/dev/null || missing+=(chromium)
if ((${#missing[@]})); then
    echo "Installing ${missing[*]} from Debian's packages..."
    as_root=()
    [ "$(id -u)" = 0 ] || as_root=(sudo)
    "${as_root[@]}" apt-get update -qq
    "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e ".[test]"

.venv/bin/ruff check .
status=0
.venv/bin/pytest "$@" || status=$?
if [ "$status" = 5 ]; then
    echo "pytest collected no tests: that is a failure, not a pass" >&2
    exit 1
fi
exit "$status"

#!/usr/bin/env bash
# Install the tracker into .venv and start the dashboard on the embedded SQLite database
# (tracker.db here), which is created and loaded with the seed data on the first run.
# Extra arguments go to `tracker dashboard` (for example --port 8600).
set -euo pipefail
cd "$(dirname "$0")/.."

[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e .
exec .venv/bin/tracker dashboard "$@"

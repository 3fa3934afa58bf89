#!/usr/bin/env bash
# Install the cockpit into .venv/, build the demo city when there is no data yet, and serve it
# at http://127.0.0.1:8050 (set HOST=0.0.0.0 to serve the whole network, PORT to move it).
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/_venv.sh"
.venv/bin/cockpit demo --if-missing
exec .venv/bin/cockpit serve --host "${HOST:-127.0.0.1}" --port "${PORT:-8050}"

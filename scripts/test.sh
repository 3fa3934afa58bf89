#!/usr/bin/env bash
# Install the test dependencies (Chromium and a CJK font for the browser tests included) and
# run the whole test suite. Extra arguments go to pytest.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/_venv.sh" test
apt_install chromium chromium-driver fonts-wqy-microhei
exec .venv/bin/python -m pytest "$@"

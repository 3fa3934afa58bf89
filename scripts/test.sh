#!/usr/bin/env bash
# Install the test dependencies (Chromium and a CJK font for the browser tests, PostgreSQL for the
# state store's tests, which start a throw-away cluster of their own) and run the whole test suite.
# Extra arguments go to pytest.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/_venv.sh" test
apt_install chromium chromium-driver fonts-wqy-microhei postgresql
# The state tests run on SQLite and on PostgreSQL; here a missing PostgreSQL fails them instead of
# skipping them, so CI can never pass without having run them.
export COCKPIT_TEST_REQUIRE_POSTGRES=1
exec .venv/bin/python -m pytest "$@"

#!/usr/bin/env bash
# Rebuild the vendored front-end bundles from the npm registry (package-lock.json pins every
# package): assets/_vendor/plotly/plotly-cockpit.min.js and
# assets/_vendor/deckgl/deckgl-cockpit-<version>.min.js. Needs Node.js 20+ and npm; the app and its
# tests do not (the outputs are committed). After changing a deck.gl version, delete the old bundle.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
npm ci --no-audit --no-fund
node build.mjs

#!/usr/bin/env bash
# `npm test`: every test, from a fresh machine. Installs what is missing (npm packages, Debian's Chromium),
# then typecheck, lint, vitest (unit + integration on real Postgres), production build, Playwright e2e.
set -euo pipefail
cd "$(dirname "$0")/.."
export NEXT_TELEMETRY_DISABLED=1

if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "== Installing dependencies (npm ci)"
  npm ci --no-audit --no-fund
fi

CHROMIUM="${CHROMIUM_PATH:-/usr/bin/chromium}"
if [ ! -x "$CHROMIUM" ]; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
    echo "== Installing Debian's chromium for the browser tests"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "error: Chromium is missing at $CHROMIUM. Install it with 'sudo apt-get install -y chromium' (Debian/Ubuntu), or set CHROMIUM_PATH." >&2
    exit 1
  fi
fi

rm -rf .data/reports && mkdir -p .data/reports
echo "== Typecheck"
node_modules/.bin/tsc --noEmit
echo "== Lint"
node_modules/.bin/eslint . --max-warnings=0
# A failing suite does not stop the other: the summary line counts both and sets the exit code.
echo "== Unit and integration tests (vitest, real Postgres)"
node_modules/.bin/vitest run --reporter=default --reporter=json --outputFile.json=.data/reports/vitest.json || true
echo "== Production build"
rm -rf .next
node_modules/.bin/next build
echo "== End-to-end tests (Playwright, Chromium)"
PLAYWRIGHT_JSON_OUTPUT_NAME=.data/reports/playwright.json node_modules/.bin/playwright test --reporter=list,json || true
node scripts/test-summary.mjs .data/reports/vitest.json .data/reports/playwright.json

#!/usr/bin/env bash
# `npm run dev`: install dependencies when missing or stale, then start everything (scripts/dev.ts).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "Installing dependencies (npm ci)…"
  npm ci --no-audit --no-fund
fi
exec node_modules/.bin/tsx scripts/dev.ts "$@"

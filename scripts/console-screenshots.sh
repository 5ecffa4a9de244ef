#!/usr/bin/env bash
# Runs the console's browser tests (tests/console/run.sh) and copies one screenshot per page into
# docs/screenshots/ (the README links them), scaled down to 1000 pixels wide and at most 1600
# high by console-screenshots.mjs (in the tests' chromium):
#   scripts/console-screenshots.sh [REGISTRAR_BINARY] [WORK_DIR]
# Defaults: build-asan/src/registrar and build-asan/console.
set -euo pipefail
cd "$(dirname "$0")/.."
binary=${1:-build-asan/src/registrar}
work=${2:-build-asan/console}

if [ -z "${SCREENSHOTS_ONLY:-}" ]; then  # SCREENSHOTS_ONLY=1: from the last run's screenshots
  tests/console/run.sh "$binary" "$work"
fi

# docs name <- the test's screenshot (tests/console/*.test.mjs, accessible(page, NAME)).
shots=(
  sign-in:sign-in
  overview:overview
  identifiers:identifiers
  ibr:ibr-duplicates
  dci:dci-checks
  authz:authz-collective
  sync:sync-synced
  keys:keys
  audit:audit
  intercoop:intercoop-operators-target
  portal:intercoop-consent
  consents:intercoop-consent-log
)
mkdir -p docs/screenshots
args=()
for pair in "${shots[@]}"; do
  name=${pair%%:*} source="$work/screenshots/${pair#*:}.png"
  [ -f "$source" ] || { echo "console-screenshots: $source is missing" >&2; exit 1; }
  args+=("$name=$source")
done
NPM_DIR="$(realpath "$work")/npm" node scripts/console-screenshots.mjs docs/screenshots "${args[@]}"
ls -l docs/screenshots

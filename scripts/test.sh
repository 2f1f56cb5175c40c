#!/usr/bin/env bash
# The whole test suite, from a fresh clone on a fresh machine: installs what is missing (npm
# packages, Debian's Chromium), type-checks, then runs unit, integration (real server + embedded
# store) and end-to-end (Playwright in Chromium) tests. CI runs exactly this (`npm test`).
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*"; }

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  step "installing npm packages (npm ci)"
  npm ci --no-audit --no-fund
fi

find_chromium() {
  for c in "${CHROMIUM_PATH:-}" /usr/bin/chromium /usr/bin/chromium-browser "$(command -v chromium 2>/dev/null || true)"; do
    if [ -n "$c" ] && [ -x "$c" ] && "$c" --version >/dev/null 2>&1; then echo "$c"; return 0; fi
  done
  return 1
}

if ! CHROMIUM_PATH=$(find_chromium); then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    step "no usable Chromium found: installing Debian's chromium package (apt-get)"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
    CHROMIUM_PATH=$(find_chromium) || { echo "Chromium was installed but does not start; see apt's output above." >&2; exit 1; }
  else
    echo "No usable Chromium found. Install it (Debian/Ubuntu: sudo apt-get install chromium) or set CHROMIUM_PATH to a Chromium binary, then run npm test again." >&2
    exit 1
  fi
fi
export CHROMIUM_PATH
echo "Chromium: $CHROMIUM_PATH ($("$CHROMIUM_PATH" --version 2>/dev/null))"

results=$(mktemp -d)
trap 'rm -rf "$results"' EXIT

step "type-check (svelte-check + tsc, strict)"
npm run --silent check

step "unit tests"
npx vitest run --project unit --reporter=default --reporter=json --outputFile.json="$results/unit.json"

step "integration tests (real server, embedded store)"
npx vitest run --project integration --reporter=default --reporter=json --outputFile.json="$results/integration.json"

step "build the web app"
npm run --silent build

step "end-to-end tests (Playwright, Chromium)"
PLAYWRIGHT_JSON_OUTPUT_NAME="$results/e2e.json" npx playwright test --reporter=list,json

node -e '
  const fs = require("fs"); const d = process.argv[1];
  const v = (f) => JSON.parse(fs.readFileSync(d + "/" + f, "utf8"));
  const u = v("unit.json"), i = v("integration.json"), e = v("e2e.json").stats;
  const passed = u.numPassedTests + i.numPassedTests + e.expected;
  const failed = u.numFailedTests + i.numFailedTests + e.unexpected;
  console.log(`\nunit ${u.numPassedTests}, integration ${i.numPassedTests}, e2e ${e.expected}`);
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
' "$results"

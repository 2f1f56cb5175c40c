#!/usr/bin/env bash
# The whole test suite, from a fresh clone on a fresh machine: installs what is missing (npm
# packages, Debian's Chromium), type-checks, then runs unit, integration (real server + embedded
# store) and end-to-end (Playwright in Chromium) tests. CI runs exactly this (`npm test`).
# Every stage runs even when an earlier one failed (except e2e without a build), and the last line
# says what passed and what failed; the exit status is 0 only if everything passed.
# Env: CHROMIUM_PATH (a Chromium binary), E2E_PORT (the e2e server's port; default: a free one).
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*"; }

# --- npm packages -------------------------------------------------------------------------------
# npm writes node_modules/.package-lock.json on every install: older than the manifests = stale.
if [ -f package-lock.json ]; then
  if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ] || [ package.json -nt node_modules/.package-lock.json ]; then
    step "installing npm packages (npm ci)"
    npm ci --no-audit --no-fund
  fi
elif [ ! -f node_modules/.package-lock.json ] || [ package.json -nt node_modules/.package-lock.json ]; then
  step "installing npm packages (npm install: no package-lock.json)"
  npm install --no-audit --no-fund
fi

# --- Chromium (Debian's; Playwright's own download cannot work on these machines) ---------------
find_chromium() {
  local c
  for c in "${CHROMIUM_PATH:-}" /usr/bin/chromium /usr/bin/chromium-browser "$(command -v chromium 2>/dev/null || true)" "$(command -v chromium-browser 2>/dev/null || true)"; do
    if [ -n "$c" ] && [ -x "$c" ] && "$c" --version >/dev/null 2>&1; then echo "$c"; return 0; fi
  done
  return 1
}

if ! CHROMIUM_PATH=$(find_chromium); then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    step "no usable Chromium found: installing Debian's chromium package"
    echo "+ apt-get update"
    apt-get update
    echo "+ apt-get install -y chromium"
    DEBIAN_FRONTEND=noninteractive apt-get install -y chromium
    CHROMIUM_PATH=$(find_chromium) || { echo "Chromium was installed but does not start; see apt's output above." >&2; exit 1; }
  else
    echo "No usable Chromium found (looked at \$CHROMIUM_PATH, /usr/bin/chromium, chromium-browser)." >&2
    echo "Install it (Debian/Ubuntu: sudo apt-get install -y chromium) or set CHROMIUM_PATH to a Chromium binary, then run npm test again." >&2
    exit 1
  fi
fi
export CHROMIUM_PATH
echo "Chromium: $CHROMIUM_PATH ($("$CHROMIUM_PATH" --version 2>/dev/null))"

# A free port for the e2e server, so a dev server or another run on 4173 cannot break the suite.
if [ -z "${E2E_PORT:-}" ]; then
  E2E_PORT=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
fi
export E2E_PORT

results=$(mktemp -d)
trap 'rm -rf "$results"' EXIT

failed_stages=()
# stage NAME CMD...: runs CMD, records a failure instead of stopping the script.
stage() {
  local name=$1
  shift
  step "$name"
  if "$@"; then return 0; fi
  echo "!! $name failed" >&2
  failed_stages+=("$name")
  return 1
}

stage "svelte-kit sync" npx svelte-kit sync || true
stage "type-check" npm run --silent check || true
stage "unit tests" npx vitest run --project unit --reporter=default --reporter=json --outputFile.json="$results/unit.json" || true
stage "integration tests" npx vitest run --project integration --reporter=default --reporter=json --outputFile.json="$results/integration.json" || true
if stage "build" npm run --silent build; then
  export PLAYWRIGHT_JSON_OUTPUT_NAME="$results/e2e.json"
  stage "e2e tests" npx playwright test --reporter=list,json || true
else
  failed_stages+=("e2e tests (not run: no build)")
fi

# Test counts from the reporters' JSON (a stage that crashed before reporting counts as 0).
counts=$(node -e '
  const fs = require("fs"); const d = process.argv[1];
  const v = (f) => { try { return JSON.parse(fs.readFileSync(d + "/" + f, "utf8")); } catch { return null; } };
  const u = v("unit.json"), i = v("integration.json"), e = v("e2e.json")?.stats;
  const p = (x, k) => (x ? x[k] : 0);
  const passed = p(u, "numPassedTests") + p(i, "numPassedTests") + p(e, "expected");
  const failed = p(u, "numFailedTests") + p(i, "numFailedTests") + p(e, "unexpected");
  console.log(`unit ${p(u, "numPassedTests")}/${p(u, "numTotalTests")}, integration ${p(i, "numPassedTests")}/${p(i, "numTotalTests")}, e2e ${p(e, "expected")}/${p(e, "expected") + p(e, "unexpected") + p(e, "flaky")}: ${passed} passed, ${failed} failed`);
' "$results")

echo
if [ ${#failed_stages[@]} -eq 0 ]; then
  echo "ALL PASSED: $counts"
else
  echo "FAILED ($(IFS=,; echo "${failed_stages[*]}" | sed 's/,/, /g')): $counts"
  exit 1
fi

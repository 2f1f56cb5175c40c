#!/usr/bin/env bash
# The e2e suite on a loaded machine, several times in a row: proof that no test waits on the machine's
# speed instead of on state (tests/e2e/support/machine.ts). Not part of `npm test`; run it by hand
# after changing tests or the flows they drive:
#
#   npm run test:e2e:stress                  # 3 runs, CPU burners on every core + Chromium at 4× CPU throttle
#   RUNS=1 STRESS_BURNERS=0 npm run test:e2e:stress -- tests/e2e/smoke.spec.ts   # one run, throttle only, one file
#
# Env: RUNS (default 3), STRESS_BURNERS (busy processes beside the suite; default: one per core),
# E2E_CPU_THROTTLE (Chromium's CPU slowdown per page; default 4), E2E_TIME_SCALE (how far the
# machine-bound limits stretch; default 4), CHROMIUM_PATH, E2E_PORT. Extra arguments go to Playwright.
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${RUNS:-3}
BURNERS=${STRESS_BURNERS:-$(nproc)}
export E2E_CPU_THROTTLE=${E2E_CPU_THROTTLE:-4}
export E2E_TIME_SCALE=${E2E_TIME_SCALE:-4}
export CHROMIUM_PATH=${CHROMIUM_PATH:-/usr/bin/chromium}
if [ -z "${E2E_PORT:-}" ]; then
  E2E_PORT=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
fi
export E2E_PORT

[ -d build ] || npm run --silent build

burners=()
stop_burners() { for p in "${burners[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap stop_burners EXIT
for _ in $(seq 1 "$BURNERS"); do
  node -e 'for (;;) {}' &
  burners+=($!)
done
echo "stress: $RUNS run(s), $BURNERS CPU burner(s), Chromium CPU throttle ${E2E_CPU_THROTTLE}×, machine limits ×${E2E_TIME_SCALE}"

failed=0
for run in $(seq 1 "$RUNS"); do
  echo "==> stress run $run of $RUNS"
  start=$(date +%s)
  if npx playwright test --reporter=list --output="test-results/stress-$run" "$@"; then
    echo "==> stress run $run passed in $(( $(date +%s) - start )) s"
  else
    echo "!! stress run $run failed after $(( $(date +%s) - start )) s" >&2
    failed=$((failed + 1))
  fi
done
[ "$failed" -eq 0 ] && echo "STRESS PASSED: $RUNS of $RUNS runs green" || { echo "STRESS FAILED: $failed of $RUNS runs red"; exit 1; }

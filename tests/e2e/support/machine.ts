/**
 * How much slower than an idle 2-core machine this run may be. 1 normally; the stress run
 * (`npm run test:e2e:stress`) raises it while it loads the machine, and every wait that is for the
 * machine — the test timeouts, the expectation default and the explicit `machine(ms)` limits —
 * stretches with it. Read by playwright.config.ts and tests/e2e/support/test.ts.
 */
const raw = process.env.E2E_TIME_SCALE ?? '1';
const scale = Number(raw);
if (!Number.isFinite(scale) || scale < 1) throw new Error(`E2E_TIME_SCALE must be a number ≥ 1, got "${raw}"`);
export const TIME_SCALE = scale;

import { test as base, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { TIME_SCALE } from './machine.ts';

export { chromium, expect } from '@playwright/test';
export type { APIRequestContext, Browser, BrowserContext, Locator, Page } from '@playwright/test';

/**
 * A wait that is for the machine (a bootstrap page, a view build, a replication round, a reload with
 * its service worker), not a user-visible latency goal: those live in bench/. The limit stretches with
 * `E2E_TIME_SCALE` so the same suite stays green on a loaded machine (`npm run test:e2e:stress`).
 */
export function machine(ms: number): number {
  return Math.round(ms * TIME_SCALE);
}

/** `E2E_CPU_THROTTLE=4` slows every page's main thread 4× through the DevTools protocol (stress runs). */
const CPU_THROTTLE = Number(process.env.E2E_CPU_THROTTLE ?? '1');

async function throttle(page: Page): Promise<void> {
  try {
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: CPU_THROTTLE });
  } catch {
    // a page that closed before the session attached has nothing left to slow down
  }
}

/** Applies the stress run's throttling to a context made outside the fixtures (a persistent browser profile). */
export function throttleContext(context: BrowserContext): BrowserContext {
  if (CPU_THROTTLE <= 1) return context;
  context.on('page', (p) => void throttle(p));
  for (const p of context.pages()) void throttle(p);
  return context;
}

/**
 * Every spec imports `test` from here: the same as Playwright's, plus the stress run's CPU throttling
 * on every page, including pages of contexts a test opens itself (a second register, a browser restart).
 */
export const test = base.extend<object, { throttledBrowser: Browser }>({
  throttledBrowser: [
    async ({ browser }, use) => {
      if (CPU_THROTTLE > 1) {
        const newContext = browser.newContext.bind(browser);
        browser.newContext = async (...args: Parameters<Browser['newContext']>) => {
          const context = await newContext(...args);
          throttleContext(context);
          return context;
        };
      }
      await use(browser);
    },
    { scope: 'worker', auto: true }
  ],
  context: async ({ context }, use) => {
    if (CPU_THROTTLE > 1) throttleContext(context);
    await use(context);
  }
});

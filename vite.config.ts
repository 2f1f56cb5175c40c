import { fileURLToPath } from 'node:url';
import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  plugins: [sveltekit()],
  resolve: {
    alias: {
      // The Bluetooth printer driver exports only a "browser" build, so the server-side build of the
      // (never server-rendered) register cannot resolve it; point every build at that one file.
      '@point-of-sale/webbluetooth-receipt-printer': fileURLToPath(new URL('./node_modules/@point-of-sale/webbluetooth-receipt-printer/dist/webbluetooth-receipt-printer.esm.js', import.meta.url))
    }
  },
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['web/src/**/*.test.ts', 'server/**/*.test.ts', 'sync-rules/**/*.test.ts', 'couch-design-docs/**/*.test.ts', 'tests/unit/**/*.test.ts'],
          environment: 'node',
          // property tests run hundreds of generated cases: on a loaded 2-core machine one can take
          // well over the 5 s default without anything being wrong
          testTimeout: 30_000
        }
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['tests/integration/**/*.test.ts'],
          environment: 'node',
          testTimeout: 60_000,
          hookTimeout: 120_000,
          // Each file starts its own server + embedded store; two cores: keep it sequential-ish.
          fileParallelism: false
        }
      }
    ]
  }
});

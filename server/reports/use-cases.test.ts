import { describe, expect, it } from 'vitest';
import { cashier, failure, phone, register, untouchable } from '../../tests/support/use-cases.ts';
import { dashboard, emailReceipt, journal, runReport, saleDetail } from './service.ts';

describe('reports check their own caller, whoever calls them', () => {
  it('refuses a caller without report:view (cashiers, devices) before reading the store', async () => {
    const range = { from: '2026-01-01', to: '2026-01-31' } as never;
    for (const p of [cashier, register, phone]) {
      const refusals = [
        runReport(untouchable, p, 'sales-by-day', range),
        dashboard(untouchable, p, undefined),
        journal(untouchable, p, range),
        saleDetail(untouchable, p, 'GM', 'sale:GM-1:x'),
        emailReceipt(untouchable, p, 'sale:GM-1:x', { to: 'a@b.example' } as never, 'r1')
      ];
      for (const r of refusals) expect((await failure(r)).status).toBe(403);
    }
    expect((await failure(dashboard(untouchable, cashier, undefined))).message).toBe('The dashboard needs the report:view permission');
  });
});

import { describe, expect, it } from 'vitest';
import { cashier, gmManager, phone, register, untouchable } from '../../../tests/support/use-cases.ts';
import type { Principal } from '../../auth/principal.ts';
import { AppError } from '../../errors.ts';
import { applyLocationRates, connectTaxService, getTaxConnection, previewLocationRates } from './service.ts';

const address = { country: 'US', zip: '10001' };

describe('tax service use cases check their own caller, whoever calls them', () => {
  it('refuses devices and users without settings:manage before the store or TaxJar', async () => {
    const calls = (p: Principal, code: string) => [
      connectTaxService(untouchable, p, { provider: 'taxjar', apiToken: 'x'.repeat(20) }),
      getTaxConnection(untouchable, p),
      previewLocationRates(untouchable, p, code, { address }),
      applyLocationRates(untouchable, p, code, { address, proposalId: '0'.repeat(24) })
    ];
    for (const r of [cashier, gmManager, register, phone].flatMap((p) => calls(p, 'GM'))) {
      const err = await r.then(() => null, (e: unknown) => e);
      expect(err).toBeInstanceOf(AppError);
      expect((err as AppError).status).toBe(403);
    }
  });
});

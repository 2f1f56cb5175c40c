import { describe, expect, it } from 'vitest';
import { posEntries, reconcileCards, type CardEntry } from './card-report.ts';

const e = (kind: CardEntry['kind'], id: string, amount: number, day = '2026-12-07', locationCode: string | null = 'GM'): CardEntry => ({ kind, id, amount, day, locationCode });

describe('reconcileCards', () => {
  it('sums each store’s day on both sides and lists each payment or refund that does not match', () => {
    const pos = [e('charge', 'pi_1', 5_997), e('refund', 're_1', 1_999), e('charge', 'pi_3', 500), e('charge', 'pi_4', 100, '2026-12-08')];
    const provider = [e('charge', 'pi_1', 5_997), e('refund', 're_1', 1_999), e('charge', 'pi_2', 1_234), e('charge', 'pi_4', 90, '2026-12-08'), e('refund', 're_9', 50, '2026-12-08', null)];
    const { rows, differences } = reconcileCards(['2026-12-07', '2026-12-08'], ['GM', 'HM'], pos, provider);
    expect(rows).toEqual([
      { day: '2026-12-07', locationCode: 'GM', pos: { charges: 6_497, refunds: 1_999, net: 4_498, count: 3 }, provider: { charges: 7_231, refunds: 1_999, net: 5_232, count: 3 }, difference: -734 },
      { day: '2026-12-07', locationCode: 'HM', pos: { charges: 0, refunds: 0, net: 0, count: 0 }, provider: { charges: 0, refunds: 0, net: 0, count: 0 }, difference: 0 },
      { day: '2026-12-08', locationCode: 'GM', pos: { charges: 100, refunds: 0, net: 100, count: 1 }, provider: { charges: 90, refunds: 0, net: 90, count: 1 }, difference: 10 },
      { day: '2026-12-08', locationCode: 'HM', pos: { charges: 0, refunds: 0, net: 0, count: 0 }, provider: { charges: 0, refunds: 0, net: 0, count: 0 }, difference: 0 }
    ]);
    expect(differences.map((d) => [d.id, d.problem, d.pos, d.provider])).toEqual([
      ['pi_2', 'missing_in_pos', null, 1_234],
      ['pi_3', 'missing_at_provider', 500, null],
      ['re_9', 'missing_in_pos', null, 50],
      ['pi_4', 'amount_differs', 100, 90]
    ]);
  });

  it('reads card tenders of sales (charges) and returns (refunds) on the store’s business day', () => {
    const sale = { _id: 'sale:R1:x', locationCode: 'GM', createdAt: '2026-12-08T02:00:00.000Z', tenders: [{ kind: 'cash', amount: 100 }, { kind: 'card_stripe', amount: 2_000, reference: 'pi_1', paymentId: 'payment:R1:y' }] };
    const ret = { _id: 'sale:R1:z', locationCode: 'GM', createdAt: '2026-12-08T12:00:00.000Z', tenders: [{ kind: 'card_stripe', amount: -700, reference: 're_1', paymentId: 'payment:R1:y' }] };
    // 02:00 UTC is still the 7th in New York
    expect(posEntries([sale, ret] as never, () => 'America/New_York')).toEqual([
      { kind: 'charge', id: 'pi_1', amount: 2_000, day: '2026-12-07', locationCode: 'GM', saleId: 'sale:R1:x' },
      { kind: 'refund', id: 're_1', amount: 700, day: '2026-12-08', locationCode: 'GM', saleId: 'sale:R1:z' }
    ]);
  });
});

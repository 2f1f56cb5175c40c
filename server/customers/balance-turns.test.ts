import { describe, expect, it } from 'vitest';
import { PLATFORM_DB } from '#domain/db-names.ts';
import { balanceOf, type LedgerEntry } from '#domain/customers.ts';
import { fakeCouch, type FakeDb } from '../../tests/support/fake-db.ts';
import { inTurn, turnId } from './balance-turns.ts';

const T = 'acme';
const HOLDER = 'customer:ann';
const entry = (id: string, amount: number): LedgerEntry => ({
  _id: `ledger:adm:${id}`,
  type: 'ledger_entry',
  account: 'store_credit',
  holder: HOLDER,
  amount,
  reason: 'adjustment: test',
  createdAt: '2026-12-07T10:00:00.000Z',
  createdBy: 'user:m'
});

function setup(ledgerEntries: LedgerEntry[] = []) {
  const couch = fakeCouch([]);
  const ledger = couch.use('t-acme-customers') as unknown as FakeDb;
  const platform = couch.use(PLATFORM_DB) as unknown as FakeDb;
  for (const e of ledgerEntries) void ledger.insert(e);
  const entries = async () => [...ledger.docs.values()].filter((d) => d._id.startsWith('ledger:')).map((d) => ({ ...d }) as unknown as LedgerEntry);
  /** an adjustment of `amount` under id `id`, refused below zero */
  const adjust = (id: string, amount: number) =>
    inTurn({
      couch,
      tenantId: T,
      account: 'store_credit',
      holder: HOLDER,
      ledger: couch.use('t-acme-customers'),
      entries,
      entryId: `ledger:adm:${id}`,
      isThisRequest: (stored) => stored.amount === amount,
      decide: (seen) => {
        if (balanceOf(seen, 'store_credit', HOLDER) + amount < 0) throw new Error('below zero');
        return entry(id, amount);
      }
    });
  return { couch, ledger, platform, entries, adjust };
}

describe('balance adjustments take turns', () => {
  it('writes the entry after winning the turn, and the turn remembers it', async () => {
    const { ledger, platform, adjust } = setup([entry('open', 100)]);
    const out = await adjust('a', -30);
    expect(out).toMatchObject({ created: true, entry: { amount: -30 } });
    expect(ledger.docs.has('ledger:adm:a')).toBe(true);
    expect(platform.docs.get(turnId(T, 'store_credit', HOLDER))).toMatchObject({ type: 'balance_turn', last: { _id: 'ledger:adm:a' } });
  });

  it('counts, and writes, the entry of a winner that stopped before writing it', async () => {
    const { ledger, platform, adjust } = setup([entry('open', 100)]);
    await platform.insert({ _id: turnId(T, 'store_credit', HOLDER), type: 'balance_turn', last: entry('crashed', -80) });
    await expect(adjust('b', -30)).rejects.toThrow('below zero');
    expect(ledger.docs.get('ledger:adm:crashed')).toMatchObject({ amount: -80 });
    expect((await adjust('c', -20)).created).toBe(true);
  });

  it('a retried request whose first attempt won the turn but stopped is that adjustment, written once', async () => {
    const { ledger, platform, adjust } = setup([entry('open', 100)]);
    await platform.insert({ _id: turnId(T, 'store_credit', HOLDER), type: 'balance_turn', last: entry('r', -100) });
    const out = await adjust('r', -100);
    // written now, but not "created" by the retry: its first attempt may still be on its way to say so
    expect(out).toMatchObject({ created: false, entry: { _id: 'ledger:adm:r', amount: -100 } });
    expect(ledger.docs.has('ledger:adm:r')).toBe(true);
    expect(out.entries.map((e) => e._id)).toEqual(['ledger:adm:open']);
    const again = await adjust('r', -100);
    expect(again.created).toBe(false);
    expect([...ledger.docs.keys()].filter((id) => id === 'ledger:adm:r')).toHaveLength(1);
    // the same id with other money is not this request
    await expect(adjust('r', -5)).rejects.toMatchObject({ status: 409 });
  });

  it('the winner of the turn created the entry even when the next adjuster wrote it first', async () => {
    const { ledger, platform, adjust } = setup([entry('open', 100)]);
    // right after our claim, another adjuster finds our entry missing from the ledger and writes it
    platform.beforeNextInsert = () => queueMicrotask(() => void ledger.insert(entry('w', -30)));
    const out = await adjust('w', -30);
    expect(out).toMatchObject({ created: true, entry: { _id: 'ledger:adm:w' } });
    expect(out.entries.map((e) => e._id)).toEqual(['ledger:adm:open']);
  });

  it('a loser of the turn decides again on the winner’s entry', async () => {
    const { ledger, platform, adjust } = setup([entry('open', 100)]);
    await platform.insert({ _id: turnId(T, 'store_credit', HOLDER), type: 'balance_turn', last: entry('open', 100) });
    // another server takes the turn for −80 between our read and our claim (and writes its entry)
    platform.beforeNextInsert = () => {
      const cur = platform.docs.get(turnId(T, 'store_credit', HOLDER))!;
      platform.docs.set(cur._id, { ...cur, _rev: '9-rival', last: entry('rival', -80) });
      void ledger.insert(entry('rival', -80));
    };
    await expect(adjust('d', -30)).rejects.toThrow('below zero');
    expect(ledger.docs.has('ledger:adm:d')).toBe(false);
  });
});

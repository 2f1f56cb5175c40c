import { describe, expect, it } from 'vitest';
import type { TaxComponent } from '#domain/tax/types.ts';
import { diffComponents, nextVersions, percent, proposalId, proposedComponents } from './proposal.ts';
import type { LocationRates } from './provider.ts';

const c = (id: string, ratePpm: number, rules: TaxComponent['rules'] = {}): TaxComponent => ({ id, name: id, kind: 'state', ratePpm, rules });
const rates: LocationRates = {
  provider: 'taxjar',
  combinedPpm: 95_000,
  resolved: { zip: '90002', state: 'CA', county: 'LOS ANGELES', city: 'WATTS' },
  components: [
    { kind: 'state', name: 'CA', ratePpm: 62_500 },
    { kind: 'county', name: 'LOS ANGELES', ratePpm: 10_000 },
    { kind: 'special', name: 'WATTS districts', ratePpm: 22_500 }
  ]
};

describe('proposedComponents', () => {
  it('names components stably and keeps the category rules of the same id', () => {
    const carry = { components: [c('us-ca', 60_000, { clothing: { kind: 'exempt' } })] };
    const out = proposedComponents(rates, { country: 'US', zip: '90002-1234' }, carry);
    expect(out.map((x) => [x.id, x.name, x.kind, x.ratePpm])).toEqual([
      ['us-ca', 'CA state', 'state', 62_500],
      ['us-ca-county-los-angeles', 'Los Angeles County', 'county', 10_000],
      ['us-ca-districts-90002', 'Special districts 90002', 'special', 22_500]
    ]);
    expect(out[0]!.rules).toEqual({ clothing: { kind: 'exempt' } });
    expect(out[1]!.rules).toEqual({});
  });
});

describe('diffComponents', () => {
  it('sorts components into added, removed, changed and unchanged, in ppm and percent', () => {
    const d = diffComponents([c('a', 40_000), c('b', 45_000), c('gone', 1)], [c('a', 40_000), c('b', 50_000), c('new', 3_750)]);
    expect(d.added.map((x) => [x.id, x.percent])).toEqual([['new', '0.375 %']]);
    expect(d.removed.map((x) => x.id)).toEqual(['gone']);
    expect(d.changed).toEqual([{ id: 'b', name: 'b', kind: 'state', fromPpm: 45_000, toPpm: 50_000, from: '4.5 %', to: '5 %' }]);
    expect(d.unchanged.map((x) => x.id)).toEqual(['a']);
    expect(d.combined).toEqual({ fromPpm: 85_001, toPpm: 93_750, from: '8.5001 %', to: '9.375 %' });
    expect(d.same).toBe(false);
    expect(diffComponents([c('a', 1), c('b', 2)], [c('b', 2), c('a', 1)]).same).toBe(true);
    // a rule change is a change to write, though no rate moved
    expect(diffComponents([c('a', 1)], [c('a', 1, { food: { kind: 'exempt' } })]).same).toBe(false);
  });
  it('lists the components whose category rules differ, including a rule lost with a removed component', () => {
    const clothing = { clothing: { kind: 'exempt_under' as const, threshold: 11_000 } };
    const d = diffComponents([c('a', 1, clothing), c('gone', 2, { food: { kind: 'exempt' } }), c('same', 3, clothing)], [c('a', 1), c('new', 4, clothing), c('same', 3, clothing), c('plain', 5)]);
    expect(d.ruleChanges).toEqual([
      { id: 'a', name: 'a', from: clothing, to: {} },
      { id: 'new', name: 'new', from: null, to: clothing },
      { id: 'gone', name: 'gone', from: { food: { kind: 'exempt' } }, to: null }
    ]);
    expect(diffComponents([c('a', 1, clothing)], [c('a', 2, clothing)]).ruleChanges).toEqual([]);
  });
  it('writes percents exactly', () => {
    expect([percent(0), percent(62_500), percent(1_000_000), percent(1)]).toEqual(['0 %', '6.25 %', '100 %', '0.0001 %']);
  });
});

describe('proposalId', () => {
  it('depends on the components and the date, not their order', () => {
    expect(proposalId([c('a', 1), c('b', 2)], null)).toBe(proposalId([c('b', 2), c('a', 1)], null));
    expect(proposalId([c('a', 1)], null)).not.toBe(proposalId([c('a', 2)], null));
    expect(proposalId([c('a', 1)], null)).not.toBe(proposalId([c('a', 1)], '2027-01-01'));
  });
});

describe('nextVersions', () => {
  const base = { versions: [{ components: [c('old', 50_000)] }] };
  const p = [c('new', 60_000)];
  it('creates a table: at once, or keeping the current rates until the date', () => {
    expect(nextVersions({ own: null, base: null, proposed: p, from: '2027-01-01', scheduled: false, maxVersions: 50 })).toEqual({ versions: [{ components: p }] });
    expect(nextVersions({ own: null, base, proposed: p, from: '2027-02-01', scheduled: true, maxVersions: 50 })).toEqual({ versions: [...base.versions, { effectiveFrom: '2027-02-01', components: p }] });
    expect(nextVersions({ own: null, base: null, proposed: p, from: '2027-02-01', scheduled: true, maxVersions: 50 })).toHaveProperty('refused');
  });
  it('appends to its own table, replaces a version of the same date, and is a no-op when in force already', () => {
    const own = { versions: [{ components: [c('old', 50_000)] }, { effectiveFrom: '2027-02-01', components: p }] };
    expect(nextVersions({ own, base: own, proposed: p, from: '2027-02-01', scheduled: true, maxVersions: 50 })).toEqual({ unchanged: true });
    expect(nextVersions({ own, base: own, proposed: p, from: '2027-03-01', scheduled: true, maxVersions: 50 })).toEqual({ unchanged: true });
    const q = [c('new', 70_000)];
    expect(nextVersions({ own, base: own, proposed: q, from: '2027-02-01', scheduled: true, maxVersions: 50 })).toEqual({ versions: [own.versions[0], { effectiveFrom: '2027-02-01', components: q }] });
    expect(nextVersions({ own, base: own, proposed: q, from: '2027-03-01', scheduled: true, maxVersions: 50 })).toEqual({ versions: [...own.versions, { effectiveFrom: '2027-03-01', components: q }] });
    expect(nextVersions({ own, base: own, proposed: q, from: '2027-01-15', scheduled: false, maxVersions: 50 })).toMatchObject({ refused: expect.stringContaining('2027-02-01') });
    expect(nextVersions({ own, base: own, proposed: q, from: '2027-03-01', scheduled: true, maxVersions: 2 })).toHaveProperty('refused');
  });
});

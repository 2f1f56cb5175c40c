import { createHash } from 'node:crypto';
import type { IsoDate } from '#domain/business-day.ts';
import type { ComponentKind, TaxComponent, TaxRule, TaxTable, TaxVersion } from '#domain/tax/types.ts';
import type { LocationRates, TaxAddress } from './provider.ts';

/**
 * From a provider's rates to a proposed tax-table version, its difference from the location's
 * current rates, and the next versions of the table it is applied to. Pure: service.ts reads and writes.
 */

const slug = (s: string) =>
  s
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
const title = (s: string) => s.toLowerCase().replace(/(^|[\s-])(\p{L})/gu, (_m, sep: string, c: string) => sep + c.toUpperCase());

/**
 * The components of the rates. Ids are stable across refreshes of the same place (reports add up by
 * them): country, state, county and city names; the special districts by ZIP, because TaxJar sums
 * them into one rate per address. Category rules (clothing thresholds, exemptions) are not in a
 * rate lookup: a component keeps the rules the admin gave the same id in `carry` (the current version).
 */
export function proposedComponents(rates: LocationRates, address: TaxAddress, carry: TaxVersion | null): TaxComponent[] {
  const cc = address.country.toLowerCase();
  const st = slug(rates.resolved.state ?? address.state ?? '');
  const zip = slug((rates.resolved.zip ?? address.zip).slice(0, 5));
  const kept = new Map((carry?.components ?? []).map((c) => [c.id, c.rules]));
  const idOf = (kind: ComponentKind, name: string): string => {
    switch (kind) {
      case 'country':
        return `${cc}-vat`;
      case 'state':
        return `${cc}-${st || slug(name)}`;
      case 'county':
        return `${cc}-${st}-county-${slug(name)}`;
      case 'city':
        return `${cc}-${st}-city-${slug(name)}`;
      case 'special':
        return `${cc}-${st}-districts-${zip}`;
    }
  };
  const nameOf = (kind: ComponentKind, name: string): string => {
    switch (kind) {
      case 'country':
        return name;
      case 'state':
        return `${name.toUpperCase()} state`;
      case 'county':
        return `${title(name)} County`;
      case 'city':
        return `${title(name)} city`;
      case 'special':
        return `Special districts ${zip}`;
    }
  };
  return rates.components.map((j) => {
    const id = idOf(j.kind, j.name).slice(0, 80);
    const rules: Record<string, TaxRule> = { ...(kept.get(id) ?? {}) };
    return { id, name: nameOf(j.kind, j.name).slice(0, 80), kind: j.kind, ratePpm: j.ratePpm, rules };
  });
}

/** 62_500 → "6.25 %" (ppm are exact; a percent has at most four decimals). */
export const percent = (ppm: number) => `${(ppm / 10_000).toFixed(4).replace(/\.?0+$/, '')} %`;

interface Rated {
  id: string;
  name: string;
  kind: ComponentKind;
  ratePpm: number;
  percent: string;
}
const rated = (c: TaxComponent): Rated => ({ id: c.id, name: c.name, kind: c.kind, ratePpm: c.ratePpm, percent: percent(c.ratePpm) });

export interface RatesDiff {
  added: Rated[];
  removed: Rated[];
  changed: { id: string; name: string; kind: ComponentKind; fromPpm: number; toPpm: number; from: string; to: string }[];
  unchanged: Rated[];
  combined: { fromPpm: number; toPpm: number; from: string; to: string };
  /**
   * Components whose category rules (clothing thresholds, reduced rates, exemptions) differ: `from`
   * null for a component added, `to` null for one removed — a rule the current table had on a
   * component that the new rates drop is lost unless the admin gives it to another one.
   */
  ruleChanges: { id: string; name: string; from: Record<string, TaxRule> | null; to: Record<string, TaxRule> | null }[];
  /** nothing to apply: same components at the same rates */
  same: boolean;
}

/** Components matched by id: added, removed, rate changed (in ppm and as a percent). */
export function diffComponents(current: readonly TaxComponent[], proposed: readonly TaxComponent[]): RatesDiff {
  const before = new Map(current.map((c) => [c.id, c]));
  const after = new Map(proposed.map((c) => [c.id, c]));
  const added = proposed.filter((c) => !before.has(c.id)).map(rated);
  const removed = current.filter((c) => !after.has(c.id)).map(rated);
  const changed = proposed.flatMap((c) => {
    const b = before.get(c.id);
    return b && b.ratePpm !== c.ratePpm ? [{ id: c.id, name: c.name, kind: c.kind, fromPpm: b.ratePpm, toPpm: c.ratePpm, from: percent(b.ratePpm), to: percent(c.ratePpm) }] : [];
  });
  const unchanged = proposed.filter((c) => before.get(c.id)?.ratePpm === c.ratePpm).map(rated);
  const sum = (cs: readonly TaxComponent[]) => cs.reduce((s, c) => s + c.ratePpm, 0);
  const fromPpm = sum(current);
  const toPpm = sum(proposed);
  const rulesKey = (r: Readonly<Record<string, TaxRule>> | undefined) => JSON.stringify(Object.entries(r ?? {}).sort(([a], [b]) => (a < b ? -1 : 1)));
  const hasRules = (c: TaxComponent | undefined) => !!c && Object.keys(c.rules).length > 0;
  const ruleChanges: RatesDiff['ruleChanges'] = [];
  for (const c of proposed) {
    const b = before.get(c.id);
    if (b ? rulesKey(b.rules) !== rulesKey(c.rules) : hasRules(c)) ruleChanges.push({ id: c.id, name: c.name, from: b ? { ...b.rules } : null, to: { ...c.rules } });
  }
  for (const b of current) if (!after.has(b.id) && hasRules(b)) ruleChanges.push({ id: b.id, name: b.name, from: { ...b.rules }, to: null });
  return { added, removed, changed, unchanged, combined: { fromPpm, toPpm, from: percent(fromPpm), to: percent(toPpm) }, ruleChanges, same: sameComponents(current, proposed) };
}

/** Order-insensitive equality of components, names and rules included (what a write would change). */
export function sameComponents(a: readonly TaxComponent[], b: readonly TaxComponent[]): boolean {
  const key = (cs: readonly TaxComponent[]) => JSON.stringify([...cs].sort((x, y) => (x.id < y.id ? -1 : 1)).map((c) => [c.id, c.name, c.kind, c.ratePpm, Object.entries(c.rules).sort()]));
  return key(a) === key(b);
}

/** What the admin reviewed: the proposed components and date. Apply refuses when a fresh lookup differs. */
export function proposalId(components: readonly TaxComponent[], effectiveFrom: IsoDate | null): string {
  const body = JSON.stringify({ effectiveFrom, components: [...components].sort((x, y) => (x.id < y.id ? -1 : 1)) });
  return createHash('sha256').update(body).digest('hex').slice(0, 24);
}

export type NextVersions = { versions: TaxVersion[] } | { unchanged: true } | { refused: string };

/**
 * The versions of the location's own table after applying `proposed` from local date `from` (today
 * when applied at once). `own` is that table when the location already uses it; otherwise `base` (its
 * current table or single rate, null when it has none) supplies the rates in force until `from`.
 */
export function nextVersions(args: { own: TaxTable | null; base: TaxTable | null; proposed: readonly TaxComponent[]; from: IsoDate; scheduled: boolean; maxVersions: number }): NextVersions {
  const { own, base, proposed, from, scheduled } = args;
  if (!own) {
    if (!scheduled) return { versions: [{ components: proposed }] };
    if (!base) return { refused: 'This location has no tax rates to keep until that date; apply the rates without a date first' };
    const keep = base.versions.filter((v) => v.effectiveFrom === undefined || v.effectiveFrom < from);
    return { versions: [...keep, { effectiveFrom: from, components: proposed }] };
  }
  const later = own.versions.filter((v) => v.effectiveFrom !== undefined && v.effectiveFrom > from);
  const inForce = [...own.versions].reverse().find((v) => v.effectiveFrom === undefined || v.effectiveFrom <= from)!;
  if (later.length === 0 && sameComponents(inForce.components, proposed)) return { unchanged: true };
  if (later.length > 0) return { refused: `A change is already scheduled from ${later[0]!.effectiveFrom}; schedule this one on or after it` };
  const last = own.versions.at(-1)!;
  // the first version may have no date; one dated `from` already is replaced, not doubled
  if (last.effectiveFrom === from) return { versions: [...own.versions.slice(0, -1), { effectiveFrom: from, components: proposed }] };
  if (own.versions.length >= args.maxVersions) return { refused: `This tax table has ${args.maxVersions} versions, the most it can hold` };
  return { versions: [...own.versions, { effectiveFrom: from, components: proposed }] };
}

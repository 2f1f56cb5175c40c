/**
 * Tax table rules and components as people read and type them (the admin's tax pages): a rule as
 * text, and the hand editor's rows (rates as percent text, thresholds as money text) turned into
 * components for the schema to check. Pure.
 */
import { currencyDigits, formatMoney, parseMoney, toDecimalString } from '../money.ts';
import { formatRatePpm, parseRatePercent } from '../tenant-settings.ts';
import type { ComponentKind, TaxComponent, TaxRule } from './types.ts';

/** "exempt under $110.00", "taxed over $175.00", "reduced 5 %", "exempt", "taxable". */
export function ruleText(rule: TaxRule, currency: string): string {
  switch (rule.kind) {
    case 'taxable':
      return 'taxable';
    case 'exempt':
      return 'exempt';
    case 'reduced':
      return `reduced ${formatRatePpm(rule.ratePpm)} %`;
    case 'exempt_under':
      return `exempt under ${formatMoney(rule.threshold, currency)} an item`;
    case 'taxed_over':
      return `taxed over ${formatMoney(rule.threshold, currency)} an item`;
  }
}

/** "clothing: exempt under $110.00 an item; food: exempt", or "" without rules. */
export function rulesText(rules: Readonly<Record<string, TaxRule>> | null | undefined, currency: string): string {
  return Object.entries(rules ?? {})
    .map(([category, rule]) => `${category}: ${ruleText(rule, currency)}`)
    .join('; ');
}

export const RULE_KINDS = ['exempt_under', 'taxed_over', 'reduced', 'exempt', 'taxable'] as const;
export const RULE_LABELS: Record<TaxRule['kind'], string> = {
  exempt_under: 'Exempt under a price',
  taxed_over: 'Taxed above a price',
  reduced: 'Reduced rate',
  exempt: 'Exempt',
  taxable: 'Taxable'
};

export interface RuleRow {
  category: string;
  kind: TaxRule['kind'];
  /** a threshold as money text, or a reduced rate as percent text */
  value: string;
}
export interface ComponentRow {
  id: string;
  name: string;
  kind: ComponentKind;
  rate: string;
  rules: RuleRow[];
}

export function rowsOf(components: readonly TaxComponent[], currency: string): ComponentRow[] {
  const digits = currencyDigits(currency);
  return components.map((c) => ({
    id: c.id,
    name: c.name,
    kind: c.kind,
    rate: formatRatePpm(c.ratePpm),
    rules: Object.entries(c.rules).map(([category, r]) => ({
      category,
      kind: r.kind,
      value: r.kind === 'reduced' ? formatRatePpm(r.ratePpm) : r.kind === 'exempt_under' || r.kind === 'taxed_over' ? toDecimalString(r.threshold, digits) : ''
    }))
  }));
}

/**
 * The rows as components, or the first thing that cannot be read (a rate or threshold that is not a
 * number). What remains (ids, names, duplicates, ranges) is the schema's to say.
 */
export function componentsOf(rows: readonly ComponentRow[], currency: string): { ok: true; components: TaxComponent[] } | { ok: false; message: string } {
  const digits = currencyDigits(currency);
  const out: TaxComponent[] = [];
  for (const [i, row] of rows.entries()) {
    const label = row.name.trim() || `Component ${i + 1}`;
    const rate = parseRatePercent(row.rate);
    if (!rate.ok) return { ok: false, message: `${label}: rate ${rate.message}` };
    const rules: Record<string, TaxRule> = {};
    for (const r of row.rules) {
      const category = r.category.trim().toLowerCase();
      if (!category) return { ok: false, message: `${label}: a rule needs a product tax category (e.g. clothing)` };
      if (r.kind === 'reduced') {
        const reduced = parseRatePercent(r.value);
        if (!reduced.ok) return { ok: false, message: `${label}, ${category}: reduced rate ${reduced.message}` };
        rules[category] = { kind: 'reduced', ratePpm: reduced.ppm };
      } else if (r.kind === 'exempt_under' || r.kind === 'taxed_over') {
        const threshold = parseMoney(r.value, digits);
        if (threshold === null || threshold < 0) return { ok: false, message: `${label}, ${category}: the price must be an amount like 110.00` };
        rules[category] = { kind: r.kind, threshold };
      } else rules[category] = { kind: r.kind };
    }
    out.push({ id: row.id.trim(), name: row.name.trim(), kind: row.kind, ratePpm: rate.ppm, rules });
  }
  return { ok: true, components: out };
}

/** A component id from its name, for a new row: "New York City" → "new-york-city". */
export function idFromName(name: string): string {
  return name
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60);
}

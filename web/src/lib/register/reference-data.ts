import type { z } from 'zod';
import type { categorySchema, locationSchema, PriceRuleDoc, settingsSchema, staffSchema, taxRateSchema, taxTableSchema } from '../domain/schemas/index.ts';
import { settingsSchema as settingsParser, taxTableSchema as taxTableParser } from '../domain/schemas/index.ts';
import type { CartTax } from '../domain/cart.ts';
import { hashPin, PIN_PATTERN } from '../domain/pin.ts';
import { can, type Permission, type Role } from '../domain/permissions.ts';
import { docsWithPrefix, findDoc } from './register-db.ts';

export type StaffDoc = z.infer<typeof staffSchema>;
export type LocationDoc = z.infer<typeof locationSchema>;
export type SettingsDoc = z.infer<typeof settingsSchema>;
export type TaxRateDoc = z.infer<typeof taxRateSchema>;
export type TaxTableDoc = z.infer<typeof taxTableSchema>;
export type CategoryDoc = z.infer<typeof categorySchema>;

/** The catalog documents a register needs besides products: who may sign in, how to tax, what to show. */
export interface ReferenceData {
  location: LocationDoc;
  settings: SettingsDoc;
  taxRate: TaxRateDoc | null;
  /** the location's jurisdiction tax table (location.taxTableId); when present it is used instead of taxRate */
  taxTable: TaxTableDoc | null;
  staff: StaffDoc[];
  categories: CategoryDoc[];
  /** every price rule of the tenant; which apply is decided per sale (domain/price-rules.ts) */
  priceRules: PriceRuleDoc[];
}

/** A signed-in staff member on this register. */
export interface Staff {
  id: string;
  name: string;
  role: Role;
}

const PREFIXES = ['staff:', 'tax_rate:', 'tax_table:', 'category:', 'price_rule:'];

/**
 * Reads the reference documents from the local catalog replica (they are few and come in the first
 * bootstrap page). Returns null while the replica does not hold them yet.
 */
export async function loadReferenceData(catalog: PouchDB.Database, locationCode: string): Promise<ReferenceData | null> {
  const [location, settings] = await Promise.all([findDoc(catalog, `location:${locationCode}`), findDoc(catalog, 'settings:tenant')]);
  if (!location || !settings) return null;
  const lists = await Promise.all(PREFIXES.map((p) => docsWithPrefix(catalog, p)));
  return referenceFromDocs([location, settings, ...lists.flat()], locationCode);
}

/** The same from a list of catalog documents (the server's snapshot, before the replica has them). */
export function referenceFromDocs(docs: readonly unknown[], locationCode: string): ReferenceData | null {
  const byType = (t: string) => docs.filter((d): d is Record<string, unknown> => typeof d === 'object' && d !== null && (d as { type?: unknown }).type === t);
  const location = byType('location').find((l) => l.code === locationCode) as LocationDoc | undefined;
  const rawSettings = byType('settings')[0];
  if (!location || !rawSettings) return null;
  const staff = byType('staff') as unknown as StaffDoc[];
  const taxRates = byType('tax_rate') as unknown as TaxRateDoc[];
  // parsed, not cast: the engine trusts its table's shape (version order, rule kinds)
  const rawTable = location.taxTableId ? byType('tax_table').find((t) => t._id === location.taxTableId) : undefined;
  const taxTable = rawTable ? taxTableParser.safeParse(rawTable) : null;
  const categories = byType('category') as unknown as CategoryDoc[];
  const priceRules = byType('price_rule') as unknown as PriceRuleDoc[];
  // Defaults for register rules a settings document written before they existed does not carry.
  const settings = settingsParser.safeParse(rawSettings);
  return {
    location,
    settings: settings.success ? settings.data : (rawSettings as unknown as SettingsDoc),
    taxRate: taxRates.find((t) => t._id === location.taxRateId) ?? null,
    taxTable: taxTable?.success ? taxTable.data : null,
    staff: staff.filter((s) => s.active && (s.locations.includes('*') || s.locations.includes(locationCode))),
    // categories given a position first, in order; the rest (e.g. made by a CSV import) after, by name
    categories: [...categories].sort((a, b) => (a.sort ?? Number.MAX_SAFE_INTEGER) - (b.sort ?? Number.MAX_SAFE_INTEGER) || a.name.localeCompare(b.name)),
    priceRules
  };
}

/**
 * How this register taxes a cart priced at `at`: the location's tax table when it has one (the
 * version in force at the store's local date of `at`), else its single rate exactly as before.
 */
export function taxConfigOf(ref: ReferenceData, at: Date = new Date()): CartTax {
  if (ref.taxTable) {
    return {
      table: ref.taxTable,
      pricesIncludeTax: ref.location.pricesIncludeTax,
      rounding: ref.settings.taxRounding ?? 'line',
      roundingMode: ref.settings.roundingMode ?? 'half_up',
      at: at.toISOString(),
      timeZone: ref.location.timeZone
    };
  }
  return {
    ratePpm: ref.taxRate?.ratePpm ?? 0,
    exemptCategories: ref.taxRate?.exemptCategories ?? [],
    pricesIncludeTax: ref.location.pricesIncludeTax,
    rounding: ref.settings.taxRounding ?? 'line',
    roundingMode: ref.settings.roundingMode ?? 'half_up'
  };
}

/** Whose PIN is this? One hash (per-tenant salt), compared with every active staff member's. Works offline. */
export async function staffByPin(ref: ReferenceData, pin: string): Promise<Staff | null> {
  if (!PIN_PATTERN.test(pin)) return null;
  const hash = await hashPin(pin, ref.settings.pinSalt);
  const s = ref.staff.find((m) => m.pinHash === hash);
  return s ? { id: s.userId, name: s.name, role: s.role } : null;
}

export function staffCan(staff: Staff, permission: Permission): boolean {
  return can(staff.role, permission);
}

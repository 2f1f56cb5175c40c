/**
 * The tax engine's data: a location's tax table (jurisdiction components with effective-dated
 * versions and per-category rules), the context of one sale, and what comes out per line. Plain
 * data, no I/O: the register computes it offline from the replicated `tax_table` document
 * (schemas/tax-table.ts checks that document; these are the shapes it parses to).
 */
import type { RoundingMode } from '../money.ts';
import type { IsoDate } from '../business-day.ts';

/**
 * What a component is, for reports and receipts. `country` is a national tax (UK VAT, Canada's GST);
 * `state` is a state or province (a US state's share, a Canadian PST); `county`, `city` and
 * `special` (a special district such as New York's MCTD) are the local shares.
 */
export const COMPONENT_KINDS = ['country', 'state', 'county', 'city', 'special'] as const;
export type ComponentKind = (typeof COMPONENT_KINDS)[number];

/**
 * How one component treats a product tax category. Thresholds are per item, in minor units, and are
 * compared with the unit's price as charged (the line's net after line and order discounts divided
 * by its quantity, exactly: net < threshold × qty), because a store's own discounts lower the selling
 * price these rules look at.
 * - `taxable`: the component's rate on the whole net (a category without a rule is taxable).
 * - `exempt`: this component does not tax it; the line carries no amount for it.
 * - `reduced`: `ratePpm` instead of the component's rate (0 = zero-rated: taxable at 0 %, reported).
 * - `exempt_under`: exempt when the unit price is below `threshold`, the full rate at or above it
 *   (New York clothing and footwear under $110 an item: the state's 4 % and the MCTD's share are
 *   exempt, a county that does not opt in still taxes it — one rule on each exempting component).
 * - `taxed_over`: only the part of each unit's price above `threshold` is taxed
 *   (Massachusetts clothing: the first $175 of an item is exempt). With inclusive prices (no known
 *   jurisdiction combines the two; defined so that no table can stop a register) the threshold is
 *   compared with the tax-inclusive price and the part above it holds its tax like any inclusive amount.
 */
export type TaxRule =
  | { kind: 'taxable' }
  | { kind: 'exempt' }
  | { kind: 'reduced'; ratePpm: number }
  | { kind: 'exempt_under'; threshold: number }
  | { kind: 'taxed_over'; threshold: number };

/** One jurisdiction's share: state/province, county, city, special district, or a national tax. */
export interface TaxComponent {
  /** stable across versions: reports add up by it (e.g. "ny-state", "mctd") */
  id: string;
  name: string;
  kind: ComponentKind;
  /** parts per million: 4 % = 40_000 */
  ratePpm: number;
  /** product tax category → rule; a category not listed is taxable at `ratePpm` */
  rules: Readonly<Record<string, TaxRule>>;
}

/**
 * The components in force from the store's local midnight starting `effectiveFrom` (a local
 * calendar date in the location's time zone). The earliest version has no date or applies to
 * every sale before the next one.
 */
export interface TaxVersion {
  effectiveFrom?: IsoDate;
  components: readonly TaxComponent[];
}

export interface TaxTable {
  /** ascending by effectiveFrom; only the first may omit it */
  versions: readonly TaxVersion[];
}

/**
 * A customer's exemption certificate: tax-free while the sale's local date is on or before expiresOn —
 * from every component, or only from the listed jurisdiction ids (a state resale certificate leaves
 * a city's tax due). Ids the store's table does not have exempt nothing there.
 */
export interface CustomerExemption {
  certificateNo: string;
  expiresOn: IsoDate;
  /** component ids; absent or empty: all */
  jurisdictions?: readonly string[] | undefined;
}

/** Everything the engine needs besides the lines. */
export interface TaxContext {
  table: TaxTable;
  /** VAT/GST style: prices contain the tax, which is taken out of them */
  pricesIncludeTax: boolean;
  /** 'line': round each line's share of each component; 'invoice': round each component once per sale */
  rounding: 'line' | 'invoice';
  roundingMode: RoundingMode;
  /** the sale's instant (ISO 8601) and the store's IANA time zone: which version, whether an exemption is valid */
  at: string;
  timeZone: string;
  exemption?: CustomerExemption | null;
}

/** One component's share of a line's tax, as recorded on the sale line. */
export interface ComponentTax {
  jurisdictionId: string;
  name: string;
  /** the rate applied to this line (the component's, or a reduced one) */
  ratePpm: number;
  amount: number;
}

/** A line to tax: its category, quantity and net (after discounts; tax-inclusive when prices include tax). */
export interface TaxLine {
  taxCategory: string;
  qty: number;
  net: number;
  /** a returned line refunds what was recorded: this tax, and its components when the sale had them */
  fixed?: { tax: number; taxes?: readonly ComponentTax[] | undefined };
}

export interface LineTax {
  tax: number;
  /** the components that tax the line (an exempting component is left out); absent only for a fixed line recorded without them */
  taxes?: ComponentTax[];
}

export interface TaxResult {
  lines: LineTax[];
  /** Σ line tax */
  tax: number;
  /** the version used, and whether a customer exemption zeroed the sale's tax */
  effectiveFrom: IsoDate | null;
  customerExempt: boolean;
}

/**
 * EPC (GS1 EPC Tag Data Standard) decoding and SGTIN-96 encoding, pure. The bit layouts come from
 * `epc-tds` (SGTIN-96/198, SSCC-96, SGLN, GRAI, GID, GIAI, GSRN, GDTI, SGCN, CPI); this module
 * guards its edges and names what the RFID app needs: the scheme, the GTIN-14 of a trade item, the
 * company prefix with its leading zeros, and TDS-escaped URIs.
 *
 * Where epc-tds is lenient and this module is not (measured on 1.4.1):
 *  - `valueOf` of a too-short hex string decodes zeros instead of failing → length is checked here;
 *  - a reserved partition value throws a TypeError from deep inside → reported as `unknown`;
 *  - GID-96 has no filter: its `getFilter()` throws → not asked;
 *  - `getCompanyPrefix()` is a number (0614141 → 614141) → the prefix is read from the URI instead;
 *  - `fromTagURI` does not undo URI escapes (`32a%2Fb` is encoded with the `%`) and `toIdURI` does not
 *    escape → SGTIN URIs are built here with the TDS escapes.
 * Anything that is not a GS1 EPC the library knows stays `unknown` with its raw hex kept.
 */
import * as tdsModule from 'epc-tds';
import { gtinCheckDigit, normaliseGtin } from './gtin.ts';

/** The part of epc-tds used here. */
interface SgtinBuilder {
  setFilter(n: number): SgtinBuilder;
  setPartition(n: number): SgtinBuilder;
  setGtin(gtin: string): SgtinBuilder;
  setSerial(n: number): SgtinBuilder;
  toHexString(): string;
}
interface TdsLib {
  valueOf(hex: string): unknown;
  Sgtin96: new () => SgtinBuilder;
}
// epc-tds is CommonJS (`module.exports = TDS`): the namespace's default is the library under Node and
// Vite alike, but its typings say `export default`, which bundler and NodeNext resolution type differently.
const ns = tdsModule as unknown as TdsLib & { default?: TdsLib };
const TDS: TdsLib = typeof ns.default?.valueOf === 'function' ? ns.default : ns;

export const EPC_SCHEMES = [
  'sgtin-96',
  'sgtin-198',
  'sscc-96',
  'sgln-96',
  'sgln-195',
  'grai-96',
  'grai-170',
  'gid-96',
  'giai-96',
  'giai-202',
  'gsrn-96',
  'gdti-96',
  'gdti-174',
  'sgcn-96',
  'cpi-96'
] as const;
export type EpcScheme = (typeof EPC_SCHEMES)[number];

export interface DecodedEpc {
  /** the EPC as read: upper-case hex, no separators */
  epc: string;
  scheme: EpcScheme | 'unknown';
  /** pure identity URI, `urn:epc:id:sgtin:0614141.812345.6789` (absent for unknown) */
  idUri?: string;
  /** tag URI with the filter, `urn:epc:tag:sgtin-96:3.0614141.812345.6789` */
  tagUri?: string;
  filter?: number;
  /** GS1 company prefix as digits, leading zeros kept (GID has a manager number instead: absent) */
  companyPrefix?: string;
  /** GTIN-14 of a serialised trade item (SGTIN only) */
  gtin?: string;
  serial?: string;
}

const HEX = /^[0-9A-F]+$/;

/** "30 74 25…" / "3074-25…" / lower case → "307425…"; null when it is not hex of whole bytes. */
export function normaliseEpcHex(raw: string): string | null {
  const hex = raw.replace(/[\s:-]/g, '').toUpperCase();
  if (hex.length < 4 || hex.length > 124 || hex.length % 2 !== 0 || !HEX.test(hex)) return null;
  return hex;
}

/** TDS §5 URI escaping of a serial: the characters that are not allowed literally in an EPC URI. */
export function escapeEpcComponent(s: string): string {
  return s.replace(/["%&/<>?]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}

interface LibEpc {
  getType(): string;
  getTotalBits(): number;
  toTagURI(): string;
  toIdURI(): string;
  getFilter?(): number;
  getGtin?(): string;
  getSerial?(): number | string;
}

interface LibSgtin {
  getPartition(): number;
  getFilter(): number;
  getGtin(): string;
  getSerial(): number | string;
}

/**
 * Decodes one EPC. Never throws: anything undecodable is `{ epc, scheme: 'unknown' }` (or null epc →
 * unknown of the raw text). `uris: false` skips building the URIs (the batch processor resolves
 * thousands of new tags a second and needs only scheme, GTIN and company prefix).
 */
export function decodeEpc(raw: string, opts: { uris?: boolean } = {}): DecodedEpc {
  const epc = normaliseEpcHex(raw);
  if (!epc) return { epc: raw.trim().toUpperCase(), scheme: 'unknown' };
  let lib: LibEpc;
  try {
    lib = TDS.valueOf(epc) as unknown as LibEpc;
  } catch {
    return { epc, scheme: 'unknown' };
  }
  const scheme = String(lib.getType()).toLowerCase() as EpcScheme;
  if (!(EPC_SCHEMES as readonly string[]).includes(scheme)) return { epc, scheme: 'unknown' };
  // The library pads a short input with zeros; a real tag of this scheme has all its bits.
  if (epc.length * 4 < lib.getTotalBits()) return { epc, scheme: 'unknown' };
  if (opts.uris === false && scheme === 'sgtin-96') {
    try {
      const sg = lib as unknown as LibSgtin;
      const partition = sg.getPartition();
      if (partition > 6) return { epc, scheme: 'unknown' };
      const gtin = sg.getGtin();
      if (!/^\d{14}$/.test(gtin)) return { epc, scheme: 'unknown' };
      // partition p: a company prefix of 12 − p digits, right after the GTIN's indicator digit
      return { epc, scheme, filter: sg.getFilter(), gtin, companyPrefix: gtin.slice(1, 13 - partition), serial: String(sg.getSerial()) };
    } catch {
      return { epc, scheme: 'unknown' };
    }
  }
  try {
    const libTagUri = lib.toTagURI();
    const libIdUri = lib.toIdURI();
    const parts = libIdUri.split(':')[4]?.split('.') ?? [];
    // GID has no filter field (its getFilter throws)
    const filter = scheme !== 'gid-96' && typeof lib.getFilter === 'function' ? lib.getFilter() : undefined;
    const out: DecodedEpc = { epc, scheme, idUri: libIdUri, tagUri: libTagUri };
    if (filter !== undefined) out.filter = filter;
    if (scheme !== 'gid-96' && parts[0] && /^\d{6,12}$/.test(parts[0])) out.companyPrefix = parts[0];
    if (scheme === 'sgtin-96' || scheme === 'sgtin-198') {
      const gtin = lib.getGtin!();
      const item = parts[1] ?? '';
      const serial = String(lib.getSerial!());
      if (!/^\d{14}$/.test(gtin) || !out.companyPrefix) return { epc, scheme: 'unknown' };
      out.gtin = gtin;
      out.serial = serial;
      out.idUri = `urn:epc:id:sgtin:${out.companyPrefix}.${item}.${escapeEpcComponent(serial)}`;
      out.tagUri = `urn:epc:tag:${scheme}:${filter ?? 0}.${out.companyPrefix}.${item}.${escapeEpcComponent(serial)}`;
    } else {
      const last = parts.at(-1);
      if (last !== undefined) out.serial = last;
    }
    return out;
  } catch {
    return { epc, scheme: 'unknown' };
  }
}

// ---------------------------------------------------------------------------------------------
// Encoding (tagging a shop's own goods)

/** Largest SGTIN-96 serial: 38 bits. */
export const SGTIN96_MAX_SERIAL = 2 ** 38 - 1;
/** GS1 filter values for trade items (TDS table 10-4): 1 = point-of-sale item, the usual retail tag. */
export const FILTER_POS_ITEM = 1;

export class EpcEncodeError extends Error {
  override name = 'EpcEncodeError';
}

/** A company prefix as an admin types it: 6 to 12 digits. */
export const COMPANY_PREFIX_PATTERN = /^\d{6,12}$/;

/** The tenant's company prefix a GTIN belongs to (the longest one that matches), or undefined. */
export function companyPrefixFor(gtin: string, prefixes: readonly string[]): string | undefined {
  const g14 = normaliseGtin(gtin);
  if (!g14) return undefined;
  // GTIN-14 = indicator digit + company prefix + item reference + check digit
  const body = g14.slice(1, 13);
  return [...prefixes].filter((p) => COMPANY_PREFIX_PATTERN.test(p) && body.startsWith(p)).sort((a, b) => b.length - a.length)[0];
}

export interface EncodedTag {
  epc: string;
  tagUri: string;
  idUri: string;
  serial: number;
}

/**
 * SGTIN-96 for one unit of a trade item: GTIN (any length) + the length of its company prefix (which
 * fixes the partition) + a numeric serial. Throws `EpcEncodeError` with the reason.
 */
export function encodeSgtin96(input: { gtin: string; companyPrefix: string; serial: number; filter?: number }): EncodedTag {
  const g14 = normaliseGtin(input.gtin);
  if (!g14) throw new EpcEncodeError(`${input.gtin} is not a GTIN with a valid check digit`);
  if (!COMPANY_PREFIX_PATTERN.test(input.companyPrefix)) throw new EpcEncodeError('the company prefix must be 6 to 12 digits');
  if (!g14.slice(1).startsWith(input.companyPrefix)) throw new EpcEncodeError(`GTIN ${g14} does not belong to company prefix ${input.companyPrefix}`);
  if (!Number.isSafeInteger(input.serial) || input.serial < 0 || input.serial > SGTIN96_MAX_SERIAL) {
    throw new EpcEncodeError(`serial ${input.serial} is outside 0–${SGTIN96_MAX_SERIAL} (SGTIN-96 serials are 38-bit numbers)`);
  }
  const filter = input.filter ?? FILTER_POS_ITEM;
  if (!Number.isInteger(filter) || filter < 0 || filter > 7) throw new EpcEncodeError('the filter value must be 0 to 7');
  const partition = 12 - input.companyPrefix.length;
  const lib = new TDS.Sgtin96().setFilter(filter).setPartition(partition).setGtin(g14).setSerial(input.serial);
  const epc = lib.toHexString().toUpperCase();
  const decoded = decodeEpc(epc);
  // Round trip: what we write must read back as the same GTIN and serial.
  if (decoded.gtin !== g14 || decoded.serial !== String(input.serial)) throw new EpcEncodeError(`encoding ${g14}/${input.serial} did not round-trip`);
  return { epc, tagUri: decoded.tagUri!, idUri: decoded.idUri!, serial: input.serial };
}

/** Tags for `count` units of one GTIN with consecutive serials from `firstSerial` (at most 10,000 at a time). */
export function sgtin96Series(input: { gtin: string; companyPrefix: string; firstSerial: number; count: number; filter?: number }): EncodedTag[] {
  if (!Number.isInteger(input.count) || input.count < 1 || input.count > 10_000) throw new EpcEncodeError('encode 1 to 10,000 tags at a time');
  if (input.firstSerial + input.count - 1 > SGTIN96_MAX_SERIAL) throw new EpcEncodeError('the serial range runs past the SGTIN-96 maximum');
  const out: EncodedTag[] = [];
  for (let i = 0; i < input.count; i++) out.push(encodeSgtin96({ gtin: input.gtin, companyPrefix: input.companyPrefix, serial: input.firstSerial + i, ...(input.filter !== undefined ? { filter: input.filter } : {}) }));
  return out;
}

// ---------------------------------------------------------------------------------------------
// What a read tag is to this tenant

export type TagClass =
  /** an SGTIN whose GTIN is a catalog variant */
  | 'item'
  /** an SGTIN of the tenant's own company prefix (or any, when none is configured) not in the catalog */
  | 'unknown_item'
  /** a GS1 EPC of another company (a supplier's tag, a neighbour's pallet) */
  | 'foreign'
  /** one of the tenant's own non-trade-item EPCs (SSCC, GRAI…) */
  | 'other'
  /** not a GS1 EPC this app can decode: kept as raw hex */
  | 'raw';

export function classifyTag(tag: DecodedEpc, ownPrefixes: readonly string[], inCatalog: (gtin14: string) => boolean): TagClass {
  if (tag.scheme === 'unknown') return 'raw';
  if (tag.gtin && inCatalog(tag.gtin)) return 'item';
  const own = ownPrefixes.length === 0 ? tag.scheme.startsWith('sgtin') : tag.companyPrefix !== undefined && ownPrefixes.includes(tag.companyPrefix);
  if (!own) return 'foreign';
  return tag.gtin ? 'unknown_item' : 'other';
}

/** Completes a GTIN body with its check digit (re-exported for tag-encoding forms). */
export const checkDigit = gtinCheckDigit;

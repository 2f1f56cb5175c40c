/**
 * Which version of a tax table applies to a sale, and whether a customer's exemption is valid then.
 * Both compare the sale's local calendar date in the store's time zone (business-day.ts), so a
 * scheduled change applies from the store's local midnight whatever the device's clock zone, across
 * DST changes (including zones whose midnight does not exist on the day clocks spring forward), and
 * with nothing but the replicated table: no network.
 */
import { businessDay, isIsoDate, startOfDay, type IsoDate } from '../business-day.ts';
import type { CustomerExemption, TaxTable, TaxVersion } from './types.ts';

/** The store's local date of an instant (the date every effective-date rule compares). */
export function saleDate(at: string, timeZone: string): IsoDate {
  if (Number.isNaN(Date.parse(at))) throw new RangeError(`sale time must be an ISO instant, got ${at}`);
  return businessDay(at, timeZone);
}

/**
 * The version in force on local date `date`: the latest whose effectiveFrom is on or before it. A
 * sale before every dated version takes the earliest, so a table always prices (a register must
 * never be left unable to sell because a table was written with only future dates).
 */
export function versionOn(table: TaxTable, date: IsoDate): TaxVersion {
  checkVersions(table);
  let current = table.versions[0]!;
  for (const v of table.versions) if (v.effectiveFrom === undefined || v.effectiveFrom <= date) current = v;
  return current;
}

/** The instant (ms) a version dated `effectiveFrom` starts applying: the first instant of that local day. */
export function effectiveInstant(effectiveFrom: IsoDate, timeZone: string): number {
  return startOfDay(effectiveFrom, timeZone);
}

/** Valid through its expiry date inclusive, in the store's local calendar. */
export function exemptionValidOn(exemption: CustomerExemption | null | undefined, date: IsoDate): boolean {
  if (!exemption) return false;
  if (!isIsoDate(exemption.expiresOn)) throw new RangeError(`exemption expiry must be a date, got ${exemption.expiresOn}`);
  return exemption.certificateNo.trim() !== '' && date <= exemption.expiresOn;
}

function checkVersions(table: TaxTable): void {
  if (table.versions.length === 0) throw new RangeError('a tax table needs at least one version');
  table.versions.forEach((v, i) => {
    if (v.effectiveFrom === undefined) {
      if (i > 0) throw new RangeError('only the first tax table version may have no effective date');
      return;
    }
    if (!isIsoDate(v.effectiveFrom)) throw new RangeError(`effectiveFrom must be a date, got ${v.effectiveFrom}`);
    const prev = table.versions[i - 1]?.effectiveFrom;
    if (prev !== undefined && prev >= v.effectiveFrom) throw new RangeError('tax table versions must be in ascending effective-date order');
  });
}

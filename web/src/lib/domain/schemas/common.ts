import { z } from 'zod';
import { LOCATION_CODE_PATTERN } from '../db-names.ts';

/** CouchDB's own fields; replication adds `_revisions` when it writes with new_edits:false. */
export const couchFields = {
  _id: z.string().min(1).max(200),
  _rev: z.string().regex(/^\d+-[0-9a-f]+$/, 'must be a CouchDB revision').optional(),
  _revisions: z.object({ start: z.number().int().positive(), ids: z.array(z.string()) }).optional(),
  _conflicts: z.array(z.string()).optional()
};

export const isoTimestamp = z.iso.datetime({ offset: true, message: 'must be an ISO-8601 timestamp' });
export const locationCode = z.string().regex(LOCATION_CODE_PATTERN, 'must be a location code like GM');
/** Integer minor units (cents). Never floats (DESIGN.md §10). */
export const minor = z.number().int('must be whole minor units (cents)').refine(Number.isSafeInteger, 'out of range');
export const nonNegMinor = minor.refine((n) => n >= 0, 'must not be negative');
export const currency = z.string().regex(/^[A-Z]{3}$/, 'must be an ISO-4217 code like USD');
export const idRef = z.string().min(1).max(200);
export const qty = z.number().int('must be a whole number');

export function idWithPrefix(prefix: string) {
  return z.string().refine((id) => id.startsWith(`${prefix}:`) && id.length > prefix.length + 1, {
    message: `must start with "${prefix}:"`
  });
}

export const fieldTimes = z.record(z.string(), isoTimestamp);

import { z } from 'zod';
import { catalogDb } from '../../web/src/lib/domain/db-names.ts';
import { locationSchema, type DocOf } from '../../web/src/lib/domain/schemas/index.ts';
import { recordAudit } from '../audit.ts';
import { statusOf, updateDoc, type Couch } from '../couch/client.ts';
import { notFound } from '../http/errors.ts';
import { locationInput } from './provision.ts';

type LocationDoc = DocOf<'location'>;

/** The editable fields of a location; its code names its database and never changes. */
export const locationPatch = locationInput
  .pick({ address: true, timeZone: true, currency: true })
  .partial()
  .extend({ name: z.string().trim().min(1, 'is required').max(120).optional() })
  .strict();
export type LocationPatch = z.output<typeof locationPatch>;

const EDITABLE = ['name', 'address', 'timeZone', 'currency'] as const;

/** Applies a patch (only the fields given), stamping per-field times for the catalog's field-LWW merge. */
export async function updateLocation(couch: Couch, tenantId: string, code: string, patch: LocationPatch, by: string): Promise<LocationDoc> {
  const now = new Date().toISOString();
  let changed: string[] = [];
  let out: LocationDoc | null;
  try {
    out = await updateDoc<LocationDoc>(couch.use(catalogDb(tenantId)), `location:${code}`, (doc) => {
      changed = EDITABLE.filter((f) => patch[f] !== undefined && patch[f] !== doc[f]);
      if (changed.length === 0) return null;
      const fieldTimes = { ...(doc.fieldTimes ?? {}), ...Object.fromEntries(changed.map((f) => [f, now])) };
      return locationSchema.parse({ ...doc, ...patch, updatedAt: now, updatedBy: by, fieldTimes });
    });
  } catch (err) {
    if (statusOf(err) === 404) throw notFound(`Location ${code} does not exist`);
    throw err;
  }
  if (!out) return (await couch.use(catalogDb(tenantId)).get(`location:${code}`)) as unknown as LocationDoc;
  await recordAudit(couch, tenantId, { action: 'location.updated', actor: by, target: `location:${code}`, details: { fields: changed } });
  return out;
}

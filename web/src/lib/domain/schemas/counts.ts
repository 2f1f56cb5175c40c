import { z } from 'zod';
import { humanText } from './text.ts';
import { couchFields, idRef, isoTimestamp, locationCode, minor, qty } from './common.ts';

export const COUNT_STATUSES = ['open', 'submitted', 'approved', 'rejected'] as const;
export type CountStatus = (typeof COUNT_STATUSES)[number];
export const COUNT_SOURCES = ['rfid', 'manual'] as const;

const variantId = z.string().min(1).max(40);

/** What a count covers: everything at the location, some categories, or a list of variants. */
export const countScopeSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('all') }).strict(),
  z.object({ kind: z.literal('categories'), categoryIds: z.array(idRef).min(1).max(200) }).strict(),
  z.object({ kind: z.literal('variants'), variantIds: z.array(variantId).min(1).max(5000) }).strict()
]);
export type CountScope = z.infer<typeof countScopeSchema>;

/** Units found on the shelf for one variant. */
export const countedLineSchema = z.object({ variantId, qty: qty.refine((n) => n >= 0, 'must not be negative') }).strict();

/**
 * One reviewed line, frozen on the session when it is approved or rejected (what the reviewer saw):
 * `expected` = on hand at submission, `variance` = counted − expected, `unitCost` from the catalog
 * at review time (0 when the variant has no cost).
 */
export const reviewLineSchema = z
  .object({ variantId, expected: qty, counted: qty.refine((n) => n >= 0), variance: qty, unitCost: minor })
  .strict();

/**
 * A stock count at one location (`count:{location}:{ulid}`), in the location database. Written by
 *  - an enrolled RFID phone (device writer `rfid_phone`, through the gateway), which creates it once,
 *    already `submitted`, with `source: "rfid"`; or
 *  - the API for a manual count (`source: "manual"`): `open` while counts are entered, then `submitted`.
 * From then on only the server changes it (the gateway refuses edits): a manager approves it — the
 * server first writes the correction movement `movement:count:{ulid}` (reason `count`), then marks
 * the session `approved` with the reviewed lines — or rejects it with a reason. Like a transfer, the
 * status is a projection of the ledger event; stock levels read only the movement.
 */
export const countSessionSchema = z
  .object({
    ...couchFields,
    _id: z.string().regex(/^count:[A-Z][A-Z0-9]{1,9}:[0-9A-HJKMNP-TV-Z]{26}$/, 'must be count:{location}:{ulid}'),
    type: z.literal('count_session'),
    locationCode,
    source: z.enum(COUNT_SOURCES),
    scope: countScopeSchema,
    status: z.enum(COUNT_STATUSES),
    /** each variant once; variants of the scope not listed were counted as 0 */
    counts: z.array(countedLineSchema).max(20000),
    /** who counted: `user:{id}` for a manual count, the staff id signed in on the phone for RFID */
    countedBy: idRef,
    /** `device:{id}` of the phone that read the tags */
    deviceId: idRef.optional(),
    note: humanText(400, { multiline: true }).optional(),
    startedAt: isoTimestamp,
    /** the moment the counts stand for: expected stock is taken as of this time */
    submittedAt: isoTimestamp.optional(),
    reviewedAt: isoTimestamp.optional(),
    reviewedBy: idRef.optional(),
    rejectReason: humanText(400, { min: 1, multiline: true }).optional(),
    /** the correction movement; absent on an approved count without any variance */
    movementId: idRef.optional(),
    reviewLines: z.array(reviewLineSchema).optional(),
    createdAt: isoTimestamp,
    createdBy: idRef,
    updatedAt: isoTimestamp,
    updatedBy: idRef
  })
  .strict()
  .superRefine((s, ctx) => {
    if (s._id.split(':')[1] !== s.locationCode) ctx.addIssue({ code: 'custom', path: ['_id'], message: 'must name its location (count:{locationCode}:{ulid})' });
    const seen = new Set<string>();
    s.counts.forEach((l, i) => {
      if (seen.has(l.variantId)) ctx.addIssue({ code: 'custom', path: ['counts', i, 'variantId'], message: 'each variant once per count' });
      seen.add(l.variantId);
    });
    if ((s.status !== 'open') !== Boolean(s.submittedAt)) ctx.addIssue({ code: 'custom', path: ['submittedAt'], message: 'is set exactly when the count has been submitted' });
    const reviewed = s.status === 'approved' || s.status === 'rejected';
    if (reviewed !== Boolean(s.reviewedAt && s.reviewedBy && s.reviewLines)) {
      ctx.addIssue({ code: 'custom', path: ['reviewedAt'], message: 'reviewedAt, reviewedBy and reviewLines are set exactly when the count was reviewed' });
    }
    if ((s.status === 'rejected') !== Boolean(s.rejectReason)) ctx.addIssue({ code: 'custom', path: ['rejectReason'], message: 'a rejected count (only) has a reason' });
    if (s.movementId && s.status !== 'approved') ctx.addIssue({ code: 'custom', path: ['movementId'], message: 'only an approved count has a movement' });
    if (s.source === 'rfid' && !s.deviceId) ctx.addIssue({ code: 'custom', path: ['deviceId'], message: 'an RFID count names the phone that read it' });
  });

export type CountSession = z.infer<typeof countSessionSchema>;

/**
 * One batch of tags an RFID phone read for a count that several phones share
 * (`count_scan:{countUlid}:{deviceId}:{ulid}`, in the location database). Each phone publishes what it
 * read; every phone of the store replicates the others' batches and merges them (an EPC counts once),
 * so two clerks can count one store, aisle by aisle, offline in between. The session's scope and start
 * ride along, so a phone can join from any batch. An event: created once by the phone that read the
 * tags (the gateway checks the id and `deviceId` name that phone), never edited.
 */
export const countScanSchema = z
  .object({
    ...couchFields,
    _id: z.string().regex(/^count_scan:[0-9A-HJKMNP-TV-Z]{26}:[A-Za-z0-9_-]{1,40}:[0-9A-HJKMNP-TV-Z]{26}$/, 'must be count_scan:{count ulid}:{device id}:{ulid}'),
    type: z.literal('count_scan'),
    locationCode,
    /** the shared count's future count_session id */
    countId: z.string().regex(/^count:[A-Z][A-Z0-9]{1,9}:[0-9A-HJKMNP-TV-Z]{26}$/, 'must be count:{location}:{ulid}'),
    scope: countScopeSchema,
    startedAt: isoTimestamp,
    /** `device:{id}` of the phone that read these tags */
    deviceId: idRef,
    tags: z
      .array(
        z
          .object({
            epc: z.string().regex(/^(?:[0-9A-F]{2}){2,62}$/, 'must be upper-case hex'),
            variantId: z.string().min(1).max(40).optional(),
            zone: z.string().min(1).max(20),
            /** epoch ms of the first read */
            firstSeen: z.number().int().nonnegative(),
            rssi: z.number().int().min(-120).max(0).optional()
          })
          .strict()
      )
      .min(1)
      .max(2000),
    createdAt: isoTimestamp,
    createdBy: idRef
  })
  .strict()
  .superRefine((d, ctx) => {
    const [, countUlid, device] = d._id.split(':');
    if (d.countId.split(':')[2] !== countUlid) ctx.addIssue({ code: 'custom', path: ['countId'], message: 'must be the count the id names' });
    if (d.countId.split(':')[1] !== d.locationCode) ctx.addIssue({ code: 'custom', path: ['countId'], message: 'must be a count of this location' });
    if (d.deviceId !== `device:${device}`) ctx.addIssue({ code: 'custom', path: ['deviceId'], message: 'must be the phone the id names' });
  });

export type CountScan = z.infer<typeof countScanSchema>;

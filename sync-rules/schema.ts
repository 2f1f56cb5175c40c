import { z } from 'zod';
import { PERMISSIONS } from '#domain/permissions.ts';
import { DOC_TYPES } from '#domain/schemas/index.ts';

export const DEVICE_KINDS = ['register', 'rfid_phone'] as const;
export type DeviceKind = (typeof DEVICE_KINDS)[number];
/** Who replicates: an enrolled device of a kind, or a signed-in user in a browser (admin portal). */
export const PRINCIPAL_KINDS = [...DEVICE_KINDS, 'admin_browser'] as const;
export type PrincipalKind = (typeof PRINCIPAL_KINDS)[number];

export const DB_KINDS = ['catalog', 'customers', 'audit', 'location'] as const;

const dbRule = z
  .object({
    db: z.enum(DB_KINDS),
    /** pull: device reads only; both: two-way. Writes additionally need the doc type's permission. */
    direction: z.enum(['pull', 'both']),
    /** location databases: `own` = the device's location; `granted` = the user's locations */
    scope: z.enum(['tenant', 'own', 'granted']).default('tenant'),
    /** Mango selector a replication may send; absent means whole-database replication only. */
    selector: z.record(z.string(), z.unknown()).optional(),
    /**
     * A signed-in user (admin browser) reaches this database only with this permission, as `/api/v1`
     * requires it for the same data (least privilege: a cashier's browser does not read the audit trail).
     * Devices, and staff signed in on them, are not affected: a register's sales flow needs customers.
     */
    readPermission: z.enum(PERMISSIONS).optional()
  })
  .strict();

const conflictRule = z.discriminatedUnion('rule', [
  /** immutable documents: a conflict is a bug and raises an alert */
  z.object({ rule: z.literal('immutable') }).strict(),
  /** per-field last writer wins on `updatedAt`, ties broken by `updatedBy` */
  z.object({ rule: z.literal('field-lww'), setMergeFields: z.array(z.string()).default([]) }).strict(),
  /** only the server writes these */
  z.object({ rule: z.literal('server-only') }).strict()
]);

const docRule = z
  .object({
    db: z.enum(DB_KINDS),
    lifecycle: z.enum(['event', 'mutable']),
    /** permission a user (or the staff member acting on a device) needs to write it */
    write: z.enum(PERMISSIONS).nullable(),
    /**
     * device kinds that may write it: the device's own credential, or a staff member signed in on such a
     * device who also holds `write` (a session on a device keeps the device's limits)
     */
    deviceWriters: z.array(z.enum(DEVICE_KINDS)).default([]),
    /** a signed-in user's browser session (no device) may write it, with `write`; false for register documents */
    browser: z.boolean().default(true),
    /**
     * Ids of this type only the server writes: exactly-once locks derived from another document (a
     * sale's ledger entries, a transfer's movements). A client holding one first would block or fake
     * that write. The refusal reads "{what} are written only by {writer}".
     */
    serverIds: z.array(z.object({ prefixes: z.array(z.string().min(1)).min(1), what: z.string(), writer: z.string() }).strict()).default([]),
    /**
     * A mutable type a client may only create, never change or delete: every later change is the
     * server's, made where `then` says. Gateway writes of it are judged like events (event-once.ts).
     * Events are created once by their lifecycle and need no flag.
     */
    createdOnce: z.object({ then: z.string().min(1) }).strict().optional(),
    /** a register names these `{kind}:{its own device id}:{ulid}`, so one till cannot pass its documents off as another's */
    ownIds: z.boolean().default(false),
    conflict: conflictRule
  })
  .strict();

export const syncRulesSchema = z
  .object({
    version: z.number().int().positive(),
    principals: z.record(z.enum(PRINCIPAL_KINDS), z.array(dbRule)),
    documents: z.record(z.enum(DOC_TYPES as [string, ...string[]]), docRule)
  })
  .strict()
  .superRefine((rules, ctx) => {
    for (const t of DOC_TYPES) {
      if (!rules.documents[t]) ctx.addIssue({ code: 'custom', path: ['documents', t], message: 'every document type needs a rule' });
    }
    for (const [t, r] of Object.entries(rules.documents)) {
      if (r.lifecycle === 'event' && r.conflict.rule !== 'immutable') {
        ctx.addIssue({ code: 'custom', path: ['documents', t, 'conflict'], message: 'event documents are immutable' });
      }
    }
  });

export type SyncRules = z.infer<typeof syncRulesSchema>;
export type DbRule = z.infer<typeof dbRule>;
export type DocRule = z.infer<typeof docRule>;

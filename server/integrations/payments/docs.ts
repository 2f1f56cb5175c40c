import { z } from 'zod';
import { LOCATION_CODE_PATTERN, TENANT_ID_PATTERN } from '#domain/db-names.ts';

/** The stored shapes of the payments integration (integrations database), checked on every read. */

const couch = { _id: z.string(), _rev: z.string().optional() };
const status = z.enum(['requires_payment_method', 'requires_confirmation', 'requires_action', 'processing', 'requires_capture', 'succeeded', 'canceled']);
const tenantId = z.string().regex(TENANT_ID_PATTERN);
const locationCode = z.string().regex(LOCATION_CODE_PATTERN);

export const stripeConnectionDoc = z
  .object({
    ...couch,
    type: z.literal('stripe_connection'),
    tenantId,
    /** sealed (secret-box.ts) under `stripe:{tenant}:secretKey` / `:webhookSecret` */
    secretKey: z.string(),
    webhookSecret: z.string(),
    /** what the admin sees instead of the key: its mode and last four characters */
    keyHint: z.string(),
    livemode: z.boolean(),
    captureMethod: z.enum(['automatic', 'manual']),
    /** POS location → its Stripe Terminal Location (readers register there; tokens discover only there) */
    locations: z.record(z.string(), z.object({ terminalLocation: z.string() }).strict()),
    connectedAt: z.string(),
    updatedAt: z.string(),
    updatedBy: z.string()
  })
  .strict();
export type StripeConnectionDoc = z.infer<typeof stripeConnectionDoc>;

const paymentError = z.object({ code: z.string().nullable(), declineCode: z.string().nullable(), message: z.string() }).strict();

export const cardPaymentDoc = z
  .object({
    ...couch,
    type: z.literal('card_payment'),
    provider: z.literal('stripe'),
    tenantId,
    locationCode,
    /** the device that created it */
    deviceId: z.string(),
    saleId: z.string(),
    paymentId: z.string(),
    intentId: z.string(),
    amount: z.number().int().positive(),
    currency: z.string(),
    captureMethod: z.enum(['automatic', 'manual']),
    status,
    statusAt: z.number(),
    amountCapturable: z.number().int().nonnegative(),
    amountReceived: z.number().int().nonnegative(),
    amountRefunded: z.number().int().nonnegative(),
    lastError: paymentError.nullable(),
    /** the reader a server-driven payment was sent to (its action is cancelled with the payment) */
    readerId: z.string().optional(),
    /** refunds by the POS return they belong to */
    refunds: z.record(z.string(), z.object({ refundId: z.string(), amount: z.number().int().positive(), status: z.string(), at: z.string() }).strict()),
    createdAt: z.string(),
    updatedAt: z.string()
  })
  .strict();
export type CardPaymentDoc = z.infer<typeof cardPaymentDoc>;

export const cardIntentDoc = z.object({ ...couch, type: z.literal('card_intent'), tenantId, paymentId: z.string() }).strict();

export const stripeReaderDoc = z
  .object({
    ...couch,
    type: z.literal('stripe_reader'),
    tenantId,
    locationCode,
    readerId: z.string(),
    label: z.string(),
    deviceType: z.string(),
    serialNumber: z.string(),
    terminalLocation: z.string(),
    /** the register (`device:{id}`) that uses this reader for card payments; absent: not assigned */
    registerId: z.string().optional(),
    assignedAt: z.string().optional(),
    registeredAt: z.string(),
    registeredBy: z.string()
  })
  .strict();
export type StripeReaderDoc = z.infer<typeof stripeReaderDoc>;

export const stripeEventDoc = z
  .object({
    ...couch,
    type: z.literal('stripe_event'),
    tenantId,
    eventId: z.string(),
    eventType: z.string(),
    created: z.number(),
    receivedAt: z.string(),
    /** applied to a payment; ignored (a type we do not follow); unmatched (no payment of ours) */
    outcome: z.enum(['applied', 'ignored', 'unmatched']),
    paymentId: z.string().optional()
  })
  .strict();
export type StripeEventDoc = z.infer<typeof stripeEventDoc>;

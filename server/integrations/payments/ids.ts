/**
 * Documents of the payments integration in the server-only `integrations` database. Every id carries
 * the tenant, so one tenant's id can never name another's document.
 */
export const stripeConnectionId = (tenantId: string) => `stripe:${tenantId}`;
/** A card payment, named by the register's own payment id (the idempotency key of its PaymentIntent). */
export const cardPaymentId = (tenantId: string, paymentId: string) => `card_payment:${tenantId}:${paymentId}`;
/** From a PaymentIntent id back to the payment (for events that carry only the intent: charge.refunded). */
export const cardIntentId = (tenantId: string, intentId: string) => `card_intent:${tenantId}:${intentId}`;
export const stripeReaderId = (tenantId: string, readerId: string) => `stripe_reader:${tenantId}:${readerId}`;
export const stripeReaderPrefix = (tenantId: string) => `stripe_reader:${tenantId}:`;
/** A webhook event, written once: a second delivery of the same event finds it and does nothing. */
export const stripeEventId = (tenantId: string, eventId: string) => `stripe_event:${tenantId}:${eventId}`;

/** The register's id for one card attempt: `payment:{register}:{ulid}`, made before it asks the server. */
export const PAYMENT_ID = /^payment:[A-Za-z0-9_-]{1,40}:[0-9A-HJKMNP-TV-Z]{26}$/;
/** PaymentIntent metadata keys, so a payment in Stripe's dashboard names its tenant, store, sale and register. */
export const META = { tenant: 'pos_tenant', location: 'pos_location', sale: 'pos_sale', payment: 'pos_payment', register: 'pos_register' } as const;

import { AppError } from '../../errors.ts';

/**
 * One interface for card-present payment providers (issue 17): Stripe Terminal today, Square's
 * Terminal API next. Use cases (service.ts) talk to this, never to a provider's client, so a second
 * provider is a second implementation. Amounts are minor units; currencies lowercase ISO 4217.
 */

/** Where a payment stands, in the provider-neutral words the POS reconciles against. */
export type PaymentStatus = 'requires_payment_method' | 'requires_confirmation' | 'requires_action' | 'processing' | 'requires_capture' | 'succeeded' | 'canceled';

export interface GatewayPayment {
  /** the provider's id (Stripe: pi_…) */
  id: string;
  status: PaymentStatus;
  amount: number;
  currency: string;
  amountCapturable: number;
  amountReceived: number;
  captureMethod: 'automatic' | 'manual';
  /** what the SDK on the register needs to collect the card (Stripe: the client secret) */
  clientSecret: string | null;
  /** the last attempt's decline or error, while the payment can still be retried */
  lastError: { code: string | null; declineCode: string | null; message: string } | null;
  metadata: Record<string, string>;
  /** seconds since the epoch the provider created it */
  created: number;
}

export interface GatewayRefund {
  id: string;
  paymentId: string;
  amount: number;
  currency: string;
  status: string;
}

/** A charge as the provider's books have it (reconciliation): the money taken for one payment. */
export interface GatewayCharge {
  id: string;
  /** the payment it belongs to (Stripe: pi_…) */
  paymentId: string | null;
  /** captured: money actually taken (an authorisation not captured is 0) */
  amountCaptured: number;
  currency: string;
  /** seconds since the epoch */
  created: number;
  metadata: Record<string, string>;
}

export interface GatewayRefundRecord extends GatewayRefund {
  created: number;
}

export interface GatewayReader {
  id: string;
  label: string;
  deviceType: string;
  serialNumber: string;
  status: string | null;
  /** the provider's location the reader is registered to (Stripe: tml_…) */
  location: string | null;
  action: { type: string; status: string; failureCode: string | null; failureMessage: string | null; paymentId: string | null } | null;
}

export interface CreatePaymentInput {
  amount: number;
  currency: string;
  captureMethod: 'automatic' | 'manual';
  /** made by the register, so a retried create can only ever make one payment */
  idempotencyKey: string;
  metadata: Record<string, string>;
  description?: string;
}

export interface ReaderLocationInput {
  displayName: string;
  address: { line1: string; line2?: string | undefined; city: string; state?: string | undefined; postalCode: string; country: string };
  idempotencyKey: string;
  metadata: Record<string, string>;
}

export interface PaymentGateway {
  readonly provider: 'stripe';
  /** a short-lived secret the register's SDK uses to reach its reader; `location` limits discovery */
  connectionToken(location?: string): Promise<string>;
  createPayment(input: CreatePaymentInput): Promise<GatewayPayment>;
  getPayment(id: string): Promise<GatewayPayment>;
  capturePayment(id: string, amount: number | undefined, idempotencyKey: string): Promise<GatewayPayment>;
  cancelPayment(id: string, idempotencyKey: string): Promise<GatewayPayment>;
  /** amount absent: whatever is left to refund */
  refund(input: { paymentId: string; amount?: number | undefined; idempotencyKey: string; metadata: Record<string, string> }): Promise<GatewayRefund>;
  createReaderLocation(input: ReaderLocationInput): Promise<string>;
  registerReader(input: { registrationCode: string; label: string; location: string; metadata: Record<string, string> }): Promise<GatewayReader>;
  getReader(id: string): Promise<GatewayReader>;
  /**
   * server-driven flow: the reader asks for the card and processes this payment. No idempotency key:
   * after a decline the same payment goes to the reader again, and a replayed first answer would hide
   * that; a double send is refused by the provider (reader busy).
   */
  processOnReader(readerId: string, paymentId: string): Promise<GatewayReader>;
  cancelReaderAction(readerId: string): Promise<GatewayReader>;
  /** every successful charge created in [from, to) (seconds since the epoch), all pages */
  listCharges(from: number, to: number): Promise<GatewayCharge[]>;
  /** every refund created in [from, to) that did not fail, all pages */
  listRefunds(from: number, to: number): Promise<GatewayRefundRecord[]>;
}

/**
 * A provider's refusal or failure, as something a cashier or admin can act on. `declineCode` is the
 * issuer's reason on a declined card (generic_decline, insufficient_funds…).
 */
export class PaymentGatewayError extends AppError {
  constructor(status: number, code: string, message: string, readonly declineCode: string | null = null) {
    super(status, code, message, declineCode ? { declineCode } : undefined);
  }
}

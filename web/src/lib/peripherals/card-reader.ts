import type { Reader, StripeTerminal, Terminal } from '@stripe/terminal-js';

/**
 * Card-present payments. The register asks a CardReader for an amount and gets back a reference to
 * store on the tender (`card_stripe`, reference = PaymentIntent id). Card payments need the network
 * (Stripe authorises online), so an offline register gets the one clear error below and can take
 * the card on a standalone terminal (`card_external`) instead.
 */

export const NEEDS_CONNECTION = 'card reader needs a connection';

export class CardReaderError extends Error {
  override name = 'CardReaderError';
}

export interface CardPayment {
  reference: string;
}

export interface CardReader {
  readonly kind: 'stripe' | 'simulated';
  /** amount in minor units (Stripe uses them too); currency ISO-4217 */
  collectPayment(amount: number, currency: string): Promise<CardPayment>;
  /** stops a payment waiting for the card */
  cancel(): Promise<void>;
}

function offline(): boolean {
  return typeof navigator !== 'undefined' && navigator.onLine === false;
}

export interface StripeTerminalReaderOptions {
  /** POSTs to the server for a Terminal connection token (server wiring: a later issue) */
  fetchConnectionToken: () => Promise<string>;
  /** has the server create a card_present PaymentIntent; the server also captures it */
  createPaymentIntent: (amount: number, currency: string) => Promise<{ clientSecret: string }>;
  /** the Stripe reader to use (tmr_…); the first one discovered when absent */
  readerId?: string;
  /** Stripe Terminal location (tml_…) to discover readers in */
  location?: string;
  /** use Stripe's simulated reader (test mode keys) */
  simulated?: boolean;
  /** how the SDK is loaded; tests replace it */
  loadTerminal?: () => Promise<StripeTerminal | null>;
  /** how long to wait for the SDK script; default 15 s */
  loadTimeoutMs?: number;
}

async function defaultLoad(): Promise<StripeTerminal | null> {
  // Importing the package inserts the js.stripe.com script tag, so it is imported only when the
  // first card payment needs it. (Not the /pure entry: its typings point TypeScript at the
  // package's raw .ts sources, which fail this project's verbatimModuleSyntax check.)
  const { loadStripeTerminal } = await import('@stripe/terminal-js');
  return loadStripeTerminal();
}

function failed(result: object): string | null {
  return 'error' in result && result.error && typeof result.error === 'object' && 'message' in result.error ? String(result.error.message) : null;
}

export class StripeTerminalReader implements CardReader {
  readonly kind = 'stripe' as const;
  private terminal: Terminal | null = null;

  constructor(private readonly opts: StripeTerminalReaderOptions) {}

  private async loadSdk(): Promise<Terminal> {
    if (this.terminal) return this.terminal;
    const load = this.opts.loadTerminal ?? defaultLoad;
    let sdk: StripeTerminal | null;
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      sdk = await Promise.race([
        load(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error('timed out')), this.opts.loadTimeoutMs ?? 15_000);
        })
      ]);
    } catch {
      // The SDK comes from js.stripe.com on every load (PCI rules forbid bundling it).
      throw new CardReaderError(NEEDS_CONNECTION);
    } finally {
      clearTimeout(timer);
    }
    if (!sdk) throw new CardReaderError(NEEDS_CONNECTION);
    this.terminal = sdk.create({
      onFetchConnectionToken: this.opts.fetchConnectionToken,
      onUnexpectedReaderDisconnect: () => undefined // the next payment reconnects
    });
    return this.terminal;
  }

  private async ensureReader(terminal: Terminal): Promise<void> {
    if (terminal.getConnectionStatus() === 'connected') return;
    const discovered = await terminal.discoverReaders({
      ...(this.opts.simulated ? { simulated: true } : {}),
      ...(this.opts.location ? { location: this.opts.location } : {})
    });
    const error = failed(discovered);
    if (error || !('discoveredReaders' in discovered)) throw new CardReaderError(`Card reader not found: ${error ?? 'no readers'}`);
    const readers: Reader[] = discovered.discoveredReaders;
    const reader = this.opts.readerId ? readers.find((r) => r.id === this.opts.readerId) : readers[0];
    if (!reader) throw new CardReaderError(this.opts.readerId ? `Card reader ${this.opts.readerId} is not online.` : 'No card reader is online at this location.');
    const connected = await terminal.connectReader(reader);
    const connectError = failed(connected);
    if (connectError) throw new CardReaderError(`Card reader did not connect: ${connectError}`);
  }

  async collectPayment(amount: number, currency: string): Promise<CardPayment> {
    if (!Number.isSafeInteger(amount) || amount <= 0) throw new CardReaderError('Card amount must be a positive whole number of minor units.');
    if (offline()) throw new CardReaderError(NEEDS_CONNECTION);
    const terminal = await this.loadSdk();
    await this.ensureReader(terminal);
    let clientSecret: string;
    try {
      ({ clientSecret } = await this.opts.createPaymentIntent(amount, currency.toLowerCase()));
    } catch (err) {
      throw new CardReaderError(offline() ? NEEDS_CONNECTION : `Card payment could not start: ${err instanceof Error ? err.message : String(err)}`);
    }
    const collected = await terminal.collectPaymentMethod(clientSecret);
    const collectError = failed(collected);
    if (collectError || !('paymentIntent' in collected)) throw new CardReaderError(`Card not read: ${collectError ?? 'cancelled'}`);
    const processed = await terminal.processPayment(collected.paymentIntent);
    const processError = failed(processed);
    if (processError || !('paymentIntent' in processed) || !processed.paymentIntent.id) throw new CardReaderError(`Card declined: ${processError ?? 'no payment'}`);
    return { reference: processed.paymentIntent.id };
  }

  async cancel(): Promise<void> {
    await this.terminal?.cancelCollectPaymentMethod();
  }
}

/** A card reader for tests and demo mode: approves after `delayMs`, or fails as told. */
export class SimulatedCardReader implements CardReader {
  readonly kind = 'simulated' as const;
  readonly payments: { amount: number; currency: string; reference: string }[] = [];
  /** when true, behaves like a register without network */
  offline = false;
  private failure: string | null = null;
  private cancelled: (() => void) | null = null;

  constructor(private readonly delayMs = 0) {}

  /** The next payment fails with this message (e.g. "Card declined: insufficient funds"). */
  failNext(reason = 'Card declined'): void {
    this.failure = reason;
  }

  async collectPayment(amount: number, currency: string): Promise<CardPayment> {
    if (this.offline) throw new CardReaderError(NEEDS_CONNECTION);
    if (this.delayMs) {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(resolve, this.delayMs);
        this.cancelled = () => {
          clearTimeout(timer);
          reject(new CardReaderError('Card not read: cancelled'));
        };
      }).finally(() => (this.cancelled = null));
    }
    if (this.failure) {
      const reason = this.failure;
      this.failure = null;
      throw new CardReaderError(reason);
    }
    const reference = `pi_simulated_${this.payments.length + 1}`;
    this.payments.push({ amount, currency, reference });
    return { reference };
  }

  async cancel(): Promise<void> {
    this.cancelled?.();
  }
}

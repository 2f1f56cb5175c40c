import { afterEach, describe, expect, it } from 'vitest';
import { ApiError } from '../../api/client.ts';
import type { Tender } from '../../domain/tender.ts';
import type { CardPaymentApi, ServerCardPayment } from '../card-api.ts';
import { keepPendingCardPayment, pendingCardPayments, recordSale } from '../register-db.ts';
import { assignedReader, CARD_NEEDS_CONNECTION, reconcileCardPayments, refundableCardPayments, refundToCard, REFUND_NEEDS_CONNECTION, takeCardPayment, type CardFlowDeps, type CardStage } from './card-payment.ts';
import { FlowRefused } from './register-context.ts';
import { cashSale, testRegister, type TestRegister } from './register.fixture.ts';

/**
 * The card flow over a real PouchDB replica and a payments server kept in memory with the server's
 * rules (one payment per id, cancel refused once it went through, refunds once per return). The same
 * flow against the real server and the local Stripe server, in Chromium: tests/e2e/register-card.spec.ts.
 */

type Status = ServerCardPayment['status'];
class Payments implements CardPaymentApi {
  readonly byId = new Map<string, ServerCardPayment>();
  readonly refunds = new Map<string, { refundId: string; amount: number }>();
  readonly calls: string[] = [];
  /** the server cannot be reached (ApiError status 0) */
  down = false;
  /** what the reader does when the customer acts: called on each status read */
  onStatus: (p: ServerCardPayment) => void = () => undefined;
  private n = 0;

  private reach(what: string) {
    this.calls.push(what);
    if (this.down) throw new ApiError(0, 'offline', 'Cannot reach the server.');
  }
  private get(id: string): ServerCardPayment {
    const p = this.byId.get(id);
    if (!p) throw new ApiError(404, 'not_found', `No card payment ${id}`);
    return p;
  }
  set(id: string, status: Status, extra: Partial<ServerCardPayment> = {}) {
    Object.assign(this.get(id), { status, ...extra });
  }
  async readers() {
    this.reach('readers');
    return [{ readerId: 'tmr_other', label: 'Till 2', registerId: 'device:R2' }, { readerId: 'tmr_mine', label: 'Till 1', registerId: 'device:R1' }];
  }
  async create(b: { paymentId: string; saleId: string; amount: number; currency: string }) {
    this.reach('create');
    const had = this.byId.get(b.paymentId);
    if (had) return had;
    const p: ServerCardPayment = { paymentId: b.paymentId, saleId: b.saleId, intentId: `pi_${++this.n}`, status: 'requires_payment_method', amount: b.amount, currency: b.currency, amountReceived: 0, amountRefunded: 0, lastError: null };
    this.byId.set(b.paymentId, p);
    return p;
  }
  async process(id: string) {
    this.reach('process');
    this.get(id);
  }
  async status(id: string) {
    this.reach('status');
    const p = this.get(id);
    this.onStatus(p);
    return { ...p };
  }
  async cancel(id: string) {
    this.reach('cancel');
    const p = this.get(id);
    if (p.status === 'succeeded') throw new ApiError(409, 'conflict', 'went through; refund it instead');
    p.status = 'canceled';
    return { ...p };
  }
  async capture(id: string) {
    this.reach('capture');
    const p = this.get(id);
    Object.assign(p, { status: 'succeeded', amountReceived: p.amount });
    return { ...p };
  }
  async refund(id: string, b: { returnId: string; amount: number }) {
    this.reach('refund');
    const p = this.get(id);
    const key = `${b.returnId}|${id}`;
    const had = this.refunds.get(key);
    if (!had) {
      if (b.amount > p.amountReceived - p.amountRefunded) throw new ApiError(409, 'conflict', 'more than is left');
      this.refunds.set(key, { refundId: `re_${this.refunds.size + 1}`, amount: b.amount });
      p.amountRefunded += b.amount;
    }
    const r = this.refunds.get(key)!;
    return { refund: { returnId: b.returnId, ...r }, payment: { ...p } };
  }
}

const approve = (p: ServerCardPayment) => Object.assign(p, { status: 'succeeded', amountReceived: p.amount });

let reg: TestRegister;
afterEach(() => reg?.close());

function deps(api: Payments, over: Partial<CardFlowDeps> = {}): CardFlowDeps & { taken: Tender[] } {
  const taken: Tender[] = [];
  return {
    registerKey: 'R1',
    locationDb: reg.locationDb,
    api,
    online: () => !api.down,
    async takeTender(t) {
      taken.push(t);
    },
    tenders: () => taken,
    sleep: async () => undefined,
    taken,
    ...over
  };
}
const SALE = 'sale:R1:01JZ0000000000000000000000';
const req = { saleId: SALE, amount: 4_250, currency: 'USD', readerId: 'tmr_mine' };

describe('card payment on the reader', () => {
  it('records the tender only once the payment went through, and forgets the pending payment', async () => {
    reg = await testRegister();
    const api = new Payments();
    let reads = 0;
    api.onStatus = (p) => void (++reads === 3 && approve(p));
    const d = deps(api);
    const stages: CardStage[] = [];
    const out = await takeCardPayment(d, req, (s) => stages.push(s));
    const [p] = [...api.byId.values()];
    expect(out).toEqual({ kind: 'paid', tender: { kind: 'card_stripe', amount: 4_250, reference: p!.intentId, paymentId: p!.paymentId } });
    expect(d.taken).toHaveLength(1);
    expect(stages).toEqual(['starting', 'present']);
    expect(p!.paymentId).toMatch(/^payment:R1:[0-9A-Z]{26}$/);
    expect(await pendingCardPayments(reg.locationDb)).toEqual([]);
  });

  it('keeps the pending payment durably before the server hears of it', async () => {
    reg = await testRegister();
    const api = new Payments();
    let seen: unknown[] = [];
    const d = deps(api);
    const create = api.create.bind(api);
    api.create = async (b) => {
      seen = await pendingCardPayments(reg.locationDb);
      return create(b);
    };
    api.onStatus = approve;
    await takeCardPayment(d, req);
    expect(seen).toEqual([expect.objectContaining({ saleId: SALE, amount: 4_250, readerId: 'tmr_mine' })]);
  });

  it('a decline ends the attempt: the payment is cancelled, nothing recorded, and the message says why', async () => {
    reg = await testRegister();
    const api = new Payments();
    api.onStatus = (p) => Object.assign(p, { lastError: { code: 'card_declined', declineCode: 'insufficient_funds', message: 'Card declined: insufficient funds.' } });
    const d = deps(api);
    expect(await takeCardPayment(d, req)).toEqual({ kind: 'declined', message: 'Card declined: insufficient funds.' });
    expect([...api.byId.values()][0]!.status).toBe('canceled');
    expect(d.taken).toEqual([]);
    expect(await pendingCardPayments(reg.locationDb)).toEqual([]);
  });

  it('Cancel stops the payment; a card tapped just before the cancel is recorded, not lost', async () => {
    reg = await testRegister();
    const api = new Payments();
    const d = deps(api);
    const ctl = new AbortController();
    api.onStatus = () => ctl.abort();
    expect(await takeCardPayment(d, req, undefined, ctl.signal)).toEqual({ kind: 'cancelled' });
    expect(d.taken).toEqual([]);

    const late = new AbortController();
    api.onStatus = (p) => {
      approve(p);
      late.abort();
    };
    // the status read that saw the tap was lost: the cancel finds the payment went through
    const status = api.status.bind(api);
    let first = true;
    api.status = async (id) => {
      const p = await status(id);
      if (!first) return p;
      first = false;
      return { ...p, status: 'requires_payment_method' };
    };
    const out = await takeCardPayment(d, req, undefined, late.signal);
    expect(out.kind).toBe('paid');
    expect(d.taken).toHaveLength(1);
    expect(await pendingCardPayments(reg.locationDb)).toEqual([]);
  });

  it('offline: refused with the clear reason before anything is kept or asked', async () => {
    reg = await testRegister();
    const api = new Payments();
    api.down = true;
    await expect(takeCardPayment(deps(api), req)).rejects.toThrow(new FlowRefused(CARD_NEEDS_CONNECTION));
    expect(api.calls).toEqual([]);
    expect(await pendingCardPayments(reg.locationDb)).toEqual([]);
  });

  it('a connection lost mid-payment keeps it pending; reconciling records a captured one once and cancels the rest', async () => {
    reg = await testRegister();
    const api = new Payments();
    const d = deps(api);
    // the reader has the payment; the connection drops while the customer taps; the cashier cancels
    const ctl = new AbortController();
    api.onStatus = (p) => {
      approve(p);
      api.down = true;
      ctl.abort();
    };
    const status = api.status.bind(api);
    api.status = async (id) => ({ ...(await status(id)), status: 'requires_payment_method', amountReceived: 0 });
    const out = await takeCardPayment(d, req, undefined, ctl.signal);
    expect(out.kind).toBe('unresolved');
    expect(d.taken).toEqual([]);
    expect(await pendingCardPayments(reg.locationDb)).toHaveLength(1);

    // a second attempt started and lost before reaching the reader
    api.down = false;
    api.status = status;
    api.onStatus = () => undefined;
    const process = api.process.bind(api);
    api.process = async () => {
      throw new ApiError(0, 'offline', 'Cannot reach the server.');
    };
    expect((await takeCardPayment(d, req)).kind).toBe('unresolved');
    api.process = process;
    expect(await pendingCardPayments(reg.locationDb)).toHaveLength(2);

    // still offline on start: nothing changes
    api.down = true;
    expect((await reconcileCardPayments(d, null)).unresolved).toHaveLength(2);
    api.down = false;
    // on start (no sale open): the uncaptured one is cancelled, the captured one waits for its sale
    const onStart = await reconcileCardPayments(d, null);
    expect(onStart.cancelled).toHaveLength(1);
    expect(onStart.unresolved).toHaveLength(1);
    expect(d.taken).toEqual([]);
    // the payment dialog of that sale opens: the tender is recorded, once, however often it is asked
    const opened = await reconcileCardPayments(d, SALE);
    expect(opened.recorded).toEqual([expect.objectContaining({ kind: 'card_stripe', amount: 4_250 })]);
    expect((await reconcileCardPayments(d, SALE)).recorded).toEqual([]);
    expect(d.taken).toHaveLength(1);
    expect(await pendingCardPayments(reg.locationDb)).toEqual([]);
  });

  it('a payment the server never created, and one whose sale was already written, are only forgotten', async () => {
    reg = await testRegister();
    const api = new Payments();
    const d = deps(api);
    await keepPendingCardPayment(reg.locationDb, { paymentId: 'payment:R1:01JZ0000000000000000000001', saleId: SALE, amount: 100, currency: 'USD', readerId: 'tmr_mine', startedAt: '2026-12-07T10:00:00.000Z' });
    const p = await api.create({ paymentId: 'payment:R1:01JZ0000000000000000000002', saleId: 'sale:R1:01JZ0000000000000000000009', amount: 2_000, currency: 'USD' });
    approve(api.byId.get(p.paymentId)!);
    await keepPendingCardPayment(reg.locationDb, { paymentId: p.paymentId, saleId: 'sale:R1:01JZ0000000000000000000009', amount: 2_000, currency: 'USD', readerId: 'tmr_mine', startedAt: '2026-12-07T10:01:00.000Z' });
    // the crash came after the sale was written with the card tender, before the pending record went
    await recordSale(reg.locationDb, cashSale(reg, { _id: 'sale:R1:01JZ0000000000000000000009', tenders: [{ kind: 'card_stripe', amount: 2_000, reference: p.intentId, paymentId: p.paymentId }] }));
    const out = await reconcileCardPayments(d, null);
    expect(out).toEqual({ recorded: [], cancelled: ['payment:R1:01JZ0000000000000000000001'], unresolved: [] });
    expect(await pendingCardPayments(reg.locationDb)).toEqual([]);
    expect(api.calls).not.toContain('cancel');
  });

  it('uses the reader assigned to this register, and the last one seen when offline', async () => {
    reg = await testRegister();
    const api = new Payments();
    let cached: string | null = null;
    const cache = { get: () => cached, set: (v: string | null) => void (cached = v) };
    expect(await assignedReader(api, 'device:R1', cache, true)).toBe('tmr_mine');
    api.down = true;
    expect(await assignedReader(api, 'device:R1', cache, false)).toBe('tmr_mine');
    expect(await assignedReader(api, 'device:R1', cache, true)).toBe('tmr_mine');
    api.down = false;
    expect(await assignedReader(api, 'device:R9', cache, true)).toBeNull();
  });
});

describe('card refund for a return', () => {
  it('refunds part of the original payment once per return and records the refund reference', async () => {
    reg = await testRegister();
    const api = new Payments();
    const p = await api.create({ paymentId: 'payment:R1:01JZ0000000000000000000003', saleId: 'sale:R1:01JZ0000000000000000000008', amount: 6_000, currency: 'USD' });
    approve(api.byId.get(p.paymentId)!);
    await recordSale(reg.locationDb, cashSale(reg, { _id: 'sale:R1:01JZ0000000000000000000008', total: 6_000, subtotal: 6_000, lines: [{ lineId: 'l1', productId: 'product:p1', variantId: 'p1-v01', sku: 'T-1', name: 'Tee', qty: 3, unitPrice: 2000, discount: 0, tax: 0, total: 6000 }], tenders: [{ kind: 'card_stripe', amount: 6_000, reference: p.intentId, paymentId: p.paymentId }] }));
    const [card] = await refundableCardPayments(reg.locationDb, ['sale:R1:01JZ0000000000000000000008', 'sale:R1:01JZ0000000000000000000008']);
    expect(card).toEqual({ saleId: 'sale:R1:01JZ0000000000000000000008', paymentId: p.paymentId, intentId: p.intentId, amount: 6_000 });
    const d = deps(api);
    const RETURN = 'sale:R1:01JZ0000000000000000000010';
    const t = await refundToCard(d, RETURN, card!, 2_000);
    expect(t).toEqual({ kind: 'card_stripe', amount: -2_000, reference: 're_1', paymentId: p.paymentId });
    // pressed again (or after a reload with the tender kept): no second refund, no second tender
    expect(await refundToCard(d, RETURN, card!, 2_000)).toEqual(t);
    expect(api.refunds.size).toBe(1);
    expect(d.taken).toHaveLength(1);
    // the tender was lost in a crash: the server answers the same refund, recorded once
    const again = deps(api);
    expect(await refundToCard(again, RETURN, card!, 2_000)).toEqual(t);
    expect(api.refunds.size).toBe(1);
    // more than is left is refused with the server's reason
    await expect(refundToCard(deps(api), 'sale:R1:01JZ0000000000000000000011', card!, 5_000)).rejects.toThrow(/refused: more than is left/);
  });

  it('offline: the card cannot be refunded now, and says so', async () => {
    reg = await testRegister();
    const api = new Payments();
    api.down = true;
    const card = { saleId: SALE, paymentId: 'payment:R1:01JZ0000000000000000000003', intentId: 'pi_1', amount: 6_000 };
    await expect(refundToCard(deps(api), 'sale:R1:01JZ0000000000000000000010', card, 2_000)).rejects.toThrow(new FlowRefused(REFUND_NEEDS_CONNECTION));
    expect(api.calls).toEqual([]);
  });
});

import { businessDay, daysBetween, utcRange, type IsoDate } from '#domain/business-day.ts';
import type { SaleDoc } from '#domain/schemas/index.ts';
import { authorize, type Principal } from '../../auth/principal.ts';
import type { Ctx } from '../../context.ts';
import type { Db } from '../../couch/client.ts';
import { loadRange, loadScope } from '../../reports/load.ts';
import type { RangeQuery } from '../../reports/service.ts';
import { cardIntentDoc, cardPaymentDoc } from './docs.ts';
import { cardIntentId, cardPaymentId, META } from './ids.ts';
import { connected } from './service.ts';

/**
 * The daily card report (issue 17, reconciliation): per business day and store, the card payments and
 * refunds the POS recorded (card_stripe tenders of sales and returns) next to the charges and refunds
 * the provider has for that day, matched one by one (PaymentIntent id for charges, refund id for
 * refunds), with every difference listed: a payment taken at the reader whose sale never synced, a
 * refund made outside the POS, an amount that differs.
 */

export interface CardEntry {
  kind: 'charge' | 'refund';
  /** charges: the PaymentIntent (pi_…); refunds: the refund (re_…) */
  id: string;
  amount: number;
  day: IsoDate;
  /** null: the provider has it, but it was not made by a register of this business */
  locationCode: string | null;
  saleId?: string;
}

export interface CardDayRow {
  day: IsoDate;
  locationCode: string;
  pos: { charges: number; refunds: number; net: number; count: number };
  provider: { charges: number; refunds: number; net: number; count: number };
  /** pos.net − provider.net */
  difference: number;
}

export interface CardDifference {
  day: IsoDate;
  locationCode: string | null;
  kind: 'charge' | 'refund';
  id: string;
  pos: number | null;
  provider: number | null;
  saleId?: string;
  problem: 'missing_at_provider' | 'missing_in_pos' | 'amount_differs';
}

const sums = (es: CardEntry[]) => {
  const charges = es.filter((e) => e.kind === 'charge').reduce((a, e) => a + e.amount, 0);
  const refunds = es.filter((e) => e.kind === 'refund').reduce((a, e) => a + e.amount, 0);
  return { charges, refunds, net: charges - refunds, count: es.length };
};

/** Pure: rows per day and store (every day of the range for every store), and the differences. */
export function reconcileCards(days: readonly IsoDate[], locations: readonly string[], pos: readonly CardEntry[], provider: readonly CardEntry[]): { rows: CardDayRow[]; differences: CardDifference[] } {
  const rows: CardDayRow[] = [];
  for (const day of days) {
    for (const locationCode of locations) {
      const here = (e: CardEntry) => e.day === day && e.locationCode === locationCode;
      const p = sums(pos.filter(here));
      const g = sums(provider.filter(here));
      rows.push({ day, locationCode, pos: p, provider: g, difference: p.net - g.net });
    }
  }
  const key = (e: CardEntry) => `${e.kind}|${e.id}`;
  const theirs = new Map(provider.map((e) => [key(e), e]));
  const ours = new Map(pos.map((e) => [key(e), e]));
  const differences: CardDifference[] = [];
  for (const e of pos) {
    const g = theirs.get(key(e));
    if (!g) differences.push({ day: e.day, locationCode: e.locationCode, kind: e.kind, id: e.id, pos: e.amount, provider: null, ...(e.saleId ? { saleId: e.saleId } : {}), problem: 'missing_at_provider' });
    else if (g.amount !== e.amount || g.day !== e.day) differences.push({ day: e.day, locationCode: e.locationCode, kind: e.kind, id: e.id, pos: e.amount, provider: g.amount, ...(e.saleId ? { saleId: e.saleId } : {}), problem: 'amount_differs' });
  }
  for (const g of provider) {
    if (!ours.has(key(g))) differences.push({ day: g.day, locationCode: g.locationCode, kind: g.kind, id: g.id, pos: null, provider: g.amount, problem: 'missing_in_pos' });
  }
  differences.sort((a, b) => a.day.localeCompare(b.day) || (a.locationCode ?? '').localeCompare(b.locationCode ?? '') || a.id.localeCompare(b.id));
  return { rows, differences };
}

/** The card tenders of sales and returns as POS entries (a sale's positive card tender; a return's negative one). */
export function posEntries(sales: Iterable<SaleDoc>, timeZoneOf: (code: string) => string): CardEntry[] {
  const out: CardEntry[] = [];
  for (const s of sales) {
    const day = businessDay(s.createdAt, timeZoneOf(s.locationCode));
    for (const t of s.tenders) {
      if (t.kind !== 'card_stripe' || !t.reference) continue;
      out.push({ kind: t.amount > 0 ? 'charge' : 'refund', id: t.reference, amount: Math.abs(t.amount), day, locationCode: s.locationCode, saleId: s._id });
    }
  }
  return out;
}

/** PaymentIntent → the POS location that made it, from our own records (metadata only as a fallback). */
async function locationsOf(db: Db, tenantId: string, intents: string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const unique = [...new Set(intents)];
  if (!unique.length) return out;
  const links = await db.fetch({ keys: unique.map((i) => cardIntentId(tenantId, i)) });
  const paymentOf = new Map<string, string>();
  for (const r of links.rows) {
    const parsed = cardIntentDoc.safeParse((r as { doc?: unknown }).doc);
    if (parsed.success) paymentOf.set(r.key as string, parsed.data.paymentId);
  }
  const payments = await db.fetch({ keys: [...paymentOf.values()].map((p) => cardPaymentId(tenantId, p)) });
  for (const r of payments.rows) {
    const parsed = cardPaymentDoc.safeParse((r as { doc?: unknown }).doc);
    if (parsed.success && parsed.data.tenantId === tenantId) out.set(parsed.data.intentId, parsed.data.locationCode);
  }
  return out;
}

/**
 * The report for a range of business days (each store's own time zone) and one store or all the
 * caller may see. The provider is asked for the charges and refunds created in the whole range's UTC
 * span; each is placed on its store's business day and kept when that day is in the range.
 */
export async function cardReport(ctx: Ctx, p: Principal, q: RangeQuery) {
  authorize(p, 'report:view', 'The card report');
  const scope = await loadScope(ctx.couch, p, q.location);
  const { db, gateway } = await connected(ctx, p.tenantId);
  const codes = scope.locations.map((l) => l.code);
  const days = daysBetween(q.from, q.to);
  const spans = scope.locations.map((l) => utcRange(q.from, q.to, l.timeZone));
  const loaded = await loadRange(ctx.couch, scope, q.from, q.to);
  const pos = posEntries(loaded.sales.values(), scope.timeZoneOf);
  if (!spans.length) return { from: q.from, to: q.to, locations: codes, rows: [], differences: [], currency: 'USD' };
  const start = Math.floor(Math.min(...spans.map((s) => Date.parse(s.start))) / 1000);
  const end = Math.ceil(Math.max(...spans.map((s) => Date.parse(s.end))) / 1000);
  const [charges, refunds] = await Promise.all([gateway.listCharges(start, end), gateway.listRefunds(start, end)]);
  const where = await locationsOf(db, p.tenantId, [...charges.map((c) => c.paymentId ?? ''), ...refunds.map((r) => r.paymentId)].filter(Boolean));
  const placed = (intent: string | null, created: number, metadata: Record<string, string> = {}): { day: IsoDate; locationCode: string | null } => {
    const code = (intent ? where.get(intent) : undefined) ?? (metadata[META.tenant] === p.tenantId ? (metadata[META.location] ?? null) : null);
    const tz = code ? scope.timeZoneOf(code) : 'UTC';
    return { day: businessDay(new Date(created * 1000).toISOString(), tz), locationCode: code };
  };
  const provider: CardEntry[] = [
    ...charges.filter((c) => c.amountCaptured > 0 && c.paymentId).map((c) => ({ kind: 'charge' as const, id: c.paymentId!, amount: c.amountCaptured, ...placed(c.paymentId, c.created, c.metadata) })),
    ...refunds.map((r) => ({ kind: 'refund' as const, id: r.id, amount: r.amount, ...placed(r.paymentId, r.created) }))
  ].filter((e) => days.includes(e.day) && (e.locationCode === null ? !q.location : codes.includes(e.locationCode)));
  const { rows, differences } = reconcileCards(days, codes, pos, provider);
  return { from: q.from, to: q.to, locations: codes, currency: scope.locations[0]?.currency ?? 'USD', rows, differences };
}

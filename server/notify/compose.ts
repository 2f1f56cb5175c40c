import QRCode from 'qrcode';
import { z } from 'zod';
import { PLATFORM_DB, catalogDb, customersDb, locationDb } from '#domain/db-names.ts';
import { toDecimalString } from '#domain/money.ts';
import { receiptLayout } from '#domain/receipt.ts';
import { purchaseOrderSchema, saleSchema } from '#domain/schemas/index.ts';
import { getOrNull, type Couch } from '../couch/client.ts';
import type { SourceDoc } from './outbox-docs.ts';
import type { RenderedEmail, RenderedSms } from './types.ts';
import { passwordResetEmail, staffInviteEmail, welcomeEmail } from './templates/account.ts';
import type { Brand } from './templates/layout.ts';
import { giftCardIssuedEmail, giftCardIssuedSms, layawayReminderEmail, layawayReminderSms, lowStockDigestEmail, syncAlertsEmail } from './templates/notices.ts';
import { purchaseOrderEmail } from './templates/purchase-order.ts';
import { receiptEmail, receiptSms } from './templates/receipt.ts';

/**
 * Turns an outbox document into the message to send: reads what the template needs (the sale and the
 * store for a receipt, the order for a purchase order, the tenant's branding from its settings) and
 * renders it. A missing document can be temporary: a register's outbox document may reach the server
 * before the sale it names (replication does not keep order), so that is retried, not failed.
 */
export class ComposeError extends Error {
  constructor(
    readonly permanent: boolean,
    message: string
  ) {
    super(message);
  }
}

export const PLATFORM_NAME = 'POS Platform';

export interface ComposeOptions {
  publicUrl: string;
  /** the one-click unsubscribe link for this recipient (notifications only) */
  unsubscribeUrl: (tenantId: string, channel: 'email' | 'sms', address: string) => string;
}

export type Composed = { channel: 'email'; email: RenderedEmail; unsubscribeUrl?: string } | { channel: 'sms'; sms: RenderedSms };


const settingsShape = z.object({ tenantName: z.string(), receiptHeader: z.string().optional(), receiptFooter: z.string().optional() }).passthrough();
const locationShape = z.object({ name: z.string(), address: z.string().optional(), timeZone: z.string(), currency: z.string() }).passthrough();

/**
 * The tenant's name from its settings, and for messages to customers its receipt header and footer
 * (opening hours, return policy); staff and supplier mail carries the name only.
 */
async function brandOf(couch: Couch, tenantId: string, publicUrl: string, forCustomers: boolean): Promise<Brand> {
  const s = settingsShape.safeParse(await getOrNull(couch.use(catalogDb(tenantId)), 'settings:tenant'));
  if (s.success && !forCustomers) return { name: s.data.tenantName, publicUrl };
  if (s.success) return { name: s.data.tenantName, publicUrl, ...(s.data.receiptHeader ? { header: s.data.receiptHeader } : {}), ...(s.data.receiptFooter ? { footer: s.data.receiptFooter } : {}) };
  const t = (await getOrNull(couch.use(PLATFORM_DB), `tenant:${tenantId}`)) as { name?: string } | null;
  return { name: t?.name ?? tenantId, publicUrl };
}

/** Data fields as the template reads them; a missing one is a permanent problem (the document will not change). */
function fields<S extends z.ZodType>(schema: S, data: unknown, what: string): z.infer<S> {
  const p = schema.safeParse(data);
  if (!p.success) throw new ComposeError(true, `${what}: ${p.error.issues[0]?.path.join('.')} ${p.error.issues[0]?.message}`);
  return p.data;
}

const json = <S extends z.ZodType>(schema: S) =>
  z.string().transform((s, ctx) => {
    try {
      return JSON.parse(s) as unknown;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'is not JSON' });
      return z.NEVER;
    }
  }).pipe(schema);

async function composeReceipt(couch: Couch, tenantId: string, code: string, saleId: string, channel: 'email' | 'sms', publicUrl: string): Promise<Composed> {
  const db = locationDb(tenantId, code);
  const rawSale = await getOrNull(couch.use(db), saleId);
  if (!rawSale) throw new ComposeError(false, `the sale ${saleId} is not on the server yet`);
  const sale = fields(saleSchema, rawSale, 'sale');
  const [settings, loc, device, customer] = await Promise.all([
    getOrNull(couch.use(catalogDb(tenantId)), 'settings:tenant'),
    getOrNull(couch.use(catalogDb(tenantId)), `location:${code}`),
    getOrNull(couch.use(PLATFORM_DB), sale.registerId),
    sale.customerId ? getOrNull(couch.use(customersDb(tenantId)), sale.customerId) : Promise.resolve(null)
  ]);
  const s = settingsShape.safeParse(settings);
  const l = locationShape.safeParse(loc);
  const customerName = customer ? [customer.firstName, customer.lastName].filter((x) => typeof x === 'string' && x).join(' ') : '';
  // The register's receipt context (register/session.svelte.ts printReceipt), from the server's copies.
  const layout = receiptLayout(sale, {
    storeName: s.success ? s.data.tenantName : tenantId,
    ...(l.success ? { address: `${l.data.name}\n${l.data.address ?? ''}` } : {}),
    ...(s.success && s.data.receiptHeader ? { header: s.data.receiptHeader } : {}),
    ...(s.success && s.data.receiptFooter ? { footer: s.data.receiptFooter } : {}),
    ...(typeof device?.name === 'string' ? { registerName: device.name } : {}),
    ...(sale.cashierName ? { cashierName: sale.cashierName } : {}),
    ...(customerName ? { customerName } : {}),
    timeZone: l.success ? l.data.timeZone : 'UTC'
  });
  if (channel === 'sms') return { channel, sms: receiptSms(layout) };
  const codeBlock = layout.blocks.find((b) => b.kind === 'code');
  const qr = await QRCode.toBuffer(codeBlock && codeBlock.kind === 'code' ? codeBlock.value : sale._id, { type: 'png', margin: 2, width: 240, errorCorrectionLevel: 'M' });
  return { channel, email: receiptEmail(layout, { name: s.success ? s.data.tenantName : tenantId, publicUrl }, qr) };
}

async function composePurchaseOrder(couch: Couch, src: Extract<SourceDoc, { kind: 'platform' }>['doc'], brand: Brand): Promise<RenderedEmail> {
  const d = fields(z.object({ supplierName: z.string(), orderNumber: z.string(), deliverTo: z.string(), note: z.string().optional() }).passthrough(), src.data, 'purchase order data');
  const prefix = `outbox:po:${src.tenantId}:`;
  const poId = src.ref ?? (src._id.startsWith(prefix) ? src._id.slice(prefix.length) : '');
  const code = src.locationCode ?? d.deliverTo;
  const [rawPo, loc] = await Promise.all([poId ? getOrNull(couch.use(locationDb(src.tenantId, code)), poId) : Promise.resolve(null), getOrNull(couch.use(catalogDb(src.tenantId)), `location:${code}`)]);
  if (!rawPo) throw new ComposeError(true, `the purchase order ${poId || '(unknown)'} is not in ${code}`);
  const po = fields(purchaseOrderSchema, rawPo, 'purchase order');
  const l = locationShape.safeParse(loc);
  const currency = l.success ? l.data.currency : 'USD';
  const total = po.lines.reduce((sum, x) => sum + x.ordered * x.unitCost, 0);
  return purchaseOrderEmail(
    {
      supplierName: d.supplierName,
      orderNumber: po.number,
      deliverTo: l.success ? [l.data.name, l.data.address ?? ''].filter(Boolean).join('\n') : code,
      currency,
      lines: po.lines.map((x) => ({ sku: x.sku, name: x.name, qty: x.ordered, unitCost: toDecimalString(x.unitCost), lineTotal: toDecimalString(x.ordered * x.unitCost) })),
      total: toDecimalString(total),
      ...(po.note ? { note: po.note } : {})
    },
    brand
  );
}

const lowStockData = z.object({
  asOf: z.string(),
  items: json(z.array(z.object({ location: z.string(), name: z.string(), sku: z.string().optional(), onHand: z.number(), threshold: z.number().optional() })))
});
const syncAlertsData = z.object({ asOf: z.string(), alerts: json(z.array(z.object({ severity: z.enum(['critical', 'warning']), title: z.string(), message: z.string() }))) });
const giftCardData = z.object({ customerName: z.string(), amount: z.string(), last4: z.string().regex(/^\d{4}$/) });
const layawayData = z.object({ customerName: z.string(), store: z.string(), items: z.string(), total: z.string(), paid: z.string(), balance: z.string(), layawayNo: z.string() });

export async function compose(couch: Couch, src: SourceDoc, channel: 'email' | 'sms', opts: ComposeOptions): Promise<Composed> {
  if (src.kind === 'location') return composeReceipt(couch, src.tenantId, src.doc.locationCode, src.doc.ref, channel, opts.publicUrl);
  const doc = src.doc;
  const forCustomers = doc.template === 'gift_card_issued' || doc.template === 'layaway_reminder';
  const brand = doc.template === 'welcome' ? { name: PLATFORM_NAME, publicUrl: opts.publicUrl } : await brandOf(couch, doc.tenantId, opts.publicUrl, forCustomers);
  const unsubscribeUrl = opts.unsubscribeUrl(doc.tenantId, channel, doc.to);
  const emailOnly = (email: RenderedEmail, withUnsubscribe = false): Composed => {
    if (channel !== 'email') throw new ComposeError(true, `the ${doc.template} message has no text-message version`);
    return { channel, email, ...(withUnsubscribe ? { unsubscribeUrl } : {}) };
  };
  switch (doc.template) {
    case 'welcome':
      return emailOnly(welcomeEmail(fields(z.object({ businessName: z.string(), ownerName: z.string(), plan: z.string(), signInUrl: z.string() }), doc.data, 'welcome data'), brand));
    case 'staff_invite':
      return emailOnly(staffInviteEmail(fields(z.object({ name: z.string(), role: z.string(), invitedBy: z.string().default(''), signInUrl: z.string() }), doc.data, 'invitation data'), brand));
    case 'password_reset':
      return emailOnly(passwordResetEmail(fields(z.object({ name: z.string(), signInUrl: z.string() }), doc.data, 'reset data'), brand));
    case 'purchase_order':
      return emailOnly(await composePurchaseOrder(couch, doc, brand));
    case 'low_stock_digest':
      return emailOnly(lowStockDigestEmail(fields(lowStockData, doc.data, 'digest data'), brand, unsubscribeUrl), true);
    case 'sync_alerts':
      return emailOnly(syncAlertsEmail(fields(syncAlertsData, doc.data, 'alerts data'), brand, unsubscribeUrl), true);
    case 'gift_card_issued': {
      const d = fields(giftCardData, doc.data, 'gift card data');
      return channel === 'sms' ? { channel, sms: giftCardIssuedSms(d, brand) } : { channel, email: giftCardIssuedEmail(d, brand) };
    }
    case 'layaway_reminder': {
      const d = fields(layawayData, doc.data, 'layaway data');
      return channel === 'sms' ? { channel, sms: layawayReminderSms(d, brand) } : { channel, email: layawayReminderEmail(d, brand, unsubscribeUrl), unsubscribeUrl };
    }
  }
}

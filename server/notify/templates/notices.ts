import type { RenderedEmail, RenderedSms } from '../types.ts';
import { esc, frame, paragraphs, type Brand } from './layout.ts';

/**
 * Notifications (digests, alerts, reminders: an unsubscribe link goes with each) and the gift-card
 * notice. Their data is a snapshot taken when the message was queued. Pure.
 */
export interface LowStockItem {
  location: string;
  name: string;
  sku?: string | undefined;
  onHand: number;
  threshold?: number | undefined;
}

export function lowStockDigestEmail(d: { items: LowStockItem[]; asOf: string }, brand: Brand, unsubscribeUrl: string): RenderedEmail {
  const count = d.items.length;
  const intro = count ? `${count} item${count === 1 ? ' is' : 's are'} at or below the reorder level (as of ${d.asOf}).` : `Nothing is below its reorder level (as of ${d.asOf}).`;
  const table = count
    ? `<table role="presentation" width="100%" cellpadding="4" cellspacing="0" style="border-collapse:collapse;font-size:14px">
<thead><tr style="background:#f3f4f6"><th align="left">Store</th><th align="left">Item</th><th align="right">On hand</th><th align="right">Reorder at</th></tr></thead>
<tbody>
${d.items.map((i) => `<tr><td>${esc(i.location)}</td><td>${esc(i.name)}${i.sku ? ` <span style="color:#6b7280">${esc(i.sku)}</span>` : ''}</td><td align="right"${i.onHand < 0 ? ' style="color:#b91c1c"' : ''}>${i.onHand}</td><td align="right">${i.threshold ?? '—'}</td></tr>`).join('\n')}
</tbody></table>`
    : '';
  const text = [intro, '', ...d.items.map((i) => `${i.location}  ${i.name}${i.sku ? ` (${i.sku})` : ''}: ${i.onHand} on hand${i.threshold !== undefined ? `, reorder at ${i.threshold}` : ''}`)].join('\n');
  return { subject: `Low stock at ${brand.name}: ${count} item${count === 1 ? '' : 's'}`, ...frame({ brand, title: 'Low-stock digest', html: `${paragraphs(intro)}\n${table}`, text, unsubscribeUrl }), attachments: [] };
}

export interface SyncAlertItem {
  severity: 'critical' | 'warning';
  title: string;
  message: string;
}

export function syncAlertsEmail(d: { alerts: SyncAlertItem[]; asOf: string }, brand: Brand, unsubscribeUrl: string): RenderedEmail {
  const critical = d.alerts.filter((a) => a.severity === 'critical').length;
  const intro = d.alerts.length
    ? `${d.alerts.length} sync and device alert${d.alerts.length === 1 ? '' : 's'} need attention (as of ${d.asOf})${critical ? `, ${critical} critical` : ''}.`
    : `Every device is syncing and nothing is in conflict (as of ${d.asOf}).`;
  const list = d.alerts.length
    ? `<ul style="padding-left:18px">${d.alerts.map((a) => `<li style="margin-bottom:6px"><strong${a.severity === 'critical' ? ' style="color:#b91c1c"' : ''}>${esc(a.title)}</strong><br>${esc(a.message)}</li>`).join('\n')}</ul>`
    : '';
  const text = [intro, '', ...d.alerts.map((a) => `[${a.severity}] ${a.title}: ${a.message}`)].join('\n');
  return { subject: `${brand.name}: ${d.alerts.length} sync and device alert${d.alerts.length === 1 ? '' : 's'}`, ...frame({ brand, title: 'Sync and device alerts', html: `${paragraphs(intro)}\n${list}`, text, unsubscribeUrl }), attachments: [] };
}

export interface GiftCardData {
  customerName: string;
  amount: string;
  /** the card number's last four digits: the number is a bearer secret and stays off email */
  last4: string;
}

export function giftCardIssuedEmail(d: GiftCardData, brand: Brand): RenderedEmail {
  const body = `Hello ${d.customerName},\n\nA ${brand.name} gift card worth ${d.amount} was issued to you: card ending ${d.last4}. Use it at any of our stores; the card itself (or its full number) is needed to pay with it.`;
  return { subject: `Your ${brand.name} gift card: ${d.amount}`, ...frame({ brand, title: 'Gift card issued', html: paragraphs(body), text: body }), attachments: [] };
}

export function giftCardIssuedSms(d: GiftCardData, brand: Brand): RenderedSms {
  return { body: `${brand.name}: a gift card worth ${d.amount} was issued to you (card ending ${d.last4}).` };
}

export interface LayawayReminderData {
  customerName: string;
  store: string;
  items: string;
  total: string;
  paid: string;
  balance: string;
  layawayNo: string;
}

export function layawayReminderEmail(d: LayawayReminderData, brand: Brand, unsubscribeUrl: string): RenderedEmail {
  const body = `Hello ${d.customerName},\n\nA reminder about your layaway ${d.layawayNo} at ${d.store}:\n${d.items}\n\nTotal ${d.total}, paid so far ${d.paid}, still to pay ${d.balance}. Your items are held for you; pay the rest and pick them up at the store.`;
  return { subject: `Your layaway at ${brand.name}: ${d.balance} to pay`, ...frame({ brand, title: 'Layaway reminder', html: paragraphs(body), text: body, unsubscribeUrl }), attachments: [] };
}

export function layawayReminderSms(d: LayawayReminderData, brand: Brand): RenderedSms {
  return { body: `${brand.name}: your layaway ${d.layawayNo} at ${d.store} has ${d.balance} left to pay (total ${d.total}). Reply STOP to opt out.` };
}

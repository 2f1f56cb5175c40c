/**
 * Shopify webhook topics and payloads (the REST-shaped JSON Shopify posts), checked with zod and
 * normalised for the integration (pure). Only the fields used are declared; the rest pass through.
 */
import { z } from 'zod';
import { htmlToText, imageKey, realOptions, type ShopifyProduct } from './catalog.ts';

export const WEBHOOK_TOPICS = [
  'products/create',
  'products/update',
  'products/delete',
  'inventory_levels/update',
  'orders/create',
  'orders/cancelled',
  'refunds/create',
  'app/uninstalled'
] as const;
export type WebhookTopic = (typeof WEBHOOK_TOPICS)[number];

/** `orders/create` → `ORDERS_CREATE` (GraphQL's WebhookSubscriptionTopic). */
export const graphqlTopic = (t: WebhookTopic) => t.replace('/', '_').toUpperCase();

const id = z.union([z.number().int().nonnegative(), z.string().regex(/^\d+$/)]).transform(String);
const nullableId = z.union([id, z.null()]).optional().transform((v) => v ?? null);
const money = z.union([z.string(), z.number()]).transform(String);
const ts = z.string().min(1);

export const productPayload = z.looseObject({
  id,
  title: z.string().default(''),
  body_html: z.string().nullable().optional(),
  status: z.enum(['active', 'archived', 'draft']).default('active'),
  updated_at: ts,
  options: z.array(z.looseObject({ name: z.string(), values: z.array(z.string()).default([]) })).default([]),
  variants: z
    .array(
      z.looseObject({
        id,
        sku: z.string().nullable().optional(),
        barcode: z.string().nullable().optional(),
        price: money,
        compare_at_price: money.nullable().optional(),
        inventory_item_id: id,
        taxable: z.boolean().default(true),
        option1: z.string().nullable().optional(),
        option2: z.string().nullable().optional(),
        option3: z.string().nullable().optional()
      })
    )
    .default([]),
  image: z.looseObject({ id, src: z.string() }).nullable().optional()
});
export const productDeletePayload = z.looseObject({ id });
export const inventoryLevelPayload = z.looseObject({ inventory_item_id: id, location_id: id, available: z.number().int().nullable(), updated_at: ts });

const refundPayloadShape = {
  id,
  order_id: id,
  created_at: ts,
  refund_line_items: z
    .array(
      z.looseObject({
        id,
        line_item_id: id,
        quantity: z.number().int().nonnegative(),
        restock_type: z.string().nullable().optional(),
        location_id: nullableId,
        line_item: z.looseObject({ variant_id: nullableId, product_id: nullableId }).optional()
      })
    )
    .default([])
};
export const refundPayload = z.looseObject(refundPayloadShape);
export const orderPayload = z.looseObject({
  id,
  name: z.string().default(''),
  created_at: ts,
  updated_at: ts,
  cancelled_at: z.string().nullable().optional(),
  location_id: nullableId,
  line_items: z.array(z.looseObject({ id, variant_id: nullableId, product_id: nullableId, quantity: z.number().int().nonnegative(), sku: z.string().nullable().optional() })).default([]),
  refunds: z.array(z.looseObject(refundPayloadShape)).default([])
});
export type OrderPayload = z.infer<typeof orderPayload>;
export type RefundPayload = z.infer<typeof refundPayload>;
export type ProductPayload = z.infer<typeof productPayload>;
export type InventoryLevelPayload = z.infer<typeof inventoryLevelPayload>;

/**
 * A product webhook as a ShopifyProduct. Webhooks carry neither collections nor cost: those are
 * "unknown" (null / undefined), so the POS keeps its own category and cost.
 */
export function productFromPayload(p: ProductPayload): ShopifyProduct {
  const names = p.options.map((o) => o.name);
  return {
    id: p.id,
    title: p.title,
    description: htmlToText(p.body_html),
    status: p.status === 'active' ? 'ACTIVE' : p.status === 'archived' ? 'ARCHIVED' : 'DRAFT',
    updatedAt: p.updated_at,
    options: realOptions(p.options.map((o) => ({ name: o.name, values: o.values }))),
    variants: p.variants.map((v) => {
      const options: Record<string, string> = {};
      [v.option1, v.option2, v.option3].forEach((value, i) => {
        const name = names[i];
        if (name && value && !(name === 'Title' && value === 'Default Title')) options[name.slice(0, 40)] = value.slice(0, 40);
      });
      return {
        id: v.id,
        inventoryItemId: v.inventory_item_id,
        sku: v.sku ?? null,
        barcode: v.barcode ?? null,
        price: v.price,
        compareAtPrice: v.compare_at_price ?? null,
        taxable: v.taxable,
        options
      };
    }),
    collections: null,
    image: p.image ? { key: imageKey(p.image.src), url: p.image.src } : null,
    levels: {}
  };
}

/** Whether `incoming` is older than what was applied (ISO timestamps with offsets compare as instants). */
export function isStale(incoming: string, applied: string | null | undefined): boolean {
  if (!applied) return false;
  const a = Date.parse(incoming);
  const b = Date.parse(applied);
  return Number.isFinite(a) && Number.isFinite(b) && a < b;
}

/**
 * Retry schedule of a webhook that failed to process: 5 s, 30 s, 2 min, 10 min, 30 min, 1 h, 2 h, then
 * it is a dead letter (visible in admin with its error and a retry button).
 */
export const RETRY_DELAYS_MS = [5_000, 30_000, 120_000, 600_000, 1_800_000, 3_600_000, 7_200_000] as const;
export function nextAttempt(attempts: number, now: number): { dead: boolean; at: number } {
  const delay = RETRY_DELAYS_MS[attempts - 1];
  return delay === undefined ? { dead: true, at: now } : { dead: false, at: now + delay };
}

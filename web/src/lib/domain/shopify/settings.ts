import { z } from 'zod';
import { LOCATION_CODE_PATTERN } from '../db-names.ts';

/**
 * What an admin chooses for a Shopify connection, shared by the admin page and the API (which checks
 * it again). Pure: no I/O.
 */

/** Access scopes the integration needs, and what each is for (shown on the connection page). */
export const REQUIRED_SCOPES = [
  { scope: 'read_products', why: 'import products, variants, collections and images' },
  { scope: 'write_products', why: 'push catalog edits of fields the POS owns' },
  { scope: 'read_inventory', why: 'read stock levels for the import and reconciliation' },
  { scope: 'write_inventory', why: 'push in-store stock movements as deltas' },
  { scope: 'read_locations', why: 'map your stores to Shopify locations' },
  { scope: 'read_orders', why: 'online orders and refunds move stock at the register' }
] as const;
export type RequiredScope = (typeof REQUIRED_SCOPES)[number]['scope'];

/**
 * A granted write scope implies its read scope (Shopify grants `write_x` without listing `read_x`).
 * Returns the required scopes the grant lacks.
 */
export function missingScopes(granted: readonly string[]): RequiredScope[] {
  const have = new Set(granted);
  for (const g of granted) if (g.startsWith('write_')) have.add(`read_${g.slice('write_'.length)}`);
  return REQUIRED_SCOPES.map((s) => s.scope).filter((s) => !have.has(s));
}

/** `acme` or `acme.myshopify.com` (any case, with or without https://) → `acme.myshopify.com`; null if not a shop. */
export function normaliseShopDomain(input: string): string | null {
  let s = input.trim().toLowerCase().replace(/^https?:\/\//, '').replace(/\/.*$/, '');
  if (/^[a-z0-9][a-z0-9-]{0,60}$/.test(s)) s = `${s}.myshopify.com`;
  return /^[a-z0-9][a-z0-9-]{0,60}\.myshopify\.com$/.test(s) ? s : null;
}

export const shopDomain = z.string().transform((v, ctx) => {
  const d = normaliseShopDomain(v);
  if (!d) {
    ctx.addIssue({ code: 'custom', message: 'must be your store’s myshopify.com domain, e.g. acme.myshopify.com' });
    return z.NEVER;
  }
  return d;
});

export const connectInput = z
  .object({
    shop: shopDomain,
    /** Admin API access token of a custom app (Settings → Apps → Develop apps) */
    accessToken: z.string().trim().min(10, 'is the Admin API access token (shpat_…)').max(200),
    /** the app's API secret key: Shopify signs this store's webhooks with it */
    apiSecret: z.string().trim().min(10, 'is the app’s API secret key (it signs the webhooks)').max(200)
  })
  .strict();

export const oauthStartInput = z.object({ shop: shopDomain }).strict();

/** Product fields whose owner can be chosen. Stock is never "owned": both sides move it as deltas. */
export const OWNED_FIELDS = ['name', 'description', 'status', 'category', 'image', 'price', 'compareAtPrice', 'cost', 'sku', 'barcode'] as const;
export type OwnedField = (typeof OWNED_FIELDS)[number];
export const FIELD_LABELS: Record<OwnedField, string> = {
  name: 'Title',
  description: 'Description',
  status: 'Status (active / archived)',
  category: 'Category (collection)',
  image: 'Image',
  price: 'Price',
  compareAtPrice: 'Compare-at price',
  cost: 'Cost',
  sku: 'SKU',
  barcode: 'Barcode'
};

export type Side = 'shopify' | 'pos';
export const ownershipSchema = z.discriminatedUnion('mode', [
  z.object({ mode: z.literal('shopify') }).strict(),
  z.object({ mode: z.literal('pos') }).strict(),
  z.object({ mode: z.literal('fields'), fields: z.partialRecord(z.enum(OWNED_FIELDS), z.enum(['shopify', 'pos'])) }).strict()
]);
export type Ownership = z.infer<typeof ownershipSchema>;

/** Which side owns a field; a per-field choice that leaves a field out gives it to Shopify. */
export function ownerOf(o: Ownership, field: OwnedField): Side {
  if (o.mode === 'fields') return o.fields[field] ?? 'shopify';
  return o.mode;
}

export function posOwnedFields(o: Ownership): OwnedField[] {
  return OWNED_FIELDS.filter((f) => ownerOf(o, f) === 'pos');
}

const locationCode = z.string().regex(LOCATION_CODE_PATTERN, 'must be a location code like GM');
const shopifyLocationId = z.string().regex(/^\d{1,20}$/, 'must be a Shopify location id');

export const mappingInput = z
  .object({
    /** each store of the tenant and the Shopify location whose stock it shares (null = not synced) */
    locations: z.array(z.object({ code: locationCode, shopifyLocationId: shopifyLocationId.nullable() }).strict()).max(200),
    /** the store whose stock online orders move when an order names no mapped location */
    orderLocation: locationCode.nullable(),
    ownership: ownershipSchema
  })
  .strict()
  .superRefine((m, ctx) => {
    const seen = new Map<string, string>();
    m.locations.forEach((l, i) => {
      if (!l.shopifyLocationId) return;
      const other = seen.get(l.shopifyLocationId);
      if (other) ctx.addIssue({ code: 'custom', path: ['locations', i, 'shopifyLocationId'], message: `is already mapped to ${other}: one Shopify location per store` });
      seen.set(l.shopifyLocationId, l.code);
    });
    if (m.orderLocation && !m.locations.some((l) => l.code === m.orderLocation && l.shopifyLocationId)) {
      ctx.addIssue({ code: 'custom', path: ['orderLocation'], message: 'must be a store mapped to a Shopify location' });
    }
  });
export type MappingInput = z.infer<typeof mappingInput>;

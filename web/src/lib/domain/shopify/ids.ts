/**
 * Identifiers of the Shopify integration, all derived, so every write it makes happens once however
 * often it is retried (pure; no I/O).
 *
 * Shopify ids are kept as their numeric part: GraphQL answers `gid://shopify/Product/123`, webhooks
 * send `123`.
 */
export function numericId(id: string | number): string {
  const s = String(id);
  const m = /^gid:\/\/shopify\/[A-Za-z]+\/(\d+)(?:\?.*)?$/.exec(s);
  if (m) return m[1]!;
  if (/^\d+$/.test(s)) return s;
  throw new Error(`not a Shopify id: ${s}`);
}

export const gid = (type: 'Product' | 'ProductVariant' | 'InventoryItem' | 'Location' | 'Collection' | 'WebhookSubscription', id: string) => `gid://shopify/${type}/${id}`;

/**
 * Ledger movements the integration writes, in the location databases. The gateway refuses every id
 * under this prefix from devices and browsers (server/gateway/validate-docs.ts), so no client can
 * pre-empt or fake one; the push worker never sends them back to Shopify (they came from there).
 */
export const SHOPIFY_MOVEMENT_PREFIX = 'movement:shopify:';
/** An online order's line: stock leaves the mapped store once per order line. */
export const orderMovementId = (orderId: string, lineItemId: string) => `${SHOPIFY_MOVEMENT_PREFIX}order:${orderId}:${lineItemId}`;
/** A refund line that restocked (return, cancellation): stock comes back once per refund line. */
export const refundMovementId = (refundId: string, refundLineId: string) => `${SHOPIFY_MOVEMENT_PREFIX}refund:${refundId}:${refundLineId}`;
/** Opening stock of a variant the import created, once per variant and store. */
export const openingMovementId = (variantId: string) => `${SHOPIFY_MOVEMENT_PREFIX}open:${variantId}`;
/** A drift correction taking Shopify's number, named after the reconciliation and variant. */
export const reconcileMovementId = (runId: string, variantId: string) => `${SHOPIFY_MOVEMENT_PREFIX}reconcile:${runId}:${variantId}`;

/** A product the import creates: `product:sh-{shopify product id}`; its variants `sh-{product}-{variant}`. */
export const NEW_PRODUCT_PREFIX = 'sh-';
export const newProductId = (shopifyProductId: string) => `product:${NEW_PRODUCT_PREFIX}${shopifyProductId}`;
/** A variant id under a POS product: unique across the catalog (it starts with the product's suffix). */
export function variantIdFor(productId: string, shopifyVariantId: string): string {
  const suffix = productId.slice('product:'.length);
  return suffix.startsWith(NEW_PRODUCT_PREFIX) ? `${suffix}-${shopifyVariantId}` : `${suffix}-sh${shopifyVariantId}`;
}
/** A collection becomes `category:shopify-{collection id}`; products in none go to one category. */
export const collectionCategoryId = (collectionId: string) => `category:shopify-${collectionId}`;
export const UNCATEGORISED_ID = 'category:shopify-none';
export const UNCATEGORISED_NAME = 'Online store';

/** FNV-1a 64-bit, hex: a short stable name for a URL or media id (not a security hash). */
export function fnv64(s: string): string {
  let h = 0xcbf29ce484222325n;
  for (let i = 0; i < s.length; i++) {
    h ^= BigInt(s.charCodeAt(i));
    h = (h * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return h.toString(16).padStart(16, '0');
}
/** The media-database image of a Shopify product image: one per Shopify media, whoever imports it. */
export const imageIdFor = (mediaKey: string) => `image:sh${fnv64(mediaKey)}`;

/** Documents in the server-only `integrations` database. */
export const connectionId = (tenantId: string) => `shopify:${tenantId}`;
export const shopClaimId = (shop: string) => `shopify_shop:${shop}`;
export const productMapId = (tenantId: string, productId: string) => `shopify_map:${tenantId}:${productId}`;
export const shopifyProductIndexId = (tenantId: string, shopifyProductId: string) => `shopify_pid:${tenantId}:${shopifyProductId}`;
export const webhookDocId = (tenantId: string, webhookId: string) => `shopify_wh:${tenantId}:${webhookId}`;
export const pushCursorId = (tenantId: string, locationCode: string) => `shopify_push:${tenantId}:${locationCode}`;
export const catalogCursorId = (tenantId: string) => `shopify_catpush:${tenantId}`;
export const levelDocId = (tenantId: string, inventoryItemId: string, shopifyLocationId: string) => `shopify_level:${tenantId}:${inventoryItemId}:${shopifyLocationId}`;
export const importJobId = (tenantId: string) => `shopify_import:${tenantId}`;
export const driftDocId = (tenantId: string) => `shopify_drift:${tenantId}`;
export const oauthStateId = (state: string) => `shopify_oauth:${state}`;

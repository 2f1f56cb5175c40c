function (doc) {
  // Shopify's product and variant ids → the POS product link and variant, per tenant: a webhook reads
  // the few links its lines name instead of every link of the catalog.
  if (doc.type === 'shopify_product_map') {
    emit([doc.tenantId, 'product', doc.shopifyProductId], null);
    for (var i = 0; i < (doc.variants || []).length; i++) emit([doc.tenantId, 'variant', doc.variants[i].shopifyVariantId], doc.variants[i].variantId);
  }
}

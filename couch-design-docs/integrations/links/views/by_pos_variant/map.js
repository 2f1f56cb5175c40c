function (doc) {
  // POS variant → its Shopify inventory item, per tenant: the stock push reads the links of the
  // variants a page of in-store movements names (unlinked variants have no row and are not pushed).
  if (doc.type === 'shopify_product_map') {
    for (var i = 0; i < (doc.variants || []).length; i++) emit([doc.tenantId, doc.variants[i].variantId], doc.variants[i].inventoryItemId);
  }
}

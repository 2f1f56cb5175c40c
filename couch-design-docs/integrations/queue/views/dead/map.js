function (doc) {
  // Dead letters per tenant, newest first when read descending: shown in admin with their error.
  if (doc.type === 'shopify_webhook' && doc.status === 'dead') emit([doc.tenantId, doc.failedAt], null);
}

function (doc) {
  // Webhooks per tenant and status (pending, processing, done, ignored, dead): counts with _count.
  if (doc.type === 'shopify_webhook') emit([doc.tenantId, doc.status], null);
}

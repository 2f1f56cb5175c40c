function (doc) {
  // Webhooks per tenant in the order they were received: the newest is "last webhook received".
  if (doc.type === 'shopify_webhook') emit([doc.tenantId, doc.receivedAt], { topic: doc.topic, status: doc.status });
}

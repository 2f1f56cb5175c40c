function (doc) {
  // Shopify webhooks waiting to be processed, by when they are due: a pending one at its next attempt,
  // one being processed at its lease's end (a server copy that died mid-way leaves it for another).
  if (doc.type === 'shopify_webhook') {
    if (doc.status === 'pending') emit(doc.nextAttemptAt, null);
    else if (doc.status === 'processing') emit(doc.leaseUntil, null);
  }
}

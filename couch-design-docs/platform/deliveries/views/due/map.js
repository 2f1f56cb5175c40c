function (doc) {
  // What the outbox worker must look at, by channel and when: a queued or retrying message when its
  // next attempt is due, a message being sent when its claim expires (its server may have died).
  if (doc.type !== 'delivery') return;
  if (doc.status === 'queued' || doc.status === 'retrying') {
    emit([doc.channel, doc.nextAttemptAt || doc.queuedAt], null);
  } else if (doc.status === 'sending' && doc.claim) {
    emit([doc.channel, doc.claim.expiresAt], null);
  }
}

function (doc) {
  if (doc.type === 'audit_event') {
    emit([doc.actor, doc.createdAt], doc.action);
  }
}

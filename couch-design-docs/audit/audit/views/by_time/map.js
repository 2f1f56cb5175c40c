function (doc) {
  if (doc.type === 'audit_event') {
    emit(doc.createdAt, { action: doc.action, actor: doc.actor });
  }
}

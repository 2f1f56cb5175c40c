function (doc) {
  if (doc.type === 'delivery') {
    emit([doc.tenantId, doc.status, doc.createdAt], null);
  }
}

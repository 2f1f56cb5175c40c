function (doc) {
  if (doc.type === 'delivery') {
    emit([doc.tenantId, doc.createdAt], null);
  }
}

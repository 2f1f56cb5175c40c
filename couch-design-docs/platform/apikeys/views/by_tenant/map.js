function (doc) {
  if (doc.type === 'api_key') {
    emit([doc.tenantId, doc.createdAt], null);
  }
}

function (doc) {
  if (doc.type === 'user') {
    emit([doc.tenantId, doc.email], { name: doc.name, role: doc.role });
  }
}

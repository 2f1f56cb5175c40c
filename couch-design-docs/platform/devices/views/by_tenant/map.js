function (doc) {
  if (doc.type === 'device') {
    emit([doc.tenantId, doc.locationCode], { kind: doc.kind, name: doc.name, revoked: !!doc.revokedAt });
  }
}

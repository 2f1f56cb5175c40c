function (doc) {
  // Every platform document that belongs to a tenant (tenant, users, devices, codes, keys, outbox,
  // deliveries…): what a tenant backup takes from the shared database (server/backup/).
  // Its own design doc: adding it must not re-index the others.
  if (typeof doc.tenantId === 'string') {
    emit(doc.tenantId, null);
  }
}

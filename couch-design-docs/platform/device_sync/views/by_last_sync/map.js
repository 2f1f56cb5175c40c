function (doc) {
  // Devices by their last successful sync (null: never), counted by age range for /metrics (_count).
  // Its own design doc: adding it must not re-index devices/by_tenant.
  if (doc.type === 'device' && !doc.revokedAt) {
    emit(typeof doc.lastSyncAt === 'string' ? doc.lastSyncAt : null, null);
  }
}

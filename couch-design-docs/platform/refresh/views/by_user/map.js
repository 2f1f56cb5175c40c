function (doc) {
  if (doc.type === 'refresh_token' && !doc.revokedAt) {
    emit(doc.userId, doc.expiresAt);
  }
}

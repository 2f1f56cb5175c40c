function (doc) {
  // Listing and support look-ups. Sign-in reads the email:{address} claim document instead:
  // a view is only eventually consistent, the claim is the uniqueness check.
  if (doc.type === 'user' && doc.email) {
    emit(doc.email.toLowerCase(), { tenantId: doc.tenantId, role: doc.role, active: doc.active });
  }
}

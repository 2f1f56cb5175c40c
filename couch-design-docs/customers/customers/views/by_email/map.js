function (doc) {
  if (doc.type === 'customer' && doc.email) {
    emit(doc.email.toLowerCase(), null);
  }
}

function (doc) {
  if (doc.type === 'customer') {
    emit([(doc.lastName || '').toLowerCase(), (doc.firstName || '').toLowerCase()], null);
  }
}

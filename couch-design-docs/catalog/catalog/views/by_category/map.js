function (doc) {
  if (doc.type === 'product') {
    emit([doc.categoryId, doc.status, doc.name], null);
  }
}

function (doc) {
  // The tax categories products use, for the catalog editor's choice (group=true lists them with a count).
  // Its own design doc: adding it must not re-index the catalog lookups (catalog/by_barcode…).
  if (doc.type === 'product' && doc.taxCategory) {
    emit(doc.taxCategory, null);
  }
}

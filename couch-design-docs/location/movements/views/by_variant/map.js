function (doc) {
  // Movement history per variant, oldest first: [locationCode, variantId, createdAt] -> {qty, reason, ref}.
  // Its own design doc: CouchDB builds every view of a design doc together, so keeping history out
  // of _design/stock means refreshing on_hand never pays for this wider index.
  var i, line;
  if (doc.type === 'stock_movement' && doc.lines) {
    for (i = 0; i < doc.lines.length; i++) {
      line = doc.lines[i];
      emit([doc.locationCode, line.variantId, doc.createdAt], { qty: line.qty, reason: doc.reason, ref: doc.ref || null, doc: doc._id });
    }
  } else if (doc.type === 'sale' && doc.lines) {
    for (i = 0; i < doc.lines.length; i++) {
      line = doc.lines[i];
      // a return kept off the shelf moves no stock (as in stock/on_hand)
      if (line.qty < 0 && line.restock === false) continue;
      emit([doc.locationCode, line.variantId, doc.createdAt], { qty: -line.qty, reason: 'sale', ref: null, doc: doc._id });
    }
  } else if (doc.type === 'void' && doc.lines) {
    // a void puts its sale's lines back (as stock/on_hand does), so the history sums to on_hand
    for (i = 0; i < doc.lines.length; i++) {
      line = doc.lines[i];
      emit([doc.locationCode, line.variantId, doc.createdAt], { qty: line.qty, reason: 'void', ref: doc.saleId || null, doc: doc._id });
    }
  }
}

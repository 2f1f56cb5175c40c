function (doc) {
  // Movement history per variant, newest last: [variantId, createdAt] -> {qty, reason, ref}
  var i, line;
  if (doc.type === 'stock_movement') {
    for (i = 0; i < doc.lines.length; i++) {
      line = doc.lines[i];
      emit([line.variantId, doc.createdAt], { qty: line.qty, reason: doc.reason, ref: doc.ref || null });
    }
  } else if (doc.type === 'sale') {
    for (i = 0; i < doc.lines.length; i++) {
      line = doc.lines[i];
      emit([line.variantId, doc.createdAt], { qty: -line.qty, reason: 'sale', ref: doc._id });
    }
  }
}

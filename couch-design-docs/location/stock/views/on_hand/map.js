function (doc) {
  // Stock on hand = sum of every movement-bearing event: no counter is ever updated in place.
  var i, line;
  if (doc.type === 'stock_movement') {
    for (i = 0; i < doc.lines.length; i++) {
      line = doc.lines[i];
      emit([doc.locationCode, line.variantId], line.qty);
    }
  } else if (doc.type === 'sale') {
    for (i = 0; i < doc.lines.length; i++) {
      line = doc.lines[i];
      emit([doc.locationCode, line.variantId], -line.qty);
    }
  }
}

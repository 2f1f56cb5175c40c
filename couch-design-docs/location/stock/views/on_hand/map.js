function (doc) {
  // Stock on hand = sum of every movement-bearing event: no counter is ever updated in place.
  // Key [locationCode, variantId]; query with group=true (group_level=1 gives a location total).
  // Sale lines leave (a returned line has negative qty, so it comes back); a void puts its sale's
  // lines back. Layaways only reserve (stock/reserved); their pickup sale moves the stock.
  var i, line;
  if (doc.type === 'stock_movement' && doc.lines) {
    for (i = 0; i < doc.lines.length; i++) {
      line = doc.lines[i];
      emit([doc.locationCode, line.variantId], line.qty);
    }
  } else if (doc.type === 'sale' && doc.lines) {
    for (i = 0; i < doc.lines.length; i++) {
      line = doc.lines[i];
      emit([doc.locationCode, line.variantId], -line.qty);
    }
  } else if (doc.type === 'void' && doc.lines) {
    for (i = 0; i < doc.lines.length; i++) {
      line = doc.lines[i];
      emit([doc.locationCode, line.variantId], line.qty);
    }
  }
}

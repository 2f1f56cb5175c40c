function (doc) {
  // Stock on hand = sum of every movement-bearing event: no counter is ever updated in place.
  // Key [locationCode, variantId]; query with group=true (group_level=1 gives a location total).
  // Sale lines leave (a returned line has negative qty, so it comes back); a void puts its sale's
  // lines back. Layaways only reserve (stock/reserved); their pickup sale moves the stock. A returned
  // line marked restock:false (damaged, defective) stays off the shelf: it moves nothing (schemas
  // movesStock; the register's local-ledger.ts sums the same, a unit test holds them equal).
  var i, line;
  if (doc.type === 'stock_movement' && doc.lines) {
    for (i = 0; i < doc.lines.length; i++) {
      line = doc.lines[i];
      emit([doc.locationCode, line.variantId], line.qty);
    }
  } else if (doc.type === 'sale' && doc.lines) {
    for (i = 0; i < doc.lines.length; i++) {
      line = doc.lines[i];
      if (line.qty < 0 && line.restock === false) continue;
      emit([doc.locationCode, line.variantId], -line.qty);
    }
  } else if (doc.type === 'void' && doc.lines) {
    for (i = 0; i < doc.lines.length; i++) {
      line = doc.lines[i];
      emit([doc.locationCode, line.variantId], line.qty);
    }
  }
}

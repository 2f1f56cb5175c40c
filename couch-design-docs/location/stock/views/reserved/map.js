function (doc) {
  // Units held for open layaways: reserved when the layaway opens, released when it closes
  // (picked up: its pickup sale then moves on_hand; cancelled: back to sellable). Available = on_hand − reserved.
  var i, line;
  if (doc.type === 'layaway' && doc.lines) {
    for (i = 0; i < doc.lines.length; i++) {
      line = doc.lines[i];
      emit([doc.locationCode, line.variantId], line.qty);
    }
  } else if (doc.type === 'layaway_close' && doc.lines) {
    for (i = 0; i < doc.lines.length; i++) {
      line = doc.lines[i];
      emit([doc.locationCode, line.variantId], -line.qty);
    }
  }
}

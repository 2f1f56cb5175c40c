function (doc) {
  // A customer's sales, returns and voids at this location, oldest first, for the admin profile's
  // purchase history: [customerId, createdAt] -> summary. Its own design doc so building it never
  // delays the stock or sales views. A void carries no customer: it is found by id from its sale.
  var i, units = 0, returned = false;
  if (doc.type === 'sale' && doc.customerId && doc.createdAt) {
    for (i = 0; i < (doc.lines || []).length; i++) {
      units += doc.lines[i].qty;
      if (doc.lines[i].returnOf) returned = true;
    }
    emit([doc.customerId, doc.createdAt], { total: doc.total, units: units, kind: doc.kind || (returned ? 'return' : 'sale'), registerId: doc.registerId });
  }
}

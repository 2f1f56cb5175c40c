function (newDoc, oldDoc, userCtx, secObj) {
  // Defence in depth for a real CouchDB 3 (the gateway enforces the same): an event document is
  // created once and never edited or deleted afterwards.
  var EVENTS = { sale: true, stock_movement: true, ledger_entry: true };
  if (oldDoc && !oldDoc._deleted && EVENTS[oldDoc.type]) {
    throw({ forbidden: oldDoc.type + ' documents are immutable; record a new document instead' });
  }
}

function (newDoc, oldDoc, userCtx, secObj) {
  // Defence in depth for a real CouchDB 3 (the gateway enforces the same): an event document is
  // created once and never edited or deleted afterwards.
  // Keep in step with the event lifecycles in sync-rules/rules.ts (a unit test checks).
  var EVENTS = {
    'sale': true, 'void': true, 'shift': true, 'shift_close': true, 'cash_movement': true, 'layaway': true,
    'layaway_payment': true, 'layaway_close': true, 'outbox': true, 'stock_movement': true, 'ledger_entry': true,
    'time_entry': true, 'payment_void': true, 'count_scan': true
  };
  // One exception, for the server's service account only: deleting a second leaf of an event so the
  // original wins again (server/workers/conflicts.ts). Clients never reach the store directly.
  if (newDoc._deleted && (userCtx.roles || []).indexOf('_admin') !== -1) return;
  if (oldDoc && !oldDoc._deleted && EVENTS[oldDoc.type]) {
    throw({ forbidden: oldDoc.type + ' documents are immutable; record a new document instead' });
  }
}

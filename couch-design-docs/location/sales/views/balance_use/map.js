function (doc) {
  // Store credit and gift-card money a sale (or refund) moved, keyed [account, holder]: what the
  // sale-ledger worker turns into ledger entries. Registers keep the same sum in code
  // (web/src/lib/register/local-ledger.ts; a unit test holds the two equal) to subtract their own
  // not-yet-derived sales from a balance, since PouchDB cannot run this map under the app's CSP.
  var i, t;
  if (doc.type === 'sale' && doc.tenders) {
    for (i = 0; i < doc.tenders.length; i++) {
      t = doc.tenders[i];
      if ((t.kind === 'store_credit' || t.kind === 'gift_card') && t.reference) {
        emit([t.kind === 'store_credit' ? 'store_credit' : 'gift_card', t.reference], { saleId: doc._id, index: i, amount: t.amount });
      }
    }
  }
}

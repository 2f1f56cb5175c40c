function (doc) {
  // Store credit and gift-card money a sale (or refund) moved, keyed [account, holder]. The server's
  // ledger worker turns each into a ledger entry in the customers database; until that entry has
  // replicated back, a register subtracts these from the ledger balance so it cannot spend twice.
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

function (doc) {
  // Points, store credit and gift-card value are sums of ledger entries, never stored balances.
  if (doc.type === 'ledger_entry') {
    emit([doc.account, doc.holder], doc.amount);
  }
}

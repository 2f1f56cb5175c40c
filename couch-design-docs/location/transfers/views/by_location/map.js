function (doc) {
  // Transfers a location takes part in: [locationCode, status, createdAt] -> {from, to}. A transfer lives
  // in its source's database and emits one row for the source and one for the destination, so asking
  // any location database for the range [L, status] finds L's outgoing (in L's own) and incoming
  // (in the others) transfers alike. "In transit" is status "shipped".
  if (doc.type === 'transfer' && doc.locationCode && doc.toLocationCode) {
    emit([doc.locationCode, doc.status, doc.createdAt], { from: doc.locationCode, to: doc.toLocationCode });
    emit([doc.toLocationCode, doc.status, doc.createdAt], { from: doc.locationCode, to: doc.toLocationCode });
  }
}

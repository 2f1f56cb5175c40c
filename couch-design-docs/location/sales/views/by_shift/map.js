function (doc) {
  // A shift's sales and voids in time order, for the register's X/Z report and its shift screen:
  // [shiftId, createdAt] -> total (returns negative; a void carries minus its sale's total, as in
  // by_day), so _stats with group_level=1 gives the count and the net per shift.
  if ((doc.type === 'sale' || doc.type === 'void') && doc.shiftId && doc.createdAt) {
    emit([doc.shiftId, doc.createdAt], doc.total);
  }
}

function (doc) {
  // A shift's sales in time order, for the register's X/Z report and its shift screen:
  // [shiftId, createdAt] -> total (returns are negative). _stats with group_level=1 gives count and net per shift.
  if (doc.type === 'sale' && doc.shiftId && doc.createdAt) {
    emit([doc.shiftId, doc.createdAt], doc.total);
  }
}

function (doc) {
  // UTC day; business-day reports in the location's time zone re-bucket from createdAt.
  if (doc.type === 'sale') {
    emit([doc.createdAt.substring(0, 10), doc.registerId], doc.total);
  }
}

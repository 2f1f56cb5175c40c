function (doc) {
  // UTC day; business-day reports in the location's time zone re-bucket from createdAt.
  // Value is the sale total in minor units; _stats gives count, sum, min and max per key range.
  // A void carries minus its sale's total, so a voided sale nets to zero on the day it is voided.
  if ((doc.type === 'sale' || doc.type === 'void') && doc.createdAt) {
    emit([doc.createdAt.substring(0, 10), doc.registerId], doc.total);
  }
}

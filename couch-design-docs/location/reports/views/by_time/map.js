function (doc) {
  // Register documents by type and time, for the admin reports and sales journal: a date range is one
  // key range per type ([type, startIso] … [type, endIso]), converted from the location's business
  // days on the server (domain/business-day.ts). Sales, voids and layaway money (deposits, payments,
  // closes: the tenders report) by createdAt, shift closes by closedAt.
  if ((doc.type === 'sale' || doc.type === 'void' || doc.type === 'layaway' || doc.type === 'layaway_payment' || doc.type === 'layaway_close') && doc.createdAt) emit([doc.type, doc.createdAt], null);
  else if (doc.type === 'shift_close' && doc.closedAt) emit([doc.type, doc.closedAt], null);
}

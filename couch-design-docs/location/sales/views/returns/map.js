function (doc) {
  // Units already returned per original sale line, so a receipt cannot be refunded twice
  // (from any register of the location). Key [saleId, lineId]; value = units returned (positive).
  // Registers compute the same in code (web/src/lib/register/local-ledger.ts, held equal by a test).
  var i, line;
  if (doc.type === 'sale' && doc.lines) {
    for (i = 0; i < doc.lines.length; i++) {
      line = doc.lines[i];
      if (line.returnOf && line.qty < 0) emit([line.returnOf.saleId, line.returnOf.lineId], -line.qty);
    }
  }
}

/**
 * Writing CSV as RFC 4180 has it (docs/CSV.md): the catalog export, the timesheet, report, stock
 * valuation and purchase-order downloads. Reading is csv-read.ts (papaparse).
 */

const NEEDS_QUOTES = /[",\r\n]|^\s|\s$/;

export function csvField(value: string): string {
  return NEEDS_QUOTES.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

export function toCsv(rows: string[][]): string {
  return rows.map((r) => r.map(csvField).join(',')).join('\r\n') + '\r\n';
}


/**
 * CSV as RFC 4180 writes it, read and written (docs/CSV.md): the catalog import and export, the
 * timesheet and report downloads. Reading is strict where spreadsheets are sloppy in ways that lose
 * data (a stray quote, text after a closing quote, an unterminated quote: each an error naming its
 * row) and lenient where they are harmless (CRLF, LF or CR line breaks, mixed within one file; a BOM).
 *
 * Why not papaparse: tried (5.7.1) for this reader, it took the first line break it saw as the only
 * one, so a file mixing CRLF and LF (rows pasted from two sources) read the rest of the file into one
 * field, and a quote inside an unquoted field passed silently. Both are row-level errors here.
 */

/** A problem with one row (1 = the header record) and, where it applies, one column. */
export interface CsvRowError {
  row: number;
  column: string | null;
  message: string;
}

export interface CsvRecord {
  /** 1-based record number: what a spreadsheet shows as the row (a quoted newline stays in its row) */
  row: number;
  fields: string[];
}

/**
 * RFC 4180 records: fields separated by commas, records by CRLF (a bare LF or CR is accepted too),
 * double-quoted fields may hold commas, quotes (doubled) and line breaks. A leading UTF-8 BOM is
 * dropped. A quote inside an unquoted field, text after a closing quote or an unterminated quote is
 * an error naming the row.
 */
export function parseCsv(text: string): { records: CsvRecord[]; errors: CsvRowError[] } {
  const s = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const records: CsvRecord[] = [];
  const errors: CsvRowError[] = [];
  let fields: string[] = [];
  let field = '';
  let row = 1;
  let i = 0;
  const n = s.length;
  const endRecord = () => {
    fields.push(field);
    records.push({ row, fields });
    fields = [];
    field = '';
    row++;
  };
  while (i < n) {
    const c = s[i]!;
    if (c === '"' && field === '') {
      // quoted field
      let j = i + 1;
      let out = '';
      for (;;) {
        const q = s.indexOf('"', j);
        if (q === -1) {
          errors.push({ row, column: null, message: 'a quoted field is never closed (missing ")' });
          return { records, errors };
        }
        out += s.slice(j, q);
        if (s[q + 1] === '"') {
          out += '"';
          j = q + 2;
          continue;
        }
        j = q + 1;
        break;
      }
      field = out;
      i = j;
      const next = s[i];
      if (i < n && next !== ',' && next !== '\n' && next !== '\r') {
        errors.push({ row, column: null, message: 'text after a closing quote (a quote inside a field must be doubled: "")' });
        // skip to the end of this field so the rest of the file is still checked
        while (i < n && s[i] !== ',' && s[i] !== '\n' && s[i] !== '\r') i++;
      }
      // mark as quoted-and-done: fall through to separators below
      if (i >= n) break;
      continue;
    }
    if (c === ',') {
      fields.push(field);
      field = '';
      i++;
      continue;
    }
    if (c === '\r' || c === '\n') {
      endRecord();
      i += c === '\r' && s[i + 1] === '\n' ? 2 : 1;
      continue;
    }
    // unquoted run up to the next separator
    let j = i;
    while (j < n && s[j] !== ',' && s[j] !== '\n' && s[j] !== '\r') j++;
    const chunk = s.slice(i, j);
    if (chunk.includes('"')) errors.push({ row, column: null, message: 'a quote inside an unquoted field (quote the whole field and double the quote)' });
    field += chunk;
    i = j;
  }
  // last record without a trailing line break
  if (field !== '' || fields.length > 0 || (n > 0 && s[n - 1] === '"')) endRecord();
  return { records, errors };
}

const NEEDS_QUOTES = /[",\r\n]|^\s|\s$/;

export function csvField(value: string): string {
  return NEEDS_QUOTES.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

export function toCsv(rows: string[][]): string {
  return rows.map((r) => r.map(csvField).join(',')).join('\r\n') + '\r\n';
}


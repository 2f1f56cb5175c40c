/**
 * Reading CSV (RFC 4180, docs/CSV.md) for the catalog import. papaparse splits the records and
 * unquotes the fields, one record at a time (its `step`, the same callback its streaming and worker
 * modes use); this module adds what papaparse lets pass but would lose data here, each an error
 * naming its row: a quote inside an unquoted field, text after a closing quote, an unterminated quote.
 *
 * Line breaks: CRLF, LF or CR, and CRLF mixed with LF in one file (rows pasted from two sources).
 * papaparse takes one line break per file, so a file with any LF is read on LF and the CR of a CRLF
 * is taken off an unquoted last field here; a file without LF is read on CR. A quoted field keeps
 * its line breaks as written.
 */
import Papa from 'papaparse';

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

const UNTERMINATED = 'a quoted field is never closed (missing ")';
const AFTER_QUOTE = 'text after a closing quote (a quote inside a field must be doubled: "")';
const STRAY_QUOTE = 'a quote inside an unquoted field (quote the whole field and double the quote)';
const STRAY_CR = 'a line break (CR) inside an unquoted field: quote the field, or end every row the same way';

/**
 * The records of `text` (a leading UTF-8 BOM is dropped) and the problems found. Reading stops at
 * an unterminated quote or text after a closing quote: from there papaparse reads on into the next
 * rows, so later row numbers would be wrong.
 */
export function parseCsv(text: string): { records: CsvRecord[]; errors: CsvRowError[] } {
  const s = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const newline = s.includes('\n') ? '\n' : '\r';
  const records: CsvRecord[] = [];
  const errors: CsvRowError[] = [];
  let start = 0;
  Papa.parse<string[]>(s, {
    delimiter: ',',
    newline,
    quoteChar: '"',
    skipEmptyLines: false,
    step(result, parser) {
      const row = records.length + 1;
      const raw = s.slice(start, result.meta.cursor);
      start = result.meta.cursor;
      const broken = result.errors.find((e) => e.code === 'MissingQuotes' || e.code === 'InvalidQuotes');
      if (broken) {
        errors.push({ row, column: null, message: broken.code === 'MissingQuotes' ? UNTERMINATED : AFTER_QUOTE });
        return parser.abort();
      }
      // the empty "record" after a final line break is not a row
      if (raw === '' && result.data.length === 1 && result.data[0] === '') return;
      const checked = checkQuoting(raw, result.data);
      if (checked.message) errors.push({ row, column: null, message: checked.message });
      records.push({ row, fields: checked.fields });
    }
  });
  return { records, errors };
}

/**
 * Walks papaparse's fields over the record's text: which were quoted, whether a closing quote is
 * followed by the next field or the line end (papaparse also accepts spaces there), whether an
 * unquoted field holds a quote or a CR. Returns the fields with a CRLF's CR taken off the last one.
 */
function checkQuoting(raw: string, data: string[]): { fields: string[]; message: string | null } {
  const fields = [...data];
  let message: string | null = null;
  let p = 0;
  fields.forEach((f, i) => {
    const last = i === fields.length - 1;
    if (raw[p] === '"') {
      p += f.replace(/"/g, '""').length + 2;
      if (p < raw.length && raw[p] !== ',' && raw[p] !== '\n' && raw[p] !== '\r') message ??= AFTER_QUOTE;
      // papaparse ended the field at the next comma or line end
      p = nextSeparator(raw, p) + 1;
      return;
    }
    let v = f;
    if (last && v.endsWith('\r')) v = v.slice(0, -1); // the CR of a CRLF, or a CR-only file's last row
    if (v.includes('"')) message ??= STRAY_QUOTE;
    if (v.includes('\r')) message ??= STRAY_CR;
    fields[i] = v;
    p += f.length + 1;
  });
  return { fields, message };
}

function nextSeparator(raw: string, from: number): number {
  let p = from;
  while (p < raw.length && raw[p] !== ',' && raw[p] !== '\n' && raw[p] !== '\r') p++;
  return p;
}

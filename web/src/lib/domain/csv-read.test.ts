import { describe, expect, it } from 'vitest';
import { planCatalogImport } from './catalog-csv-plan.ts';
import { parseCsv } from './csv-read.ts';

const fields = (text: string) => parseCsv(text).records.map((r) => r.fields);
const rows = (text: string) => parseCsv(text).records.map((r) => r.row);

describe('parseCsv (papaparse and the row checks)', () => {
  it('keeps a quoted field with line breaks in one row, each break as written', () => {
    const text = 'a,b\r\n"two\nlines",1\r\n"crlf\r\ninside",2\r\n"cr\ronly",3\r\nlast,4';
    expect(parseCsv(text).errors).toEqual([]);
    expect(fields(text)).toEqual([
      ['a', 'b'],
      ['two\nlines', '1'],
      ['crlf\r\ninside', '2'],
      ['cr\ronly', '3'],
      ['last', '4']
    ]);
    expect(rows(text)).toEqual([1, 2, 3, 4, 5]);
  });

  it('drops a leading BOM (and only a leading one)', () => {
    expect(fields('\ufeffhandle,name\nx,y')).toEqual([
      ['handle', 'name'],
      ['x', 'y']
    ]);
    expect(fields('a\n\ufeffb')).toEqual([['a'], ['\ufeffb']]);
    expect(fields('\ufeff')).toEqual([]);
  });

  it('reads CRLF, LF and CR-only files, and CRLF mixed with LF, to the same records', () => {
    const want = [
      ['a', 'b'],
      ['1', '2'],
      ['3', '']
    ];
    for (const text of ['a,b\r\n1,2\r\n3,\r\n', 'a,b\n1,2\n3,\n', 'a,b\r1,2\r3,\r', 'a,b\r\n1,2\n3,\r\n', 'a,b\n1,2\r\n3,']) {
      expect(parseCsv(text)).toEqual({ errors: [], records: want.map((f, i) => ({ row: i + 1, fields: f })) });
    }
  });

  it('keeps ragged rows as they are (the catalog rows check the width) and blank lines as one empty field', () => {
    expect(fields('a,b,c\n1\n1,2,3,4\n\n,,\n')).toEqual([['a', 'b', 'c'], ['1'], ['1', '2', '3', '4'], [''], ['', '', '']]);
  });

  it('names the row of a stray quote and of a lone CR in a file whose rows end in LF, and reads on', () => {
    const { records, errors } = parseCsv('a,b\n1,2"\n"ok",3\nx\ry,4\n5,6');
    expect(errors).toEqual([
      { row: 2, column: null, message: expect.stringContaining('unquoted field') },
      { row: 4, column: null, message: expect.stringContaining('line break (CR)') }
    ]);
    expect(records.map((r) => r.row)).toEqual([1, 2, 3, 4, 5]);
    expect(records[4]!.fields).toEqual(['5', '6']);
  });

  it('names text after a closing quote, including spaces papaparse would let pass', () => {
    expect(parseCsv('a,b\n"x" ,1\n2,3').errors).toEqual([{ row: 2, column: null, message: expect.stringContaining('after a closing quote') }]);
    expect(parseCsv('a,b\n"x"\t\n2,3').errors).toEqual([{ row: 2, column: null, message: expect.stringContaining('after a closing quote') }]);
  });

  it('stops at a broken quote: the rows after it cannot be counted', () => {
    const broken = parseCsv('a,b\n1,2\n"x"y,1\n3,"4"\n5,6');
    expect(broken.errors).toEqual([{ row: 3, column: null, message: expect.stringContaining('after a closing quote') }]);
    expect(broken.records.map((r) => r.fields)).toEqual([
      ['a', 'b'],
      ['1', '2']
    ]);
    const open = parseCsv('a,b\n1,2\n3,"never closed\n5,6\n');
    expect(open.errors).toEqual([{ row: 3, column: null, message: 'a quoted field is never closed (missing ")' }]);
    expect(open.records).toHaveLength(2);
  });
});

describe('catalog import over parseCsv', () => {
  const HEAD = 'handle,name,category,tax_category,sku,price';
  const errorsOf = (csv: string) => {
    const r = planCatalogImport(csv, { products: [], categories: [] }, { now: '2026-11-01T10:00:00.000Z', actor: 'user:t' });
    return r.ok ? [] : r.errors;
  };

  it('reports a ragged row by its row number, counted past a quoted line break', () => {
    expect(errorsOf([HEAD, 'a,"A\r\nB",C,std,A-1', 'b,B,C,std,B-1,1,extra', 'c,C,C,std,C-1,1'].join('\r\n'))).toEqual([
      { row: 2, column: null, message: 'has 5 fields; the header has 6' },
      { row: 3, column: null, message: 'has 7 fields; the header has 6' }
    ]);
  });

  it('imports a BOM, CRLF file with a quoted comma the same as its LF twin', () => {
    const lines = [HEAD, 'mug,"Mug, large",Home,standard,MUG-1,8.50', 'tee,Tee,Shirts,clothing,TEE-1,19.99'];
    const crlf = planCatalogImport('\ufeff' + lines.join('\r\n') + '\r\n', { products: [], categories: [] }, { now: '2026-11-01T10:00:00.000Z', actor: 'user:t' });
    const lf = planCatalogImport(lines.join('\n'), { products: [], categories: [] }, { now: '2026-11-01T10:00:00.000Z', actor: 'user:t' });
    expect(crlf.ok && lf.ok).toBe(true);
    expect(crlf).toEqual(lf);
    if (crlf.ok) expect(crlf.plan.products.map((p) => p.doc.name)).toEqual(['Mug, large', 'Tee']);
  });
});

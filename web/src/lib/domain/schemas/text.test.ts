import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DOC_SCHEMAS } from './index.ts';
import { humanText, humanTextProblem, nfcDeep, textProblem } from './text.ts';

const decomposed = 'Cafe\u0301'; // "Café" with a combining accent (NFD)

describe('humanText', () => {
  it.each([
    ['Classic Tee', false, null],
    ['Café crème 😀', false, null],
    ['a\u0000b', false, 'control'],
    ['line\nbreak', false, 'one line'],
    ['tab\there', false, 'one line'],
    ['line\nbreak\tand tab', true, null],
    ['carriage\r\nreturn', true, 'control'],
    ['bell\u0007', true, 'control'],
    ['del\u007f', false, 'control'],
    ['c1\u0085', false, 'control'],
    ['lone \ud800 high', false, 'surrogate'],
    ['lone \udc00 low', false, 'surrogate'],
    [decomposed, false, 'NFC']
  ])('%j (multiline %s) → %s', (s, multiline, problem) => {
    const why = humanTextProblem(s, multiline);
    if (problem === null) expect(why).toBeNull();
    else expect(why).toContain(problem);
  });

  it('is a zod string with the limits given', () => {
    const s = humanText(5, { min: 1, trim: true });
    expect(s.parse(' abc ')).toBe('abc');
    expect(s.safeParse('').success).toBe(false);
    expect(s.safeParse('abcdef').success).toBe(false);
    expect(s.safeParse('a\u0000').error?.issues[0]?.message).toContain('control');
  });

  it('is what every document schema with human text uses: a sale line name with NUL or a lone surrogate is refused', () => {
    const line = { lineId: 'l1', productId: 'product:p', variantId: 'p-v1', sku: 'S', name: 'Tee', qty: 1, unitPrice: 100, discount: 0, tax: 0, total: 100 };
    const sale = { _id: 'sale:r1:01ARZ3NDEKTSV4RRFFQ69G5FAV', type: 'sale', locationCode: 'GM', registerId: 'device:r1', cashierId: 'user:c', currency: 'USD', lines: [line], subtotal: 100, discountTotal: 0, taxTotal: 0, total: 100, tenders: [{ kind: 'cash', amount: 100 }], change: 0, createdAt: '2026-11-24T10:00:00.000Z' };
    expect(DOC_SCHEMAS.sale.safeParse(sale).success).toBe(true);
    for (const bad of ['Tee\u0000', 'Tee\ud83d', decomposed, 'two\nlines']) {
      const r = DOC_SCHEMAS.sale.safeParse({ ...sale, lines: [{ ...line, name: bad }] });
      expect(r.success, JSON.stringify(bad)).toBe(false);
      expect(r.error?.issues[0]?.path).toEqual(['lines', 0, 'name']);
    }
    const customer = { _id: 'customer:1', type: 'customer', firstName: 'Ann\u0000', updatedAt: '2026-11-24T10:00:00.000Z', updatedBy: 'user:x' };
    expect(DOC_SCHEMAS.customer.safeParse(customer).success).toBe(false);
  });
});

describe('textProblem (the floor for every string of a body)', () => {
  it('names the path of the first bad string, keys included', () => {
    expect(textProblem({ a: [{ b: 'ok' }, { c: 'x\u0000' }] })).toBe('a.1.c: must not contain control characters');
    expect(textProblem({ ['k\ud800']: 1 })).toContain('surrogate');
    expect(textProblem({ note: 'tab\tnew\nline\r\n' })).toBeNull();
    expect(textProblem([decomposed])).toBe('0: must be NFC-normalised Unicode');
  });
});

describe('nfcDeep', () => {
  it('normalises every string and key, so a normalised well-formed value passes the floor', () => {
    const text = fc.string({ unit: fc.constantFrom('a', 'e', '\u0301', '\u0308', 'Å', 'A\u030a', ' ', '\n', '😀') });
    fc.assert(
      fc.property(fc.dictionary(text, fc.oneof(text, fc.array(text, { maxLength: 3 }))), (v) => {
        expect(textProblem(nfcDeep(v))).toBeNull();
      })
    );
  });
});

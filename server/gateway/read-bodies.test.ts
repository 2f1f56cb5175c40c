import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FIND_OPERATORS, READ_BODY_SCHEMAS, selectorProblem } from './read-bodies.ts';

const accepts = (endpoint: keyof typeof READ_BODY_SCHEMAS, body: unknown) => READ_BODY_SCHEMAS[endpoint]!.safeParse(body).success;

describe('read bodies', () => {
  it.each([
    // what PouchDB replication sends
    ['bulk_get', { docs: [{ id: 'sale:r:1', rev: '1-abc' }, { id: 'x' }] }, true],
    ['bulk_get', { docs: [{ id: 'a', rev: '2-ff', atts_since: ['1-aa'] }] }, true],
    ['revs_diff', { 'sale:r:1': ['1-abc', '2-def'] }, true],
    ['all_docs', { keys: ['settings:tenant', 'location:GM'] }, true],
    ['view', { keys: [['GM', 'v1'], ['GM', 'v2']] }, true],
    ['find', { selector: { type: 'location' } }, true],
    ['find', { selector: { type: 'sale', createdAt: { $gte: '2026-01-01' } }, fields: ['_id', 'total'], sort: [{ createdAt: 'desc' }], limit: 10 }, true],
    // the probe's and other malformed shapes
    ['bulk_get', { docs: 'x' }, false],
    ['bulk_get', { docs: [{ id: 1 }] }, false],
    ['bulk_get', { docs: [{ id: 'a', rev: 'latest' }] }, false],
    ['bulk_get', { docs: [{ id: 'a', extra: true }] }, false],
    ['bulk_get', {}, false],
    ['bulk_get', [], false],
    ['revs_diff', { a: 'x' }, false],
    ['revs_diff', { a: [1] }, false],
    ['all_docs', { keys: 'a' }, false],
    ['all_docs', { keys: ['a'], reduce: true }, false],
    ['find', { selector: 'x' }, false],
    ['find', { selector: {}, limit: -1 }, false],
    ['find', { selector: { name: { $regex: '^(a+)+$' } } }, false],
    ['find', { selector: { $or: [{ a: 1 }, { b: { $not: { $regex: 'x' } } }] } }, false],
    ['find', { selector: { a: { $where: '1' } } }, false],
    ['find', { selector: {}, r: 3 }, false]
  ] as [keyof typeof READ_BODY_SCHEMAS, unknown, boolean][])('%s %j → %s', (endpoint, body, ok) => {
    expect(accepts(endpoint, body)).toBe(ok);
  });

  it('names a refused operator', () => {
    expect(selectorProblem({ name: { $regex: 'x' } })).toMatch(/^selector\.name\.\$regex: operator \$regex is not allowed \(regular expressions are not accepted\)/);
  });

  it('no generated selector carrying $regex anywhere is accepted; any made of allowed operators is', () => {
    const field = fc.constantFrom('type', 'name', 'createdAt', 'lines');
    const allowedOp = fc.constantFrom(...FIND_OPERATORS);
    const leaf = fc.oneof(fc.string({ maxLength: 5 }), fc.integer(), fc.boolean());
    const selector = (op: fc.Arbitrary<string>) =>
      fc.letrec((tie) => ({
        s: fc.oneof({ depthSize: 'small', maxDepth: 2 }, fc.dictionary(field, leaf, { maxKeys: 2 }), fc.dictionary(op, fc.array(tie('s'), { maxLength: 2 }), { minKeys: 1, maxKeys: 1 }), fc.dictionary(field, fc.dictionary(op, leaf, { minKeys: 1, maxKeys: 1 }), { minKeys: 1, maxKeys: 2 }))
      })).s;
    fc.assert(
      fc.property(selector(allowedOp), (s) => {
        expect(selectorProblem(s)).toBeNull();
      }),
      { numRuns: 500 }
    );
    fc.assert(
      fc.property(selector(allowedOp), fc.array(field, { maxLength: 3 }), (s, path) => {
        let node: Record<string, unknown> = { ...s };
        const root = node;
        for (const p of path) node = (node[p] = {}) as Record<string, unknown>;
        node.$regex = '^(a+)+$';
        expect(selectorProblem(root)).toContain('$regex');
      }),
      { numRuns: 500 }
    );
  });
});

import { describe, expect, it } from 'vitest';
import { customerSchema, saleLineSchema, saleSchema, taxTableSchema } from './index.ts';

const table = {
  _id: 'tax_table:nyc',
  type: 'tax_table',
  name: 'New York City',
  versions: [
    { components: [{ id: 'ny-state', name: 'New York State', kind: 'state', ratePpm: 40_000, rules: { clothing: { kind: 'exempt_under', threshold: 11_000 } } }] },
    { effectiveFrom: '2027-03-01', components: [{ id: 'ny-state', name: 'New York State', kind: 'state', ratePpm: 45_000 }] }
  ],
  updatedAt: '2026-12-07T10:00:00.000Z',
  updatedBy: 'user:owner'
};

const saleLine = { lineId: 'l1', productId: 'product:p1', variantId: 'p1-v01', sku: 'T-1', name: 'Jacket', taxCategory: 'clothing', qty: 1, unitPrice: 12_000, discount: 0, tax: 1_065, total: 13_065 };
const taxes = [
  { jurisdictionId: 'ny-state', name: 'New York State', ratePpm: 40_000, amount: 480 },
  { jurisdictionId: 'nyc', name: 'New York City', ratePpm: 45_000, amount: 540 },
  { jurisdictionId: 'ny-mctd', name: 'MCTD', ratePpm: 3_750, amount: 45 }
];

describe('tax table document', () => {
  it('accepts components with rules and dated versions; a component without rules taxes everything', () => {
    const parsed = taxTableSchema.parse(table);
    expect(parsed.versions[1]!.components[0]!.rules).toEqual({});
  });
  it('refuses unordered or undated later versions, duplicate components, unknown rule kinds and rates over 100 %', () => {
    const v = table.versions;
    expect(taxTableSchema.safeParse({ ...table, versions: [v[0], { ...v[1], effectiveFrom: undefined }] }).success).toBe(false);
    expect(taxTableSchema.safeParse({ ...table, versions: [{ ...v[1] }, { ...v[1] }] }).success).toBe(false);
    expect(taxTableSchema.safeParse({ ...table, versions: [{ components: [v[1]!.components[0], v[1]!.components[0]] }] }).success).toBe(false);
    expect(taxTableSchema.safeParse({ ...table, versions: [{ components: [{ ...v[1]!.components[0], rules: { food: { kind: 'half' } } }] }] }).success).toBe(false);
    expect(taxTableSchema.safeParse({ ...table, versions: [{ components: [{ ...v[1]!.components[0], ratePpm: 1_000_001 }] }] }).success).toBe(false);
    expect(taxTableSchema.safeParse({ ...table, versions: [{ effectiveFrom: '2026-02-30', components: [] }] }).success).toBe(false);
  });
});

describe('sale line tax components', () => {
  it('are optional (older sales) and must sum to the line’s tax when present', () => {
    expect(saleLineSchema.safeParse(saleLine).success).toBe(true);
    expect(saleLineSchema.safeParse({ ...saleLine, taxes }).success).toBe(true);
    const off = saleLineSchema.safeParse({ ...saleLine, taxes: taxes.slice(1) });
    expect(off.success).toBe(false);
    expect(off.error!.issues[0]!.message).toMatch(/sum to the line's tax \(1065\)/);
  });
  it('are checked inside a sale, as the gateway checks every pushed sale', () => {
    const sale = {
      _id: 'sale:R1:01HZZZZZZZZZZZZZZZZZZZZZZZ',
      type: 'sale',
      locationCode: 'GM',
      registerId: 'register:r1',
      cashierId: 'user:c',
      currency: 'USD',
      lines: [{ ...saleLine, taxes }],
      subtotal: 12_000,
      discountTotal: 0,
      taxTotal: 1_065,
      total: 13_065,
      tenders: [{ kind: 'cash', amount: 13_065 }],
      createdAt: '2026-12-07T15:00:00.000Z'
    };
    expect(saleSchema.safeParse(sale).success).toBe(true);
    expect(saleSchema.safeParse({ ...sale, lines: [{ ...saleLine, taxes: [{ ...taxes[0], amount: 481 }, taxes[1], taxes[2]] }] }).success).toBe(false);
  });
});

describe('customer exemption certificate', () => {
  it('needs a certificate number and a real expiry date', () => {
    const c = { _id: 'customer:c1', type: 'customer', firstName: 'Ann', updatedAt: '2026-12-07T10:00:00.000Z', updatedBy: 'user:x' };
    expect(customerSchema.safeParse({ ...c, taxExemption: { certificateNo: 'ST-120-0042', expiresOn: '2027-12-31' } }).success).toBe(true);
    expect(customerSchema.safeParse({ ...c, taxExemption: { certificateNo: ' ', expiresOn: '2027-12-31' } }).success).toBe(false);
    expect(customerSchema.safeParse({ ...c, taxExemption: { certificateNo: 'ST-1', expiresOn: 'next year' } }).success).toBe(false);
  });
});

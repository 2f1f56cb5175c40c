import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalogDb } from '#domain/db-names.ts';
import type { StepState } from '#domain/setup.ts';
import { createStaffUser, createTenant } from '../../server/tenants/provision.ts';
import { enrol, login, startTestServer, type TestServer } from './support/server.ts';

const PW = 'correct horse battery';
let s: TestServer;
let t: string;
let owner: string;

beforeAll(async () => {
  s = await startTestServer({ CONFLICT_WORKER_INTERVAL_S: '0', APPROVALS_AUDIT_INTERVAL_S: '0', SALE_LEDGER_INTERVAL_S: '0' });
  t = (await createTenant({ couch: s.couch }, { name: 'Setup Co', plan: 'pro', adminEmail: 'o@setup.test', adminPassword: PW, locations: [{ code: 'GM' }] })).tenantId;
  await createStaffUser({ couch: s.couch }, t, { email: 'm@setup.test', name: 'Manager', role: 'manager', locations: ['GM'], password: PW });
  owner = await login(s, 'o@setup.test', PW);
});
afterAll(async () => {
  await s?.stop();
});

async function status(token: string): Promise<Record<string, StepState>> {
  const res = await s.call('GET', '/api/v1/setup/status', { token });
  expect(res.status).toBe(200);
  const body = (await res.json()) as { steps: StepState[] };
  return Object.fromEntries(body.steps.map((st) => [st.step, st]));
}

describe('setup checklist', () => {
  it('is derived from the tenant data as each step gets done, wherever it was done', async () => {
    let st = await status(owner);
    expect(st.locations).toMatchObject({ done: false, summary: '1 location; missing an address: GM' });
    expect(st.products!.done).toBe(false);
    // the manager created in beforeAll is a second staff member
    expect(st.staff).toMatchObject({ done: true, summary: '1 staff member besides you' });
    expect(st.taxes).toMatchObject({ done: false, summary: 'No tax rate at GM' });
    expect(st.payments!.done).toBe(false);
    expect(st.devices!.done).toBe(false);

    // products through the catalog CSV import, a register through the enrolment API
    const csv = 'handle,name,category,tax_category,sku,price\ntee,Tee,Tops,standard,TEE-1,19.99\n';
    const imp = await fetch(`${s.url}/api/v1/catalog/import`, { method: 'POST', headers: { authorization: `Bearer ${owner}`, 'content-type': 'text/csv' }, body: csv });
    expect(imp.status).toBe(200);
    await enrol(s, owner, 'register', 'GM', 'Till 1');
    // an address and a tax rate on the location document (the settings pages write the same fields)
    const db = s.couch.use(catalogDb(t));
    const loc = (await db.get('location:GM')) as unknown as Record<string, unknown>;
    await db.insert({ ...loc, address: '1 Main St', taxRateId: 'tax_rate:standard' });

    // the checklist reads lists (`_all_docs`), which a cluster answers from one copy of each shard:
    // a write made a moment ago may not be on that copy yet
    await expect
      .poll(async () => Object.values(await status(owner)).filter((x) => x.done).map((x) => x.step).sort(), { timeout: 30_000 })
      .toEqual(['devices', 'locations', 'products', 'staff', 'taxes']);
    st = await status(owner);
    expect(st.locations!.done).toBe(true);
    expect(st.products).toMatchObject({ done: true, summary: '1 product' });
    expect(st.taxes!.done).toBe(true);
    expect(st.devices).toMatchObject({ done: true, summary: '1 register enrolled' });
    expect(st.payments!.done).toBe(false);
  });

  it('payments are confirmed once, with an audit event', async () => {
    const res = await s.call('POST', '/api/v1/setup/payments/confirm', { token: owner });
    expect(res.status).toBe(200);
    const steps = ((await res.json()) as { steps: StepState[] }).steps;
    expect(steps.find((x) => x.step === 'payments')!.done).toBe(true);
    const first = ((await s.couch.use(catalogDb(t)).get('settings:tenant')) as unknown as { paymentsConfirmedAt: string }).paymentsConfirmedAt;
    expect((await s.call('POST', '/api/v1/setup/payments/confirm', { token: owner })).status).toBe(200);
    const again = ((await s.couch.use(catalogDb(t)).get('settings:tenant')) as unknown as { paymentsConfirmedAt: string }).paymentsConfirmedAt;
    expect(again).toBe(first);
  });

  it('is for owners and admins only', async () => {
    const manager = await login(s, 'm@setup.test', PW);
    expect((await s.call('GET', '/api/v1/setup/status', { token: manager })).status).toBe(403);
    expect((await s.call('POST', '/api/v1/setup/payments/confirm', { token: manager })).status).toBe(403);
    expect((await s.call('GET', '/api/v1/setup/status')).status).toBe(401);
  });
});

describe('PATCH /api/v1/locations/:code (the wizard\'s location step)', () => {
  it('edits name, address, time zone and currency; the code stays', async () => {
    const res = await s.call('PATCH', '/api/v1/locations/gm', { token: owner, body: { name: 'Grand Market', address: '9 Elm St', timeZone: 'Europe/Berlin', currency: 'EUR' } });
    expect(res.status).toBe(200);
    expect((await res.json()) as unknown).toMatchObject({ location: { code: 'GM', name: 'Grand Market', address: '9 Elm St', timeZone: 'Europe/Berlin', currency: 'EUR' } });
    // a patch of one field leaves the others as they are (no defaults sneak in)
    const one = await s.call('PATCH', '/api/v1/locations/GM', { token: owner, body: { address: '10 Elm St' } });
    expect((await one.json()) as unknown).toMatchObject({ location: { address: '10 Elm St', timeZone: 'Europe/Berlin', currency: 'EUR', name: 'Grand Market' } });
    const doc = (await s.couch.use(catalogDb(t)).get('location:GM')) as unknown as { fieldTimes: Record<string, string>; taxRateId: string };
    expect(Object.keys(doc.fieldTimes).sort()).toEqual(['address', 'currency', 'name', 'timeZone']);
    expect(doc.taxRateId).toBe('tax_rate:standard');
  });

  it('rejects bad values and unknown fields with the field named, and unknown locations with 404', async () => {
    const bad = await s.call('PATCH', '/api/v1/locations/GM', { token: owner, body: { timeZone: 'Mars/Base' } });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { message: string }).message).toMatch(/timeZone/);
    expect((await s.call('PATCH', '/api/v1/locations/GM', { token: owner, body: { code: 'XX' } })).status).toBe(400);
    expect((await s.call('PATCH', '/api/v1/locations/ZZ', { token: owner, body: { address: 'x' } })).status).toBe(404);
  });

  it('needs settings:manage', async () => {
    const manager = await login(s, 'm@setup.test', PW);
    expect((await s.call('PATCH', '/api/v1/locations/GM', { token: manager, body: { address: 'x' } })).status).toBe(403);
  });
});

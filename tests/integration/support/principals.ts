import { createStaffUser, createTenant } from '../../../server/tenants/provision.ts';
import { enrol, login, type TestServer } from './server.ts';

/**
 * Every kind of principal the gateway knows, in one tenant (plus another tenant's owner): browser
 * sessions of each role, two registers and an RFID phone at GM, PIN sessions on each device, an API
 * key with every read scope, and no credential at all. What security and fuzz tests iterate over.
 */
export const PW = 'correct-horse-battery';

export type PrincipalName =
  | 'owner'
  | 'admin'
  | 'manager'
  | 'cashier'
  | 'clerk'
  | 'register'
  | 'register2'
  | 'phone'
  | 'pinCashierOnRegister'
  | 'pinManagerOnRegister'
  | 'pinCashierOnPhone'
  | 'pinClerkOnPhone'
  | 'apiKey'
  | 'otherOwner'
  | 'anonymous';

export interface Cast {
  tenant: string;
  other: string;
  /** header sets per principal (anonymous: none) */
  headers: Record<PrincipalName, Record<string, string>>;
  tokens: Partial<Record<PrincipalName, string>>;
  registerId: string;
  register2Id: string;
  phoneId: string;
  userIds: Record<'owner' | 'admin' | 'manager' | 'cashier' | 'clerk', string>;
}

const PINS = { owner: '1111', admin: '2222', manager: '3333', cashier: '4444', clerk: '5555' } as const;

async function pin(s: TestServer, deviceToken: string, code: string): Promise<string> {
  const res = await s.call('POST', '/api/v1/auth/pin', { token: deviceToken, body: { pin: code } });
  if (res.status !== 200) throw new Error(`PIN sign-in failed: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { accessToken: string }).accessToken;
}

export async function makeCast(s: TestServer, name = 'Cast'): Promise<Cast> {
  const ctx = { couch: s.couch };
  const slug = name.toLowerCase().replace(/[^a-z]/g, '');
  const tenant = (
    await createTenant(ctx, { name: `${name} Retail`, adminEmail: `owner@${slug}.test`, adminPassword: PW, adminPin: PINS.owner, plan: 'enterprise', locations: [{ code: 'GM' }, { code: 'HM' }] })
  ).tenantId;
  const other = (await createTenant(ctx, { name: `${name} Other`, adminEmail: `owner@other-${slug}.test`, adminPassword: PW, locations: [{ code: 'GM' }] })).tenantId;
  const users = {
    admin: await createStaffUser(ctx, tenant, { email: `admin@${slug}.test`, name: 'Ada Admin', role: 'admin', locations: ['*'], password: PW, pin: PINS.admin }),
    manager: await createStaffUser(ctx, tenant, { email: `manager@${slug}.test`, name: 'Max Manager', role: 'manager', locations: ['GM'], password: PW, pin: PINS.manager }),
    cashier: await createStaffUser(ctx, tenant, { email: `cashier@${slug}.test`, name: 'Cas Cashier', role: 'cashier', locations: ['GM'], password: PW, pin: PINS.cashier }),
    clerk: await createStaffUser(ctx, tenant, { email: `clerk@${slug}.test`, name: 'Cle Clerk', role: 'stock_clerk', locations: ['GM'], password: PW, pin: PINS.clerk })
  };
  const tokens: Partial<Record<PrincipalName, string>> = {};
  tokens.owner = await login(s, `owner@${slug}.test`, PW);
  for (const role of ['admin', 'manager', 'cashier', 'clerk'] as const) tokens[role] = await login(s, `${role}@${slug}.test`, PW);
  tokens.otherOwner = await login(s, `owner@other-${slug}.test`, PW);
  const reg = await enrol(s, tokens.owner, 'register', 'GM', 'Till 1');
  const reg2 = await enrol(s, tokens.owner, 'register', 'GM', 'Till 2');
  const phone = await enrol(s, tokens.owner, 'rfid_phone', 'GM', 'Phone');
  tokens.register = reg.deviceToken;
  tokens.register2 = reg2.deviceToken;
  tokens.phone = phone.deviceToken;
  tokens.pinCashierOnRegister = await pin(s, reg.deviceToken, PINS.cashier);
  tokens.pinManagerOnRegister = await pin(s, reg.deviceToken, PINS.manager);
  tokens.pinCashierOnPhone = await pin(s, phone.deviceToken, PINS.cashier);
  tokens.pinClerkOnPhone = await pin(s, phone.deviceToken, PINS.clerk);
  const key = await s.call('POST', '/api/v1/api-keys', { token: tokens.owner, body: { name: 'Warehouse', scopes: ['catalog:read', 'sales:read', 'customers:read'] } });
  if (key.status !== 201) throw new Error(`API key: ${key.status} ${await key.text()}`);
  tokens.apiKey = ((await key.json()) as { token: string }).token;

  const headers = {} as Record<PrincipalName, Record<string, string>>;
  for (const n of Object.keys(tokens) as PrincipalName[]) headers[n] = { authorization: `Bearer ${tokens[n]}` };
  headers.anonymous = {};
  const ownerDoc = (await s.couch.use('platform').get(`email:owner@${slug}.test`)) as unknown as { userId: string };
  return {
    tenant,
    other,
    headers,
    tokens,
    registerId: reg.device.id,
    register2Id: reg2.device.id,
    phoneId: phone.device.id,
    userIds: { owner: ownerDoc.userId, admin: users.admin._id, manager: users.manager._id, cashier: users.cashier._id, clerk: users.clerk._id }
  };
}

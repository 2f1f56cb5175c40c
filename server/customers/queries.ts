import { authorize, hasPermission, mayUseLocation, type Principal } from '../auth/principal.ts';
import type { Couch } from '../couch/client.ts';
import { getTenant } from '../tenants/provision.ts';
import { customerLedger, customerProfile, getCustomer, getLoyaltyRules, giftCard, mergedInto, purchaseHistory, searchCustomers, tenantCurrency } from './service.ts';

/**
 * The admin's customer reads as use cases: each needs `customer:manage` (owners, admins, managers),
 * checked here before the store is read, whoever calls; purchase history covers only the locations
 * the caller may use. The writes are in service.ts and check their callers the same way.
 */

export async function findCustomers(couch: Couch, p: Principal, query: { q: string; page: number; pageSize: number; includeMerged: boolean }) {
  authorize(p, 'customer:manage', 'Searching customers');
  return searchCustomers(couch, p.tenantId, query);
}

/** The loyalty rules, the currency they are in, and whether the caller may change them. */
export async function loyaltyRulesFor(couch: Couch, p: Principal) {
  authorize(p, 'customer:manage', 'Viewing the loyalty rules');
  return { rules: await getLoyaltyRules(couch, p.tenantId), currency: await tenantCurrency(couch, p.tenantId), mayEdit: hasPermission(p, 'settings:manage') };
}

export async function giftCardFor(couch: Couch, p: Principal, number: string) {
  authorize(p, 'customer:manage', 'Looking up a gift card');
  return giftCard(couch, p.tenantId, number);
}

export async function customerFor(couch: Couch, p: Principal, id: string) {
  authorize(p, 'customer:manage', 'Viewing a customer');
  return customerProfile(couch, p.tenantId, id);
}

export async function customerLedgerFor(couch: Couch, p: Principal, id: string, account: 'loyalty' | 'store_credit') {
  authorize(p, 'customer:manage', 'Viewing a customer');
  return customerLedger(couch, p.tenantId, id, account);
}

/** A page of the customer's purchases (and those of profiles merged into it) at the caller's locations. */
export async function purchasesFor(couch: Couch, p: Principal, id: string, page: { page: number; pageSize: number }) {
  authorize(p, 'customer:manage', 'Viewing a customer');
  await getCustomer(couch, p.tenantId, id);
  const tenant = await getTenant(couch, p.tenantId);
  const locations = (tenant?.locations ?? []).filter((code) => mayUseLocation(p, code));
  const rows = await purchaseHistory(couch, p.tenantId, [id, ...(await mergedInto(couch, p.tenantId, id))], locations);
  const start = (page.page - 1) * page.pageSize;
  return { locations, purchases: rows.slice(start, start + page.pageSize), total: rows.length, page: page.page, pageSize: page.pageSize };
}

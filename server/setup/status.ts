import { catalogDb } from '#domain/db-names.ts';
import { setupSteps, type SetupFacts, type StepState } from '#domain/setup.ts';
import type { DocOf } from '#domain/schemas/index.ts';
import { recordAudit } from '../audit.ts';
import { statusOf, updateDoc, type Couch } from '../couch/client.ts';
import { countActiveRegisters } from '../tenants/plan-limits.ts';

type SettingsDoc = DocOf<'settings'>;

/** Past this many products the wizard says "1,000+": counting a 100k catalog's keys is not worth it. */
export const PRODUCT_COUNT_CAP = 1000;

async function keysWithPrefix(couch: Couch, db: string, prefix: string, limit?: number) {
  const res = await couch.use(db).list({ startkey: prefix, endkey: `${prefix}\ufff0`, ...(limit ? { limit } : {}) });
  return res.rows;
}

/** Reads what the setup checklist is judged on (domain/setup.ts) from the tenant's catalog and devices. */
export async function setupFacts(couch: Couch, tenantId: string): Promise<SetupFacts> {
  const catalog = catalogDb(tenantId);
  const [locations, products, staff, settings, registers] = await Promise.all([
    couch.use(catalog).list({ startkey: 'location:', endkey: 'location:\ufff0', include_docs: true }),
    keysWithPrefix(couch, catalog, 'product:', PRODUCT_COUNT_CAP + 1),
    keysWithPrefix(couch, catalog, 'staff:'),
    couch
      .use(catalog)
      .get('settings:tenant')
      .then((d) => d as unknown as SettingsDoc)
      .catch((err: unknown) => {
        if (statusOf(err) === 404) return null;
        throw err;
      }),
    countActiveRegisters(couch, tenantId)
  ]);
  return {
    locations: locations.rows.map((r) => {
      const l = r.doc as unknown as { code: string; address?: string; taxRateId?: string; taxTableId?: string };
      // a jurisdiction tax table taxes the location as well as a single rate does
      return { code: l.code, address: l.address ?? '', hasTaxRate: Boolean(l.taxRateId || l.taxTableId) };
    }),
    products: products.length,
    // the owner who signed up is the first staff member
    otherStaff: Math.max(0, staff.length - 1),
    paymentsConfirmed: Boolean(settings?.paymentsConfirmedAt),
    registers
  };
}

export async function setupStatus(couch: Couch, tenantId: string): Promise<{ steps: StepState[]; productsCapped: boolean }> {
  const facts = await setupFacts(couch, tenantId);
  return { steps: setupSteps(facts), productsCapped: facts.products > PRODUCT_COUNT_CAP };
}

/** Records that an admin reviewed and confirmed the payment methods (the wizard's payments step). */
export async function confirmPayments(couch: Couch, tenantId: string, by: string): Promise<void> {
  const now = new Date().toISOString();
  await updateDoc<SettingsDoc>(couch.use(catalogDb(tenantId)), 'settings:tenant', (s) =>
    s.paymentsConfirmedAt ? null : { ...s, paymentsConfirmedAt: now, updatedAt: now, updatedBy: by, ...(s.fieldTimes ? { fieldTimes: { ...s.fieldTimes, paymentsConfirmedAt: now } } : {}) }
  );
  await recordAudit(couch, tenantId, { action: 'setup.payments_confirmed', actor: by, target: 'settings:tenant' });
}

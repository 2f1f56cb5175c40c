import { PLATFORM_DB } from '#domain/db-names.ts';
import { checkPlanFeature, checkPlanLimit, planOf, type PlanFeature, type PlanLimit } from '#domain/plans.ts';
import type { Couch } from '../couch/client.ts';
import { AppError } from '../errors.ts';
import type { TenantDoc } from '../platform/types.ts';

/** `403 plan_limit`: the plan, not the user's role, is what stands in the way; the message says so. */
export const planLimitError = (message: string) => new AppError(403, 'plan_limit', message);

/** Throws `plan_limit` when a tenant with `current` of `kind` may not add one more under its plan. */
export function assertPlanAllows(tenant: TenantDoc, kind: PlanLimit, current: number): void {
  const verdict = checkPlanLimit(planOf(tenant.plan), kind, current);
  if (!verdict.ok) throw planLimitError(verdict.message);
}

export function assertPlanFeature(tenant: TenantDoc, feature: PlanFeature): void {
  const verdict = checkPlanFeature(planOf(tenant.plan), feature);
  if (!verdict.ok) throw planLimitError(verdict.message);
}

/** Enrolled, unrevoked registers of a tenant (RFID phones are not registers and are not counted). */
export async function countActiveRegisters(couch: Couch, tenantId: string): Promise<number> {
  const res = await couch.use(PLATFORM_DB).view('devices', 'by_tenant', { startkey: [tenantId], endkey: [tenantId, {}] });
  return res.rows.filter((r) => {
    const v = r.value as { kind?: string; revoked?: boolean };
    return v.kind === 'register' && !v.revoked;
  }).length;
}

/**
 * Registers are checked twice: when an admin makes an enrolment code (so they learn early) and when
 * a device redeems one (authoritative: several codes can be outstanding at once). Two devices
 * enrolling in the same instant can both pass; the plan is then over by one until one is revoked,
 * which is the friendly side for a shop opening its doors.
 */
export async function assertCanEnrolRegister(couch: Couch, tenant: TenantDoc): Promise<void> {
  if (planOf(tenant.plan).limits.registers === null) return;
  assertPlanAllows(tenant, 'registers', await countActiveRegisters(couch, tenant.tenantId));
}

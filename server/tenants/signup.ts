import { textRule } from '#domain/schemas/text.ts';
import { z } from 'zod';
import { PLATFORM_DB } from '#domain/db-names.ts';
import { PLAN_IDS, PLANS, type PlanId } from '#domain/plans.ts';
import { statusOf } from '../couch/client.ts';
import { AppError } from '../errors.ts';
import { findUserByEmail } from '../platform/users.ts';
import type { EmailOutboxDoc } from '../platform/types.ts';
import { createTenant, locationInput, type ProvisionCtx } from './provision.ts';

export const signupInput = z.object({
  businessName: z.string().trim().min(2, 'must be at least 2 characters').max(120).superRefine(textRule()),
  ownerName: z.string().trim().min(1).max(120).superRefine(textRule()).optional(),
  ownerEmail: z.string().trim().pipe(z.email('must be an email address')),
  plan: z.enum(PLAN_IDS, 'must be one of starter, pro, enterprise'),
  location: locationInput.extend({ name: z.string().trim().min(1, 'is required').max(120).superRefine(textRule()) })
});
export type SignupInput = z.input<typeof signupInput>;

export interface SignupResult {
  tenantId: string;
  tenantName: string;
  ownerEmail: string;
  plan: PlanId;
  /** generated, shown once in this answer, stored only as a scrypt hash */
  temporaryPassword: string;
  signInUrl: string;
}

const emailTaken = (email: string) =>
  new AppError(409, 'email_taken', `An account with ${email} already exists. Sign in at /admin, or sign up with another email`);

/**
 * Public sign-up (issue 5, "Tenant journey"): provisions the tenant (databases, design documents,
 * first location, owner with a generated password) and queues the welcome email. The password is
 * returned once and is not in the email: the outbox is a stored document, and a stored clear-text
 * password is a leak waiting to happen.
 */
export async function signUp(ctx: ProvisionCtx, raw: SignupInput): Promise<SignupResult> {
  const input = signupInput.parse(raw);
  // createTenant checks again (and the email claim document is the race-safe check); this one
  // answers the common case before any database is made.
  if (await findUserByEmail(ctx.couch.use(PLATFORM_DB), input.ownerEmail)) throw emailTaken(input.ownerEmail);
  let created;
  try {
    created = await createTenant(ctx, {
      name: input.businessName,
      adminEmail: input.ownerEmail,
      ...(input.ownerName ? { adminName: input.ownerName } : {}),
      plan: input.plan,
      locations: [input.location]
    });
  } catch (err) {
    if (err instanceof AppError && err.status === 409) throw emailTaken(input.ownerEmail);
    throw err;
  }
  if (!created.generatedPassword) throw new Error('sign-up must generate the owner password');
  await queueWelcomeEmail(ctx, { tenantId: created.tenantId, to: created.adminEmail, businessName: input.businessName, ownerName: input.ownerName ?? '', plan: input.plan });
  return {
    tenantId: created.tenantId,
    tenantName: input.businessName,
    ownerEmail: created.adminEmail,
    plan: input.plan,
    temporaryPassword: created.generatedPassword,
    signInUrl: '/admin/setup'
  };
}

/**
 * The welcome email is an `email_outbox` document in the `platform` database (never replicated; the
 * tenant databases reach devices), one per tenant (`outbox:welcome:{tenantId}`), so a retry never
 * queues two. The delivery worker comes with the integrations issue.
 */
async function queueWelcomeEmail(ctx: ProvisionCtx, m: { tenantId: string; to: string; businessName: string; ownerName: string; plan: PlanId }): Promise<void> {
  const doc: EmailOutboxDoc = {
    _id: `outbox:welcome:${m.tenantId}`,
    type: 'email_outbox',
    tenantId: m.tenantId,
    to: m.to,
    template: 'welcome',
    data: { businessName: m.businessName, ownerName: m.ownerName, plan: PLANS[m.plan].name, signInUrl: '/admin/setup' },
    status: 'pending',
    attempts: 0,
    createdAt: new Date().toISOString()
  };
  try {
    await ctx.couch.use(PLATFORM_DB).insert(doc);
  } catch (err) {
    if (statusOf(err) !== 409) throw err;
  }
}

import { textRule } from '#domain/schemas/text.ts';
import { randomInt } from 'node:crypto';
import { z } from 'zod';
import { PLATFORM_DB } from '#domain/db-names.ts';
import { newUlid } from '#domain/ids.ts';
import { passwordProblems } from '#domain/password-rules.ts';
import { ROLES, type Role } from '#domain/permissions.ts';
import { PIN_PATTERN } from '#domain/pin.ts';
import { effectiveLocations, grantProblem, lastOwnerProblem, manageProblem, type Grantor, type Member } from '#domain/staff-rules.ts';
import { recordAudit } from '../audit.ts';
import { hasPermission, type Caller } from '../auth/principal.ts';
import { generatePassword, hashPassword, verifyPassword } from '../auth/passwords.ts';
import { statusOf, type Couch } from '../couch/client.ts';
import { AppError, badRequest, conflict, forbidden, notFound, parseBody } from '../errors.ts';
import { assertLocations } from '../inventory/service.ts';
import { getUser, updateUser } from '../platform/users.ts';
import { endAllSessions } from '../auth/sessions.ts';
import type { EmailOutboxDoc, RefreshDoc, UserDoc } from '../platform/types.ts';
import { createStaffUser, listStaff, setStaffPin, writeStaffEntry } from '../tenants/provision.ts';

/**
 * Staff accounts (issue 5, Staff): invite, role and locations, PIN and password resets, lock/unlock,
 * and a user's own password change. A staff member is two documents: the login (`user:{id}` in
 * `platform`, never replicated) and the directory entry (`staff:{id}` in the tenant catalog, pulled
 * by registers, with the PIN hash for offline sign-in); every change here writes both. Who may grant
 * what is domain/staff-rules.ts. Temporary passwords are answered once and never stored in clear,
 * not even in the outbox email (see tenants/signup.ts).
 */

/**
 * Locking and password resets end the user's sessions: their refresh tokens stop working at once (and
 * their access tokens within seconds: the user update bumps `sessionVersion`, auth/sessions.ts). A
 * user changing their own password keeps the session they did it from (`exceptSid`).
 */
async function revokeSessions(couch: Couch, userId: string, exceptSid?: string): Promise<number> {
  const platform = couch.use(PLATFORM_DB);
  const res = await platform.view('refresh', 'by_user', { key: userId, include_docs: true });
  const now = new Date().toISOString();
  const docs = res.rows
    .map((r) => r.doc as unknown as RefreshDoc)
    .filter((d) => d && !d.revokedAt && (exceptSid === undefined || d.sid !== exceptSid))
    .map((d) => ({ ...d, revokedAt: now }));
  if (docs.length) await platform.bulk({ docs });
  return docs.length;
}

export interface StaffMemberView {
  id: string;
  staffId: string;
  email: string;
  name: string;
  role: Role;
  locations: string[];
  active: boolean;
  pinSet: boolean;
  mustChangePassword: boolean;
  createdAt: string;
}

function view(u: UserDoc, pinSet: boolean): StaffMemberView {
  return {
    id: u._id,
    staffId: `staff:${u._id.slice('user:'.length)}`,
    email: u.email,
    name: u.name,
    role: u.role,
    locations: u.locations,
    active: u.active,
    pinSet,
    mustChangePassword: u.mustChangePassword === true,
    createdAt: u.createdAt
  };
}

async function tenantUsers(couch: Couch, tenantId: string): Promise<UserDoc[]> {
  const res = await couch.use(PLATFORM_DB).view('users', 'by_tenant', { startkey: [tenantId], endkey: [tenantId, {}], include_docs: true });
  return res.rows.map((r) => r.doc as unknown as UserDoc).filter((u) => u?.type === 'user' && u.tenantId === tenantId);
}

export async function listMembers(couch: Couch, tenantId: string): Promise<StaffMemberView[]> {
  const [users, staff] = await Promise.all([tenantUsers(couch, tenantId), listStaff(couch, tenantId)]);
  const pins = new Set(staff.filter((s) => s.pinHash).map((s) => s.userId));
  return users.map((u) => view(u, pins.has(u._id))).sort((a, b) => a.name.localeCompare(b.name) || a.email.localeCompare(b.email));
}

async function memberOf(couch: Couch, tenantId: string, userId: string): Promise<UserDoc> {
  const u = await getUser(couch.use(PLATFORM_DB), userId);
  // another tenant's user is answered exactly like a missing one
  if (!u || u.tenantId !== tenantId || u.type !== 'user') throw notFound(`No staff member ${userId}`);
  return u;
}

export async function getMember(couch: Couch, tenantId: string, userId: string): Promise<StaffMemberView> {
  const u = await memberOf(couch, tenantId, userId);
  const entry = (await listStaff(couch, tenantId)).find((s) => s.userId === u._id);
  return view(u, Boolean(entry?.pinHash));
}

const asMembers = (users: UserDoc[]): Member[] => users.map((u) => ({ userId: u._id, role: u.role, active: u.active }));

function assertManage(by: Grantor, target: UserDoc): void {
  const why = manageProblem(by, { userId: target._id, role: target.role, active: target.active });
  if (why) throw forbidden(why);
}

async function queueEmail(couch: Couch, doc: Omit<EmailOutboxDoc, 'type' | 'status' | 'attempts' | 'createdAt'>): Promise<void> {
  try {
    await couch.use(PLATFORM_DB).insert({ ...doc, type: 'email_outbox', status: 'pending', attempts: 0, createdAt: new Date().toISOString() } satisfies EmailOutboxDoc);
  } catch (err) {
    if (statusOf(err) !== 409) throw err;
  }
}

// ---- invite --------------------------------------------------------------------------------------

export const inviteInput = z.object({
  email: z.string().trim().pipe(z.email('must be an email address')),
  name: z.string().trim().min(1, 'is required').max(120).superRefine(textRule()),
  role: z.enum(ROLES, 'must be one of owner, admin, manager, cashier, stock_clerk'),
  /** location codes; ignored for owners and admins (they have every location) */
  locations: z.array(z.string().trim().toUpperCase()).max(200).default([]),
  pin: z.string().regex(PIN_PATTERN, 'must be 4 to 6 digits').optional()
});

export interface Invited {
  member: StaffMemberView;
  /** shown once to the admin who invited; the invitee must change it at first sign-in */
  temporaryPassword: string;
}

/**
 * Creates the login and the directory entry with a temporary password, and queues the invitation email
 * (`outbox:staff_invite:{userId}`, sign-in link and who invited them, no secret). No plan limits staff.
 */
async function inviteStaffNow(couch: Couch, by: Grantor & { tenantId: string; name?: string }, input: z.output<typeof inviteInput>, requestId?: string): Promise<Invited> {
  const locations = effectiveLocations(input.role, input.locations);
  if (locations.length === 0) throw badRequest(`locations: a ${input.role} needs at least one location`);
  const why = grantProblem(by, input.role, input.locations);
  if (why) throw forbidden(why);
  if (!locations.includes('*')) await assertLocations(couch, by.tenantId, locations);
  const temporaryPassword = generatePassword();
  const user = await createStaffUser({ couch }, by.tenantId, {
    email: input.email,
    name: input.name,
    role: input.role,
    locations,
    password: temporaryPassword,
    mustChangePassword: true,
    ...(input.pin ? { pin: input.pin } : {})
  }).catch(async (err) => {
    // a PIN clash after the login was made: the invite as a whole fails, so remove the half-made login
    if (err instanceof AppError && err.status === 409 && /PIN/.test(err.message)) await removeUnfinished(couch, input.email);
    throw err;
  });
  await queueEmail(couch, {
    _id: `outbox:staff_invite:${user._id}`,
    tenantId: by.tenantId,
    to: user.email,
    template: 'staff_invite',
    data: { name: user.name, role: user.role, invitedBy: by.name ?? '', signInUrl: '/admin' }
  });
  await recordAudit(couch, by.tenantId, {
    action: 'staff.invited',
    actor: by.userId,
    target: user._id,
    details: { email: user.email, role: user.role, locations, pinSet: Boolean(input.pin) },
    ...(requestId ? { requestId } : {})
  });
  return { member: view(user, Boolean(input.pin)), temporaryPassword };
}

async function removeUnfinished(couch: Couch, email: string): Promise<void> {
  const platform = couch.use(PLATFORM_DB);
  try {
    const claim = (await platform.get(`email:${email.trim().toLowerCase()}`)) as { _rev: string; userId: string };
    const user = (await platform.get(claim.userId)) as { _rev: string };
    await platform.bulk({ docs: [{ _id: claim.userId, _rev: user._rev, _deleted: true }, { _id: `email:${email.trim().toLowerCase()}`, _rev: claim._rev, _deleted: true }] });
  } catch (err) {
    if (statusOf(err) !== 404) throw err;
  }
}

// ---- role, locations, lock -------------------------------------------------------------------------

export const updateInput = z
  .object({
    role: z.enum(ROLES, 'must be one of owner, admin, manager, cashier, stock_clerk').optional(),
    locations: z.array(z.string().trim().toUpperCase()).max(200).optional(),
    name: z.string().trim().min(1).max(120).superRefine(textRule()).optional()
  })
  .refine((v) => v.role !== undefined || v.locations !== undefined || v.name !== undefined, 'give a role, locations or name to change');

async function updateMemberNow(couch: Couch, by: Grantor & { tenantId: string }, userId: string, input: z.output<typeof updateInput>, requestId?: string): Promise<StaffMemberView> {
  const target = await memberOf(couch, by.tenantId, userId);
  assertManage(by, target);
  const role = input.role ?? target.role;
  const roleChanged = role !== target.role;
  const locations = effectiveLocations(role, input.locations ?? (target.locations.includes('*') ? [] : target.locations));
  const locationsChanged = JSON.stringify(locations) !== JSON.stringify(effectiveLocations(target.role, target.locations));
  if (locations.length === 0) throw badRequest(`locations: a ${role} needs at least one location`);
  if (roleChanged || locationsChanged) {
    if (userId === by.userId && roleChanged) throw forbidden('You cannot change your own role; ask another owner or admin');
    const why = grantProblem(by, role, locations);
    if (why) throw forbidden(why);
    const last = lastOwnerProblem(asMembers(await tenantUsers(couch, by.tenantId)), userId, { role, active: target.active });
    if (last) throw conflict(last);
    if (!locations.includes('*')) await assertLocations(couch, by.tenantId, locations);
  }
  const updated = await updateUser(couch.use(PLATFORM_DB), userId, (u) => ({ ...u, role, locations, ...(input.name ? { name: input.name } : {}) }));
  if (!updated) throw notFound(`No staff member ${userId}`);
  await writeStaffEntry(couch, by.tenantId, updated, undefined);
  await recordAudit(couch, by.tenantId, {
    action: 'staff.updated',
    actor: by.userId,
    target: userId,
    details: { from: { role: target.role, locations: target.locations, name: target.name }, to: { role, locations, name: updated.name } },
    ...(requestId ? { requestId } : {})
  });
  return getMember(couch, by.tenantId, userId);
}

/**
 * Locking sets `active: false` on the login and the directory entry: sign-in and refresh are refused
 * at once (sessions are revoked), and registers stop taking the PIN once the catalog replicates to
 * them (reference-data.ts keeps only active staff). Access tokens already issued run out within their
 * short lifetime.
 */
async function setLockedNow(couch: Couch, by: Grantor & { tenantId: string }, userId: string, locked: boolean, requestId?: string): Promise<StaffMemberView> {
  const target = await memberOf(couch, by.tenantId, userId);
  assertManage(by, target);
  if (locked && userId === by.userId) throw forbidden('You cannot lock your own account');
  if (locked) {
    const last = lastOwnerProblem(asMembers(await tenantUsers(couch, by.tenantId)), userId, { role: target.role, active: false });
    if (last) throw conflict(last);
  }
  const updated = await updateUser(couch.use(PLATFORM_DB), userId, (u) => (u.active === !locked ? null : { ...(locked ? endAllSessions(u) : u), active: !locked, failures: 0, lockedUntil: undefined }));
  const user = updated ?? target;
  await writeStaffEntry(couch, by.tenantId, user, undefined);
  const revoked = locked ? await revokeSessions(couch, userId) : 0;
  await recordAudit(couch, by.tenantId, { action: locked ? 'staff.locked' : 'staff.unlocked', actor: by.userId, target: userId, details: { revokedSessions: revoked }, ...(requestId ? { requestId } : {}) });
  return getMember(couch, by.tenantId, userId);
}

// ---- PIN and password resets -------------------------------------------------------------------------

export const pinResetInput = z.object({ pin: z.string().regex(PIN_PATTERN, 'must be 4 to 6 digits').optional() });

/**
 * Sets the PIN given, or generates a 6-digit one (answered once). PINs stay unique per tenant
 * (domain/pin.ts): a given PIN already in use is refused with 409; a generated one is drawn again.
 */
async function resetPinNow(couch: Couch, by: Grantor & { tenantId: string }, userId: string, input: z.output<typeof pinResetInput>, requestId?: string): Promise<{ pin?: string }> {
  const target = await memberOf(couch, by.tenantId, userId);
  assertManage(by, target);
  let generated: string | undefined;
  if (input.pin) await setStaffPin(couch, by.tenantId, target, input.pin);
  else {
    for (let attempt = 0; ; attempt++) {
      const pin = String(randomInt(0, 1_000_000)).padStart(6, '0');
      try {
        await setStaffPin(couch, by.tenantId, target, pin);
        generated = pin;
        break;
      } catch (err) {
        if (!(err instanceof AppError && err.status === 409) || attempt >= 20) throw err;
      }
    }
  }
  await recordAudit(couch, by.tenantId, { action: 'staff.pin_reset', actor: by.userId, target: userId, details: { generated: Boolean(generated) }, ...(requestId ? { requestId } : {}) });
  return generated ? { pin: generated } : {};
}

/** A new temporary password (answered once), the user's sessions ended, a notice queued by email. */
async function resetPasswordNow(couch: Couch, by: Grantor & { tenantId: string }, userId: string, requestId?: string): Promise<{ temporaryPassword: string }> {
  const target = await memberOf(couch, by.tenantId, userId);
  assertManage(by, target);
  const temporaryPassword = generatePassword();
  const passwordHash = await hashPassword(temporaryPassword);
  await updateUser(couch.use(PLATFORM_DB), userId, (u) => ({ ...endAllSessions(u), passwordHash, mustChangePassword: true, failures: 0, lockedUntil: undefined }));
  const revoked = await revokeSessions(couch, userId);
  await queueEmail(couch, {
    _id: `outbox:password_reset:${userId}:${newUlid()}`,
    tenantId: by.tenantId,
    to: target.email,
    template: 'password_reset',
    data: { name: target.name, signInUrl: '/admin' }
  });
  await recordAudit(couch, by.tenantId, { action: 'staff.password_reset', actor: by.userId, target: userId, details: { revokedSessions: revoked }, ...(requestId ? { requestId } : {}) });
  return { temporaryPassword };
}

// ---- own password ----------------------------------------------------------------------------------

export const passwordChangeInput = z.object({
  currentPassword: z.string().min(1, 'is required').max(200),
  newPassword: z.string().max(200)
});

/** Changes the user's password; every other session of theirs ends (`keepSessionId`, the one asking, continues). */
export async function changeOwnPassword(couch: Couch, userId: string, input: z.output<typeof passwordChangeInput>, requestId?: string, keepSessionId?: string): Promise<UserDoc> {
  const platform = couch.use(PLATFORM_DB);
  const user = await getUser(platform, userId);
  if (!user || !user.active) throw new AppError(401, 'unauthorized', 'Sign in again');
  if (!(await verifyPassword(input.currentPassword, user.passwordHash))) throw new AppError(403, 'wrong_password', 'The current password is wrong');
  const problems = passwordProblems(input.newPassword, { email: user.email, name: user.name });
  if (problems.length) throw badRequest(`newPassword: ${problems.join('; ')}`);
  if (input.newPassword === input.currentPassword) throw badRequest('newPassword: must differ from the current password');
  const passwordHash = await hashPassword(input.newPassword);
  const now = new Date().toISOString();
  const updated = await updateUser(platform, userId, (u) => ({ ...endAllSessions(u), passwordHash, mustChangePassword: false, passwordChangedAt: now }));
  if (!updated) throw new AppError(401, 'unauthorized', 'Sign in again');
  // other sessions' refresh tokens end too; a token without a session id (issued before sessions had ids) keeps none
  await revokeSessions(couch, userId, keepSessionId ?? '');
  await recordAudit(couch, user.tenantId, { action: 'user.password_changed', actor: userId, target: userId, ...(requestId ? { requestId } : {}) });
  return updated;
}

// -------------------------------------------------------------------------------------------------
// Use cases: each checks its caller whoever calls it — a signed-in user (not a register or a PIN
// session) with staff:manage, as stored now (a role changed since the token was issued counts) — and
// then what that grantor may give (domain/staff-rules.ts).

/** Staff member ids in URLs: `user:{ulid}` or the bare ulid. */
export const memberId = z
  .string()
  .trim()
  .transform((s) => (s.startsWith('user:') ? s : `user:${s}`))
  .pipe(z.string().regex(/^user:[0-9A-HJKMNP-TV-Z]{26}$/, 'must be a staff member id (user:{ulid})'));

/** The caller as a grantor: refused unless a signed-in user with staff:manage whose account is active. */
export async function staffManager(couch: Couch, caller: Caller, action: string): Promise<Grantor & { tenantId: string; name: string }> {
  const p = caller.principal;
  if (p.kind !== 'user') throw forbidden(`${action} needs a signed-in admin account`);
  if (!hasPermission(p, 'staff:manage')) throw forbidden(`${action} needs the staff:manage permission`);
  const u = await getUser(couch.use(PLATFORM_DB), p.userId);
  if (!u || !u.active) throw forbidden('Your account is locked');
  return { userId: u._id, role: u.role, locations: u.locations, tenantId: u.tenantId, name: u.name };
}

/** The permission part of staffManager, for reads that need no grantor (no store read). */
export function assertStaffManager(caller: Caller, action: string): void {
  const p = caller.principal;
  if (p.kind !== 'user') throw forbidden(`${action} needs a signed-in admin account`);
  if (!hasPermission(p, 'staff:manage')) throw forbidden(`${action} needs the staff:manage permission`);
}

export async function inviteStaff(couch: Couch, caller: Caller, raw: unknown): Promise<Invited> {
  assertStaffManager(caller, 'Inviting staff');
  const input = parseBody(inviteInput, raw);
  return inviteStaffNow(couch, await staffManager(couch, caller, 'Inviting staff'), input, caller.requestId);
}

export async function updateMember(couch: Couch, caller: Caller, rawId: unknown, raw: unknown): Promise<StaffMemberView> {
  assertStaffManager(caller, 'Changing staff');
  const id = parseBody(memberId, rawId);
  const input = parseBody(updateInput, raw);
  return updateMemberNow(couch, await staffManager(couch, caller, 'Changing staff'), id, input, caller.requestId);
}

export async function setLocked(couch: Couch, caller: Caller, rawId: unknown, locked: boolean): Promise<StaffMemberView> {
  const action = locked ? 'Locking an account' : 'Unlocking an account';
  assertStaffManager(caller, action);
  const id = parseBody(memberId, rawId);
  return setLockedNow(couch, await staffManager(couch, caller, action), id, locked, caller.requestId);
}

export async function resetPin(couch: Couch, caller: Caller, rawId: unknown, raw: unknown): Promise<{ pin?: string }> {
  assertStaffManager(caller, 'Resetting a PIN');
  const id = parseBody(memberId, rawId);
  const input = parseBody(pinResetInput, raw);
  return resetPinNow(couch, await staffManager(couch, caller, 'Resetting a PIN'), id, input, caller.requestId);
}

export async function resetPassword(couch: Couch, caller: Caller, rawId: unknown): Promise<{ temporaryPassword: string }> {
  assertStaffManager(caller, 'Resetting a password');
  const id = parseBody(memberId, rawId);
  return resetPasswordNow(couch, await staffManager(couch, caller, 'Resetting a password'), id, caller.requestId);
}

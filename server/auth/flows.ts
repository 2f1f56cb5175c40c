import { PLATFORM_DB } from '#domain/db-names.ts';
import { newUlid } from '#domain/ids.ts';
import { hashPin } from '#domain/pin.ts';
import { z } from 'zod';
import { textRule } from '#domain/schemas/text.ts';
import { DEVICE_KINDS } from '../../sync-rules/schema.ts';
import { recordAudit } from '../audit.ts';
import { SYNC_RULES } from '../../sync-rules/rules.ts';
import { deviceDatabases } from '../gateway/access.ts';
import { getOrNull, statusOf, updateDoc, type Db } from '../couch/client.ts';
import type { Ctx } from '../context.ts';
import { AppError, badRequest, forbidden, notFound, parseBody, unauthorized } from '../errors.ts';
import { findUserByEmail, getUser, updateUser } from '../platform/users.ts';
import type { DeviceDoc, EnrolmentDoc, RefreshDoc, UserDoc } from '../platform/types.ts';
import { getTenant, listStaff, tenantPinSalt } from '../tenants/provision.ts';
import { assertCanEnrolRegister } from '../tenants/plan-limits.ts';
import { claimRegisterCode } from '../platform/register-codes.ts';
import { afterFailure, afterSuccess, isLocked, lockedMessage } from './lockout.ts';
import { verifyPassword } from './passwords.ts';
import { hasPermission, permissionsOf, principalId, mayUseLocation, type Principal } from './principal.ts';
import { enrolmentCode, normaliseEnrolmentCode, randomToken, sha256 } from './tokens.ts';
import { revokeSessionId } from './sessions.ts';

const ENROLMENT_TTL_MS = 24 * 3_600_000;

export interface PublicUser {
  id: string;
  email: string;
  name: string;
  role: UserDoc['role'];
  tenantId: string;
  tenantName: string;
  locations: string[];
  permissions: string[];
  /** signed in with a temporary password: the portal asks for a new one before anything else */
  mustChangePassword: boolean;
}

async function publicUser(ctx: Ctx, u: UserDoc): Promise<PublicUser> {
  const tenant = await getTenant(ctx.couch, u.tenantId);
  return {
    id: u._id,
    email: u.email,
    name: u.name,
    role: u.role,
    tenantId: u.tenantId,
    tenantName: tenant?.name ?? u.tenantId,
    locations: u.locations,
    permissions: [...permissionsOf(u.role)],
    mustChangePassword: u.mustChangePassword === true
  };
}

const locked = (msg: string) => new AppError(423, 'locked', msg);
const badCredentials = () => new AppError(401, 'invalid_credentials', 'Email or password is wrong');

/** Password check with lockout; the same work is done for unknown emails. */
export async function verifyLogin(ctx: Ctx, email: string, password: string): Promise<UserDoc> {
  const platform = ctx.couch.use(PLATFORM_DB);
  const user = await findUserByEmail(platform, email);
  const now = new Date();
  if (user && isLocked({ failures: user.failures, lockedUntil: user.lockedUntil }, now)) {
    throw locked(lockedMessage({ failures: user.failures, lockedUntil: user.lockedUntil }, 'account'));
  }
  const ok = await verifyPassword(password, user?.passwordHash);
  if (!user) throw badCredentials();
  if (!ok) {
    const after = await updateUser(platform, user._id, (u) => ({ ...u, ...afterFailure({ failures: u.failures, lockedUntil: u.lockedUntil }, now) }));
    if (after && isLocked({ failures: after.failures, lockedUntil: after.lockedUntil }, now)) {
      await recordAudit(ctx.couch, user.tenantId, { action: 'user.locked', actor: user._id, details: { failures: after.failures } });
      throw locked(lockedMessage({ failures: after.failures, lockedUntil: after.lockedUntil }, 'account'));
    }
    throw badCredentials();
  }
  if (!user.active) throw forbidden('This account is disabled; ask an admin');
  if (user.failures > 0 || user.lockedUntil) {
    await updateUser(platform, user._id, (u) => ({ ...u, ...afterSuccess() }));
  }
  return user;
}

export interface SessionResult {
  accessToken: string;
  expiresIn: number;
  refreshToken: string;
  user: PublicUser;
}

/** The principal a user's access token carries: role, locations and the session it belongs to. */
export function userPrincipal(u: UserDoc, sessionId?: string): Principal {
  return {
    kind: 'user',
    userId: u._id,
    tenantId: u.tenantId,
    role: u.role,
    locations: u.locations,
    ...(u.mustChangePassword ? { mustChangePassword: true as const } : {}),
    ...(sessionId ? { sessionId } : {}),
    ...(u.sessionVersion ? { sessionVersion: u.sessionVersion } : {})
  };
}

/** Signs in (or continues session `sid` after a refresh): a refresh token for the cookie and an access token. */
export async function startSession(ctx: Ctx, user: UserDoc, sid: string = newUlid()): Promise<SessionResult> {
  const refreshToken = randomToken();
  const now = Date.now();
  const doc: RefreshDoc = {
    _id: `refresh:${sha256(refreshToken)}`,
    type: 'refresh_token',
    userId: user._id,
    tenantId: user.tenantId,
    sid,
    createdAt: new Date(now).toISOString(),
    expiresAt: new Date(now + ctx.config.REFRESH_TOKEN_TTL_S * 1000).toISOString()
  };
  await ctx.couch.use(PLATFORM_DB).insert(doc);
  const { token, expiresIn } = ctx.tokens.signPrincipal(userPrincipal(user, sid));
  return { accessToken: token, expiresIn, refreshToken, user: await publicUser(ctx, user) };
}

/** Rotates the refresh token: the old one is revoked, so a stolen copy works at most once. */
export async function refreshSession(ctx: Ctx, refreshToken: string | undefined): Promise<SessionResult> {
  if (!refreshToken) throw unauthorized('No session; sign in again');
  const platform = ctx.couch.use(PLATFORM_DB);
  const id = `refresh:${sha256(refreshToken)}`;
  let revokedNow = false;
  try {
    await updateDoc<RefreshDoc>(platform, id, (d) => {
      if (d.revokedAt || new Date(d.expiresAt).getTime() < Date.now()) return null;
      revokedNow = true;
      return { ...d, revokedAt: new Date().toISOString() };
    });
  } catch (err) {
    if (statusOf(err) !== 404) throw err;
  }
  if (!revokedNow) throw unauthorized('Session expired; sign in again');
  const doc = (await platform.get(id)) as RefreshDoc;
  const user = await getUser(platform, doc.userId);
  if (!user || !user.active) throw unauthorized('Session expired; sign in again');
  return startSession(ctx, user, doc.sid);
}

/**
 * Signs out: the refresh token (cookie) is revoked, and the session's access tokens stop working too
 * (its id is listed on the user, auth/sessions.ts). A PIN session on a device, which has no cookie,
 * ends by presenting its access token.
 */
export async function endSession(ctx: Ctx, refreshToken: string | undefined, bearer: Principal | null): Promise<void> {
  let ended: { userId: string; sid: string } | null = null;
  if (refreshToken) {
    try {
      const doc = await updateDoc<RefreshDoc>(ctx.couch.use(PLATFORM_DB), `refresh:${sha256(refreshToken)}`, (d) => (d.revokedAt ? null : { ...d, revokedAt: new Date().toISOString() }));
      if (doc?.sid) ended = { userId: doc.userId, sid: doc.sid };
    } catch (err) {
      if (statusOf(err) !== 404) throw err;
    }
  }
  if (!ended && bearer && bearer.kind !== 'device' && bearer.sessionId) ended = { userId: bearer.userId, sid: bearer.sessionId };
  if (!ended) return;
  await revokeSessionId(ctx.couch, ended.userId, ended.sid, ctx.config.ACCESS_TOKEN_TTL_S);
  ctx.sessions.forget(ended.userId);
}

export async function currentUser(ctx: Ctx, p: Principal): Promise<PublicUser> {
  if (p.kind === 'device') throw forbidden('A device credential has no user; sign in with a PIN');
  const user = await getUser(ctx.couch.use(PLATFORM_DB), p.userId);
  if (!user) throw unauthorized();
  return publicUser(ctx, user);
}

// ---- devices -------------------------------------------------------------------------------

/** What an admin asks for when enrolling a device. */
export const enrolmentRequest = z.object({
  kind: z.enum(DEVICE_KINDS),
  locationCode: z.string().trim().toUpperCase(),
  name: z.string().trim().min(1, 'is required').max(80).superRefine(textRule())
});
export type EnrolmentRequest = z.infer<typeof enrolmentRequest>;

export async function createEnrolmentCode(ctx: Ctx, p: Principal, raw: unknown) {
  if (!hasPermission(p, 'settings:manage')) throw forbidden('Enrolling devices needs the settings:manage permission');
  if (p.kind !== 'user') throw forbidden('Only signed-in admins can enrol devices');
  const req = parseBody(enrolmentRequest, raw);
  if (!mayUseLocation(p, req.locationCode)) throw forbidden(`No access to location ${req.locationCode}`);
  const tenant = await getTenant(ctx.couch, p.tenantId);
  if (!tenant?.locations.includes(req.locationCode)) throw notFound(`Location ${req.locationCode} does not exist`);
  if (req.kind === 'register') await assertCanEnrolRegister(ctx.couch, tenant);
  const code = enrolmentCode();
  const now = Date.now();
  const doc: EnrolmentDoc = {
    _id: `enrolment:${sha256(code)}`,
    type: 'enrolment',
    tenantId: p.tenantId,
    locationCode: req.locationCode,
    kind: req.kind,
    name: req.name,
    createdBy: p.userId,
    createdAt: new Date(now).toISOString(),
    expiresAt: new Date(now + ENROLMENT_TTL_MS).toISOString()
  };
  await ctx.couch.use(PLATFORM_DB).insert(doc);
  await recordAudit(ctx.couch, p.tenantId, { action: 'device.enrolment_created', actor: principalId(p), details: { kind: req.kind, locationCode: req.locationCode, name: req.name } });
  // The QR payload is what a phone scans: it opens the app's enrol page with the code filled in.
  const path = req.kind === 'register' ? '/pos' : '/raptag';
  return { code, expiresAt: doc.expiresAt, qrPayload: `${path}?enrol=${encodeURIComponent(code)}`, kind: req.kind, locationCode: req.locationCode, name: req.name };
}

/** One-time: the enrolment doc is marked used with its revision, so two devices racing get one winner. */
export async function enrolDevice(ctx: Ctx, rawCode: string) {
  const code = normaliseEnrolmentCode(rawCode);
  const platform = ctx.couch.use(PLATFORM_DB);
  const deviceId = newUlid();
  const unusable = () => badRequest('This enrolment code is unknown, used or expired; ask an admin for a new one');
  // The plan's register limit is checked before the code is spent, so a refused register keeps its
  // code and can enrol once another register is revoked (or the plan upgraded).
  const pending = await getEnrolment(platform, code);
  if (!pending || pending.usedAt || new Date(pending.expiresAt).getTime() < Date.now()) throw unusable();
  if (pending.kind === 'register') {
    const tenant = await getTenant(ctx.couch, pending.tenantId);
    if (!tenant) throw unusable();
    await assertCanEnrolRegister(ctx.couch, tenant);
  }
  let enrolment: EnrolmentDoc | null = null;
  try {
    enrolment = await updateDoc<EnrolmentDoc>(
      platform,
      `enrolment:${sha256(code)}`,
      (e) => (e.usedAt || new Date(e.expiresAt).getTime() < Date.now() ? null : { ...e, usedAt: new Date().toISOString(), deviceId }),
      1
    );
  } catch (err) {
    if (statusOf(err) !== 404 && statusOf(err) !== 409) throw err;
  }
  if (!enrolment) throw unusable();
  const shortCode = enrolment.kind === 'register' ? await claimRegisterCode(platform, enrolment.tenantId, enrolment.locationCode, deviceId) : undefined;
  const device: DeviceDoc = {
    _id: `device:${deviceId}`,
    type: 'device',
    tenantId: enrolment.tenantId,
    locationCode: enrolment.locationCode,
    kind: enrolment.kind,
    name: enrolment.name,
    enrolledAt: new Date().toISOString(),
    enrolledWith: enrolment._id,
    pinFailures: 0,
    ...(shortCode ? { shortCode } : {})
  };
  await platform.insert(device);
  await recordAudit(ctx.couch, device.tenantId, { action: 'device.enrolled', actor: `device:${deviceId}`, deviceId, details: { kind: device.kind, locationCode: device.locationCode, createdBy: enrolment.createdBy } });
  const principal: Principal = { kind: 'device', deviceId, tenantId: device.tenantId, locationCode: device.locationCode, deviceKind: device.kind };
  const dbs = deviceDatabases(principal, SYNC_RULES);
  return {
    deviceToken: ctx.tokens.signPrincipal(principal).token,
    databases: Object.fromEntries(dbs.map((d) => [d.kind, d.name])),
    sync: dbs,
    device: { id: deviceId, kind: device.kind, name: device.name, tenantId: device.tenantId, locationCode: device.locationCode, ...(shortCode ? { shortCode } : {}) } };
}

function getEnrolment(platform: Db, code: string): Promise<EnrolmentDoc | null> {
  return getOrNull<EnrolmentDoc>(platform, `enrolment:${sha256(code)}`);
}

export async function revokeDevice(ctx: Ctx, p: Principal, deviceId: string): Promise<void> {
  if (!hasPermission(p, 'settings:manage')) throw forbidden('Revoking devices needs the settings:manage permission');
  if (p.kind !== 'user') throw forbidden('Only signed-in admins can revoke devices');
  const device = await ctx.devices.get(deviceId, true);
  if (!device || device.tenantId !== p.tenantId) throw notFound('No such device');
  if (!mayUseLocation(p, device.locationCode)) throw forbidden(`No access to location ${device.locationCode}`);
  await updateDoc<DeviceDoc>(ctx.couch.use(PLATFORM_DB), device._id, (d) => (d.revokedAt ? null : { ...d, revokedAt: new Date().toISOString() }));
  ctx.devices.forget(deviceId);
  await recordAudit(ctx.couch, p.tenantId, { action: 'device.revoked', actor: principalId(p), target: device._id });
}

export async function listDevices(ctx: Ctx, p: Principal) {
  if (!hasPermission(p, 'settings:manage')) throw forbidden('Listing devices needs the settings:manage permission');
  const res = await ctx.couch.use(PLATFORM_DB).list({ startkey: 'device:', endkey: 'device:\ufff0', include_docs: true });
  return res.rows
    .map((r) => r.doc as unknown as DeviceDoc)
    .filter((d) => d.tenantId === p.tenantId && mayUseLocation(p, d.locationCode))
    .map((d) => ({ id: d._id.slice('device:'.length), kind: d.kind, name: d.name, locationCode: d.locationCode, enrolledAt: d.enrolledAt, revokedAt: d.revokedAt ?? null, lastSeenAt: d.lastSeenAt ?? null, lastSyncAt: d.lastSyncAt ?? null }));
}

/** Staff sign-in by PIN on an enrolled device; failures lock PIN sign-in on that device. */
export async function pinSignIn(ctx: Ctx, p: Principal, pin: string) {
  if (p.kind !== 'device') throw forbidden('PIN sign-in needs an enrolled device credential');
  const platform = ctx.couch.use(PLATFORM_DB);
  const device = await ctx.devices.get(p.deviceId, true);
  if (!device || device.revokedAt) throw unauthorized('This device has been revoked');
  const now = new Date();
  const lock = { failures: device.pinFailures, lockedUntil: device.pinLockedUntil };
  if (isLocked(lock, now)) throw locked(lockedMessage(lock, 'PIN sign-in on this device'));
  const hash = await hashPin(pin, await tenantPinSalt(ctx.couch, p.tenantId));
  const staff = (await listStaff(ctx.couch, p.tenantId)).find(
    (s) => s.pinHash === hash && s.active && (s.locations.includes('*') || s.locations.includes(p.locationCode) || s.role === 'owner' || s.role === 'admin')
  );
  if (!staff) {
    const after = await updateDoc<DeviceDoc>(platform, device._id, (d) => {
      const next = afterFailure({ failures: d.pinFailures, lockedUntil: d.pinLockedUntil }, now);
      return { ...d, pinFailures: next.failures, pinLockedUntil: next.lockedUntil };
    });
    ctx.devices.forget(p.deviceId);
    if (after && isLocked({ failures: after.pinFailures, lockedUntil: after.pinLockedUntil }, now)) {
      await recordAudit(ctx.couch, p.tenantId, { action: 'device.pin_locked', actor: `device:${p.deviceId}`, deviceId: p.deviceId });
      throw locked(lockedMessage({ failures: after.pinFailures, lockedUntil: after.pinLockedUntil }, 'PIN sign-in on this device'));
    }
    throw new AppError(401, 'invalid_pin', 'That PIN is not recognised at this location');
  }
  if (device.pinFailures > 0) {
    await updateDoc<DeviceDoc>(platform, device._id, (d) => ({ ...d, pinFailures: 0, pinLockedUntil: undefined }));
    ctx.devices.forget(p.deviceId);
  }
  const user = await getUser(platform, staff.userId);
  if (!user || !user.active) throw new AppError(401, 'invalid_pin', 'That PIN is not recognised at this location');
  const staffPrincipal: Principal = {
    kind: 'staff',
    userId: user._id,
    tenantId: p.tenantId,
    role: user.role,
    locationCode: p.locationCode,
    deviceId: p.deviceId,
    deviceKind: p.deviceKind,
    sessionId: newUlid(),
    ...(user.sessionVersion ? { sessionVersion: user.sessionVersion } : {})
  };
  const { token, expiresIn } = ctx.tokens.signPrincipal(staffPrincipal);
  await recordAudit(ctx.couch, p.tenantId, { action: 'staff.pin_sign_in', actor: user._id, deviceId: p.deviceId });
  return { accessToken: token, expiresIn, user: await publicUser(ctx, user) };
}


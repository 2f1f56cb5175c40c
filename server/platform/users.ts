import { newUlid } from '#domain/ids.ts';
import type { Role } from '#domain/permissions.ts';
import { hashPassword } from '../auth/passwords.ts';
import { casPut, settledLeaves } from '../couch/cas.ts';
import { getOrNull, statusOf, updateDoc, type Db } from '../couch/client.ts';
import { conflict } from '../errors.ts';
import type { EmailClaimDoc, UserDoc } from './types.ts';

export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

export async function findUserByEmail(platform: Db, email: string): Promise<UserDoc | null> {
  try {
    const claim = (await platform.get(`email:${normaliseEmail(email)}`)) as EmailClaimDoc;
    return (await platform.get(claim.userId)) as UserDoc;
  } catch (err) {
    if (statusOf(err) === 404) return null;
    throw err;
  }
}

export function getUser(platform: Db, userId: string): Promise<UserDoc | null> {
  return getOrNull<UserDoc>(platform, userId);
}

export interface NewUser {
  tenantId: string;
  email: string;
  name: string;
  role: Role;
  locations: string[];
  password: string;
  /** a temporary password: the user chooses their own at first sign-in */
  mustChangePassword?: boolean;
}

/**
 * Creates the claim or says the email is taken. On a cluster the losing side of a race can be answered
 * 202 (casPut makes it hear that it lost); when every racer lost (copies unreachable) none holds the
 * claim, which `settledLeaves` shows once the race has ended, and the claim is tried again.
 */
async function claimEmail(platform: Db, claim: EmailClaimDoc): Promise<void> {
  for (let attempt = 0; attempt < 3; attempt++) {
    if ((await casPut(platform, claim)).ok) return;
    const live = await settledLeaves(platform, claim._id);
    if (live === null || live.length > 0) break;
  }
  throw conflict(`A user with email ${claim._id.slice('email:'.length)} already exists`);
}

/**
 * Emails are unique across the platform: the `email:{address}` claim document is created first, and
 * CouchDB's 409 on a second create is the uniqueness check (safe with many servers, no lock).
 */
export async function createUser(platform: Db, input: NewUser): Promise<UserDoc> {
  const userId = `user:${newUlid()}`;
  const email = normaliseEmail(input.email);
  await claimEmail(platform, { _id: `email:${email}`, type: 'email_claim', userId });
  const doc: UserDoc = {
    _id: userId,
    type: 'user',
    email,
    name: input.name,
    tenantId: input.tenantId,
    role: input.role,
    locations: input.locations,
    passwordHash: await hashPassword(input.password),
    failures: 0,
    active: true,
    ...(input.mustChangePassword ? { mustChangePassword: true } : {}),
    createdAt: new Date().toISOString()
  };
  const res = await platform.insert(doc);
  return { ...doc, _rev: res.rev };
}

export async function updateUser(platform: Db, userId: string, change: (u: UserDoc) => UserDoc | null): Promise<UserDoc | null> {
  return updateDoc<UserDoc>(platform, userId, change);
}

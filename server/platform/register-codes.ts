import { casPut } from '../couch/cas.ts';
import type { Db } from '../couch/client.ts';

/**
 * Short register codes for receipt numbers (`GM1-20261201-0042`): each register gets the next free
 * `{location}{n}` of its tenant when it enrols, through a claim document whose create is the
 * uniqueness check (as emails are), so two registers enrolling at once never share a code and a
 * revoked register's code is never handed out again (its old receipts keep meaning one till).
 */
export interface RegisterCodeDoc {
  _id: string; // regcode:{tenantId}:{code}
  _rev?: string;
  type: 'register_code';
  tenantId: string;
  locationCode: string;
  code: string;
  deviceId: string;
  claimedAt: string;
}

const MAX_TRIES = 50;

export async function claimRegisterCode(platform: Db, tenantId: string, locationCode: string, deviceId: string): Promise<string> {
  const prefix = `regcode:${tenantId}:${locationCode}`;
  // start after the codes already taken at this location (a guess; the create below decides)
  const taken = await platform.list({ startkey: prefix, endkey: `${prefix}\ufff0` });
  let n = taken.rows.filter((r) => /^\d+$/.test(r.id.slice(prefix.length))).length + 1;
  for (let i = 0; i < MAX_TRIES; i++, n++) {
    const code = `${locationCode}${n}`;
    const doc: RegisterCodeDoc = { _id: `regcode:${tenantId}:${code}`, type: 'register_code', tenantId, locationCode, code, deviceId, claimedAt: new Date().toISOString() };
    if ((await casPut(platform, doc)).ok) return code; // else taken, perhaps a moment ago by a racing enrolment
  }
  throw new Error(`no free register code at ${locationCode} after ${MAX_TRIES} tries`);
}

/**
 * Staff PIN hashing, shared by the server (which sets PINs) and devices (which check them offline).
 * PBKDF2-SHA256 via WebCrypto because it exists natively in both browsers and Node (scrypt does not
 * exist in WebCrypto). The salt is per tenant, not per staff member, so a device can find the staff
 * member from a PIN with one hash; that also makes PINs unique within a tenant, which is what a
 * register needs anyway ("whose PIN is this?"). A 4–6 digit PIN is brute-forceable from any hash;
 * the real protection is that staff hashes only reach enrolled devices of that tenant.
 */
export const PIN_PATTERN = /^\d{4,6}$/;
const PIN_ITERATIONS = 60_000;

function toBase64Url(bytes: Uint8Array): string {
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export async function hashPin(pin: string, tenantPinSalt: string): Promise<string> {
  if (!PIN_PATTERN.test(pin)) throw new Error('PIN must be 4 to 6 digits');
  const enc = new TextEncoder();
  const key = await crypto.subtle.importKey('raw', enc.encode(pin), 'PBKDF2', false, ['deriveBits']);
  const bits = await crypto.subtle.deriveBits(
    { name: 'PBKDF2', hash: 'SHA-256', salt: enc.encode(tenantPinSalt), iterations: PIN_ITERATIONS },
    key,
    256
  );
  return `pbkdf2-sha256$${PIN_ITERATIONS}$${toBase64Url(new Uint8Array(bits))}`;
}

import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/**
 * Integration secrets at rest (a Shopify access token, a webhook signing secret…): AES-256-GCM with a
 * key from the environment (INTEGRATIONS_KEY, or one generated into DATA_DIR/secrets.json), so a copy
 * of the database alone never yields a usable token. Every sealed value is bound to a `context` (e.g.
 * `shopify:{tenant}:token`) as additional authenticated data: a ciphertext moved to another tenant's
 * record, or from the token field to the secret field, fails to open instead of being used there.
 *
 * Format: `v1.{keyId}.{iv}.{tag}.{ciphertext}` (base64url parts); keyId is the first 8 hex digits of the
 * key's SHA-256, so a value sealed under another key says so instead of failing as "tampered".
 * Other integrations reuse this box; only server code ever holds it.
 */
const VERSION = 'v1';
/** Node's Buffer as a plain Uint8Array view (the pouchdb typings' global Buffer trips the crypto overloads). */
const bytes = (b: Buffer): Uint8Array => new Uint8Array(b.buffer, b.byteOffset, b.length);
const IV_BYTES = 12;

export class SecretBoxError extends Error {}

export class SecretBox {
  readonly keyId: string;

  constructor(private readonly key: Buffer) {
    if (key.length !== 32) throw new SecretBoxError('the integrations key must be 32 bytes');
    this.keyId = createHash('sha256').update(bytes(key)).digest('hex').slice(0, 8);
  }

  seal(plaintext: string, context: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', bytes(this.key), bytes(iv));
    cipher.setAAD(bytes(Buffer.from(context, 'utf8')));
    const ct = Buffer.concat([bytes(cipher.update(plaintext, 'utf8')), bytes(cipher.final())]);
    return [VERSION, this.keyId, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), ct.toString('base64url')].join('.');
  }

  open(sealed: string, context: string): string {
    const parts = sealed.split('.');
    if (parts.length !== 5 || parts[0] !== VERSION) throw new SecretBoxError('not a sealed secret');
    const [, keyId, iv, tag, ct] = parts as [string, string, string, string, string];
    if (keyId !== this.keyId) throw new SecretBoxError(`sealed with another key (${keyId}); set INTEGRATIONS_KEY to the key it was sealed with`);
    try {
      const decipher = createDecipheriv('aes-256-gcm', bytes(this.key), bytes(Buffer.from(iv, 'base64url')));
      decipher.setAAD(bytes(Buffer.from(context, 'utf8')));
      decipher.setAuthTag(bytes(Buffer.from(tag, 'base64url')));
      return Buffer.concat([bytes(decipher.update(bytes(Buffer.from(ct, 'base64url')))), bytes(decipher.final())]).toString('utf8');
    } catch {
      throw new SecretBoxError('the sealed secret does not open: tampered, or sealed for another record');
    }
  }
}

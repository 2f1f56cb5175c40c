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
const IV_BYTES = 12;

export class SecretBoxError extends Error {}

export class SecretBox {
  readonly keyId: string;

  constructor(private readonly key: Buffer) {
    if (key.length !== 32) throw new SecretBoxError('the integrations key must be 32 bytes');
    this.keyId = createHash('sha256').update(key).digest('hex').slice(0, 8);
  }

  seal(plaintext: string, context: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [VERSION, this.keyId, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), ct.toString('base64url')].join('.');
  }

  open(sealed: string, context: string): string {
    const parts = sealed.split('.');
    if (parts.length !== 5 || parts[0] !== VERSION) throw new SecretBoxError('not a sealed secret');
    const [, keyId, iv, tag, ct] = parts as [string, string, string, string, string];
    if (keyId !== this.keyId) throw new SecretBoxError(`sealed with another key (${keyId}); set INTEGRATIONS_KEY to the key it was sealed with`);
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'));
      decipher.setAAD(Buffer.from(context, 'utf8'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(ct, 'base64url')), decipher.final()]).toString('utf8');
    } catch {
      throw new SecretBoxError('the sealed secret does not open: tampered, or sealed for another record');
    }
  }
}

import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadIntegrationsKey, loadJwtSecret } from '../secrets.ts';
import { SecretBox, SecretBoxError } from './secret-box.ts';

describe('SecretBox (AES-256-GCM)', () => {
  const box = new SecretBox(randomBytes(32));

  it('opens what it sealed, in the same context', () => {
    const sealed = box.seal('shpat_0123456789abcdef', 'shopify:acme:token');
    expect(sealed).not.toContain('shpat');
    expect(box.open(sealed, 'shopify:acme:token')).toBe('shpat_0123456789abcdef');
  });

  it('seals the same value differently each time (random IV)', () => {
    expect(box.seal('x', 'c')).not.toBe(box.seal('x', 'c'));
  });

  it('refuses another context: a token moved to another tenant does not open', () => {
    const sealed = box.seal('secret', 'shopify:acme:token');
    expect(() => box.open(sealed, 'shopify:other:token')).toThrow(SecretBoxError);
  });

  it('refuses a tampered ciphertext or tag', () => {
    const parts = box.seal('secret', 'c').split('.');
    const flip = (s: string) => (s[0] === 'A' ? 'B' : 'A') + s.slice(1);
    expect(() => box.open([...parts.slice(0, 4), flip(parts[4]!)].join('.'), 'c')).toThrow(SecretBoxError);
    expect(() => box.open([...parts.slice(0, 3), flip(parts[3]!), parts[4]].join('.'), 'c')).toThrow(SecretBoxError);
  });

  it('names a value sealed under another key', () => {
    const other = new SecretBox(randomBytes(32));
    expect(() => box.open(other.seal('x', 'c'), 'c')).toThrow(/another key/);
  });

  it('rejects a key that is not 32 bytes', () => {
    expect(() => new SecretBox(randomBytes(16))).toThrow(SecretBoxError);
  });
});

describe('integrations key', () => {
  it('comes from the environment as hex or base64', () => {
    const key = randomBytes(32);
    expect(loadIntegrationsKey('/nonexistent', key.toString('hex')).equals(key)).toBe(true);
    expect(loadIntegrationsKey('/nonexistent', key.toString('base64')).equals(key)).toBe(true);
  });

  it('is generated once into secrets.json next to the JWT secret, which it keeps', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pos-secrets-'));
    try {
      const jwt = loadJwtSecret(dir, undefined);
      const a = loadIntegrationsKey(dir, undefined);
      expect(a.length).toBe(32);
      expect(loadIntegrationsKey(dir, undefined).equals(a)).toBe(true);
      expect(loadJwtSecret(dir, undefined)).toBe(jwt);
      expect((fs.statSync(path.join(dir, 'secrets.json')).mode & 0o777).toString(8)).toBe('600');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

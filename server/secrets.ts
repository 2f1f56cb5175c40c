import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/**
 * Secrets the server generates when the environment gives none, kept (0600) in DATA_DIR/secrets.json.
 * Several server copies behind a load balancer must share them through the environment instead.
 */
interface SecretsFile {
  jwtSecret?: string;
  /** AES-256-GCM key for integration secrets (server/integrations/secret-box.ts), base64 */
  integrationsKey?: string;
}

function readFile(file: string): SecretsFile {
  if (!fs.existsSync(file)) return {};
  return JSON.parse(fs.readFileSync(file, 'utf8')) as SecretsFile;
}

/** The value under `key`, generated and merged into the file (other keys kept) when missing or unusable. */
function stored(dataDir: string, key: keyof SecretsFile, valid: (v: string) => boolean, generate: () => string): string {
  const file = path.join(dataDir, 'secrets.json');
  const current = readFile(file);
  const have = current[key];
  if (have && valid(have)) return have;
  const value = generate();
  fs.mkdirSync(dataDir, { recursive: true });
  fs.writeFileSync(file, JSON.stringify({ ...current, [key]: value }), { mode: 0o600 });
  return value;
}

/** JWT_SECRET, else one generated on first start. */
export function loadJwtSecret(dataDir: string, fromEnv: string | undefined): string {
  if (fromEnv) return fromEnv;
  return stored(dataDir, 'jwtSecret', (v) => v.length >= 32, () => randomBytes(48).toString('base64url'));
}

/** INTEGRATIONS_KEY (32 bytes, base64 or hex), else one generated on first start. */
export function loadIntegrationsKey(dataDir: string, fromEnv: string | undefined): Buffer {
  if (fromEnv) return /^[0-9a-fA-F]{64}$/.test(fromEnv) ? Buffer.from(fromEnv, 'hex') : Buffer.from(fromEnv, 'base64');
  const b64 = stored(dataDir, 'integrationsKey', (v) => Buffer.from(v, 'base64').length === 32, () => randomBytes(32).toString('base64'));
  return Buffer.from(b64, 'base64');
}

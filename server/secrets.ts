import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/**
 * The JWT secret comes from JWT_SECRET; without it one is generated on first start and kept (0600)
 * in the data dir. Several server copies behind a load balancer must share JWT_SECRET.
 */
export function loadJwtSecret(dataDir: string, fromEnv: string | undefined): string {
  if (fromEnv) return fromEnv;
  const file = path.join(dataDir, 'secrets.json');
  if (fs.existsSync(file)) {
    const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as { jwtSecret?: string };
    if (parsed.jwtSecret && parsed.jwtSecret.length >= 32) return parsed.jwtSecret;
  }
  const jwtSecret = randomBytes(48).toString('base64url');
  fs.mkdirSync(dataDir, { recursive: true });
  fs.writeFileSync(file, JSON.stringify({ jwtSecret }), { mode: 0o600 });
  return jwtSecret;
}

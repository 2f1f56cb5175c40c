import { createHash, timingSafeEqual } from 'node:crypto';
import net from 'node:net';

/** What `/metrics` allows by address when neither METRICS_ALLOW nor METRICS_TOKEN is set: this host. */
export const LOOPBACK = '127.0.0.0/8,::1';

interface Subnet {
  address: string;
  prefix: number;
  family: 'ipv4' | 'ipv6';
}

function parseSubnet(raw: string): Subnet | null {
  const [address, bits, extra] = raw.trim().split('/');
  if (!address || extra !== undefined) return null;
  const v = net.isIP(address);
  if (v === 0) return null;
  const max = v === 4 ? 32 : 128;
  if (bits !== undefined && (!/^\d{1,3}$/.test(bits) || Number(bits) > max)) return null;
  return { address, prefix: bits === undefined ? max : Number(bits), family: v === 4 ? 'ipv4' : 'ipv6' };
}

const entries = (text: string) =>
  text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

/** Why an allow-list (comma-separated IPs and CIDRs, or `none`) is unusable; null when it is fine. */
export function allowListProblem(text: string): string | null {
  if (text.trim() === 'none') return null;
  const items = entries(text);
  if (items.length === 0) return 'must list IPs or CIDRs, or be none';
  const bad = items.find((i) => parseSubnet(i) === null);
  return bad === undefined ? null : `"${bad.slice(0, 60)}" is not an IP or CIDR (like 10.0.0.0/8, 192.168.1.5 or ::1)`;
}

/**
 * A matcher for an allow-list that `allowListProblem` accepted. An IPv4 client on a dual-stack socket
 * shows as `::ffff:10.0.0.1`; it matches the IPv4 entries.
 */
export function allowList(text: string): (ip: string) => boolean {
  const list = new net.BlockList();
  if (text.trim() !== 'none') {
    for (const item of entries(text)) {
      const s = parseSubnet(item);
      if (s) list.addSubnet(s.address, s.prefix, s.family);
    }
  }
  return (ip) => {
    const plain = ip.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, '');
    const v = net.isIP(plain);
    return v !== 0 && list.check(plain, v === 4 ? 'ipv4' : 'ipv6');
  };
}

/** `Authorization: Bearer <token>`, compared in constant time (both sides hashed first, so length leaks nothing). */
export function bearerMatches(authorization: string | undefined, token: string | undefined): boolean {
  if (!token || !authorization) return false;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
  if (!m) return false;
  const digest = (s: string) => new Uint8Array(createHash('sha256').update(s).digest());
  return timingSafeEqual(digest(m[1]!), digest(token));
}

/**
 * Who may read `/metrics`: the token from anywhere, or an address on the allow-list. Unset
 * METRICS_ALLOW means loopback only while there is no token, and token only once there is one (a
 * configured token is then never bypassed by a proxy on the same host).
 */
export function metricsGate(cfg: { METRICS_TOKEN?: string | undefined; METRICS_ALLOW?: string | undefined }): (ip: string, authorization: string | undefined) => boolean {
  const allowed = allowList(cfg.METRICS_ALLOW ?? (cfg.METRICS_TOKEN ? 'none' : LOOPBACK));
  return (ip, authorization) => bearerMatches(authorization, cfg.METRICS_TOKEN) || allowed(ip);
}

/**
 * Writes the generated parts of docs/SECURITY.md — who may read and write what, and the limits — from
 * the code that enforces them (sync-rules/, the role table, the gateway's and server's constants), so
 * the document cannot drift: `npm run docs:security` rewrites them, and a unit test
 * (tests/unit/security-doc.test.ts) fails when the committed document differs.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SYNC_RULES } from '../sync-rules/rules.ts';
import { DEVICE_KINDS, type DeviceKind, type SyncRules } from '../sync-rules/schema.ts';
import { ROLES, ROLE_PERMISSIONS, can, hasAllLocations, type Role } from '#domain/permissions.ts';
import { DOC_TYPES, type DocType } from '#domain/schemas/index.ts';
import { API_KEY_SCOPES, SCOPE_DATABASES } from '#domain/api-keys.ts';
import { MAX_CHECKPOINT_BYTES, MAX_WRITE_BYTES } from '../server/gateway/router.ts';
import { MAX_READ_BODY_BYTES, FIND_OPERATORS } from '../server/gateway/read-bodies.ts';
import { MAX_JSON_DEPTH } from '../server/gateway/json-limits.ts';
import { HEARTBEAT_MS, MAX_FEED_TIMEOUT_MS, MAX_JSON_PARAM_CHARS, MAX_PARAM_CHARS } from '../server/gateway/query.ts';
import { FREE_SOCKET_TIMEOUT_MS } from '../server/gateway/proxy.ts';
import { SESSION_CACHE_MS } from '../server/auth/sessions.ts';
import { LOCK_MS, MAX_FAILURES } from '../server/auth/lockout.ts';
import { API_JSON_LIMIT } from '../server/http/errors.ts';
import { CSV_LIMIT } from '../server/api/catalog-routes.ts';
import { loadConfig } from '../server/config.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const SECURITY_DOC = path.join(ROOT, 'docs', 'SECURITY.md');

const DB_LABEL: Record<string, string> = { catalog: 'catalog', location: 'location', customers: 'customers', audit: 'audit' };
const DB_KINDS = ['catalog', 'location', 'customers', 'audit'] as const;
const ROLE_LABEL: Record<Role, string> = { owner: 'owner', admin: 'admin', manager: 'manager', cashier: 'cashier', stock_clerk: 'stock clerk' };
const DEVICE_LABEL: Record<DeviceKind, string> = { register: 'register', rfid_phone: 'RFID phone' };

/** One cell of the database table for a principal kind's rule on a database kind. */
function dbCell(rules: SyncRules, kind: 'admin_browser' | DeviceKind, db: (typeof DB_KINDS)[number], role?: Role): string {
  const rule = (rules.principals[kind] ?? []).find((r) => r.db === db);
  if (!rule) return '—';
  if (role && rule.readPermission && !can(role, rule.readPermission)) return '—';
  const dir = rule.direction === 'both' ? 'read + write' : 'read';
  if (db !== 'location') return dir;
  if (rule.scope === 'own') return `${dir} (own location)`;
  return role && hasAllLocations(role) ? `${dir} (every location)` : `${dir} (granted locations)`;
}

function row(cells: string[]): string {
  return `| ${cells.join(' | ')} |`;
}

/** Which databases each principal reaches through `/db` (sync-rules `principals`, `readPermission`, API-key scopes). */
export function databaseTable(rules: SyncRules = SYNC_RULES): string {
  const lines = [row(['principal', ...DB_KINDS.map((d) => DB_LABEL[d]!)]), row(['---', ...DB_KINDS.map(() => '---')])];
  for (const role of ROLES) lines.push(row([`browser session, ${ROLE_LABEL[role]}`, ...DB_KINDS.map((d) => dbCell(rules, 'admin_browser', d, role))]));
  for (const kind of DEVICE_KINDS) {
    lines.push(row([`${DEVICE_LABEL[kind]} (device credential)`, ...DB_KINDS.map((d) => dbCell(rules, kind, d))]));
    lines.push(row([`PIN session on ${kind === "rfid_phone" ? "an" : "a"} ${DEVICE_LABEL[kind]} (any role)`, ...DB_KINDS.map((d) => dbCell(rules, kind, d))]));
  }
  for (const scope of API_KEY_SCOPES) {
    lines.push(row([`API key, scope \`${scope}\``, ...DB_KINDS.map((d) => (SCOPE_DATABASES[scope].includes(d) ? (d === 'location' ? 'read (every location)' : 'read') : '—'))]));
  }
  lines.push(row(['anonymous, another tenant', ...DB_KINDS.map(() => '—')]));
  return lines.join('\n');
}

const rolesWith = (rules: SyncRules, type: DocType): Role[] => {
  const p = rules.documents[type]!.write;
  return p === null ? [] : ROLES.filter((r) => ROLE_PERMISSIONS[r].includes(p));
};
const roleList = (roles: Role[]) => (roles.length === ROLES.length ? 'any role' : roles.map((r) => ROLE_LABEL[r]).join(', '));

/** Who writes each document type (sync-rules `documents`: permission, device kinds, browser). */
export function documentTable(rules: SyncRules = SYNC_RULES): string {
  const lines = [row(['type', 'database', 'lifecycle', 'devices', 'PIN sessions on devices', 'browser sessions']), row(['---', '---', '---', '---', '---', '---'])];
  for (const type of [...DOC_TYPES].sort()) {
    const r = rules.documents[type]!;
    const roles = rolesWith(rules, type);
    const serverOnly = r.write === null;
    const devices = serverOnly || r.deviceWriters.length === 0 ? '—' : r.deviceWriters.map((k) => DEVICE_LABEL[k]).join(', ') + (r.deviceWriters.includes('register') && r.ownIds ? ' (as itself)' : '');
    const sessions = serverOnly || r.deviceWriters.length === 0 || roles.length === 0 ? '—' : `${roleList(roles)}, on ${r.deviceWriters.map((k) => DEVICE_LABEL[k]).join(', ')}`;
    // a browser role writes a type only if it reaches the type's database at all (readPermission)
    const browserRoles = roles.filter((role) => dbCell(rules, 'admin_browser', r.db, role).startsWith('read + write'));
    const browser = serverOnly ? 'server only' : !r.browser || browserRoles.length === 0 ? '—' : roleList(browserRoles);
    const lifecycle = r.lifecycle === 'event' ? 'event (created once)' : r.createdOnce ? 'created once, then the server’s' : 'mutable';
    lines.push(row([`\`${type}\``, r.db, lifecycle, devices, sessions, browser]));
  }
  return lines.join('\n');
}

export function reservedIds(): string {
  const prefixes = Object.values(SYNC_RULES.documents).flatMap((r) => r.serverIds.flatMap((x) => x.prefixes));
  return `Ids the server derives and writes itself, refused to every client whatever the type's rule: ${prefixes.map((p) => `\`${p}…\``).join(', ')}.`;
}

const kib = (n: number) => (n >= 1024 * 1024 ? `${n / 1024 / 1024} MiB` : `${n / 1024} KiB`);
const sec = (ms: number) => (ms % 60_000 === 0 && ms >= 60_000 ? `${ms / 60_000} min` : `${ms / 1000} s`);

/** The limits, from the constants and configuration defaults that enforce them. */
export function limitsTable(): string {
  const cfg = loadConfig({});
  const rows: [string, string, string][] = [
    ['`/db` write body (`_bulk_docs`, a document)', kib(MAX_WRITE_BYTES), 'server/gateway/router.ts'],
    ['`/db` read body (`_bulk_get`, `_revs_diff`, `_find`, keys)', kib(MAX_READ_BODY_BYTES), 'server/gateway/read-bodies.ts'],
    ['`/db` replication checkpoint (`_local`)', kib(MAX_CHECKPOINT_BYTES), 'server/gateway/router.ts'],
    ['`/api/v1` JSON body', API_JSON_LIMIT, 'server/http/errors.ts'],
    ['`/api/v1` catalog CSV import', CSV_LIMIT, 'server/api/catalog-routes.ts'],
    ['JSON nesting depth (every body, `/db` and `/api/v1`, and JSON query values)', `${MAX_JSON_DEPTH} levels`, 'server/gateway/json-limits.ts'],
    ['query parameter value / JSON key value', `${MAX_PARAM_CHARS} / ${MAX_JSON_PARAM_CHARS} characters`, 'server/gateway/query.ts'],
    ['`_changes` heartbeat', `${HEARTBEAT_MS.min}–${HEARTBEAT_MS.max} ms`, 'server/gateway/query.ts'],
    ['`_changes` timeout', `≤ ${MAX_FEED_TIMEOUT_MS} ms`, 'server/gateway/query.ts'],
    ['`_find` operators', [...FIND_OPERATORS].join(' '), 'server/gateway/read-bodies.ts'],
    ['time limit on an upstream request (not streaming feeds)', `${cfg.UPSTREAM_TIMEOUT_S} s (\`UPSTREAM_TIMEOUT_S\`), then 504`, 'server/gateway/proxy.ts'],
    ['idle kept-alive upstream socket closed after', sec(FREE_SOCKET_TIMEOUT_MS), 'server/gateway/proxy.ts'],
    ['`/api/v1` requests per client, `/db` requests per API key', `${cfg.API_RATE_LIMIT} a minute (\`API_RATE_LIMIT\`)`, 'server/app.ts'],
    ['sign-ups per client', `${cfg.SIGNUP_RATE_LIMIT} an hour (\`SIGNUP_RATE_LIMIT\`)`, 'server/api/signup-routes.ts'],
    ['access token lifetime', `${cfg.ACCESS_TOKEN_TTL_S} s (\`ACCESS_TOKEN_TTL_S\`)`, 'server/auth/tokens.ts'],
    ['refresh token lifetime (rotated on use)', `${cfg.REFRESH_TOKEN_TTL_S / 86_400} days (\`REFRESH_TOKEN_TTL_S\`)`, 'server/auth/flows.ts'],
    ['session, device and API-key revocation cache per server copy', sec(SESSION_CACHE_MS), 'server/auth/sessions.ts'],
    ['wrong passwords (per account) or PINs (per device) before a lock', `${MAX_FAILURES}, the ${MAX_FAILURES}th answers 423; locked ${sec(LOCK_MS)}`, 'server/auth/lockout.ts']
  ];
  return [row(['limit', 'value', 'where']), row(['---', '---', '---']), ...rows.map((r) => row(r))].join('\n');
}

const SECTIONS: Record<string, () => string> = { databases: () => databaseTable(), documents: () => `${documentTable()}\n\n${reservedIds()}`, limits: limitsTable };

/** The document with every generated section replaced by what the code says now. */
export function renderSecurityDoc(current: string): string {
  let out = current;
  for (const [name, render] of Object.entries(SECTIONS)) {
    const start = `<!-- generated:${name} (npm run docs:security) -->`;
    const end = `<!-- /generated:${name} -->`;
    const a = out.indexOf(start);
    const b = out.indexOf(end);
    if (a === -1 || b === -1 || b < a) throw new Error(`docs/SECURITY.md lacks the markers for the ${name} section`);
    out = `${out.slice(0, a + start.length)}\n${render()}\n${out.slice(b)}`;
  }
  return out;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const before = fs.readFileSync(SECURITY_DOC, 'utf8');
  const after = renderSecurityDoc(before);
  if (after !== before) fs.writeFileSync(SECURITY_DOC, after);
  console.log(after === before ? 'docs/SECURITY.md is up to date' : 'docs/SECURITY.md updated');
}

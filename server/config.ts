import { z } from 'zod';
import path from 'node:path';
import { allowListProblem } from './metrics/access.ts';

/**
 * Configuration is a schema checked at boot (STYLE.md §8). A wrong value stops the process with one
 * line naming the variable; nothing falls back to a shipped default secret.
 */
const bool = z
  .enum(['0', '1', 'true', 'false', 'yes', 'no'], { message: 'must be 1/0, true/false or yes/no' })
  .transform((v) => v === '1' || v === 'true' || v === 'yes');

const envSchema = z
  .object({
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    HOST: z.string().min(1).default('0.0.0.0'),
    DATA_DIR: z.string().min(1).default('./data'),
    /** External CouchDB 3 (cluster) URL. Absent: start the embedded CouchDB-compatible store. */
    COUCH_URL: z.url({ message: 'must be a URL like https://couch.example.com:5984' }).optional(),
    COUCH_USER: z.string().min(1).optional(),
    COUCH_PASSWORD: z.string().min(1).optional(),
    /** Prepended to every database name in the store, so several deployments (e.g. test servers) can
     * share one CouchDB. Lowercase letter first (CouchDB's rule); empty in production. */
    COUCH_DB_PREFIX: z
      .string()
      .regex(/^([a-z][a-z0-9_]{0,30})?$/, 'must be empty or a lowercase letter followed by up to 30 of a-z, 0-9, _')
      .default(''),
    /** Shards per new tenant database on a CouchDB cluster (COUCH_URL); 1 suits databases this small. */
    COUCH_TENANT_Q: z.coerce.number().int().min(1).max(16).default(1),
    /** Copies a write waits for on a CouchDB cluster: `all` (every copy, so what a request wrote is in
     * every view read after it) or `quorum` (CouchDB's default; lower write latency, reads may lag). */
    COUCH_WRITE_COPIES: z.enum(['all', 'quorum']).default('all'),
    /** Port for the embedded store on 127.0.0.1; 0 picks a free one. */
    EMBEDDED_COUCH_PORT: z.coerce.number().int().min(0).max(65535).default(0),
    /** HMAC secret for JWTs, ≥ 32 chars. Absent: generated once and kept in DATA_DIR/secrets.json. */
    JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
    ACCESS_TOKEN_TTL_S: z.coerce.number().int().min(30).max(86_400).default(900),
    REFRESH_TOKEN_TTL_S: z.coerce.number().int().min(300).default(30 * 86_400),
    SEED_DEMO: bool.default(true),
    /** days of trade the demo tenant is seeded with (server/demo/history-generator.ts); 0 = none */
    SEED_HISTORY_DAYS: z.coerce.number().int().min(0).max(730).default(90),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    /** requests per minute per client on /api/v1 (seed: 100) */
    API_RATE_LIMIT: z.coerce.number().int().min(1).default(100),
    /** sign-ups per hour per client on POST /api/v1/signup (each one creates databases) */
    SIGNUP_RATE_LIMIT: z.coerce.number().int().min(1).default(10),
    /** comma-separated IPs/CIDR-less addresses allowed on admin API routes; empty = all */
    ADMIN_IP_ALLOWLIST: z.string().default(''),
    /** set behind a TLS-terminating proxy so cookies are Secure and req.ip is the client's */
    TRUST_PROXY: z.string().default('loopback'),
    COOKIE_SECURE: bool.default(false),
    /** seconds between conflict-worker runs on this server copy; 0 turns it off */
    CONFLICT_WORKER_INTERVAL_S: z.coerce.number().int().min(0).default(30),
    /** seconds between approvals-audit runs (manager approvals → audit trail); 0 turns it off */
    APPROVALS_AUDIT_INTERVAL_S: z.coerce.number().int().min(0).default(10),
    /** seconds between sale-ledger runs (sales → loyalty / store-credit / gift-card entries); 0 turns it off */
    SALE_LEDGER_INTERVAL_S: z.coerce.number().int().min(0).default(10),
    /** staged design-document builds at once on this server copy (docs/OPERATIONS.md, "Design-document upgrades") */
    DESIGN_DOC_BUILDS: z.coerce.number().int().min(1).max(16).default(2),
    /** write this release's design documents over those of a newer release (a deliberate rollback) */
    DESIGN_DOC_DOWNGRADE: bool.default(false),
    /**
     * AES-256-GCM key for integration secrets at rest (Shopify access tokens…): 32 bytes as base64 or
     * 64 hex digits. Absent: generated once and kept in DATA_DIR/secrets.json (share it across copies).
     */
    INTEGRATIONS_KEY: z
      .string()
      .refine((v) => /^[0-9a-fA-F]{64}$/.test(v) || Buffer.from(v, 'base64').length === 32, 'must be 32 bytes as base64 or 64 hex digits')
      .optional(),
    /** Shopify app credentials for the OAuth install flow; without them a store connects with a custom app's token */
    SHOPIFY_API_KEY: z.string().min(1).optional(),
    SHOPIFY_API_SECRET: z.string().min(1).optional(),
    /**
     * Send every Shopify Admin API request to this origin instead of https://{shop} (the shop domain
     * becomes the first path segment). Only for a local Shopify-compatible server in tests and demos.
     */
    SHOPIFY_API_ORIGIN: z.url({ message: 'must be a URL like http://127.0.0.1:4462' }).optional(),
    /** hours between scheduled Shopify stock reconciliations per connected store; 0 turns them off */
    SHOPIFY_RECONCILE_INTERVAL_H: z.coerce.number().min(0).max(168).default(6),
    /** run the Shopify sync workers on this server copy (webhook queue, stock push, imports) */
    SHOPIFY_WORKERS: bool.default(true),
    /** wait before a failed stock push to Shopify is tried again (the batch stays pending meanwhile) */
    SHOPIFY_PUSH_RETRY_S: z.coerce.number().min(0.05).max(3600).default(30),
    /**
     * Send every Stripe API request to this origin instead of https://api.stripe.com (stripe-node's
     * host/port/protocol options). Only for a local Stripe-compatible server in tests and demos.
     */
    STRIPE_API_BASE: z.url({ message: 'must be a URL like http://127.0.0.1:12111' }).optional(),
    /**
     * Send every TaxJar API request to this origin instead of https://api.taxjar.com (the taxjar
     * client's apiUrl option; it appends /v2/). Only for a local TaxJar-compatible server in tests and demos.
     */
    TAXJAR_API_URL: z.url({ message: 'must be a URL like http://127.0.0.1:4471' }).optional(),
    /** how old a Stripe webhook's signed timestamp may be before it is refused as a replay (Stripe's default: 300) */
    STRIPE_WEBHOOK_TOLERANCE_S: z.coerce.number().int().min(1).max(3600).default(300),
    /** longest a gateway request may wait on CouchDB without an answer (streaming feeds follow their own heartbeat/timeout) */
    UPSTREAM_TIMEOUT_S: z.coerce.number().int().min(1).max(3_600).default(60),
    /** `GET /metrics` answers a request with `Authorization: Bearer <this>` from any address (≥ 24 chars) */
    METRICS_TOKEN: z.string().min(24, 'must be at least 24 characters').optional(),
    /**
     * Addresses (IPs or CIDRs, comma-separated, or `none`) allowed on `GET /metrics` without the token.
     * Unset: loopback only when no METRICS_TOKEN is set, none when it is (docs/OPERATIONS.md "Metrics").
     */
    METRICS_ALLOW: z
      .string()
      .superRefine((v, c) => {
        const problem = allowListProblem(v);
        if (problem) c.addIssue({ code: 'custom', message: problem });
      })
      .optional(),
    /**
     * Outgoing email (docs/INTEGRATIONS.md "Email and SMS"): a nodemailer connection URL such as
     * smtp://user:pass@host:587 or smtps://user:pass@host:465. Absent: email stays queued and the admin
     * Messages page says email is not configured.
     */
    SMTP_URL: z
      .string()
      .regex(/^smtps?:\/\/[^\s]+$/, 'must be an smtp:// or smtps:// URL like smtp://user:pass@mail.example.com:587')
      .optional(),
    /** the From of every email: an address, optionally with a name ("Shop <pos@example.com>") */
    MAIL_FROM: z.string().trim().min(3).max(200).optional(),
    /** Text messages through a Twilio-style REST API; absent: SMS stays queued ("not configured") */
    TWILIO_ACCOUNT_SID: z.string().regex(/^AC[0-9a-fA-F]{32}$/, 'must be an account SID like AC followed by 32 hex digits').optional(),
    TWILIO_AUTH_TOKEN: z.string().min(8).optional(),
    /** the sending number (E.164, e.g. +15550100) or a Messaging Service SID (MG…) */
    TWILIO_FROM: z.string().regex(/^(\+[1-9]\d{6,14}|MG[0-9a-fA-F]{32})$/, 'must be an E.164 number like +15550100 or a Messaging Service SID (MG…)').optional(),
    /** where the Twilio REST API is (a regional endpoint, a proxy, a test server); default api.twilio.com */
    TWILIO_API_BASE: z.url({ message: 'must be a URL like https://api.twilio.com' }).optional(),
    /** messages per minute per tenant and channel that this server copy sends (bursts up to this many) */
    NOTIFY_RATE_PER_MIN: z.coerce.number().int().min(1).max(100_000).default(60),
    /** first retry after a temporary failure, doubling per attempt (capped at an hour, 8 attempts) */
    NOTIFY_RETRY_BASE_S: z.coerce.number().int().min(1).max(3600).default(30),
    /** how long one send attempt may take before another server copy treats it as interrupted */
    NOTIFY_CLAIM_TTL_S: z.coerce.number().int().min(2).max(3600).default(120),
    /** the address people reach this server at, for links in emails (sign-in, unsubscribe); default http://localhost:PORT */
    PUBLIC_URL: z.url({ message: 'must be a URL like https://pos.example.com' }).optional(),
    /** skip `vite build` at start even when build/ is missing (tests that only need the API) */
    SKIP_WEB: bool.default(false)
  })
  .superRefine((env, ctx) => {
    if (env.COUCH_URL && (!env.COUCH_USER || !env.COUCH_PASSWORD)) {
      const missing = !env.COUCH_USER ? 'COUCH_USER' : 'COUCH_PASSWORD';
      ctx.addIssue({ code: 'custom', path: [missing], message: 'is required when COUCH_URL is set' });
    }
    if (Boolean(env.SHOPIFY_API_KEY) !== Boolean(env.SHOPIFY_API_SECRET)) {
      ctx.addIssue({ code: 'custom', path: [env.SHOPIFY_API_KEY ? 'SHOPIFY_API_SECRET' : 'SHOPIFY_API_KEY'], message: 'is required with the other Shopify app credential' });
    }
    if (env.SMTP_URL && !env.MAIL_FROM) ctx.addIssue({ code: 'custom', path: ['MAIL_FROM'], message: 'is required when SMTP_URL is set' });
    const twilio = [env.TWILIO_ACCOUNT_SID, env.TWILIO_AUTH_TOKEN, env.TWILIO_FROM];
    if (twilio.some(Boolean) && !twilio.every(Boolean)) {
      const missing = !env.TWILIO_ACCOUNT_SID ? 'TWILIO_ACCOUNT_SID' : !env.TWILIO_AUTH_TOKEN ? 'TWILIO_AUTH_TOKEN' : 'TWILIO_FROM';
      ctx.addIssue({ code: 'custom', path: [missing], message: 'is required with the other TWILIO_ settings' });
    }
  });

export type Config = z.infer<typeof envSchema> & { dataDir: string };

export class ConfigError extends Error {}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // Empty strings mean "unset": a blank line in an env file must not become a value.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const result = envSchema.safeParse(cleaned);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new ConfigError(`Invalid configuration: ${String(issue.path[0] ?? '?')} ${issue.message}`);
  }
  return { ...result.data, dataDir: path.resolve(result.data.DATA_DIR) };
}

import { z } from 'zod';
import { compactProductSchema } from '$lib/catalog-index/compact';

/**
 * The browser's one way to call `/api/v1`: typed, checked responses and one error funnel. Components
 * never call fetch themselves (STYLE.md §3, §6).
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** the whole error body, for answers that carry more than a message (e.g. `missing_scopes`) */
    readonly body: unknown = null
  ) {
    super(message);
  }
}

/**
 * What to tell the user about a failed call: the server's own message for an API error (it is written
 * for people), else `fallback` (a network failure, a bug) — the one place that decides this.
 */
export function errorText(err: unknown, fallback = 'Something went wrong; try again.'): string {
  return err instanceof ApiError ? err.message : fallback;
}

const errorBody = z.object({ error: z.string(), message: z.string() });

/** One problem of a CSV file: `row` 1 is the header (docs/CSV.md), `column` null for a whole-row problem. */
export const csvRowErrorSchema = z.object({ row: z.number(), column: z.string().nullable(), message: z.string() });
export type CsvRowError = z.infer<typeof csvRowErrorSchema>;
const invalidCsvBody = z.object({ errors: z.array(csvRowErrorSchema), errorCount: z.number() });

/** `422 invalid_csv`: the file has problems and nothing was written; `errors` are the first 500 of `errorCount`. */
export class InvalidCsvError extends ApiError {
  constructor(
    message: string,
    readonly errors: CsvRowError[],
    readonly errorCount: number
  ) {
    super(422, 'invalid_csv', message);
  }
}

/** The ApiError for a non-2xx answer and its (parsed JSON or null) body. */
function errorFrom(status: number, body: unknown): ApiError {
  const parsed = errorBody.safeParse(body);
  if (!parsed.success) return new ApiError(status, 'http_error', `The server answered ${status}.`);
  if (parsed.data.error === 'invalid_csv') {
    const csv = invalidCsvBody.safeParse(body);
    if (csv.success) return new InvalidCsvError(parsed.data.message, csv.data.errors, csv.data.errorCount);
  }
  return new ApiError(status, parsed.data.error, parsed.data.message, body);
}

const OFFLINE_MESSAGE = 'Cannot reach the server. Check the network connection and try again.';
const BAD_RESPONSE_MESSAGE = 'The server sent an answer this app does not understand. Reload the page.';

export const userSchema = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string(),
  role: z.string(),
  tenantId: z.string(),
  tenantName: z.string(),
  locations: z.array(z.string()),
  permissions: z.array(z.string()),
  /** signed in with a temporary password: the admin layout asks for a new one first */
  mustChangePassword: z.boolean().default(false)
});
export type User = z.infer<typeof userSchema>;

export const sessionSchema = z.object({ accessToken: z.string(), expiresIn: z.number(), user: userSchema });
export type Session = z.infer<typeof sessionSchema>;

/** `locale`: how the location writes dates and money (its own, else its currency's default; domain/store-format.ts). */
export const locationSchema = z.object({ code: z.string(), name: z.string(), address: z.string(), timeZone: z.string(), currency: z.string(), locale: z.string().default('en-US') });
export type Location = z.infer<typeof locationSchema>;

export const enrolmentSchema = z.object({
  deviceToken: z.string(),
  device: z.object({ id: z.string(), kind: z.enum(['register', 'rfid_phone']), name: z.string(), tenantId: z.string(), locationCode: z.string(), shortCode: z.string().regex(/^[A-Z0-9]{1,12}$/).optional() }),
  databases: z.record(z.string(), z.string())
});
export type Enrolment = z.infer<typeof enrolmentSchema>;

const catalogSnapshotSchema = z.object({
  products: z.array(compactProductSchema),
  reference: z.array(z.record(z.string(), z.unknown())).default([])
});

interface CallOptions {
  body?: unknown;
  token?: string | null;
}

export async function call<S extends z.ZodType>(method: string, path: string, schema: S | null, opts: CallOptions = {}): Promise<z.infer<S>> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  let res: Response;
  try {
    res = await fetch(`/api/v1${path}`, {
      method,
      headers,
      credentials: 'same-origin',
      ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {})
    });
  } catch {
    throw new ApiError(0, 'offline', OFFLINE_MESSAGE);
  }
  if (!res.ok) throw errorFrom(res.status, await res.json().catch(() => null));
  if (!schema) return undefined as z.infer<S>;
  // A 200 that is not our JSON (a captive portal's or proxy's HTML page, a body cut off mid-way)
  // must still come out of this funnel as an ApiError, not a stray SyntaxError.
  const parsed = schema.safeParse(await res.json().catch(() => undefined));
  if (!parsed.success) throw new ApiError(res.status, 'bad_response', BAD_RESPONSE_MESSAGE);
  return parsed.data;
}

/** Where an upload is: sending the body (`loaded` of `total` bytes), then waiting for the answer. */
export type UploadProgress = { phase: 'uploading'; loaded: number; total: number } | { phase: 'processing' };

/**
 * Sends a file body with XMLHttpRequest, whose upload events `fetch` does not have, so a large file
 * shows its progress. Same contract as `call`: a checked JSON answer or an ApiError.
 */
function upload<S extends z.ZodType>(
  path: string,
  body: Blob,
  contentType: string,
  schema: S,
  opts: { token: string; onProgress?: (p: UploadProgress) => void }
): Promise<z.infer<S>> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `/api/v1${path}`);
    xhr.setRequestHeader('accept', 'application/json');
    xhr.setRequestHeader('content-type', contentType);
    xhr.setRequestHeader('authorization', `Bearer ${opts.token}`);
    const progress = opts.onProgress;
    if (progress) {
      xhr.upload.onprogress = (e) => progress({ phase: 'uploading', loaded: e.loaded, total: e.lengthComputable ? e.total : body.size });
      xhr.upload.onload = () => progress({ phase: 'processing' });
    }
    xhr.onerror = () => reject(new ApiError(0, 'offline', OFFLINE_MESSAGE));
    xhr.onabort = () => reject(new ApiError(0, 'aborted', 'The upload was cancelled.'));
    xhr.onload = () => {
      let json: unknown = undefined;
      try {
        json = JSON.parse(xhr.responseText);
      } catch {
        json = undefined;
      }
      if (xhr.status < 200 || xhr.status >= 300) return reject(errorFrom(xhr.status, json ?? null));
      const parsed = schema.safeParse(json);
      if (!parsed.success) return reject(new ApiError(xhr.status, 'bad_response', BAD_RESPONSE_MESSAGE));
      resolve(parsed.data);
    };
    xhr.send(body);
  });
}

const auditEventSchema = z.object({ _id: z.string(), action: z.string(), target: z.string().optional(), createdAt: z.string(), details: z.record(z.string(), z.unknown()).optional() });
export const conflictsSchema = z.object({
  open: z.array(z.object({ db: z.string(), id: z.string(), type: z.string().nullable(), conflicts: z.array(z.string()) })),
  alerts: z.array(auditEventSchema),
  resolved: z.array(auditEventSchema)
});
export type Conflicts = z.infer<typeof conflictsSchema>;

export const signupResultSchema = z.object({
  tenantId: z.string(),
  tenantName: z.string(),
  ownerEmail: z.string(),
  plan: z.string(),
  temporaryPassword: z.string(),
  signInUrl: z.string()
});
export type SignupResult = z.infer<typeof signupResultSchema>;
export interface SignupRequest {
  businessName: string;
  ownerName?: string;
  ownerEmail: string;
  plan: string;
  location: { code: string; name: string; timeZone: string; currency: string };
}

const importCountsSchema = z.object({ create: z.number(), update: z.number(), unchanged: z.number() });
/** The answer of a catalog import or its dry run (docs/API.md, docs/CSV.md). */
export const catalogImportSchema = z.object({
  dryRun: z.boolean(),
  counts: z.object({ products: importCountsSchema, variants: importCountsSchema, categories: z.object({ create: z.number() }), rows: z.number() }),
  changes: z.array(z.object({ handle: z.string(), action: z.enum(['create', 'update']), fields: z.array(z.string()), variants: importCountsSchema })),
  written: z.object({ products: z.number(), categories: z.number() })
});
export type CatalogImport = z.infer<typeof catalogImportSchema>;

/** Largest file the server takes (server/api/catalog-routes.ts CSV_LIMIT). */
export const CATALOG_CSV_MAX_BYTES = 20 * 1024 * 1024;

/**
 * `GET` of a CSV endpoint (catalog export, reports): the file as a Blob and the name the server
 * suggests in Content-Disposition (else `fallbackName`).
 */
export async function fetchCsv(path: string, token: string, fallbackName: string): Promise<{ csv: Blob; filename: string }> {
  let res: Response;
  try {
    res = await fetch(`/api/v1${path}`, { method: 'GET', headers: { accept: 'text/csv', authorization: `Bearer ${token}` }, credentials: 'same-origin' });
  } catch {
    throw new ApiError(0, 'offline', OFFLINE_MESSAGE);
  }
  if (!res.ok) throw errorFrom(res.status, await res.json().catch(() => null));
  if (!(res.headers.get('content-type') ?? '').startsWith('text/csv')) throw new ApiError(res.status, 'bad_response', BAD_RESPONSE_MESSAGE);
  const filename = /filename="([^"]+)"/.exec(res.headers.get('content-disposition') ?? '')?.[1] ?? fallbackName;
  return { csv: new Blob([await res.text()], { type: 'text/csv;charset=utf-8' }), filename };
}

/** Hands a downloaded Blob to the browser as a file save. */
export function saveBlob(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

const exportCatalog = (token: string) => fetchCsv('/catalog/export', token, 'catalog.csv');

export const api = {
  signup: (body: SignupRequest) => call('POST', '/signup', signupResultSchema, { body }),
  login: (email: string, password: string) => call('POST', '/auth/login', sessionSchema, { body: { email, password } }),
  refresh: () => call('POST', '/auth/refresh', sessionSchema),
  logout: () => call('POST', '/auth/logout', null),
  locations: (token: string) => call('GET', '/locations', z.object({ locations: z.array(locationSchema) }), { token }),
  enrol: (code: string) => call('POST', '/devices/enrol', enrolmentSchema, { body: { code } }),
  conflicts: (token: string) => call('GET', '/sync/conflicts', conflictsSchema, { token }),
  /** A fresh register's compact catalog and the reference documents it sells with (device token). */
  catalogSnapshot: (deviceToken: string) => call('GET', '/sync/catalog-snapshot', catalogSnapshotSchema, { token: deviceToken }),
  /** Checks (`dryRun`) or imports a catalog CSV; a file with problems rejects with an InvalidCsvError. */
  importCatalog: (token: string, file: Blob, opts: { dryRun: boolean; onProgress?: (p: UploadProgress) => void }) =>
    upload(`/catalog/import${opts.dryRun ? '?dryRun=1' : ''}`, file, 'text/csv', catalogImportSchema, { token, ...(opts.onProgress ? { onProgress: opts.onProgress } : {}) }),
  exportCatalog,
  resolveConflicts: (token: string) => call('POST', '/sync/conflicts/resolve', z.object({ outcomes: z.array(z.object({ id: z.string(), action: z.string() })) }), { token })
};

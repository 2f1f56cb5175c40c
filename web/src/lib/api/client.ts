import { z } from 'zod';

/**
 * The browser's one way to call `/api/v1`: typed, checked responses and one error funnel. Components
 * never call fetch themselves (STYLE.md §3, §6).
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string
  ) {
    super(message);
  }
}

const errorBody = z.object({ error: z.string(), message: z.string() });

export const userSchema = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string(),
  role: z.string(),
  tenantId: z.string(),
  tenantName: z.string(),
  locations: z.array(z.string()),
  permissions: z.array(z.string())
});
export type User = z.infer<typeof userSchema>;

export const sessionSchema = z.object({ accessToken: z.string(), expiresIn: z.number(), user: userSchema });
export type Session = z.infer<typeof sessionSchema>;

export const locationSchema = z.object({ code: z.string(), name: z.string(), address: z.string(), timeZone: z.string(), currency: z.string() });
export type Location = z.infer<typeof locationSchema>;

export const enrolmentSchema = z.object({
  deviceToken: z.string(),
  device: z.object({ id: z.string(), kind: z.enum(['register', 'rfid_phone']), name: z.string(), tenantId: z.string(), locationCode: z.string() }),
  databases: z.record(z.string(), z.string())
});
export type Enrolment = z.infer<typeof enrolmentSchema>;

interface CallOptions {
  body?: unknown;
  token?: string | null;
}

async function call<S extends z.ZodType>(method: string, path: string, schema: S | null, opts: CallOptions = {}): Promise<z.infer<S>> {
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
    throw new ApiError(0, 'offline', 'Cannot reach the server. Check the network connection and try again.');
  }
  if (!res.ok) {
    const parsed = errorBody.safeParse(await res.json().catch(() => null));
    throw new ApiError(res.status, parsed.success ? parsed.data.error : 'http_error', parsed.success ? parsed.data.message : `The server answered ${res.status}.`);
  }
  if (!schema) return undefined as z.infer<S>;
  // A 200 that is not our JSON (a captive portal's or proxy's HTML page, a body cut off mid-way)
  // must still come out of this funnel as an ApiError, not a stray SyntaxError.
  const parsed = schema.safeParse(await res.json().catch(() => undefined));
  if (!parsed.success) throw new ApiError(res.status, 'bad_response', 'The server sent an answer this app does not understand. Reload the page.');
  return parsed.data;
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

export const api = {
  signup: (body: SignupRequest) => call('POST', '/signup', signupResultSchema, { body }),
  login: (email: string, password: string) => call('POST', '/auth/login', sessionSchema, { body: { email, password } }),
  refresh: () => call('POST', '/auth/refresh', sessionSchema),
  logout: () => call('POST', '/auth/logout', null),
  locations: (token: string) => call('GET', '/locations', z.object({ locations: z.array(locationSchema) }), { token }),
  enrol: (code: string) => call('POST', '/devices/enrol', enrolmentSchema, { body: { code } }),
  conflicts: (token: string) => call('GET', '/sync/conflicts', conflictsSchema, { token }),
  resolveConflicts: (token: string) => call('POST', '/sync/conflicts/resolve', z.object({ outcomes: z.array(z.object({ id: z.string(), action: z.string() })) }), { token })
};

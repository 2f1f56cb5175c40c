import { z } from 'zod';
import { call, fetchCsv, sessionSchema } from './client.ts';

/** Staff accounts, timesheets and shifts (docs/API.md "Staff"); server/api/staff-routes.ts. */

export const memberSchema = z.object({
  id: z.string(),
  staffId: z.string(),
  email: z.string(),
  name: z.string(),
  role: z.string(),
  locations: z.array(z.string()),
  active: z.boolean(),
  pinSet: z.boolean(),
  mustChangePassword: z.boolean(),
  createdAt: z.string()
});
export type Member = z.infer<typeof memberSchema>;

export interface InviteRequest {
  email: string;
  name: string;
  role: string;
  locations: string[];
  pin?: string;
}

const spanSchema = z.object({ in: z.string(), out: z.string(), minutes: z.number() });
const unmatchedSchema = z.object({ kind: z.enum(['in', 'out']), at: z.string(), reason: z.enum(['no_clock_out', 'no_clock_in', 'too_long']) });
export const timesheetSchema = z.object({
  location: z.string(),
  timeZone: z.string(),
  from: z.string(),
  to: z.string(),
  rows: z.array(
    z.object({ staffId: z.string(), staffName: z.string(), day: z.string(), minutes: z.number(), spans: z.array(spanSchema), unmatched: z.array(unmatchedSchema), openSince: z.string().nullable() })
  ),
  totalMinutes: z.number(),
  unmatchedCount: z.number()
});
export type Timesheet = z.infer<typeof timesheetSchema>;

export const shiftSummarySchema = z.object({
  id: z.string(),
  registerId: z.string(),
  registerName: z.string(),
  day: z.string(),
  openedAt: z.string(),
  openedBy: z.string(),
  openedByName: z.string(),
  openingFloat: z.number(),
  closedAt: z.string().nullable(),
  closedByName: z.string().nullable(),
  countedCash: z.number().nullable(),
  expectedCash: z.number().nullable(),
  overShort: z.number().nullable(),
  netSales: z.number().nullable()
});
export type ShiftSummary = z.infer<typeof shiftSummarySchema>;
const shiftsSchema = z.object({ location: z.string(), timeZone: z.string(), locale: z.string().default('en-US'), currency: z.string(), shifts: z.array(shiftSummarySchema) });
export const shiftDetailSchema = z.object({
  location: z.string(),
  timeZone: z.string(),
  locale: z.string().default('en-US'),
  currency: z.string(),
  shift: shiftSummarySchema,
  close: z.object({ closedAt: z.string(), closedBy: z.string(), closedByName: z.string().nullable(), denominations: z.record(z.string(), z.number()), unsyncedAtClose: z.number() }).nullable(),
  report: z.record(z.string(), z.unknown()).nullable()
});
export type ShiftDetail = z.infer<typeof shiftDetailSchema>;

const range = (q: { location: string; from: string; to: string }) => `location=${encodeURIComponent(q.location)}&from=${q.from}&to=${q.to}`;
const one = z.object({ member: memberSchema });

export const staffApi = {
  list: (token: string) => call('GET', '/staff', z.object({ staff: z.array(memberSchema) }), { token }),
  get: (token: string, id: string) => call('GET', `/staff/${encodeURIComponent(id)}`, one, { token }),
  invite: (token: string, body: InviteRequest) => call('POST', '/staff', z.object({ member: memberSchema, temporaryPassword: z.string() }), { token, body }),
  update: (token: string, id: string, body: { role?: string; locations?: string[]; name?: string }) => call('PATCH', `/staff/${encodeURIComponent(id)}`, one, { token, body }),
  resetPin: (token: string, id: string, pin?: string) => call('POST', `/staff/${encodeURIComponent(id)}/pin`, z.object({ pin: z.string().optional() }), { token, body: pin ? { pin } : {} }),
  resetPassword: (token: string, id: string) => call('POST', `/staff/${encodeURIComponent(id)}/password`, z.object({ temporaryPassword: z.string() }), { token }),
  setLocked: (token: string, id: string, locked: boolean) => call('POST', `/staff/${encodeURIComponent(id)}/${locked ? 'lock' : 'unlock'}`, one, { token }),
  timesheet: (token: string, q: { location: string; from: string; to: string }) => call('GET', `/staff/timesheet?${range(q)}`, timesheetSchema, { token }),
  timesheetCsv: (token: string, q: { location: string; from: string; to: string }) => fetchCsv(`/staff/timesheet?${range(q)}&format=csv`, token, `timesheet-${q.location}.csv`),
  shifts: (token: string, q: { location: string; from: string; to: string }) => call('GET', `/staff/shifts?${range(q)}`, shiftsSchema, { token }),
  shift: (token: string, location: string, id: string) => call('GET', `/staff/shift?location=${encodeURIComponent(location)}&id=${encodeURIComponent(id)}`, shiftDetailSchema, { token }),
  /** the signed-in user's own password (also replaces a temporary one) */
  changePassword: (token: string, currentPassword: string, newPassword: string) =>
    call('POST', '/auth/password', sessionSchema, { token, body: { currentPassword, newPassword } })
};

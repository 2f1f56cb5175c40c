import { z } from 'zod';
import { SETUP_STEPS } from '../domain/setup.ts';
import { call, locationSchema, type Location } from './client.ts';

/** The setup wizard's calls (server/api/setup-routes.ts, tenant-routes.ts). */
export const setupStatusSchema = z.object({
  steps: z.array(z.object({ step: z.enum(SETUP_STEPS), done: z.boolean(), summary: z.string() })),
  productsCapped: z.boolean()
});
export type SetupStatus = z.infer<typeof setupStatusSchema>;

export const enrolmentCodeSchema = z.object({
  code: z.string(),
  expiresAt: z.string(),
  qrUrl: z.string(),
  qrSvg: z.string(),
  kind: z.enum(['register', 'rfid_phone']),
  locationCode: z.string(),
  name: z.string()
});
export type EnrolmentCode = z.infer<typeof enrolmentCodeSchema>;

export interface LocationFields {
  name: string;
  address: string;
  timeZone: string;
  currency: string;
}

export const setupApi = {
  status: (token: string) => call('GET', '/setup/status', setupStatusSchema, { token }),
  confirmPayments: (token: string) => call('POST', '/setup/payments/confirm', setupStatusSchema, { token }),
  addLocation: (token: string, body: LocationFields & { code: string }) => call('POST', '/locations', null, { token, body }),
  updateLocation: (token: string, code: string, body: Partial<LocationFields>) =>
    call('PATCH', `/locations/${encodeURIComponent(code)}`, z.object({ location: locationSchema }), { token, body }).then((r): Location => r.location),
  enrolmentCode: (token: string, body: { kind: 'register' | 'rfid_phone'; locationCode: string; name: string }) =>
    call('POST', '/devices/enrolment-codes', enrolmentCodeSchema, { token, body })
};

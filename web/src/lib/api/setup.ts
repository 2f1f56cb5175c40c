import { z } from 'zod';
import { SETUP_STEPS } from '../domain/setup.ts';
import { call } from './client.ts';

/** The setup wizard's own calls (server/api/setup-routes.ts); its steps use the sections' APIs. */
export const setupStatusSchema = z.object({
  steps: z.array(z.object({ step: z.enum(SETUP_STEPS), done: z.boolean(), summary: z.string() })),
  productsCapped: z.boolean()
});
export type SetupStatus = z.infer<typeof setupStatusSchema>;

export const setupApi = {
  status: (token: string) => call('GET', '/setup/status', setupStatusSchema, { token }),
  confirmPayments: (token: string) => call('POST', '/setup/payments/confirm', setupStatusSchema, { token })
};

import { z } from 'zod';
import { call } from '../api/client.ts';
import { transferSchema } from '../domain/schemas/index.ts';

/**
 * What the phone asks the server (`/api/v1`, with its device token, or a manager's PIN session for an
 * approval). Every answer is checked; failures come out of the one funnel in api/client.ts as
 * `ApiError` (status 0 = offline). Writes that must survive being offline go through the outbox
 * (flows/outbox.ts) instead of being called directly.
 */

export const stockAcrossSchema = z.object({
  locations: z.array(z.object({ location: z.string(), name: z.string(), stock: z.array(z.object({ variantId: z.string(), onHand: z.number() })) }))
});
export type StockAcross = z.infer<typeof stockAcrossSchema>['locations'];

const transferListSchema = z.object({ transfers: z.array(transferSchema.and(z.object({ direction: z.enum(['in', 'out']), inTransit: z.boolean() }))) });
export type TransferWithDirection = z.infer<typeof transferListSchema>['transfers'][number];
const transferAnswer = z.object({ transfer: transferSchema, changed: z.boolean().optional() });
const pinAnswer = z.object({ accessToken: z.string(), user: z.object({ name: z.string(), permissions: z.array(z.string()) }).passthrough() });
const approveAnswer = z.object({ changed: z.boolean(), session: z.object({ status: z.string() }).passthrough() });

export class PhoneApi {
  constructor(private readonly token: () => string) {}

  stockAcross(variantIds: readonly string[]): Promise<StockAcross> {
    return call('GET', `/inventory/stock/across?variant=${variantIds.map(encodeURIComponent).join(',')}`, stockAcrossSchema, { token: this.token() }).then((r) => r.locations);
  }

  /** Transfers this store sends (drafts to pick) and receives (in transit here). */
  async transfers(location: string): Promise<TransferWithDirection[]> {
    return (await call('GET', `/inventory/transfers?location=${encodeURIComponent(location)}`, transferListSchema, { token: this.token() })).transfers;
  }

  /** A queued call (outbox): the path and body as recorded. */
  post(path: string, body: unknown): Promise<unknown> {
    return call('POST', path, transferAnswer.or(z.unknown()), { token: this.token(), ...(body !== undefined ? { body } : {}) });
  }

  /** A manager's PIN → their staff session on this phone (checked by the server, never stored). */
  pinSession(pin: string): Promise<z.infer<typeof pinAnswer>> {
    return call('POST', '/auth/pin', pinAnswer, { token: this.token(), body: { pin } });
  }

  approveCount(countId: string, staffToken: string): Promise<z.infer<typeof approveAnswer>> {
    return call('POST', `/inventory/counts/${encodeURIComponent(countId)}/approve`, approveAnswer, { token: staffToken });
  }
}

export const shipPath = (transferId: string) => `/inventory/transfers/${encodeURIComponent(transferId)}/ship`;
export const receivePath = (transferId: string) => `/inventory/transfers/${encodeURIComponent(transferId)}/receive`;

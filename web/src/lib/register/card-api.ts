import { z } from 'zod';
import { call } from '../api/client.ts';

/**
 * What the register asks the server about card payments (`/api/v1/payments`, docs/API.md "Card
 * payments"), with its device token. Every answer is checked; failures come out of the one funnel in
 * api/client.ts as `ApiError` (status 0: the server could not be reached).
 */

const STATUSES = ['requires_payment_method', 'requires_confirmation', 'requires_action', 'processing', 'requires_capture', 'succeeded', 'canceled'] as const;

export const serverCardPaymentSchema = z.object({
  paymentId: z.string(),
  saleId: z.string(),
  intentId: z.string(),
  status: z.enum(STATUSES),
  amount: z.number().int(),
  currency: z.string(),
  amountReceived: z.number().int(),
  amountRefunded: z.number().int(),
  lastError: z.object({ code: z.string().nullable(), declineCode: z.string().nullable(), message: z.string() }).nullable(),
  stale: z.boolean().optional()
});
export type ServerCardPayment = z.infer<typeof serverCardPaymentSchema>;

const paymentAnswer = z.object({ payment: serverCardPaymentSchema });
const readersAnswer = z.object({ readers: z.array(z.object({ readerId: z.string(), label: z.string(), registerId: z.string().nullable() })) });
const refundAnswer = z.object({ refund: z.object({ returnId: z.string(), refundId: z.string(), amount: z.number().int() }), payment: serverCardPaymentSchema });

export interface CardPaymentApi {
  readers(): Promise<z.infer<typeof readersAnswer>['readers']>;
  create(body: { paymentId: string; saleId: string; amount: number; currency: string }): Promise<ServerCardPayment>;
  process(paymentId: string, readerId: string): Promise<void>;
  status(paymentId: string): Promise<ServerCardPayment>;
  cancel(paymentId: string): Promise<ServerCardPayment>;
  capture(paymentId: string): Promise<ServerCardPayment>;
  refund(paymentId: string, body: { returnId: string; amount: number }): Promise<z.infer<typeof refundAnswer>>;
}

const path = (paymentId: string, tail = '') => `/payments/${encodeURIComponent(paymentId)}${tail}`;

export function cardPaymentApi(token: () => string): CardPaymentApi {
  return {
    readers: async () => (await call('GET', '/payments/readers', readersAnswer, { token: token() })).readers,
    create: async (body) => (await call('POST', '/payments', paymentAnswer, { token: token(), body })).payment,
    process: async (paymentId, readerId) => void (await call('POST', path(paymentId, '/process'), z.unknown(), { token: token(), body: { readerId } })),
    status: async (paymentId) => (await call('GET', path(paymentId), paymentAnswer, { token: token() })).payment,
    cancel: async (paymentId) => (await call('POST', path(paymentId, '/cancel'), paymentAnswer, { token: token(), body: {} })).payment,
    capture: async (paymentId) => (await call('POST', path(paymentId, '/capture'), paymentAnswer, { token: token(), body: {} })).payment,
    refund: (paymentId, body) => call('POST', path(paymentId, '/refunds'), refundAnswer, { token: token(), body })
  };
}

import { z } from 'zod';
import { call } from './client.ts';

/** Browser calls of Settings → Messages (docs/API.md "Messages"). */

export const MESSAGE_STATUSES = ['queued', 'sending', 'retrying', 'sent', 'failed', 'suppressed', 'unconfirmed'] as const;
export type MessageStatus = (typeof MESSAGE_STATUSES)[number];

export const messageSchema = z.object({
  id: z.string(),
  createdAt: z.string(),
  queuedAt: z.string(),
  channel: z.enum(['email', 'sms']),
  template: z.string(),
  templateLabel: z.string(),
  to: z.string(),
  locationCode: z.string().nullable(),
  status: z.enum(MESSAGE_STATUSES),
  attempts: z.number(),
  generation: z.number(),
  nextAttemptAt: z.string().nullable(),
  providerId: z.string().nullable(),
  sentAt: z.string().nullable(),
  error: z.object({ code: z.string(), message: z.string(), permanent: z.boolean(), at: z.string() }).nullable(),
  history: z.array(z.object({ n: z.number(), generation: z.number(), at: z.string(), outcome: z.string(), code: z.string().optional(), message: z.string().optional(), providerId: z.string().optional(), by: z.string().optional() }))
});
export type Message = z.infer<typeof messageSchema>;

const channelStatus = z.object({ configured: z.boolean(), from: z.string().nullable(), missing: z.array(z.string()) });
export const messagesPageSchema = z.object({ messages: z.array(messageSchema), nextCursor: z.string().nullable(), channels: z.object({ email: channelStatus, sms: channelStatus }) });
export type MessagesPage = z.infer<typeof messagesPageSchema>;

export const suppressionSchema = z.object({ channel: z.enum(['email', 'sms']), address: z.string(), reason: z.enum(['bounce', 'unsubscribe']), scope: z.enum(['all', 'notification']), detail: z.string().nullable(), createdAt: z.string() });
export type Suppression = z.infer<typeof suppressionSchema>;

function query(params: Record<string, string | number | undefined | null>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

export const messagesApi = {
  list: (token: string, status: MessageStatus | '', cursor: string | null, limit = 25) => call('GET', `/messages${query({ status, cursor, limit })}`, messagesPageSchema, { token }),
  resend: (token: string, id: string) => call('POST', `/messages/${encodeURIComponent(id)}/resend`, z.object({ message: messageSchema }), { token }),
  suppressions: (token: string) => call('GET', '/messages/suppressions', z.object({ suppressions: z.array(suppressionSchema) }), { token }),
  unsuppress: (token: string, channel: 'email' | 'sms', address: string) => call('POST', '/messages/suppressions/remove', z.object({ removed: z.boolean() }), { token, body: { channel, address } }),
  digest: (token: string, kind: 'low_stock' | 'sync') => call('POST', '/messages/digest', z.object({ id: z.string(), to: z.string(), items: z.number() }), { token, body: { kind } }),
  describeUnsubscribe: (token: string) => call('GET', `/unsubscribe${query({ token })}`, z.object({ tenantName: z.string(), channel: z.enum(['email', 'sms']), address: z.string() })),
  unsubscribe: (token: string) => call('POST', `/unsubscribe${query({ token })}`, z.object({ unsubscribed: z.literal(true), tenantName: z.string(), channel: z.enum(['email', 'sms']), address: z.string() }))
};

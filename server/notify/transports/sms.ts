import twilio from 'twilio';

/**
 * Text messages through Twilio's Messages API with the official client. `TWILIO_API_BASE` points the
 * client at another host (a regional endpoint, a proxy, a test server speaking the same API): the
 * client builds `https://api.twilio.com/2010-04-01/…` and hands it to its `httpClient`; ours is the
 * client's own RequestClient with the origin swapped, as twilio-node's "custom HTTP client" guide
 * describes. Everything else (form encoding, basic auth, errors as RestException) is the client's.
 */
export interface SmsTransport {
  readonly from: string;
  send(to: string, body: string): Promise<{ providerId: string; status: string }>;
  /**
   * A message we may have sent (the server stopped before recording the answer): the newest message
   * to `to` from our number with exactly this body, created at or after `since`. Twilio has no
   * idempotency key for creating messages, so this look-up is how a recovered attempt avoids a second text.
   */
  find(to: string, matches: (body: string) => boolean, since: Date): Promise<{ providerId: string; status: string } | null>;
}

export class RebasedRequestClient extends twilio.RequestClient {
  constructor(private readonly base: URL) {
    super({ timeout: 30_000, autoRetry: false });
  }

  override request<TData>(opts: Parameters<InstanceType<typeof twilio.RequestClient>['request']>[0]) {
    const uri = new URL(opts.uri);
    if (uri.hostname === 'twilio.com' || uri.hostname.endsWith('.twilio.com')) {
      const prefix = this.base.pathname.replace(/\/$/, '');
      opts = { ...opts, uri: `${this.base.origin}${prefix}${uri.pathname}${uri.search}` };
    }
    return super.request<TData>(opts as never);
  }
}

export function twilioTransport(cfg: { accountSid: string; authToken: string; from: string; apiBase?: string | undefined }): SmsTransport {
  const client = twilio(cfg.accountSid, cfg.authToken, {
    autoRetry: false,
    ...(cfg.apiBase ? { httpClient: new RebasedRequestClient(new URL(cfg.apiBase)) } : { timeout: 30_000 })
  });
  const fromField = cfg.from.startsWith('MG') ? { messagingServiceSid: cfg.from } : { from: cfg.from };
  return {
    from: cfg.from,
    async send(to, body) {
      const m = await client.messages.create({ to, body, ...fromField });
      return { providerId: m.sid, status: m.status };
    },
    async find(to, matches, since) {
      const list = await client.messages.list({ to, ...(cfg.from.startsWith('MG') ? {} : { from: cfg.from }), limit: 50 });
      // newest first; a clock skew of a minute between us and the provider is allowed for
      const found = list.find((m) => matches(m.body) && m.dateCreated.getTime() >= since.getTime() - 60_000);
      return found ? { providerId: found.sid, status: found.status } : null;
    }
  };
}

/**
 * What a provider's answer means for a message. Pure and table-tested (outcome.test.ts):
 * - temporary: try again later (SMTP 4xx, connection trouble, Twilio 429/5xx, bad credentials that an
 *   operator will fix);
 * - permanent: never retry this message (SMTP 5xx for the message, Twilio 4xx);
 * - bounce: permanent, and the address itself is bad: it goes on the tenant's suppression list
 *   (SMTP 5xx at RCPT TO, e.g. 550 user unknown; Twilio 21211 invalid number, 21614 not a mobile);
 * - unsubscribed: the recipient opted out at the carrier (Twilio 21610, they replied STOP).
 */
export type OutcomeKind = 'temporary' | 'permanent' | 'bounce' | 'unsubscribed';

export interface Outcome {
  kind: OutcomeKind;
  code: string;
  message: string;
}

interface SmtpErrorLike {
  code?: unknown;
  responseCode?: unknown;
  command?: unknown;
  response?: unknown;
  message?: unknown;
  rejected?: unknown;
}

/** Network-level nodemailer error codes: the message never reached a verdict. */
const SMTP_NETWORK = new Set(['ECONNECTION', 'ETIMEDOUT', 'ESOCKET', 'EDNS', 'ECONNREFUSED', 'ECONNRESET', 'ETLS', 'EPROXY']);

const clip = (s: string, n = 300) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

export function smtpOutcome(err: unknown): Outcome {
  const e = (typeof err === 'object' && err !== null ? err : {}) as SmtpErrorLike;
  const code = typeof e.code === 'string' ? e.code : 'ERROR';
  const status = typeof e.responseCode === 'number' ? e.responseCode : undefined;
  const text = clip(typeof e.response === 'string' ? e.response : typeof e.message === 'string' ? e.message : String(err));
  if (status === undefined || SMTP_NETWORK.has(code)) return { kind: 'temporary', code: status ? String(status) : code, message: text };
  if (status >= 400 && status < 500) return { kind: 'temporary', code: String(status), message: text };
  // 535 authentication failed / 530 auth required: our configuration, not the message; keep it queued.
  if (status === 530 || status === 535 || code === 'EAUTH') return { kind: 'temporary', code: String(status), message: text };
  const atRecipient = code === 'EENVELOPE' && (e.command === 'RCPT TO' || (Array.isArray(e.rejected) && e.rejected.length > 0));
  if (status >= 500 && atRecipient && [550, 551, 553, 501, 510, 511].includes(status)) return { kind: 'bounce', code: String(status), message: text };
  return { kind: 'permanent', code: String(status), message: text };
}

interface TwilioErrorLike {
  status?: unknown;
  code?: unknown;
  message?: unknown;
}

/** Twilio error codes that say the number itself is no good (https://www.twilio.com/docs/api/errors). */
const TWILIO_BAD_NUMBER = new Set([21211, 21614, 21217, 21401, 21407, 21408, 21612]);
const TWILIO_UNSUBSCRIBED = 21610;
/** Account-level problems an operator fixes (auth, suspended account, from number): retry later. */
const TWILIO_OPERATOR = new Set([20003, 20005, 21606, 21659, 30002]);

export function twilioOutcome(err: unknown): Outcome {
  const e = (typeof err === 'object' && err !== null ? err : {}) as TwilioErrorLike;
  const status = typeof e.status === 'number' ? e.status : undefined;
  const code = typeof e.code === 'number' ? e.code : undefined;
  const message = clip(typeof e.message === 'string' ? e.message : String(err));
  const label = code !== undefined ? String(code) : status !== undefined ? String(status) : typeof e.code === 'string' ? e.code : 'ERROR';
  if (status === undefined) return { kind: 'temporary', code: label, message };
  if (code === TWILIO_UNSUBSCRIBED) return { kind: 'unsubscribed', code: label, message };
  if (code !== undefined && TWILIO_BAD_NUMBER.has(code)) return { kind: 'bounce', code: label, message };
  if (status === 429 || status >= 500 || status === 401 || (code !== undefined && TWILIO_OPERATOR.has(code))) return { kind: 'temporary', code: label, message };
  return { kind: 'permanent', code: label, message };
}

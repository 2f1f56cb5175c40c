import nodemailer, { type Transporter } from 'nodemailer';
import type { RenderedEmail } from '../types.ts';

/**
 * Email through nodemailer over SMTP (`SMTP_URL`, a nodemailer connection URL). Timeouts are set so an
 * attempt always ends well inside its claim (worker.ts): a hung server must not leave a message
 * "sending" past the point where it is treated as crashed.
 */
export interface OutgoingEmail extends RenderedEmail {
  to: string;
  /** stable per outbox document and generation: `<…@domain>` (recipients' clients can recognise a duplicate) */
  messageId: string;
  headers: Record<string, string>;
}

export interface EmailTransport {
  readonly from: string;
  send(mail: OutgoingEmail): Promise<{ providerId: string }>;
  close(): void;
}

/** Every SMTP step (connect, greeting, each command) ends within these; the whole attempt well under the claim. */
export const SMTP_TIMEOUTS = { connectionTimeout: 15_000, greetingTimeout: 15_000, socketTimeout: 30_000 } as const;

export function smtpTransport(url: string, from: string): EmailTransport {
  const transporter: Transporter = nodemailer.createTransport(url, { from, ...SMTP_TIMEOUTS, disableFileAccess: true, disableUrlAccess: true });
  return {
    from,
    async send(mail) {
      const info = await transporter.sendMail({
        from,
        to: mail.to,
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
        messageId: mail.messageId,
        headers: mail.headers,
        attachments: mail.attachments.map((a) => ({ filename: a.filename, content: a.content, contentType: a.contentType, ...(a.cid ? { cid: a.cid } : {}) }))
      });
      // the server's queue id is in its answer ("250 OK queued as …"); the Message-ID identifies it for us
      const queued = /queued as ([^\s]+)/i.exec(String(info.response ?? ''))?.[1];
      return { providerId: queued ? `${info.messageId} (${queued})` : String(info.messageId) };
    },
    close() {
      transporter.close();
    }
  };
}

/** The domain for Message-IDs: MAIL_FROM's ("Shop <pos@shop.example>" → shop.example). */
export function fromDomain(from: string): string {
  const m = /@([A-Za-z0-9.-]+)>?\s*$/.exec(from.trim());
  return m?.[1]?.toLowerCase() ?? 'pos.invalid';
}

import fs from 'node:fs';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer, type SMTPServerAddress, type SMTPServerSession } from 'smtp-server';

/**
 * A real SMTP server for tests (smtp-server), on a free port of 127.0.0.1: it accepts what the
 * server under test sends through nodemailer, exactly as a mail relay would, and keeps every message
 * (raw and parsed with mailparser). Tests script its answers: reject a recipient with a 5xx, answer
 * the next messages with a 4xx, or run a hook when a message has arrived (to crash the sender
 * between the server's receipt and its own record of it).
 */
export interface CapturedMail {
  envelope: { from: string; to: string[] };
  raw: Buffer;
  parsed: ParsedMail;
}

type SmtpError = Error & { responseCode?: number };

const smtpError = (code: number, message: string): SmtpError => Object.assign(new Error(message), { responseCode: code });

export class MailSink {
  readonly messages: CapturedMail[] = [];
  /** recipient (lowercase) → permanent SMTP code, e.g. 550 */
  readonly rejectRecipients = new Map<string, number>();
  /** answers for the next messages after DATA, e.g. [451, 451] = two temporary failures */
  readonly failNext: number[] = [];
  /** runs when a message is fully received, before the server answers 250 (return false to not answer) */
  onMessage: ((m: CapturedMail) => boolean | void) | null = null;
  private server: SMTPServer;
  private waiters: (() => void)[] = [];
  port = 0;

  constructor(private readonly dir?: string) {
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onRcptTo: (address: SMTPServerAddress, _s: SMTPServerSession, cb: (err?: Error | null) => void) => {
        const code = this.rejectRecipients.get(address.address.toLowerCase());
        cb(code ? smtpError(code, code >= 500 ? 'No such user here' : 'Mailbox busy, try later') : null);
      },
      onData: (stream, session, cb) => {
        const chunks: Uint8Array[] = [];
        stream.on('data', (c: Uint8Array) => chunks.push(c));
        stream.on('end', () => {
          const fail = this.failNext.shift();
          if (fail) return cb(smtpError(fail, fail >= 500 ? 'Message rejected' : 'Temporary local problem, try again later'));
          const raw = Buffer.concat(chunks);
          void simpleParser(raw, { keepCidLinks: true }).then((parsed) => {
            const env = session.envelope;
            const m: CapturedMail = { envelope: { from: env.mailFrom ? env.mailFrom.address : '', to: env.rcptTo.map((r) => r.address) }, raw, parsed };
            this.messages.push(m);
            if (this.dir) fs.writeFileSync(path.join(this.dir, `${Date.now()}-${this.messages.length}.eml`), new Uint8Array(raw));
            for (const w of this.waiters.splice(0)) w();
            const answer = this.onMessage?.(m);
            if (answer !== false) cb(null);
          }, cb);
        });
      }
    });
  }

  async start(): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, '127.0.0.1', () => resolve());
    });
    this.port = (this.server.server.address() as AddressInfo).port;
    return this.url;
  }

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  /** Messages to `to`, parsed. */
  to(address: string): CapturedMail[] {
    return this.messages.filter((m) => m.envelope.to.some((t) => t.toLowerCase() === address.toLowerCase()));
  }

  /** Resolves once `n` messages to `to` have arrived (or rejects after `ms`). */
  async waitFor(to: string, n = 1, ms = 60_000): Promise<CapturedMail[]> {
    const deadline = Date.now() + ms;
    while (this.to(to).length < n) {
      if (Date.now() > deadline) throw new Error(`expected ${n} message(s) to ${to}, got ${this.to(to).length}`);
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, 200);
      });
    }
    return this.to(to);
  }

  stop(): Promise<void> {
    return new Promise((r) => this.server.close(() => r()));
  }
}

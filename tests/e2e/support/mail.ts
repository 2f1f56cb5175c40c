import fs from 'node:fs';
import path from 'node:path';
import { simpleParser, type ParsedMail } from 'mailparser';
import { expect, machine } from './test.ts';

/**
 * The e2e server's email, as the local SMTP server the runner started received it (one .eml file
 * per message in E2E_MAIL_DIR, see playwright.config.ts), parsed with mailparser.
 */
const DIR = process.env.E2E_MAIL_DIR ?? '';

export async function mailTo(address: string): Promise<ParsedMail[]> {
  if (!DIR) throw new Error('E2E_MAIL_DIR is not set: run through playwright.config.ts');
  const out: ParsedMail[] = [];
  for (const f of fs.readdirSync(DIR).filter((n) => n.endsWith('.eml')).sort()) {
    const parsed = await simpleParser(fs.readFileSync(path.join(DIR, f)), { keepCidLinks: true });
    const to = Array.isArray(parsed.to) ? parsed.to : parsed.to ? [parsed.to] : [];
    if (to.some((a) => a.value.some((v) => v.address?.toLowerCase() === address.toLowerCase()))) out.push(parsed);
  }
  return out;
}

/** Waits until `n` messages to `address` have arrived; returns them (oldest first). */
export async function waitForMail(address: string, n = 1, timeout = machine(60_000)): Promise<ParsedMail[]> {
  await expect.poll(async () => (await mailTo(address)).length, { timeout, message: `${n} email(s) to ${address}` }).toBeGreaterThanOrEqual(n);
  return mailTo(address);
}

import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.ts';

describe('loadConfig', () => {
  it('applies defaults', () => {
    const c = loadConfig({});
    expect(c.PORT).toBe(3000);
    expect(c.SEED_DEMO).toBe(true);
    expect(c.SEED_HISTORY_DAYS).toBe(90);
    expect(c.COUCH_URL).toBeUndefined();
    // email and SMS are optional: absent means "not configured", messages stay queued
    expect(c.SMTP_URL).toBeUndefined();
    expect(c.NOTIFY_RATE_PER_MIN).toBe(60);
  });
  it('takes a complete email and SMS configuration', () => {
    const c = loadConfig({ SMTP_URL: 'smtps://u:p@mail.example.com:465', MAIL_FROM: 'Shop <pos@shop.example>', TWILIO_ACCOUNT_SID: `AC${'a'.repeat(32)}`, TWILIO_AUTH_TOKEN: 'secret-token', TWILIO_FROM: '+15550100', TWILIO_API_BASE: 'http://127.0.0.1:9999' });
    expect(c).toMatchObject({ MAIL_FROM: 'Shop <pos@shop.example>', TWILIO_FROM: '+15550100' });
  });
  it.each([
    [{ PORT: 'abc' }, 'PORT'],
    [{ COUCH_URL: 'not a url' }, 'COUCH_URL'],
    [{ COUCH_URL: 'http://couch:5984' }, 'COUCH_USER'],
    [{ JWT_SECRET: 'short' }, 'JWT_SECRET'],
    [{ SEED_DEMO: 'maybe' }, 'SEED_DEMO'],
    [{ SEED_HISTORY_DAYS: '-1' }, 'SEED_HISTORY_DAYS'],
    [{ SEED_HISTORY_DAYS: '1000' }, 'SEED_HISTORY_DAYS'],
    [{ INTEGRATIONS_KEY: 'too-short' }, 'INTEGRATIONS_KEY'],
    [{ SHOPIFY_API_KEY: 'k' }, 'SHOPIFY_API_SECRET'],
    [{ SMTP_URL: 'http://mail:25', MAIL_FROM: 'a@b.c' }, 'SMTP_URL'],
    [{ SMTP_URL: 'smtp://mail:25' }, 'MAIL_FROM'],
    [{ TWILIO_ACCOUNT_SID: `AC${'0'.repeat(32)}`, TWILIO_AUTH_TOKEN: 'secret-token' }, 'TWILIO_FROM'],
    [{ TWILIO_ACCOUNT_SID: 'ACnope', TWILIO_AUTH_TOKEN: 'secret-token', TWILIO_FROM: '+15550100' }, 'TWILIO_ACCOUNT_SID'],
    [{ TWILIO_API_BASE: 'not a url' }, 'TWILIO_API_BASE'],
    [{ TAXJAR_API_URL: 'not a url' }, 'TAXJAR_API_URL']
  ])('names the bad variable in one line: %o', (env, name) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(new RegExp(`^Invalid configuration: ${name} `));
  });
});

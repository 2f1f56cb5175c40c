import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.ts';

describe('loadConfig', () => {
  it('applies defaults', () => {
    const c = loadConfig({});
    expect(c.PORT).toBe(3000);
    expect(c.SEED_DEMO).toBe(true);
    expect(c.COUCH_URL).toBeUndefined();
  });
  it.each([
    [{ PORT: 'abc' }, 'PORT'],
    [{ COUCH_URL: 'not a url' }, 'COUCH_URL'],
    [{ COUCH_URL: 'http://couch:5984' }, 'COUCH_USER'],
    [{ JWT_SECRET: 'short' }, 'JWT_SECRET'],
    [{ SEED_DEMO: 'maybe' }, 'SEED_DEMO'],
    [{ INTEGRATIONS_KEY: 'too-short' }, 'INTEGRATIONS_KEY'],
    [{ SHOPIFY_API_KEY: 'k' }, 'SHOPIFY_API_SECRET']
  ])('names the bad variable in one line: %o', (env, name) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(new RegExp(`^Invalid configuration: ${name} `));
  });
});

import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../config.ts';
import { allowList, allowListProblem, bearerMatches, metricsGate } from './access.ts';

const TOKEN = 'a-metrics-token-of-32-characters';

describe('allowList', () => {
  it('matches single addresses and CIDRs of both families', () => {
    const ok = allowList('10.1.0.0/16, 192.168.1.5,fd00::/8, ::1');
    expect(ok('10.1.200.3')).toBe(true);
    expect(ok('10.2.0.1')).toBe(false);
    expect(ok('192.168.1.5')).toBe(true);
    expect(ok('192.168.1.6')).toBe(false);
    expect(ok('fd12:3456::1')).toBe(true);
    expect(ok('fe80::1')).toBe(false);
    expect(ok('::1')).toBe(true);
  });
  it('matches an IPv4 client seen on a dual-stack socket', () => {
    expect(allowList('127.0.0.0/8')('::ffff:127.0.0.1')).toBe(true);
    expect(allowList('10.0.0.0/8')('::ffff:11.0.0.1')).toBe(false);
  });
  it('`none` and junk addresses match nothing', () => {
    expect(allowList('none')('127.0.0.1')).toBe(false);
    expect(allowList('127.0.0.1')('')).toBe(false);
    expect(allowList('127.0.0.1')('not an ip')).toBe(false);
  });
  it.each(['10.0.0.0/33', '::1/129', '10.0.0', 'localhost', '10.0.0.0/8/1', '10.0.0.0/x', ' , '])('refuses %j', (v) => {
    expect(allowListProblem(v)).toMatch(/IP|CIDR/);
  });
  it.each(['none', '10.0.0.0/8', '10.0.0.1, ::1', '0.0.0.0/0'])('accepts %j', (v) => {
    expect(allowListProblem(v)).toBeNull();
  });
});

describe('bearerMatches', () => {
  it('needs the exact token', () => {
    expect(bearerMatches(`Bearer ${TOKEN}`, TOKEN)).toBe(true);
    expect(bearerMatches(`bearer ${TOKEN}`, TOKEN)).toBe(true);
    expect(bearerMatches(`Bearer ${TOKEN}x`, TOKEN)).toBe(false);
    expect(bearerMatches(`Bearer ${TOKEN.slice(1)}`, TOKEN)).toBe(false);
    expect(bearerMatches(TOKEN, TOKEN)).toBe(false);
    expect(bearerMatches(`Basic ${TOKEN}`, TOKEN)).toBe(false);
    expect(bearerMatches(undefined, TOKEN)).toBe(false);
    expect(bearerMatches('Bearer ', TOKEN)).toBe(false);
  });
  it('matches nothing when no token is configured', () => {
    expect(bearerMatches('Bearer undefined', undefined)).toBe(false);
    expect(bearerMatches('Bearer ', '')).toBe(false);
  });
});

describe('metricsGate', () => {
  it('defaults to loopback only when nothing is configured', () => {
    const gate = metricsGate({});
    expect(gate('127.0.0.1', undefined)).toBe(true);
    expect(gate('::1', undefined)).toBe(true);
    expect(gate('10.0.0.1', undefined)).toBe(false);
    expect(gate('10.0.0.1', 'Bearer whatever-it-is-it-is-not-set')).toBe(false);
  });
  it('with a token and no allow-list, only the token opens it, loopback included', () => {
    const gate = metricsGate({ METRICS_TOKEN: TOKEN });
    expect(gate('127.0.0.1', undefined)).toBe(false);
    expect(gate('203.0.113.9', `Bearer ${TOKEN}`)).toBe(true);
  });
  it('an allow-list replaces the default; the token works from anywhere', () => {
    const gate = metricsGate({ METRICS_TOKEN: TOKEN, METRICS_ALLOW: '10.0.0.0/8' });
    expect(gate('10.3.2.1', undefined)).toBe(true);
    expect(gate('127.0.0.1', undefined)).toBe(false);
    expect(gate('127.0.0.1', `Bearer ${TOKEN}`)).toBe(true);
  });
});

describe('METRICS_* configuration', () => {
  it('is optional', () => {
    const c = loadConfig({});
    expect(c.METRICS_TOKEN).toBeUndefined();
    expect(c.METRICS_ALLOW).toBeUndefined();
  });
  it.each([
    [{ METRICS_TOKEN: 'short-token' }, 'METRICS_TOKEN'],
    [{ METRICS_ALLOW: '10.0.0.0/8,example.com' }, 'METRICS_ALLOW']
  ])('names the bad variable: %o', (env, name) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(new RegExp(`^Invalid configuration: ${name} `));
  });
  it('takes a token and an allow-list', () => {
    expect(loadConfig({ METRICS_TOKEN: TOKEN, METRICS_ALLOW: 'none' })).toMatchObject({ METRICS_TOKEN: TOKEN, METRICS_ALLOW: 'none' });
  });
});

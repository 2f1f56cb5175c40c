import { describe, expect, it } from 'vitest';
import { upstreamErrorKind } from '../gateway/proxy.ts';
import { decisionForStatus, finalDecision } from './gateway.ts';

describe('gateway decisions', () => {
  it.each([
    [401, 'unauthenticated'],
    [400, 'invalid'],
    [413, 'invalid'],
    [415, 'invalid'],
    [403, 'denied'],
    [404, 'denied'],
    [405, 'denied'],
    [502, 'error'],
    [503, 'error']
  ] as const)('a refusal with %i is %s', (status, decision) => {
    expect(decisionForStatus(status)).toBe(decision);
  });
  it('a recorded decision stands; no answer at all is aborted', () => {
    expect(finalDecision({ cls: 'changes', decision: 'allowed' }, { headersSent: true, statusCode: 503 })).toBe('allowed');
    expect(finalDecision({ cls: 'bulk_docs' }, { headersSent: false, statusCode: 200 })).toBe('aborted');
    expect(finalDecision({ cls: 'unknown' }, { headersSent: true, statusCode: 500 })).toBe('error');
  });
});

describe('upstreamErrorKind', () => {
  it.each([
    ['UPSTREAM_TIMEOUT', 'timeout'],
    ['ECONNREFUSED', 'connect'],
    ['ENOTFOUND', 'connect'],
    ['ECONNRESET', 'reset'],
    ['EPIPE', 'reset'],
    ['ERR_SOMETHING', 'other']
  ] as const)('%s → %s', (code, kind) => {
    expect(upstreamErrorKind(Object.assign(new Error('x'), { code }))).toBe(kind);
  });
});

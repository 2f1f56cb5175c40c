import { describe, expect, it } from 'vitest';
import { smtpOutcome, twilioOutcome } from './outcome.ts';

describe('smtpOutcome', () => {
  it.each([
    [{ code: 'EENVELOPE', responseCode: 550, command: 'RCPT TO', response: '550 5.1.1 No such user' }, 'bounce', '550'],
    [{ code: 'EENVELOPE', responseCode: 553, rejected: ['x@y'], response: '553 mailbox name not allowed' }, 'bounce', '553'],
    [{ code: 'EMESSAGE', responseCode: 552, command: 'DATA', response: '552 message too large' }, 'permanent', '552'],
    [{ code: 'EMESSAGE', responseCode: 554, command: 'DATA', response: '554 rejected as spam' }, 'permanent', '554'],
    [{ code: 'EENVELOPE', responseCode: 451, command: 'RCPT TO', response: '451 greylisted' }, 'temporary', '451'],
    [{ code: 'EMESSAGE', responseCode: 421, response: '421 too many connections' }, 'temporary', '421'],
    [{ code: 'EAUTH', responseCode: 535, response: '535 bad credentials' }, 'temporary', '535'],
    [{ code: 'ECONNECTION', message: 'connect ECONNREFUSED 127.0.0.1:25' }, 'temporary', 'ECONNECTION'],
    [{ code: 'ETIMEDOUT', message: 'Greeting never received' }, 'temporary', 'ETIMEDOUT'],
    [new Error('something odd'), 'temporary', 'ERROR']
  ])('%o → %s', (err, kind, code) => {
    expect(smtpOutcome(err)).toMatchObject({ kind, code });
  });
});

describe('twilioOutcome', () => {
  it.each([
    [{ status: 400, code: 21211, message: "The 'To' number 123 is not a valid phone number." }, 'bounce'],
    [{ status: 400, code: 21614, message: 'not a mobile number' }, 'bounce'],
    [{ status: 400, code: 21610, message: 'Attempt to send to unsubscribed recipient' }, 'unsubscribed'],
    [{ status: 400, code: 21602, message: 'Message body is required.' }, 'permanent'],
    [{ status: 429, code: 20429, message: 'Too Many Requests' }, 'temporary'],
    [{ status: 503, code: 20503, message: 'Service unavailable' }, 'temporary'],
    [{ status: 401, code: 20003, message: 'Authenticate' }, 'temporary'],
    [{ code: 'ECONNREFUSED', message: 'connect ECONNREFUSED' }, 'temporary']
  ])('%o → %s', (err, kind) => {
    expect(twilioOutcome(err).kind).toBe(kind);
  });
});

/**
 * Password strength rules, shared: the server enforces them on every password change and the admin
 * form shows the same problems as the user types. Length beats complexity (NIST SP 800-63B), so the
 * rules are a minimum length, some variety, and refusing passwords guessable from the account itself.
 */
export const PASSWORD_MIN = 10;
export const PASSWORD_MAX = 200;

/** The most-tried passwords that still pass the length rule (a credential-stuffing list's head). */
const COMMON = new Set([
  'password123',
  'password1234',
  'passw0rd123',
  'qwertyuiop',
  'qwerty12345',
  '1234567890',
  '12345678910',
  'iloveyou123',
  'letmein1234',
  'welcome123',
  'changeme123',
  'administrator',
  'abcdefghij',
  'abc1234567'
]);

export interface PasswordContext {
  email?: string;
  name?: string;
}

/** Problems with a candidate password, as short phrases a form can list; empty = acceptable. */
export function passwordProblems(password: string, ctx: PasswordContext = {}): string[] {
  const problems: string[] = [];
  if (password.length < PASSWORD_MIN) problems.push(`must be at least ${PASSWORD_MIN} characters`);
  if (password.length > PASSWORD_MAX) problems.push(`must be at most ${PASSWORD_MAX} characters`);
  if (/^\s|\s$/.test(password)) problems.push('must not start or end with a space');
  const lower = password.toLowerCase();
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((re) => re.test(password)).length;
  if (password.length >= PASSWORD_MIN && classes < 2) problems.push('must mix letters with digits, capitals or symbols');
  if (password.length > 0 && new Set(lower).size <= 3) problems.push('must not repeat the same few characters');
  if (COMMON.has(lower)) problems.push('is one of the most common passwords');
  const local = (ctx.email ?? '').toLowerCase().split('@')[0] ?? '';
  if (local.length >= 4 && lower.includes(local)) problems.push('must not contain your email address');
  const names = (ctx.name ?? '').toLowerCase().split(/\s+/).filter((n) => n.length >= 4);
  if (names.some((n) => lower.includes(n))) problems.push('must not contain your name');
  return problems;
}

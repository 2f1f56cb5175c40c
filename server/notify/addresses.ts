/**
 * Addresses as the suppression list and the providers see them. An email address compares
 * case-insensitively (in practice, though not by RFC for the local part); a phone number by its digits
 * (and a leading +), whatever spaces, dots or brackets were typed at the till. Pure.
 */
export function normaliseEmail(address: string): string {
  return address.trim().toLowerCase();
}

/** "+1 (555) 010-0199" → "+15550100199"; without a + the digits go as typed (the provider decides). */
export function normalisePhone(number: string): string {
  const digits = number.replace(/\D/g, '');
  return number.trim().startsWith('+') ? `+${digits}` : digits;
}

export function normaliseAddress(channel: 'email' | 'sms', address: string): string {
  return channel === 'email' ? normaliseEmail(address) : normalisePhone(address);
}

/** "ann@example.com" → "a…@example.com", "+15550100199" → "…0199": for logs, never the whole address. */
export function maskAddress(channel: 'email' | 'sms', address: string): string {
  if (channel === 'sms') return `…${address.slice(-4)}`;
  const at = address.lastIndexOf('@');
  return at > 0 ? `${address[0]}…${address.slice(at)}` : '…';
}

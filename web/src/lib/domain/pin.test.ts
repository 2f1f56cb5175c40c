import { describe, expect, it } from 'vitest';
import { hashPin } from './pin.ts';

describe('hashPin', () => {
  it('is deterministic per tenant salt, so a device finds the staff member with one hash', async () => {
    const a = await hashPin('4321', 'tenant-salt-aaaaaaaa');
    expect(a).toMatch(/^pbkdf2-sha256\$\d+\$[A-Za-z0-9_-]{43}$/);
    expect(await hashPin('4321', 'tenant-salt-aaaaaaaa')).toBe(a);
    expect(await hashPin('4321', 'tenant-salt-bbbbbbbb')).not.toBe(a);
    expect(await hashPin('4322', 'tenant-salt-aaaaaaaa')).not.toBe(a);
  });
  it.each(['123', '1234567', 'abcd', '12 34', ''])('rejects %j', async (pin) => {
    await expect(hashPin(pin, 'tenant-salt-aaaaaaaa')).rejects.toThrow('4 to 6 digits');
  });
});

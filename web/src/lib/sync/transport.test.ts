import { describe, expect, it } from 'vitest';
import { quietThen } from './transport.ts';

describe('quietThen', () => {
  it('a rejection nobody waits for is dropped; whoever waits still gets it', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      // fire and forget, as PouchDB's replication does with src.info()
      void quietThen(Promise.reject(new Error('link dropped'))).then(() => 'progress');
      // awaited: the error arrives
      await expect(quietThen(Promise.reject(new Error('link dropped'))).then((x) => x)).rejects.toThrow('link dropped');
      await expect(quietThen(Promise.reject(new Error('again')))).rejects.toThrow('again');
      await new Promise((r) => setTimeout(r, 20));
      expect(unhandled).toEqual([]);
      expect(await quietThen(Promise.resolve(7)).then((x) => x * 2)).toBe(14);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});

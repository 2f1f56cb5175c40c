import { describe, expect, it } from 'vitest';
import { ApiError } from '$lib/api/client';
import { LatestLoad } from './latest-load.svelte';

/** A promise settled from outside, to answer requests in any order. */
function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

describe('LatestLoad', () => {
  it('keeps the latest answer when an older one arrives after it', async () => {
    const list = new LatestLoad('Could not load.');
    const shown: string[] = [];
    const first = deferred<string>();
    const second = deferred<string>();
    const a = list.run(() => first.promise, (v) => shown.push(v));
    const b = list.run(() => second.promise, (v) => shown.push(v));
    expect(list.loading).toBe(true);
    second.resolve('page 2');
    await b;
    expect(list.loading).toBe(false);
    first.resolve('page 1 (late)');
    await a;
    expect(shown).toEqual(['page 2']);
    expect(list.loading).toBe(false);
  });

  it("shows the server's message, or the fallback, only for the latest request; a new run clears it", async () => {
    const list = new LatestLoad('Could not load.', true);
    expect(list.loading).toBe(true);
    await list.run(() => Promise.reject(new ApiError(403, 'forbidden', 'Viewing stock needs the inventory:adjust permission')), () => undefined);
    expect(list.error).toBe('Viewing stock needs the inventory:adjust permission');
    const stale = deferred<string>();
    const old = list.run(() => stale.promise, () => undefined);
    expect(list.error).toBe('');
    await list.run(() => Promise.resolve('ok'), () => undefined);
    stale.reject(new TypeError('Failed to fetch'));
    await old;
    expect(list.error).toBe('');
    await list.run(() => Promise.reject(new TypeError('Failed to fetch')), () => undefined);
    expect(list.error).toBe('Could not load.');
  });

  it('tells the page when the latest request failed (to show an empty list), never for an older one', async () => {
    const list = new LatestLoad('Could not load.');
    let failures = 0;
    const stale = deferred<string>();
    const old = list.run(() => stale.promise, () => undefined, () => failures++);
    await list.run(() => Promise.resolve('ok'), () => undefined, () => failures++);
    stale.reject(new TypeError('Failed to fetch'));
    await old;
    expect(failures).toBe(0);
    await list.run(() => Promise.reject(new TypeError('Failed to fetch')), () => undefined, () => failures++);
    expect(failures).toBe(1);
  });

  it('tells side requests whether they are still the latest', async () => {
    const list = new LatestLoad('Could not load.');
    let sideCurrent: (() => boolean) | null = null;
    await list.run(async (isCurrent) => ((sideCurrent = isCurrent), 'x'), () => undefined);
    expect(sideCurrent!()).toBe(true);
    await list.run(async () => 'y', () => undefined);
    expect(sideCurrent!()).toBe(false);
  });
});

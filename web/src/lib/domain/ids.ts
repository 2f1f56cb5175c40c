import { monotonicFactory } from 'ulid';

/**
 * Device-made ids (DESIGN.md §2): sortable and collision-free, so a document created offline is the
 * same document however many times it is pushed. The monotonic factory keeps ids strictly
 * increasing within one device even when the clock does not move between two sales.
 */
const nextUlid = monotonicFactory();

export function newUlid(now: number = Date.now()): string {
  return nextUlid(now);
}

export function newDocId(prefix: string, scope?: string): string {
  return scope ? `${prefix}:${scope}:${nextUlid()}` : `${prefix}:${nextUlid()}`;
}

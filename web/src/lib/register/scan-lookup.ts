/**
 * What a scanned code means at this register right now. A code the index lacks is only "unknown"
 * once the whole catalog is here; while it still loads (a fresh register whose snapshot did not come,
 * an index being rebuilt) the scan waits and is tried again as the catalog grows.
 */
export type ScanLookup<E> = { kind: 'found'; entry: E } | { kind: 'loading' } | { kind: 'unknown' };

export function lookUpScan<E>(code: string, find: ((code: string) => E | undefined) | null, catalogLoaded: boolean): ScanLookup<E> {
  const entry = find?.(code);
  if (entry !== undefined) return { kind: 'found', entry };
  return catalogLoaded ? { kind: 'unknown' } : { kind: 'loading' };
}


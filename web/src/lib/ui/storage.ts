/** Storage safety for enrolled devices (issue: never lose a sale to an evicted or full store). */
export const QUOTA_WARN_RATIO = 0.8;

export interface StorageStatus {
  persisted: boolean | null;
  usage: number | null;
  quota: number | null;
  nearlyFull: boolean;
}

/** Asks the browser to keep this origin's data under storage pressure (no prompt in Chromium for installed apps). */
export async function requestPersistence(): Promise<boolean | null> {
  if (!navigator.storage?.persist) return null;
  try {
    return (await navigator.storage.persisted()) || (await navigator.storage.persist());
  } catch {
    return null;
  }
}

export async function storageStatus(): Promise<StorageStatus> {
  const persisted = navigator.storage?.persisted ? await navigator.storage.persisted().catch(() => null) : null;
  const est = navigator.storage?.estimate ? await navigator.storage.estimate().catch(() => null) : null;
  const usage = est?.usage ?? null;
  const quota = est?.quota ?? null;
  return { persisted, usage, quota, nearlyFull: usage !== null && quota !== null && quota > 0 && usage / quota >= QUOTA_WARN_RATIO };
}

export function formatBytes(n: number | null): string {
  if (n === null) return 'unknown';
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(0)} KB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MB`;
  return `${(n / 1024 ** 3).toFixed(1)} GB`;
}

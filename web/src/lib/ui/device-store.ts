import type { Enrolment } from '$lib/api/client';

/**
 * The enrolled device's credential, kept in this browser. (The sync engine moves this into Dexie
 * with the rest of the device-local state.)
 */
export type StoredDevice = Pick<Enrolment, 'deviceToken' | 'device' | 'databases'>;

export function loadDevice(key: string): StoredDevice | null {
  try {
    const raw = localStorage.getItem(key);
    return raw ? (JSON.parse(raw) as StoredDevice) : null;
  } catch {
    return null;
  }
}

export function saveDevice(key: string, d: StoredDevice): void {
  localStorage.setItem(key, JSON.stringify(d));
}

export function forgetDevice(key: string): void {
  localStorage.removeItem(key);
}

import { z } from 'zod';
import { SCAN_DEFAULTS, type ScanOptions } from './scanner-core.ts';

/**
 * How this register's barcode scanner types: prefix, suffix and the timing limits a calibration scan
 * measured (scanner-core.ts). Device-local like the paired printer (a scanner belongs to the till,
 * not the store), kept in localStorage because the scan listener needs it synchronously the moment
 * the register starts, before IndexedDB has opened.
 */
export const SCANNER_SETTINGS_KEY = 'pos.scanner';

export const scannerSettingsSchema = z
  .object({
    prefix: z.string().max(8).default(''),
    suffix: z.enum(['Enter', 'Tab', 'none']).default('Enter'),
    maxGapMs: z.number().int().min(20).max(250).default(SCAN_DEFAULTS.maxGapMs),
    maxMeanMs: z.number().int().min(10).max(80).default(SCAN_DEFAULTS.maxMeanMs),
    /** what the last calibration measured, for the settings screen */
    calibratedAt: z.string().optional(),
    measured: z.object({ chars: z.number(), meanMs: z.number(), maxGapMs: z.number() }).strict().optional()
  })
  .strict();

export type ScannerSettings = z.infer<typeof scannerSettingsSchema>;

export const DEFAULT_SCANNER_SETTINGS: ScannerSettings = scannerSettingsSchema.parse({});

export function loadScannerSettings(): ScannerSettings {
  try {
    const raw = localStorage.getItem(SCANNER_SETTINGS_KEY);
    const parsed = scannerSettingsSchema.safeParse(raw ? JSON.parse(raw) : {});
    return parsed.success ? parsed.data : DEFAULT_SCANNER_SETTINGS;
  } catch {
    return DEFAULT_SCANNER_SETTINGS; // storage blocked or a hand-edited value: the defaults work for most scanners
  }
}

export function saveScannerSettings(s: ScannerSettings): ScannerSettings {
  const parsed = scannerSettingsSchema.parse(s);
  localStorage.setItem(SCANNER_SETTINGS_KEY, JSON.stringify(parsed));
  return parsed;
}

export function scanOptionsOf(s: ScannerSettings): ScanOptions {
  return { prefix: s.prefix, suffix: s.suffix, maxGapMs: s.maxGapMs, maxMeanMs: s.maxMeanMs };
}

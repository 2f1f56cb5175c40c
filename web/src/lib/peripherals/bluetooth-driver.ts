// Browser-only: printer.ts reaches this module through a dynamic import of a relative path, so
// Vite (SSR, vitest) never resolves the driver package, whose exports only have a "browser" build.
export { default as BluetoothDriver } from '@point-of-sale/webbluetooth-receipt-printer';

// Browser-only, loaded lazily by printer.ts where navigator.serial is missing but WebUSB exists.
export { serial as serialPolyfill } from 'web-serial-polyfill';

// Device apps run in the browser only (PouchDB, peripherals and device credentials live there).
export const ssr = false;
// ...so the page is an empty shell: written at build time, precached by the service worker.
export const prerender = true;

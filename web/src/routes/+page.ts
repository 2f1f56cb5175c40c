// The landing page is static: written at build time, precached by the service worker.
export const prerender = true;

// The layout makes the portal `ssr = false`: this page is an empty shell, written at build time and
// precached by the service worker so the portal opens offline (its data still needs the API).
export const prerender = true;

// `ssr = false` comes from the admin layout; prerendering writes this page's empty shell at build
// time so the service worker precaches it like the portal's home.
export const prerender = true;

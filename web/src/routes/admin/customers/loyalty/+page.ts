// `ssr = false` comes from the admin layout; the shell is prerendered (a static path: details use ?query).
export const prerender = true;

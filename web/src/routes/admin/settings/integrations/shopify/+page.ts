// Static shell (the admin layout is `ssr = false`); data comes from the API once signed in.
export const prerender = true;

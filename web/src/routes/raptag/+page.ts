// Device apps run in the browser only (PouchDB, peripherals and device credentials live there).
export const ssr = false;

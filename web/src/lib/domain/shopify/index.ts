export * from './ids.ts';
export * from './settings.ts';
export * from './catalog.ts';
export * from './stock.ts';
export * from './webhooks.ts';

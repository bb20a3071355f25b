export * from './ingest-service.js';
export * from './errors.js';
export * from './settings.js';
export type { BatchChanges } from './batch.js';
export { botInfoToRow } from './batch.js';

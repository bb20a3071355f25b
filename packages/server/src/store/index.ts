export * from './open.js';
export * from './dialect.js';
export type * from './schema.js';
export type { MigrationSource } from './migrations/index.js';
export * from './bulk.js';

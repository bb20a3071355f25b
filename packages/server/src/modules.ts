import type { HubModule } from './module.js';

/**
 * Every feature module, in registration order. Adding a module is one import and one entry
 * here; the module keeps its routes, tables, config section and tests in its own folder.
 */
export const hubModules: HubModule[] = [];

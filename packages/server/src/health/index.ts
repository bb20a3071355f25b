import type { HubModule } from '../module.js';

/** The health module (work in progress: see its issue). */
export const healthModule: HubModule = {
  name: 'health',
  register() {
    // Routes, listeners and workers are added as the module is built.
  },
};

import type { HubModule } from '../module.js';

/** The performance module (work in progress: see its issue). */
export const performanceModule: HubModule = {
  name: 'performance',
  register() {
    // Routes, listeners and workers are added as the module is built.
  },
};

import type { HubModule } from '../module.js';

/** The ops module (work in progress: see its issue). */
export const opsModule: HubModule = {
  name: 'ops',
  register() {
    // Routes, listeners and workers are added as the module is built.
  },
};

import type { HubModule } from '../module.js';

/** The web module (work in progress: see its issue). */
export const webModule: HubModule = {
  name: 'web',
  register() {
    // Routes, listeners and workers are added as the module is built.
  },
};

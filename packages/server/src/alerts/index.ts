import type { HubModule } from '../module.js';

/** The alerts module (work in progress: see its issue). */
export const alertsModule: HubModule = {
  name: 'alerts',
  register() {
    // Routes, listeners and workers are added as the module is built.
  },
};

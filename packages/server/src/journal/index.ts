import type { HubModule } from '../module.js';

/** The journal module (work in progress: see its issue). */
export const journalModule: HubModule = {
  name: 'journal',
  register() {
    // Routes, listeners and workers are added as the module is built.
  },
};

import type { HubModule } from '../module.js';

/** The integrations module (work in progress: see its issue). */
export const integrationsModule: HubModule = {
  name: 'integrations',
  register() {
    // Routes, listeners and workers are added as the module is built.
  },
};

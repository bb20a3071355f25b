import type { HubModule } from '../module.js';

/** The cluster module (work in progress: see the scale-out issue). */
export const clusterModule: HubModule = {
  name: 'cluster',
  register() {
    // Leader election and cross-instance fan-out are added as the module is built.
  },
};

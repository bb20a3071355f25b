import { alertsModule } from './alerts/index.js';
import { clusterModule } from './cluster/index.js';
import { healthModule } from './health/index.js';
import { integrationsModule } from './integrations/index.js';
import { journalModule } from './journal/index.js';
import type { HubModule } from './module.js';
import { opsModule } from './ops/index.js';
import { performanceModule } from './performance/index.js';
import { webModule } from './web/index.js';

/**
 * Every feature module, in registration order: cluster first (it installs the leader election),
 * then health (it installs the stored event log),
 * then alerts (it installs the alert sink), then the rest. Each module keeps its routes, tables,
 * config section, CLI commands and tests in its own folder.
 */
export const hubModules: HubModule[] = [
  clusterModule,
  healthModule,
  alertsModule,
  opsModule,
  journalModule,
  performanceModule,
  integrationsModule,
  webModule,
];

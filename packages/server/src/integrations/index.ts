import type { HubModule } from '../module.js';
import type { Hub } from '../hub.js';
import { registerImportCommand } from './csv/import-command.js';
import { HummingbotBridge } from './hummingbot/bridge.js';
import { registerAdapterRoutes, registerQueryTokenResolver } from './routes.js';

const bridges = new WeakMap<Hub, HummingbotBridge>();

/** The running Hummingbot bridge of a hub, if configured (tests, health checks). */
export function hummingbotBridge(hub: Hub): HummingbotBridge | undefined {
  return bridges.get(hub);
}

/**
 * Integrations: adapter endpoints for Freqtrade, LEAN/QuantConnect, TradingView and Alertmanager,
 * the Hummingbot MQTT bridge, and `tradewatch import-fills` for broker CSV exports.
 */
export const integrationsModule: HubModule = {
  name: 'integrations',
  async register(hub) {
    registerQueryTokenResolver(hub);
    await registerAdapterRoutes(hub);
  },
  async start(hub) {
    const config = hub.config.integrations.hummingbot;
    if (!config.enabled) return;
    const bridge = new HummingbotBridge(hub, config);
    bridges.set(hub, bridge);
    await bridge.start();
  },
  async stop(hub) {
    const bridge = bridges.get(hub);
    bridges.delete(hub);
    await bridge?.stop();
  },
  cli(program) {
    registerImportCommand(program);
  },
};

import type { Logger } from 'pino';

/**
 * How modules raise alerts (ProbeFailed, BackupStale, HubRecovered …) without knowing the alert
 * engine: `hub.alertSink` is replaced by the alerts module at registration.
 */
export type AlertSeverity = 'info' | 'warning' | 'critical';

export interface AlertSignal {
  /** The alert name, e.g. `ProbeFailed`. */
  name: string;
  severity: AlertSeverity;
  /** Identity labels (bot, account, symbol, probe …); with the name they form the fingerprint. */
  labels?: Record<string, string>;
  summary: string;
  description?: string;
}

export interface AlertSink {
  /** Fires (or keeps firing) the alert identified by name + labels. */
  fire(signal: AlertSignal): Promise<void>;
  /** Resolves it if firing. */
  resolve(name: string, labels?: Record<string, string>): Promise<void>;
}

export function loggingAlertSink(logger: Logger): AlertSink {
  return {
    async fire(signal) {
      logger.warn({ alert: signal }, `alert ${signal.name}: ${signal.summary}`);
    },
    async resolve(name, labels) {
      logger.info({ alert: { name, labels } }, `alert ${name} resolved`);
    },
  };
}

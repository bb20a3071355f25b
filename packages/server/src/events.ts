import type { Logger } from 'pino';

/**
 * The typed event log (GET /api/v1/events). Modules record what happened — an alert action's
 * outcome, an admin action, a recovery — through `hub.events`; the health module stores them.
 */
export const HUB_EVENT_TYPES = [
  'TRADE',
  'ORDER',
  'SIGNAL',
  'RISK',
  'SYSTEM',
  'ALERT',
  'AUDIT',
  'LOG',
] as const;
export type HubEventType = (typeof HUB_EVENT_TYPES)[number];
export const HUB_EVENT_SEVERITIES = ['debug', 'info', 'warning', 'error', 'critical'] as const;
export type HubEventSeverity = (typeof HUB_EVENT_SEVERITIES)[number];

export interface HubEvent {
  type: HubEventType;
  severity: HubEventSeverity;
  message: string;
  bot?: string | null;
  strategy?: string | null;
  tradeId?: string | null;
  /** Who did it (token name, `system`, a channel); AUDIT events always say. */
  actor?: string | null;
  context?: Record<string, unknown>;
  /** Event time; defaults to now. */
  ts?: number;
}

export interface EventRecorder {
  record(event: HubEvent): Promise<void>;
}

/** Until the health module installs the stored event log, events go to the process log. */
export function loggingRecorder(logger: Logger): EventRecorder {
  return {
    async record(event) {
      logger.info({ event }, event.message);
    },
  };
}

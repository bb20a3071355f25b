/**
 * @tradewatch/sdk — the TypeScript client trading bots use to report to a Tradewatch hub.
 * See docs/integrations.md for the five-minute path.
 */
export {
  TradewatchClient,
  newEventId,
  type ClientStats,
  type CommandHandler,
  type ConnectionState,
  type EventFields,
  type EventInput,
  type HeartbeatOptions,
  type TradewatchClientOptions,
} from './client.js';
export {
  EventValidationError,
  FlushTimeoutError,
  HubRejectedError,
  HubUnavailableError,
  TradewatchError,
} from './errors.js';
export {
  FileSpool,
  MemorySpool,
  SpoolFullError,
  type FileSpoolOptions,
  type Spool,
} from './spool.js';
export type { BotCommand, CommandAction, IngestEventInput } from '@tradewatch/protocol';

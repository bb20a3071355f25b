import { hash } from 'node:crypto';
import type { IngestEvent } from '@tradewatch/protocol';
import type { FactTable } from './ingest-repository.js';

/** A validated event with its identity: position in the batch, id, content hash. */
export interface PreparedEvent {
  index: number;
  event: IngestEvent;
  /** The client's id, or `h:<hash>` derived from the content when the event had none. */
  id: string;
  hash: string;
}

/**
 * Hash of the canonical (validated) event. Validation drops unknown fields and applies
 * defaults, so two sends of the same event hash equally whatever extra fields they carried.
 */
export function contentHash(event: IngestEvent): string {
  return hash('sha1', JSON.stringify(event), 'base64url');
}

export function prepareEvents(events: IngestEvent[]): PreparedEvent[] {
  return events.map((event, index) => {
    const h = contentHash(event);
    return { index, event, id: event.id ?? `h:${h}`, hash: h };
  });
}

/** Which table keeps an event type's facts (marks keep only the latest and minute bars). */
export function factTableOf(type: IngestEvent['type']): FactTable | null {
  switch (type) {
    case 'fill':
      return 'fills';
    case 'order':
      return 'order_events';
    case 'position':
      return 'position_snapshots';
    case 'balance':
      return 'balances';
    case 'cash_flow':
      return 'cash_flows';
    case 'signal':
      return 'signals';
    case 'heartbeat':
      return 'heartbeats';
    case 'log':
      return 'logs';
    case 'metric':
      return 'bot_metrics';
    case 'mark':
      return null;
  }
}

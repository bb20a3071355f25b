import type { ProblemDetail } from '@tradewatch/protocol';

/** Base class of every error the SDK reports. */
export class TradewatchError extends Error {
  override name = 'TradewatchError';
}

/** An event was refused before it was queued (the hub would refuse it too). */
export class EventValidationError extends TradewatchError {
  override name = 'EventValidationError';
  constructor(
    message: string,
    readonly details: ProblemDetail[],
  ) {
    super(message);
  }
}

/**
 * The hub refused events for good (400 invalid, 409 id reused with other content, 403 a bot-bound
 * token writing as another bot). Those events are dropped — retrying cannot help — and reported.
 */
export class HubRejectedError extends TradewatchError {
  override name = 'HubRejectedError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: ProblemDetail[],
    /** The refused events as they were sent. */
    readonly events: unknown[],
  ) {
    super(message);
  }
}

/** The hub could not be reached or answered 5xx/429/401; events stay spooled and are retried. */
export class HubUnavailableError extends TradewatchError {
  override name = 'HubUnavailableError';
  constructor(
    message: string,
    readonly status: number | null,
  ) {
    super(message);
  }
}

export class FlushTimeoutError extends TradewatchError {
  override name = 'FlushTimeoutError';
}

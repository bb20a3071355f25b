import type { ProblemDetail } from '@tradewatch/protocol';

/** The same event id arrived with different content: nothing of the batch is stored. */
export class IngestConflictError extends Error {
  override name = 'IngestConflictError';
  constructor(readonly details: ProblemDetail[]) {
    super(
      `${details.length} event${details.length === 1 ? '' : 's'} reuse an id with different content; nothing was stored`,
    );
  }
}

/** A bot-bound token tried to write as another bot. */
export class IngestForbiddenError extends Error {
  override name = 'IngestForbiddenError';
  constructor(readonly details: ProblemDetail[]) {
    super('this token may only write events of its own bot; nothing was stored');
  }
}

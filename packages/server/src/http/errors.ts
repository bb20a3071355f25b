import type { ErrorCode, ErrorResponse, ProblemDetail } from '@tradewatch/protocol';

const STATUS: Record<ErrorCode, number> = {
  invalid: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  too_large: 413,
  rate_limited: 429,
  not_ready: 503,
  internal: 500,
};

/** An error meant for the client: its message is safe to show (no internals, no secrets). */
export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: ProblemDetail[],
  ) {
    super(message);
  }
  get status(): number {
    return STATUS[this.code];
  }
  body(): ErrorResponse {
    return this.details
      ? { error: this.code, message: this.message, details: this.details }
      : { error: this.code, message: this.message };
  }
}

export const notFound = (what: string) => new ApiError('not_found', `${what} not found`);
export const invalid = (message: string, details?: ProblemDetail[]) =>
  new ApiError('invalid', message, details);

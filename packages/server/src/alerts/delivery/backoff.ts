/**
 * Exponential backoff with jitter: the n-th retry waits between half and all of
 * `initial × 2^(n−1)`, capped at `max`. `random` is injected so the schedule is testable.
 */
export function backoffMs(
  attempt: number,
  initialMs: number,
  maxMs: number,
  random: () => number,
): number {
  const exp = Math.min(maxMs, initialMs * 2 ** Math.max(0, Math.min(attempt - 1, 30)));
  return Math.round(exp / 2 + (exp / 2) * random());
}

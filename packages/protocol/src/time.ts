import { z } from 'zod';

/** Earliest and latest instants the hub accepts (1990 … 2200): anything else is a unit mistake. */
const MIN_TS = Date.UTC(1990, 0, 1);
const MAX_TS = Date.UTC(2200, 0, 1);

// ISO 8601 date-time that carries an explicit offset (Z or ±hh:mm): a time without one is ambiguous.
const ISO_WITH_OFFSET =
  /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|z|[+-]\d{2}:?\d{2})$/;

/** Parses a wire time (ISO 8601 with offset, or epoch milliseconds) to epoch ms, or undefined. */
export function parseWireTime(value: unknown): number | undefined {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return undefined;
    const ms = Math.trunc(value);
    return ms >= MIN_TS && ms < MAX_TS ? ms : undefined;
  }
  if (typeof value === 'string' && value.length <= 40 && ISO_WITH_OFFSET.test(value)) {
    const ms = Date.parse(value.replace(' ', 'T'));
    return Number.isFinite(ms) && ms >= MIN_TS && ms < MAX_TS ? ms : undefined;
  }
  return undefined;
}

/** A time on the wire: ISO 8601 with offset or epoch ms; parsed to epoch ms. */
export const wireTime = z.union([z.number(), z.string()]).transform((value, ctx) => {
  const ms = parseWireTime(value);
  if (ms === undefined) {
    ctx.addIssue({
      code: 'custom',
      message:
        'expected an ISO 8601 time with offset (e.g. 2026-01-02T15:04:05Z) or epoch milliseconds between 1990 and 2200',
    });
    return z.NEVER;
  }
  return ms;
});

/** Formats epoch ms as ISO 8601 UTC, the only time format the hub writes. */
export function isoUtc(ms: number): string {
  return new Date(ms).toISOString();
}

import { ApiError } from './errors.js';

/**
 * Cursors are opaque to clients: base64url JSON of the last row's sort key. A tampered cursor
 * is a 400, never a crash or an injection (values are bound parameters).
 */
export function encodeCursor(values: (string | number | null)[]): string {
  return Buffer.from(JSON.stringify(values), 'utf8').toString('base64url');
}

export function decodeCursor(
  cursor: string | undefined,
  arity: number,
): (string | number | null)[] | null {
  if (cursor === undefined || cursor === '') return null;
  try {
    const values = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (
      Array.isArray(values) &&
      values.length === arity &&
      values.every(
        (v) => v === null || typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v)),
      )
    ) {
      return values as (string | number | null)[];
    }
  } catch {
    // fall through
  }
  throw new ApiError(
    'invalid',
    'cursor is not valid: pass the next_cursor of a previous page unchanged',
    [{ path: 'cursor', message: 'malformed cursor' }],
  );
}

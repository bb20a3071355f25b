import { createHash } from 'node:crypto';
import { parseWireTime, type ProblemDetail } from '@tradewatch/protocol';

/**
 * Shared helpers of the adapters' pure mappers: every mapper turns a foreign payload into ingest
 * events (plain objects, validated afterwards by the ingest validator) or a list of problems,
 * each naming the field of the foreign payload that was wrong.
 */
export type MapResult<T = Record<string, unknown>[]> =
  { ok: true; events: T; ignored?: string } | { ok: false; problems: ProblemDetail[] };

/** A short stable id: the same parts always give the same id (idempotent replays). */
export function stableId(prefix: string, ...parts: unknown[]): string {
  const h = createHash('sha256').update(JSON.stringify(parts)).digest('base64url').slice(0, 24);
  return `${prefix}:${h}`;
}

/** Clips an id to the protocol's 128 characters, hashing the tail when it is longer. */
export function boundedId(id: string): string {
  if (id.length <= 128) return id;
  return `${id.slice(0, 100)}~${createHash('sha256').update(id).digest('base64url').slice(0, 24)}`;
}

/** Collects problems with the path of the foreign payload they concern. */
export class Problems {
  readonly list: ProblemDetail[] = [];
  constructor(private readonly index?: number) {}
  add(path: string, message: string): void {
    this.list.push(
      this.index === undefined ? { path, message } : { index: this.index, path, message },
    );
  }
  get empty(): boolean {
    return this.list.length === 0;
  }
}

export type Obj = Record<string, unknown>;

export function isObject(v: unknown): v is Obj {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** A finite number from a number or a numeric string (templates render everything as text). */
export function toNumber(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v === 'string') {
    const s = v.trim();
    if (s === '' || !/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s)) return undefined;
    const n = Number(s);
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

/** A non-empty trimmed string from a string or number; undefined for null, "", "None", "null". */
export function toText(v: unknown): string | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  if (typeof v !== 'string') return undefined;
  const s = v.trim();
  if (s === '' || s === 'None' || s === 'null' || s === 'undefined') return undefined;
  return s;
}

export function firstDefined<T>(...values: (T | undefined)[]): T | undefined {
  for (const v of values) if (v !== undefined) return v;
  return undefined;
}

/** Reads a required number, recording a problem naming the field when it is missing or bad. */
export function requireNumber(
  obj: Obj,
  keys: string[],
  problems: Problems,
  opts: { positive?: boolean; nonzero?: boolean } = {},
): number | undefined {
  const key = keys.find((k) => obj[k] !== undefined && obj[k] !== null && obj[k] !== '');
  if (key === undefined) {
    problems.add(keys[0]!, 'required');
    return undefined;
  }
  const n = toNumber(obj[key]);
  if (n === undefined) {
    problems.add(key, `expected a number, got ${JSON.stringify(obj[key]).slice(0, 60)}`);
    return undefined;
  }
  if (opts.positive && !(n > 0)) {
    problems.add(key, `must be greater than zero, got ${n}`);
    return undefined;
  }
  if (opts.nonzero && n === 0) {
    problems.add(key, 'must not be zero');
    return undefined;
  }
  return n;
}

export function requireText(obj: Obj, keys: string[], problems: Problems): string | undefined {
  for (const k of keys) {
    const t = toText(obj[k]);
    if (t !== undefined) return t;
  }
  problems.add(keys[0]!, 'required');
  return undefined;
}

const NAIVE_DATETIME = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?$/;

/**
 * A time from the formats foreign tools write: ISO 8601 with offset, epoch seconds or
 * milliseconds (numbers or numeric strings), or a naive `YYYY-MM-DD HH:MM[:SS]` taken as UTC.
 * Python's `str(datetime)` with an offset (`2024-01-02 10:00:00.123456+00:00`) is ISO enough.
 */
export function parseForeignTime(v: unknown): number | undefined {
  const n = toNumber(v);
  if (n !== undefined) {
    // Seconds until 2200 are below 7.3e9; milliseconds since 1990 are above 6.3e11.
    const ms = Math.abs(n) < 1e11 ? n * 1000 : n > 1e14 ? n / 1000 : n;
    return parseWireTime(Math.trunc(ms));
  }
  if (typeof v !== 'string') return undefined;
  const s = v.trim();
  const iso = parseWireTime(s.length > 40 ? s.replace(/(\.\d{3})\d+/, '$1') : s);
  if (iso !== undefined) return iso;
  // Python renders microseconds; the wire parser takes up to 9 fraction digits, so only an
  // over-long string needs trimming (done above). A naive time is UTC.
  const m = NAIVE_DATETIME.exec(s);
  if (m) {
    const ms = Date.UTC(
      Number(m[1]),
      Number(m[2]) - 1,
      Number(m[3]),
      Number(m[4]),
      Number(m[5]),
      Number(m[6] ?? '0'),
      m[7] ? Math.round(Number(m[7]) * 1000) : 0,
    );
    return parseWireTime(ms);
  }
  return undefined;
}

/** Bot ids are `[A-Za-z0-9][A-Za-z0-9._:-]*`, at most 64; anything else is mapped into that set. */
export function sanitizeBotId(raw: string): string {
  let s = raw.replace(/[^A-Za-z0-9._:-]/g, '-').replace(/^[^A-Za-z0-9]+/, '');
  if (s === '') s = 'bot';
  return s.slice(0, 64);
}

import type SqliteDatabase from 'better-sqlite3';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { App } from '../http/app.js';
import { ApiError } from '../http/errors.js';

/** Error codes (Node socket errors and PostgreSQL SQLSTATEs) meaning "the database is not there". */
const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  // PostgreSQL: admin_shutdown, crash_shutdown, cannot_connect_now, too_many_connections.
  '57P01',
  '57P02',
  '57P03',
  '53300',
]);
/** Messages of the pg driver and pool that carry no code. */
const UNREACHABLE_MESSAGES = [
  /connection terminated/i,
  /connection error/i,
  /timeout exceeded when trying to connect/i,
  /not queryable/i,
  /the database system is (starting up|shutting down|in recovery mode)/i,
];
const DISK_FULL_CODES = new Set(['SQLITE_FULL', 'ENOSPC', '53100']);

/**
 * SQLSTATEs for text PostgreSQL cannot store (a NUL character, an unconvertible character):
 * the client's data, not the server, is at fault, and nothing of the transaction was stored.
 */
const UNSTORABLE_TEXT_CODES = new Set(['22021', '22P05']);

export type StoreFault = 'unreachable' | 'disk_full' | 'busy' | 'unstorable_text';

/** Whether an error means the database is unavailable for a while (rather than a bug). */
export function classifyStoreFault(error: unknown): StoreFault | null {
  for (let e: unknown = error, depth = 0; e && depth < 5; depth++) {
    if (!(e instanceof Error) && typeof e !== 'object') return null;
    const raw = (e as { code?: unknown }).code;
    const code = typeof raw === 'string' || typeof raw === 'number' ? String(raw) : '';
    const message = (e as { message?: unknown }).message;
    if (DISK_FULL_CODES.has(code)) return 'disk_full';
    if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') return 'busy';
    if (UNSTORABLE_TEXT_CODES.has(code)) return 'unstorable_text';
    if (UNREACHABLE_CODES.has(code) || code.startsWith('08')) return 'unreachable';
    if (typeof message === 'string' && UNREACHABLE_MESSAGES.some((r) => r.test(message)))
      return 'unreachable';
    e = (e as { cause?: unknown }).cause;
  }
  return null;
}

const MESSAGES: Record<StoreFault, string> = {
  unreachable:
    'the database is unreachable (restarting or down); retry the same request shortly — replayed events are counted once',
  disk_full:
    'the database disk is full; nothing of this request was stored. Free disk space, then retry the same request',
  busy: 'the database is busy; retry the same request shortly — replayed events are counted once',
  unstorable_text:
    'a text field contains a character the database cannot store (NUL, \\u0000); nothing of this request was stored. Remove it and send the request again',
};

/** The client-facing error for a store fault: 400 for unstorable text, else 503 `not_ready`. */
export function storeFaultError(fault: StoreFault): ApiError {
  return new ApiError(fault === 'unstorable_text' ? 'invalid' : 'not_ready', MESSAGES[fault]);
}

const faultOf = new WeakMap<FastifyRequest, StoreFault>();

/**
 * Answers 503 `not_ready` (with Retry-After) instead of 500 when a request failed because the
 * database is unreachable, full or busy: clients and SDKs retry a 503, and the message says
 * what happened. Text PostgreSQL cannot store (NUL) is the client's: 400 `invalid`. The core error handler still logs the error; this only changes the answer.
 * Done with hooks (onError sees the error, onSend rewrites the 500) so the core handler stays.
 */
export function installStoreFaultMapping(app: App): void {
  app.addHook('onError', async (request: FastifyRequest, _reply: FastifyReply, error: Error) => {
    const fault = classifyStoreFault(error);
    if (fault) faultOf.set(request, fault);
  });
  app.addHook('onSend', async (request: FastifyRequest, reply: FastifyReply, payload: unknown) => {
    const fault = faultOf.get(request);
    if (!fault || reply.statusCode !== 500) return payload;
    const error = storeFaultError(fault);
    reply.code(error.status);
    if (error.status === 503) reply.header('retry-after', fault === 'disk_full' ? '30' : '2');
    reply.header('content-type', 'application/json; charset=utf-8');
    return JSON.stringify(error.body());
  });
}

const patched = new WeakSet<SqliteDatabase.Database>();

/**
 * SQLite rolls a transaction back by itself when a write fails with SQLITE_FULL or an I/O error;
 * Kysely then sends ROLLBACK anyway, gets "cannot rollback - no transaction is active", and
 * throws that instead of the real cause. This makes that ROLLBACK a no-op when no transaction is
 * open, so the caller sees SQLITE_FULL (and answers "disk full") rather than a riddle.
 */
export function keepSqliteErrors(sqlite: SqliteDatabase.Database): void {
  if (patched.has(sqlite)) return;
  patched.add(sqlite);
  const prepare = sqlite.prepare.bind(sqlite);
  let noop: SqliteDatabase.Statement | null = null;
  sqlite.prepare = ((source: string) => {
    if (!sqlite.inTransaction && /^\s*rollback\s*;?\s*$/i.test(source)) {
      noop ??= prepare('select 1 where 0');
      return noop;
    }
    return prepare(source);
  }) as typeof sqlite.prepare;
}

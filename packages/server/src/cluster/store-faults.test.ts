import { describe, expect, it } from 'vitest';
import { channelFor } from './index.js';
import { parseNotification } from './notifier.js';
import { classifyStoreFault, storeFaultError } from './store-faults.js';

const err = (message: string, code?: string, cause?: unknown) =>
  Object.assign(new Error(message), code === undefined ? {} : { code }, cause ? { cause } : {});

describe('classifyStoreFault', () => {
  it.each([
    [
      'connection refused',
      err('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED'),
      'unreachable',
    ],
    [
      'server shutting down',
      err('terminating connection due to administrator command', '57P01'),
      'unreachable',
    ],
    ['server starting up', err('the database system is starting up', '57P03'), 'unreachable'],
    ['connection exception class', err('connection failure', '08006'), 'unreachable'],
    ['pool lost its client', err('Connection terminated unexpectedly'), 'unreachable'],
    ['pool timeout', err('timeout exceeded when trying to connect'), 'unreachable'],
    ['wrapped in a cause', err('query failed', undefined, err('x', 'ECONNRESET')), 'unreachable'],
    ['SQLite disk full', err('database or disk is full', 'SQLITE_FULL'), 'disk_full'],
    ['PostgreSQL disk full', err('could not extend file', '53100'), 'disk_full'],
    ['no space on device', err('write failed', 'ENOSPC'), 'disk_full'],
    ['SQLite busy', err('database is locked', 'SQLITE_BUSY'), 'busy'],
    [
      'NUL in text on PostgreSQL',
      err('invalid byte sequence for encoding "UTF8": 0x00', '22021'),
      'unstorable_text',
    ],
  ])('%s → %s', (_name, error, fault) => {
    expect(classifyStoreFault(error)).toBe(fault);
  });

  it.each([
    ['a bug', new Error('undefined is not a function')],
    ['a constraint violation', err('duplicate key value violates unique constraint', '23505')],
    ['a syntax error', err('syntax error at or near "x"', '42601')],
    ['not an error', 'oops'],
    ['nothing', undefined],
  ])('leaves %s alone', (_name, error) => {
    expect(classifyStoreFault(error)).toBeNull();
  });

  it('answers text PostgreSQL cannot store with 400 invalid: the data is at fault, not the server', () => {
    const e = storeFaultError('unstorable_text');
    expect(e.status).toBe(400);
    expect(e.message).toMatch(/NUL.*nothing of this request was stored/);
  });

  it('turns a fault into a 503 not_ready that says what to do', () => {
    const e = storeFaultError('disk_full');
    expect(e.status).toBe(503);
    expect(e.body()).toEqual({
      error: 'not_ready',
      message: expect.stringContaining('Free disk space') as string,
    });
  });
});

describe('commit notifications', () => {
  it('carry the instance and the commit sequence number', () => {
    expect(parseNotification('host-1-ab:42')).toEqual({ instance: 'host-1-ab', seq: 42 });
    expect(parseNotification('a:b:7')).toEqual({ instance: 'a:b', seq: 7 });
    expect(parseNotification('nonsense')).toBeNull();
    expect(parseNotification(':5')).toBeNull();
    expect(parseNotification('x:1e400')).toBeNull();
  });

  it('use a channel per schema, so hubs sharing a server but not a schema never hear each other', () => {
    expect(channelFor('tradewatch_commits', 'public')).toBe('tradewatch_commits');
    expect(channelFor('tradewatch_commits', 'Staging')).toBe('tradewatch_commits_staging');
    expect(channelFor('tradewatch_commits', 'we"ird')).toBe('tradewatch_commits_we_ird');
    const long = channelFor('tradewatch_commits', 'x'.repeat(80));
    expect(long.length).toBeLessThanOrEqual(63);
    expect(long).not.toBe(channelFor('tradewatch_commits', 'y'.repeat(80)));
  });
});

import { describe, expect, it } from 'vitest';
import { configSchema } from '../config/index.js';
import { configuredUrl, formatHealthTable, healthExitCode } from './cli.js';

describe('tradewatch health', () => {
  it('prints checks as a table', () => {
    const text = formatHealthTable(
      {
        status: 'warn',
        releaseId: '0.1.0',
        checks: {
          'database:responseTime': [
            { observedValue: 2.1, observedUnit: 'ms', status: 'pass', time: 'x' },
          ],
          'bot:alpha:heartbeatAge': [
            {
              observedValue: 95,
              observedUnit: 's',
              status: 'warn',
              time: 'x',
              output: 'the bot is down',
            },
          ],
        },
      },
      'http://127.0.0.1:8080',
    );
    expect(text).toBe(
      [
        'http://127.0.0.1:8080: WARN (version 0.1.0)',
        '',
        'CHECK                   STATUS  VALUE   DETAIL',
        'database:responseTime   pass    2.1 ms',
        'bot:alpha:heartbeatAge  warn    95 s    the bot is down',
        '',
      ].join('\n'),
    );
  });

  it('says how to see the checks when the hub showed only the status', () => {
    expect(formatHealthTable({ status: 'pass' }, 'http://h')).toContain('read token');
  });

  it('exits non-zero on fail (and on warn with --strict)', () => {
    expect([
      healthExitCode('pass', false),
      healthExitCode('warn', false),
      healthExitCode('fail', false),
    ]).toEqual([0, 0, 1]);
    expect(healthExitCode('warn', true)).toBe(1);
  });

  it('reaches a wildcard listen address on loopback', () => {
    const config = configSchema.parse({ server: { host: '0.0.0.0', port: 9000 } });
    expect(configuredUrl(config)).toBe('http://127.0.0.1:9000');
  });
});

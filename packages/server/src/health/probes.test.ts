import { describe, expect, it } from 'vitest';
import { probesConfig } from './config.js';
import { ProbeState, statusMatches, type ProbeFetch } from './probes.js';

const T = Date.UTC(2026, 0, 5, 14, 30);

describe('probe status expectations', () => {
  it.each([
    [200, '2xx', true],
    [204, '2xx', true],
    [301, '2xx', false],
    [503, 503, true],
    [401, [200, '4xx'], true],
    [500, [200, '4xx'], false],
  ] as const)('%s against %j is %s', (status, expect_status, ok) => {
    expect(statusMatches(status, expect_status as never)).toBe(ok);
  });
});

describe('a probe', () => {
  const [config] = probesConfig.parse([
    { name: 'broker', url: 'http://127.0.0.1:9/status', failures_before_alert: 2 },
  ]);
  const answer =
    (status: number | Error): ProbeFetch =>
    async () => {
      if (status instanceof Error) throw status;
      return { status };
    };

  it('fires ProbeFailed after the configured failures in a row, and resolves once on success', async () => {
    const p = new ProbeState(config!);
    const refused = Object.assign(new TypeError('fetch failed'), {
      cause: { code: 'ECONNREFUSED' },
    });
    expect(await p.check(answer(refused), () => T)).toEqual({});
    expect(p.result).toMatchObject({ ok: false, error: 'connection failed (ECONNREFUSED)' });
    const second = await p.check(answer(500), () => T);
    expect(second.fire).toMatchObject({ name: 'ProbeFailed', labels: { probe: 'broker' } });
    expect(second.fire!.summary).not.toContain('127.0.0.1');
    expect(await p.check(answer(500), () => T)).toEqual({});
    expect(await p.check(answer(200), () => T)).toEqual({ resolve: true });
    expect(await p.check(answer(200), () => T)).toEqual({});
    expect(p.result).toMatchObject({ ok: true, statusCode: 200, at: T });
  });
});

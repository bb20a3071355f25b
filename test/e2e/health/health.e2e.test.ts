import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CLI,
  E2E_ADMIN,
  freePort,
  startHubProcess,
  type HubProcess,
} from '../../support/hub-process.js';

/**
 * Health end to end, against the BUILT hub on a real port: a real Prometheus scrapes it, a
 * SIGKILL is followed by a recovery event, SIGTERM stops cleanly, the health and watch commands
 * work from outside, and the log file rotates.
 */
const hasPrometheus = spawnSync('prometheus', ['--version']).status === 0;
if (!hasPrometheus)
  console.warn(
    '[tradewatch] Prometheus scrape e2e SKIPPED: the prometheus binary is not on PATH (apt-get install prometheus)',
  );

/** Waits for an outside process to reach a state (never for the hub's own timers). */
async function until<T>(
  what: string,
  probe: () => Promise<T | null>,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown = null;
  for (;;) {
    try {
      const v = await probe();
      if (v !== null) return v;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${String(last)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function cli(args: string[], env: Record<string, string> = {}) {
  return new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      env: { ...process.env, TRADEWATCH_CONFIG: '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (status) => resolve({ status, stdout, stderr }));
  });
}

describe('a real Prometheus scrapes the hub', () => {
  let hub: HubProcess;
  let prom: ChildProcess | null = null;
  let promDir: string;

  beforeAll(async () => {
    hub = await startHubProcess();
  });
  afterAll(async () => {
    prom?.kill('SIGTERM');
    await hub.stop();
    if (promDir) rmSync(promDir, { recursive: true, force: true });
  });

  it.skipIf(!hasPrometheus)('and its query API returns a hub metric', async () => {
    await hub.api('POST', '/api/v1/ingest', {
      events: [
        {
          type: 'fill',
          id: 'p1',
          bot: 'prom-bot',
          ts: Date.now(),
          symbol: 'ES',
          side: 'buy',
          qty: 1,
          price: 10,
        },
        { type: 'heartbeat', bot: 'prom-bot', ts: Date.now() },
      ],
    });
    promDir = mkdtempSync(path.join(tmpdir(), 'tradewatch-prom-'));
    const promPort = await freePort();
    writeFileSync(
      path.join(promDir, 'prometheus.yml'),
      [
        'global:',
        '  scrape_interval: 1s',
        'scrape_configs:',
        '  - job_name: tradewatch',
        '    metrics_path: /metrics',
        '    static_configs:',
        `      - targets: ['127.0.0.1:${hub.port}']`,
        '',
      ].join('\n'),
    );
    let output = '';
    prom = spawn(
      'prometheus',
      [
        `--config.file=${path.join(promDir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${path.join(promDir, 'data')}`,
        `--web.listen-address=127.0.0.1:${promPort}`,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    prom.stderr?.on('data', (d: Buffer) => (output += d.toString()));
    const query = async (q: string) => {
      const res = await fetch(
        `http://127.0.0.1:${promPort}/api/v1/query?query=${encodeURIComponent(q)}`,
      );
      const body = (await res.json()) as {
        data: { result: { metric: Record<string, string>; value: [number, string] }[] };
      };
      return body.data.result.length > 0 ? body.data.result : null;
    };
    const up = await until(
      'Prometheus to scrape the hub',
      () => query('up{job="tradewatch"} == 1'),
      60_000,
    ).catch((error: unknown) => {
      throw new Error(`${String(error)}\nprometheus output:\n${output.slice(-2000)}`);
    });
    expect(up[0]!.value[1]).toBe('1');
    const events = await until('the ingest counter', () =>
      query('tradewatch_ingest_events_total{type="fill"}'),
    );
    expect(events[0]!.value[1]).toBe('1');
    const bot = await until('the bot gauge', () => query('tradewatch_bot_up{bot="prom-bot"}'));
    expect(bot[0]!.value[1]).toBe('1');
  });
});

describe('crash recovery and clean shutdown', () => {
  it('SIGKILL then start records a recovery event; SIGTERM then start does not', async () => {
    const first = await startHubProcess();
    const dir = first.dir;
    try {
      await until('readiness', async () => ((await fetch(`${first.url}/readyz`)).ok ? true : null));
      await first.stop('SIGKILL');

      const second = await startHubProcess({ dir });
      await until('readiness', async () =>
        (await fetch(`${second.url}/readyz`)).ok ? true : null,
      );
      const recovered = await second.api<{
        items: { message: string; context: { downtime_ms: number } }[];
      }>('GET', '/api/v1/events?type=SYSTEM&q=unclean');
      expect(recovered.body.items).toHaveLength(1);
      expect(recovered.body.items[0]!.message).toMatch(
        /recovered from an unclean stop: down for at least \d+ s/,
      );
      expect(recovered.body.items[0]!.context.downtime_ms).toBeGreaterThanOrEqual(0);
      const alert = await until('the HubRecovered alert', async () => {
        const res = await second.api<{ items: { name: string }[] }>(
          'GET',
          '/api/v1/alerts?state=all&name=HubRecovered',
        );
        return res.status === 200 && res.body.items.length > 0 ? res.body.items : null;
      });
      expect(alert[0]!.name).toBe('HubRecovered');

      expect(await second.stop('SIGTERM')).toBe(0);
      const third = await startHubProcess({ dir });
      try {
        const events = await third.api<{ items: { message: string }[] }>(
          'GET',
          '/api/v1/events?type=SYSTEM',
        );
        const messages = events.body.items.map((e) => e.message);
        expect(messages.filter((m) => m.includes('unclean'))).toHaveLength(1);
        expect(messages).toContain('hub stopped cleanly');
      } finally {
        await third.stop();
      }
    } finally {
      // A process killed by a signal keeps exitCode null: stop() would wait for an exit already past.
      if (first.child.exitCode === null && first.child.signalCode === null)
        await first.stop('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the health and watch commands', () => {
  let hub: HubProcess;
  let receiver: Server;
  let receiverUrl: string;
  const received: Record<string, unknown>[] = [];

  beforeAll(async () => {
    hub = await startHubProcess();
    await until('readiness', async () => ((await fetch(`${hub.url}/readyz`)).ok ? true : null));
    receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        received.push(JSON.parse(body) as Record<string, unknown>);
        res.writeHead(200).end('ok');
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    const address = receiver.address();
    receiverUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/hook`;
  });
  afterAll(async () => {
    await hub.stop();
    await new Promise((r) => receiver.close(r));
  });

  it('tradewatch health prints the checks as a table and exits 0 on a healthy hub', async () => {
    const r = await cli(['health', '--url', hub.url, '--token', E2E_ADMIN]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^http:\/\/127\.0\.0\.1:\d+: (PASS|WARN)/);
    expect(r.stdout).toContain('database:responseTime');
    expect(r.stdout).toContain('datadir:writable');
    const json = await cli(['health', '--url', hub.url, '--json']);
    expect(JSON.parse(json.stdout)).toEqual({
      status: expect.stringMatching(/pass|warn/) as unknown,
    });
  });

  it('tradewatch health exits 2 when the hub does not answer', async () => {
    const r = await cli(['health', '--url', `http://127.0.0.1:${await freePort()}`]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('does not answer');
  });

  it('tradewatch watch --once notifies the webhook once when the hub is down, and when it is back', async () => {
    const state = path.join(hub.dir, 'watch-state.json');
    const ok = await cli([
      'watch',
      '--once',
      '--url',
      hub.url,
      '--webhook',
      receiverUrl,
      '--state',
      state,
    ]);
    expect(ok.status).toBe(0);
    expect(received).toEqual([]);
    const dead = `http://127.0.0.1:${await freePort()}`;
    const down = await cli([
      'watch',
      '--once',
      '--url',
      dead,
      '--webhook',
      receiverUrl,
      '--state',
      state,
    ]);
    expect(down.status).toBe(1);
    const again = await cli([
      'watch',
      '--once',
      '--url',
      dead,
      '--webhook',
      receiverUrl,
      '--state',
      state,
    ]);
    expect(again.status).toBe(1);
    expect(received).toEqual([
      expect.objectContaining({ status: 'down', severity: 'critical', hub: dead }),
    ]);
    const back = await cli([
      'watch',
      '--once',
      '--url',
      hub.url,
      '--webhook',
      receiverUrl,
      '--state',
      state,
    ]);
    expect(back.status).toBe(0);
    expect(received.map((n) => n.status)).toEqual(['down', 'up']);
  });
});

describe('structured logs', () => {
  it('logs each request with its id to a rotating file, never the token', async () => {
    const hub = await startHubProcess({
      configYaml: [
        'health:',
        '  request_log: info',
        '  log_file:',
        '    path: logs/hub.log',
        '    max_size_mb: 0.002',
        '    keep: 2',
        '',
      ].join('\n'),
    });
    try {
      for (let i = 0; i < 30; i++) {
        const res = await fetch(`${hub.url}/api/v1/portfolio`, {
          headers: { authorization: `Bearer ${E2E_ADMIN}`, 'x-request-id': `req-${i}` },
        });
        expect(res.headers.get('x-request-id')).toBe(`req-${i}`);
        expect(res.headers.get('x-response-time')).toMatch(/ms$/);
      }
    } finally {
      await hub.stop();
    }
    const logs = path.join(hub.dir, 'logs');
    const files = readdirSync(logs).sort();
    expect(files).toEqual(['hub.log', 'hub.log.1', 'hub.log.2']);
    const text = files.map((f) => readFileSync(path.join(logs, f), 'utf8')).join('');
    const lines = text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const request = lines.find((l) => l.reqId === 'req-29');
    expect(request).toMatchObject({ msg: 'request', route: '/api/v1/portfolio', status: 200 });
    expect(text).not.toContain(E2E_ADMIN);
    expect(existsSync(path.join(logs, 'hub.log.3'))).toBe(false);
  });
});

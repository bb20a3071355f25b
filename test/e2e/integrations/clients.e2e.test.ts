import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TradewatchClient } from '@tradewatch/sdk';
import type { BotCommand } from '@tradewatch/protocol';
import {
  CLI,
  E2E_ADMIN,
  freePort,
  ROOT,
  startHubProcess,
  type HubProcess,
} from '../../support/hub-process.js';

/**
 * The Python client (clients/python) and the TypeScript SDK against the BUILT hub on a real port.
 * A small control server lets the Python unittest suite stop and start the hub (the outage test:
 * the hub is down for the ~2 s the bot takes to make 20 more fills, not 30 s) and issue a halt
 * from the CLI (the kill-switch round trip, which both bots must acknowledge).
 */
const python = spawnSync('python3', ['--version'], { encoding: 'utf8' });
const hasPython = python.status === 0;
if (!hasPython) console.warn('[tradewatch] Python client e2e SKIPPED: python3 is not on PATH');

function cli(dir: string, args: string[]) {
  return spawnSync(process.execPath, [CLI, ...args], {
    cwd: dir,
    encoding: 'utf8',
    env: {
      ...process.env,
      TRADEWATCH_DATA_DIR: dir,
      TRADEWATCH_CONFIG: '',
      TRADEWATCH_ADMIN_TOKEN: E2E_ADMIN,
    },
  });
}

function createToken(dir: string, name: string, bot: string): string {
  const r = cli(dir, ['token', 'create', '--name', name, '--scope', 'ingest', '--bot', bot]);
  const token = /tw_[A-Za-z0-9_-]{20,}/.exec(r.stdout)?.[0];
  if (!token) throw new Error(`token create failed:\n${r.stdout}\n${r.stderr}`);
  return token;
}

describe.skipIf(!hasPython)('Python client and TypeScript SDK against the built hub', () => {
  let dir: string;
  let port: number;
  let hub: HubProcess;
  let control: Server;
  let controlUrl: string;
  let pyToken: string;
  let tsClient: TradewatchClient | null = null;
  const tsHalts: BotCommand[] = [];
  const tsAcks: { id: string; status: number }[] = [];
  const halts: Record<string, unknown>[] = [];
  let commandsRoute = false;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'tradewatch-e2e-clients-'));
    port = await freePort();
    hub = await startHubProcess({ dir, port });
    pyToken = createToken(dir, 'py', 'py-bot');
    const tsToken = createToken(dir, 'ts', 'ts-bot');

    // The kill switch is another module's work: the round trip runs only when its routes exist.
    const probe = await hub.api('GET', '/api/v1/commands?bot=ts-bot&wait=0');
    commandsRoute = probe.status !== 404;
    if (commandsRoute) {
      tsClient = new TradewatchClient({
        url: hub.url,
        token: tsToken,
        bot: 'ts-bot',
        commands: { waitS: 5 },
        retry: { baseDelayMs: 100, maxDelayMs: 1000 },
        fetch: async (input, init) => {
          const res = await fetch(input, init);
          const href =
            typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
          const m = /\/api\/v1\/commands\/([^/]+)\/ack$/.exec(href);
          if (m) tsAcks.push({ id: decodeURIComponent(m[1]!), status: res.status });
          return res;
        },
      });
      tsClient.onHalt((command) => {
        tsHalts.push(command);
      });
      // A bot the hub has heard from: a halt for "all" reaches the registered bots.
      tsClient.startHeartbeat({ intervalS: 30, status: 'running' });
      await tsClient.flush();
    }

    control = createServer((req, res) => {
      const reply = (body: unknown) =>
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      void (async () => {
        try {
          if (req.url === '/stop') {
            await hub.stop();
            reply({ stopped: true });
          } else if (req.url === '/start') {
            hub = await startHubProcess({ dir, port });
            reply({ started: true });
          } else if (req.url === '/halt') {
            const r = cli(dir, ['halt', '--all', '--reason', 'e2e kill-switch test']);
            if (r.status === 0) {
              halts.push({ via: 'cli', output: r.stdout });
              reply({ via: 'cli' });
            } else {
              // No CLI command yet: the admin API the CLI would call.
              const api = await hub.api('POST', '/api/v1/commands', {
                action: 'halt',
                scope: 'all',
                reason: 'e2e kill-switch test',
              });
              halts.push({ via: 'api', status: api.status, cli: r.stderr.slice(0, 200) });
              reply({ via: 'api', status: api.status });
            }
          } else {
            res.writeHead(404).end();
          }
        } catch (error) {
          res.writeHead(500).end(String(error));
        }
      })();
    });
    await new Promise<void>((r) => control.listen(0, '127.0.0.1', r));
    const a = control.address();
    controlUrl = `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`;
  });

  afterAll(async () => {
    await tsClient?.close({ timeoutMs: 1000 });
    await new Promise<void>((r) => control?.close(() => r()));
    await hub?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('passes the Python unittest suite: events, refusals, a hub outage and the halt', async () => {
    const resultFile = path.join(dir, 'python-result.json');
    const run = spawn(
      'python3',
      ['-m', 'unittest', 'discover', '-s', 'clients/python/tests', '-v'],
      {
        cwd: ROOT,
        env: {
          ...process.env,
          TRADEWATCH_URL: hub.url,
          TRADEWATCH_TOKEN: pyToken,
          TRADEWATCH_BOT: 'py-bot',
          TRADEWATCH_ADMIN_TOKEN: E2E_ADMIN,
          TRADEWATCH_TEST_CONTROL_URL: controlUrl,
          TRADEWATCH_TEST_RESULT_FILE: resultFile,
          PYTHONDONTWRITEBYTECODE: '1',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    run.stdout.on('data', (d: Buffer) => (output += d.toString()));
    run.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const code = await new Promise<number | null>((r) => run.on('exit', r));
    expect(code, output).toBe(0);
    expect(output).toMatch(/\nOK/);
    expect(output).toMatch(/test_every_fill_arrives_exactly_once_through_a_hub_outage .* ok/);

    // Asserted again from the hub's side: 25 fills, each id once.
    const fills = await hub.api<{ items: { id: string }[] }>(
      'GET',
      '/api/v1/fills?bot=py-bot&symbol=PYOUT&limit=500',
    );
    expect(fills.body.items).toHaveLength(25);
    expect(new Set(fills.body.items.map((f) => f.id)).size).toBe(25);

    if (commandsRoute) {
      const py = JSON.parse(readFileSync(resultFile, 'utf8')) as { python_acked: string };
      expect(py.python_acked).toBeTruthy();
    }
  });

  it('command round trip: a halt from the CLI reaches the Python and the TypeScript bot, both acknowledge', async (ctx) => {
    if (!commandsRoute) {
      console.warn(
        '[tradewatch] kill-switch round trip SKIPPED: GET /api/v1/commands answers 404 (the alerts module has not installed it)',
      );
      ctx.skip();
      return;
    }
    expect(halts.length, 'the Python suite issued the halt').toBeGreaterThan(0);
    console.info(`[tradewatch] the halt was issued via the ${String(halts[0]!.via)}`);
    const deadline = Date.now() + 60_000;
    while (tsAcks.filter((a) => a.status < 300).length === 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(tsHalts.map((c) => c.action)).toContain('halt');
    expect(tsAcks.some((a) => a.status < 300 && tsHalts.some((c) => c.id === a.id))).toBe(true);
  }, 90_000);
});

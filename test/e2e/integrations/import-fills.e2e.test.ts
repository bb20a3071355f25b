import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CLI,
  E2E_ADMIN,
  ROOT,
  startHubProcess,
  type HubProcess,
} from '../../support/hub-process.js';

const FIXTURES = path.join(ROOT, 'test/fixtures/csv');

/** `tradewatch import-fills` as a user runs it: the built CLI against the built hub. */
describe('tradewatch import-fills', () => {
  let hub: HubProcess;
  let token: string;
  const run = (args: string[], env: Record<string, string> = {}) =>
    spawnSync(process.execPath, [CLI, 'import-fills', ...args], {
      cwd: hub.dir,
      encoding: 'utf8',
      env: {
        ...process.env,
        TRADEWATCH_DATA_DIR: hub.dir,
        TRADEWATCH_CONFIG: '',
        TRADEWATCH_PORT: String(hub.port),
        TRADEWATCH_TOKEN: token,
        ...env,
      },
    });

  beforeAll(async () => {
    hub = await startHubProcess();
    const created = spawnSync(
      process.execPath,
      [CLI, 'token', 'create', '--name', 'csv', '--scope', 'ingest'],
      {
        cwd: hub.dir,
        encoding: 'utf8',
        env: {
          ...process.env,
          TRADEWATCH_DATA_DIR: hub.dir,
          TRADEWATCH_CONFIG: '',
          TRADEWATCH_ADMIN_TOKEN: E2E_ADMIN,
        },
      },
    );
    token = /tw_[A-Za-z0-9_-]{20,}/.exec(created.stdout)![0];
  });
  afterAll(async () => {
    await hub.stop();
    rmSync(hub.dir, { recursive: true, force: true });
  });

  it('imports a file, and a second import counts every row as a duplicate', async () => {
    const first = run([path.join(FIXTURES, 'ibkr-flex.csv'), '--format', 'ibkr', '--bot', 'ib']);
    expect(first.stdout).toContain(
      '4 trade rows — 3 accepted, 0 duplicates (already imported), 1 rejected',
    );
    expect(first.stdout).toContain('line 5: Quantity');
    expect(first.status).toBe(1);
    const again = run([
      path.join(FIXTURES, 'ibkr-flex.csv'),
      '--format',
      'ibkr',
      '--bot',
      'ib',
      '--json',
    ]);
    expect(JSON.parse(again.stdout)).toMatchObject({ accepted: 0, duplicates: 3 });
    const fills = await hub.api<{ items: unknown[] }>('GET', '/api/v1/fills?bot=ib');
    expect(fills.body.items).toHaveLength(3);
  });

  it('exits 0 for a clean file and reads the hub URL from the configuration', () => {
    const r = run([path.join(FIXTURES, 'binance.csv'), '--format', 'binance']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('4 accepted');
    expect(r.status).toBe(0);
  });

  it('a dry run needs no token and sends nothing', () => {
    const r = run([path.join(FIXTURES, 'generic-bad.csv'), '--dry-run'], { TRADEWATCH_TOKEN: '' });
    expect(r.stdout).toContain('dry run: 2 valid, 5 rejected; nothing was sent');
    expect(r.stdout).toContain('line 3: time: not a time: "yesterday"');
  });

  it('says what is wrong with a bad invocation, without a stack trace', () => {
    const noToken = run([path.join(FIXTURES, 'generic.csv')], { TRADEWATCH_TOKEN: '' });
    expect(noToken.status).toBe(1);
    expect(noToken.stderr).toMatch(/^tradewatch: give an ingest token/);
    const badFormat = run([path.join(FIXTURES, 'generic.csv'), '--format', 'xlsx']);
    expect(badFormat.stderr).toMatch(/--format must be one of generic, ibkr, binance/);
    const wrongFile = run([path.join(FIXTURES, 'generic.csv'), '--format', 'binance']);
    expect(wrongFile.stderr).toMatch(/not a Binance trade history export/);
    expect(wrongFile.stderr).not.toMatch(/\n\s+at /);
    const down = run([path.join(FIXTURES, 'generic.csv'), '--url', 'http://127.0.0.1:9']);
    expect(down.stderr).toMatch(/not reachable/);
  });
});

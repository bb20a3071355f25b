import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { sampleBatches } from '../../../packages/server/src/ops/sample-events.test-util.js';
import { CLI, freePort, startHubProcess, type HubProcess } from '../../support/hub-process.js';

/**
 * Backup, restore, export, import and migrate-store as an operator runs them: the `tradewatch`
 * command against the BUILT hub running on a real port.
 */
async function cli(args: string[], dir: string, env: Record<string, string> = {}) {
  // The port a command looks for a running hub on: the hub's, or a free one.
  const port = env.TRADEWATCH_PORT ?? String(await freePort());
  return new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: dir,
      env: {
        ...process.env,
        TRADEWATCH_CONFIG: '',
        TRADEWATCH_DATA_DIR: dir,
        ...env,
        TRADEWATCH_PORT: port,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (status) => resolve({ status, stdout, stderr }));
  });
}

const T = Date.UTC(2026, 0, 5, 14, 30);
const batches = sampleBatches({ batches: 30, perBatch: 200, start: T - 2 * 86_400_000, seed: 3 });

interface Portfolio {
  equity: number;
  realized_net: number;
  unrealized: number;
  fees: number;
  open_positions: number;
  cash_flows: number;
}
const figures = (p: Portfolio) => ({
  equity: p.equity,
  realized_net: p.realized_net,
  unrealized: p.unrealized,
  fees: p.fees,
  open_positions: p.open_positions,
  cash_flows: p.cash_flows,
});

describe('backup and restore with the tradewatch command', { timeout: 180_000 }, () => {
  const hubs: HubProcess[] = [];
  afterAll(async () => {
    for (const h of hubs) await h.stop();
  });

  it('backs up while the hub ingests, refuses to restore while it runs, restores after it stops', async () => {
    const hub = await startHubProcess();
    hubs.push(hub);
    for (const b of batches.slice(0, 10)) {
      expect((await hub.api('POST', '/api/v1/ingest', { events: b })).status).toBe(200);
    }
    // Keep ingesting over HTTP while the backup runs in another process.
    let next = 10;
    let stop = false;
    const ingesting = (async () => {
      while (!stop && next < batches.length - 3) {
        const r = await hub.api('POST', '/api/v1/ingest', { events: batches[next] });
        expect(r.status).toBe(200);
        next++;
      }
    })();
    const backup = await cli(['backup', '--json'], hub.dir, { TRADEWATCH_PORT: String(hub.port) });
    stop = true;
    await ingesting;
    // And some more after it, so the backup is certainly older than the data.
    for (const b of batches.slice(-3)) {
      expect((await hub.api('POST', '/api/v1/ingest', { events: b })).status).toBe(200);
    }
    expect(backup.stderr).toBe('');
    expect(backup.status).toBe(0);
    const made = JSON.parse(backup.stdout) as { file: string; tables: Record<string, number> };
    expect(path.dirname(made.file)).toBe(path.join(hub.dir, 'backups'));
    expect(existsSync(`${made.file}.sha256`)).toBe(true);

    const list = await cli(['restore', '--list'], hub.dir, { TRADEWATCH_PORT: String(hub.port) });
    expect(list.stdout).toContain(path.basename(made.file));
    const verify = await cli(['restore', '--verify', made.file], hub.dir, {
      TRADEWATCH_PORT: String(hub.port),
    });
    expect(verify.status).toBe(0);
    expect(verify.stdout).toMatch(/is a good backup/);
    expect(verify.stdout).toMatch(/PRAGMA integrity_check: ok/);

    const refused = await cli(['restore', made.file], hub.dir, {
      TRADEWATCH_PORT: String(hub.port),
    });
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/the hub is running/);

    const dry = await cli(['restore', '--dry-run', path.basename(made.file)], hub.dir, {
      TRADEWATCH_PORT: String(hub.port),
    });
    expect(dry.status).toBe(0);
    expect(dry.stdout).toMatch(/Nothing was changed/);
    expect(dry.stdout).toMatch(/fills\s+\d+\s+\d+\s+-\d+/);

    expect(await hub.stop()).toBe(0);
    const restored = await cli(['restore', made.file], hub.dir, {
      TRADEWATCH_PORT: String(hub.port),
    });
    expect(restored.stderr).toBe('');
    expect(restored.status).toBe(0);
    expect(restored.stdout).toMatch(/The data it replaced is in .*pre-restore\.tar\.gz/);
    expect(
      readdirSync(path.join(hub.dir, 'backups')).some((f) => f.endsWith('-pre-restore.tar.gz')),
    ).toBe(true);

    const again = await startHubProcess({ dir: hub.dir, port: hub.port });
    hubs.push(again);
    const fills = await again.api<{ items: unknown[] }>('GET', '/api/v1/fills?limit=1000');
    expect(fills.status).toBe(200);
    const count = async () => {
      let n = 0;
      let cursor: string | null = null;
      do {
        const r: { body: { items: unknown[]; next_cursor: string | null } } = await again.api(
          'GET',
          `/api/v1/fills?limit=1000${cursor ? `&cursor=${cursor}` : ''}`,
        );
        n += r.body.items.length;
        cursor = r.body.next_cursor;
      } while (cursor);
      return n;
    };
    expect(await count()).toBe(made.tables.fills);
    const audit = await again.api<{ items: { action: string; actor: string }[] }>(
      'GET',
      '/api/v1/audit',
    );
    expect(audit.body.items[0]).toMatchObject({
      action: 'backup.restore',
      actor: expect.stringMatching(/^cli:/),
    });
  });
});

describe(
  'export, import and migrate-store with the tradewatch command',
  { timeout: 180_000 },
  () => {
    const hubs: HubProcess[] = [];
    afterAll(async () => {
      for (const h of hubs) await h.stop();
    });

    it('exports every fact and imports them into a new hub with the same figures', async () => {
      const hub = await startHubProcess();
      hubs.push(hub);
      for (const b of batches)
        expect((await hub.api('POST', '/api/v1/ingest', { events: b })).status).toBe(200);
      const before = (await hub.api<Portfolio>('GET', '/api/v1/portfolio')).body;
      const file = path.join(hub.dir, 'facts.jsonl.gz');
      const exported = await cli(['export', '--out', file], hub.dir, {
        TRADEWATCH_PORT: String(hub.port),
      });
      expect(exported.status).toBe(0);
      expect(exported.stdout).toMatch(/Exported [\d,]+ events/);

      const dir = mkdtempSync(path.join(tmpdir(), 'tw-import-'));
      const imported = await cli(['import', file], dir);
      expect(imported.stderr).toBe('');
      expect(imported.status).toBe(0);
      expect(imported.stdout).toMatch(/0 already present/);
      const other = await startHubProcess({ dir });
      hubs.push(other);
      const after = (await other.api<Portfolio>('GET', '/api/v1/portfolio')).body;
      expect(figures(after)).toEqual(figures(before));

      // Into the running hub over its API: everything is already there.
      const again = await cli(
        ['import', file, '--hub', other.url, '--token', 'tw_e2e_admin_token_0123456789abcdef'],
        dir,
      );
      expect(again.status).toBe(0);
      expect(again.stdout).toMatch(/ 0 stored|already present/);
    });

    it.skipIf(!process.env.TRADEWATCH_TEST_PG_URL)(
      'migrate-store moves the hub to PostgreSQL and proves it',
      async () => {
        const hub = await startHubProcess();
        hubs.push(hub);
        for (const b of batches.slice(0, 8)) await hub.api('POST', '/api/v1/ingest', { events: b });
        expect(await hub.stop()).toBe(0);
        const name = `tw_e2e_migrate_${process.pid}`;
        const admin = new pg.Client({ connectionString: process.env.TRADEWATCH_TEST_PG_URL });
        await admin.connect();
        await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await admin.query(`CREATE DATABASE ${name}`);
        try {
          const url = new URL(process.env.TRADEWATCH_TEST_PG_URL!);
          url.pathname = `/${name}`;
          const r = await cli(
            [
              'migrate-store',
              '--from',
              `sqlite:${path.join(hub.dir, 'tradewatch.db')}`,
              '--to',
              url.toString(),
            ],
            hub.dir,
          );
          expect(r.stderr).toBe('');
          expect(r.status, r.stdout).toBe(0);
          expect(r.stdout).toMatch(
            /Verified: every compared table and the portfolio are identical/,
          );
        } finally {
          await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
          await admin.end();
        }
      },
    );
  },
);

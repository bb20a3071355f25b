import { mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import S3rver from 's3rver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlertSignal } from '../alert-sink.js';
import { startTestHub, T0, type TestHub } from '../testing/test-hub.js';
import { opsOf } from './index.js';
import { backupHealth, getMeta, META } from './jobs.js';
import { backupFileName } from './names.js';
import { S3Copy } from './s3.js';

const DAY = 86_400_000;

function recordAlerts(t: TestHub) {
  const seen: {
    op: 'fire' | 'resolve';
    name: string;
    labels?: Record<string, string>;
    summary?: string;
  }[] = [];
  t.hub.alertSink = {
    async fire(s: AlertSignal) {
      seen.push({
        op: 'fire',
        name: s.name,
        ...(s.labels ? { labels: s.labels } : {}),
        summary: s.summary,
      });
    },
    async resolve(name, labels) {
      seen.push({ op: 'resolve', name, ...(labels ? { labels } : {}) });
    },
  };
  return seen;
}

describe('scheduled backups: retention, the success time, alerts', () => {
  let t: TestHub;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'tw-jobs-'));
    t = await startTestHub('sqlite', { backup: { dir, keep_last: 2, keep_days: 3 } });
    await t.ingest([
      { type: 'fill', id: 'f1', bot: 'a', ts: T0, symbol: 'X', side: 'buy', qty: 1, price: 10 },
    ]);
  });
  afterAll(() => t.close());

  it('keeps exactly the newest keep_last plus those younger than keep_days, touching nothing else', async () => {
    writeFileSync(path.join(dir, 'notes.txt'), 'mine');
    writeFileSync(path.join(dir, 'tradewatch-backup-garbage.tar.gz'), 'not a backup name');
    const runtime = opsOf(t.hub)!;
    for (let day = 0; day < 8; day++) {
      t.clock.set(T0 + day * DAY);
      await runtime.backupNow();
    }
    // On day 7: days 7 and 6 (keep_last 2) and 5 (younger than 3 days: 7-5 = 2 < 3); day 4 is 3 days old.
    const expected = [5, 6, 7].map((d) => backupFileName(T0 + d * DAY));
    const files = readdirSync(dir).sort();
    expect(files).toEqual(
      [
        ...expected.flatMap((n) => [n, `${n}.sha256`]),
        'notes.txt',
        'tradewatch-backup-garbage.tar.gz',
      ].sort(),
    );
    // Archives and checksum files are readable by the hub's user only.
    for (const f of files.filter((n) => n.startsWith('tradewatch-backup-2'))) {
      expect((statSync(path.join(dir, f)).mode & 0o777).toString(8), f).toBe('600');
    }
    expect(await getMeta(t.hub.store, META.lastSuccessAt)).toBe(String(T0 + 7 * DAY));
    expect(await getMeta(t.hub.store, META.lastSuccessName)).toBe(expected[2]);
  });

  it('BackupFailed fires when a backup fails, and resolves with the next success', async () => {
    const alerts = recordAlerts(t);
    const runtime = opsOf(t.hub)!;
    const good = t.hub.config.backup.dir;
    // A regular file where the directory should be: mkdir fails with ENOTDIR.
    writeFileSync(path.join(dir, 'blocker'), '');
    t.hub.config.backup.dir = path.join(dir, 'blocker', 'backups');
    t.clock.advance(1000);
    await expect(runtime.backupNow()).rejects.toThrow();
    expect(alerts).toContainEqual(expect.objectContaining({ op: 'fire', name: 'BackupFailed' }));
    expect(await getMeta(t.hub.store, META.lastError)).toMatch(/ENOTDIR/);
    const checks = await runtime.healthChecks(t.clock.now());
    expect(checks[0]).toMatchObject({ key: 'backup:age', status: 'fail' });
    t.hub.config.backup.dir = good;
    t.clock.advance(1000);
    await runtime.backupNow();
    expect(alerts).toContainEqual({ op: 'resolve', name: 'BackupFailed' });
    expect((await runtime.healthChecks(t.clock.now()))[0]).toMatchObject({
      key: 'backup:age',
      status: 'pass',
    });
  });

  it('BackupStale fires when the last success is older than stale_after_hours', async () => {
    const alerts = recordAlerts(t);
    const runtime = opsOf(t.hub)!;
    t.clock.advance(37 * 3_600_000);
    expect(await runtime.checkStale()).toBe(true);
    expect(alerts).toContainEqual(expect.objectContaining({ op: 'fire', name: 'BackupStale' }));
    expect((await runtime.healthChecks(t.clock.now()))[0]).toMatchObject({ status: 'warn' });
    await runtime.backupNow();
    expect(await runtime.checkStale()).toBe(false);
    expect(alerts).toContainEqual({ op: 'resolve', name: 'BackupStale' });
  });

  it('staleness is pure arithmetic on the injected clock', () => {
    expect(backupHealth(null, 0, 36 * 3_600_000, 36)).toMatchObject({
      stale: false,
      ageS: 129_600,
    });
    expect(backupHealth(null, 0, 36 * 3_600_000 + 1000, 36).stale).toBe(true);
    expect(backupHealth(10_000, 0, 10_000, 36)).toMatchObject({ stale: false, ageS: 0 });
  });
});

describe('copies to S3-compatible storage (s3rver on loopback)', () => {
  let s3: S3rver;
  let endpoint: string;
  let t: TestHub;
  beforeAll(async () => {
    s3 = new S3rver({
      address: '127.0.0.1',
      port: 0,
      silent: true,
      directory: mkdtempSync(path.join(tmpdir(), 'tw-s3-')),
      configureBuckets: [{ name: 'backups', configs: [] }],
    });
    const address: AddressInfo = await s3.run();
    endpoint = `http://127.0.0.1:${address.port}`;
    t = await startTestHub('sqlite', {
      backup: {
        keep_last: 2,
        keep_days: 0,
        s3: {
          bucket: 'backups',
          prefix: 'hub-1/',
          endpoint,
          access_key_id: 'S3RVER',
          secret_access_key: 'S3RVER',
        },
      },
    });
  });
  afterAll(async () => {
    await t.close();
    await s3.close();
  });

  it('uploads every backup with its checksum and applies retention in the bucket', async () => {
    const runtime = opsOf(t.hub)!;
    const names: string[] = [];
    for (let i = 0; i < 3; i++) {
      t.clock.set(T0 + i * DAY);
      const r = await runtime.backupNow();
      expect(r!.s3).toMatchObject({ uploaded: true, error: null });
      names.push(r!.backup.name);
    }
    const copy = new S3Copy(t.hub.config.backup.s3!);
    try {
      expect((await copy.list()).map((b) => b.name).sort()).toEqual(names.slice(1).sort());
    } finally {
      copy.close();
    }
  });

  it('a failed upload keeps the local backup and raises BackupFailed for the s3 target', async () => {
    const alerts = recordAlerts(t);
    const s3cfg = t.hub.config.backup.s3!;
    t.hub.config.backup.s3 = { ...s3cfg, bucket: 'no-such-bucket' };
    try {
      t.clock.advance(DAY);
      const r = await opsOf(t.hub)!.backupNow();
      expect(r!.s3).toMatchObject({ uploaded: false });
      expect(r!.s3!.error).toBeTruthy();
      expect(alerts).toContainEqual(
        expect.objectContaining({ op: 'fire', name: 'BackupFailed', labels: { target: 's3' } }),
      );
      expect(await getMeta(t.hub.store, META.lastSuccessName)).toBe(r!.backup.name);
    } finally {
      t.hub.config.backup.s3 = s3cfg;
    }
  });
});

import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ROOT } from '../../support/hub-process.js';

/**
 * The deployment files: the systemd unit passes `systemd-analyze verify`, deploy/install.sh is
 * idempotent (a second run changes nothing and creates no second token), and the Dockerfile
 * and compose file keep the properties docs/deployment.md promises. No Docker engine runs
 * here, so the image is not built (said loudly below when that is the case).
 */
const hasSystemdAnalyze = spawnSync('systemd-analyze', ['--version']).status === 0;
if (!hasSystemdAnalyze) {
  console.warn('[tradewatch] systemd unit check SKIPPED: systemd-analyze is not installed');
}
const hasDockerEngine = spawnSync('docker', ['info'], { timeout: 10_000 }).status === 0;
if (!hasDockerEngine) {
  console.warn('[tradewatch] docker build SKIPPED: no Docker engine answers `docker info`');
}

const unitFile = path.join(ROOT, 'deploy/systemd/tradewatch.service');

describe('the systemd unit', () => {
  it.skipIf(!hasSystemdAnalyze)('passes systemd-analyze verify', () => {
    const r = spawnSync('systemd-analyze', ['verify', unitFile], { encoding: 'utf8' });
    expect(r.stderr.split('\n').filter((l) => l.includes('tradewatch.service'))).toEqual([]);
    expect(r.status).toBe(0);
  });

  it('has the restart policy, limits and sandbox the docs describe', () => {
    const unit = readFileSync(unitFile, 'utf8');
    for (const line of [
      'Restart=always',
      'RestartSec=10',
      'StartLimitIntervalSec=600',
      'StartLimitBurst=5',
      'User=tradewatch',
      'NoNewPrivileges=yes',
      'PrivateTmp=yes',
      'ProtectSystem=strict',
      'ReadWritePaths=/var/lib/tradewatch',
      'MemoryMax=1G',
      'LimitNOFILE=65536',
    ]) {
      expect(unit.split('\n'), line).toContain(line);
    }
    expect(unit).toMatch(/^ExecStartPost=.* health /m);
  });
});

function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (!/\.db(-wal|-shm)?$/.test(e.name)) {
        const mode = (statSync(p).mode & 0o777).toString(8);
        out[path.relative(dir, p)] =
          `${mode} ${createHash('sha256').update(readFileSync(p)).digest('hex')}`;
      }
    }
  };
  walk(dir);
  return out;
}

describe('deploy/install.sh', { timeout: 120_000 }, () => {
  const root = mkdtempSync(path.join(tmpdir(), 'tw-install-'));
  const run = () =>
    spawnSync('sh', [path.join(ROOT, 'deploy/install.sh'), '--root', root, '--in-place'], {
      encoding: 'utf8',
      env: { ...process.env, TRADEWATCH_CONFIG: '', TRADEWATCH_ADMIN_TOKEN: '' },
    });

  it('installs the directories, configuration, unit, command and the first admin token', () => {
    const r = run();
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/creating the first admin token/);
    expect(r.stdout).toMatch(/^\s+tw_[A-Za-z0-9_-]{43}$/m);
    const mode = (p: string) => (statSync(path.join(root, p)).mode & 0o777).toString(8);
    expect(mode('var/lib/tradewatch')).toBe('750');
    expect(mode('var/lib/tradewatch/backups')).toBe('700');
    expect(mode('etc/tradewatch/tradewatch.yaml')).toBe('640');
    expect(mode('etc/tradewatch/tradewatch.env')).toBe('600');
    expect(mode('usr/local/bin/tradewatch')).toBe('755');
    const unit = readFileSync(path.join(root, 'etc/systemd/system/tradewatch.service'), 'utf8');
    expect(unit).toContain(
      `ExecStart=${process.execPath} ${ROOT}/packages/server/dist/cli/main.js serve`,
    );
  });

  it('a second run changes nothing and creates no second token', () => {
    const before = snapshot(root);
    const r = run();
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/keeping \/etc\/tradewatch\/tradewatch.yaml/);
    expect(r.stdout).toMatch(/unit .* unchanged/);
    expect(r.stdout).toMatch(/tokens exist; not creating another/);
    expect(r.stdout).not.toMatch(/tw_[A-Za-z0-9_-]{43}/);
    expect(snapshot(root)).toEqual(before);
  });

  it.skipIf(!hasSystemdAnalyze)('the installed unit verifies too', () => {
    const r = spawnSync(
      'systemd-analyze',
      ['verify', path.join(root, 'etc/systemd/system/tradewatch.service')],
      {
        encoding: 'utf8',
      },
    );
    expect(r.status).toBe(0);
  });
});

describe('the container files', () => {
  const dockerfile = readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8');
  const compose = parse(readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8')) as {
    services: Record<string, Record<string, unknown>>;
  };

  it('Dockerfile: multi-stage, pinned base, non-root, health check on /readyz', () => {
    const stages = dockerfile.match(/^FROM /gm) ?? [];
    expect(stages.length).toBeGreaterThanOrEqual(2);
    expect(dockerfile).toMatch(/^FROM node:20-bookworm-slim AS build$/m);
    const final = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
    expect(final).toMatch(/^USER node$/m);
    expect(final).toMatch(/^HEALTHCHECK .*\n.*\/readyz/m);
    expect(final).not.toMatch(/g\+\+|make /);
    expect(dockerfile).toMatch(/npm ci /);
    expect(dockerfile).not.toMatch(/npm install/);
  });

  it('.dockerignore keeps secrets, data and local builds out of the build context', () => {
    const ignore = readFileSync(path.join(ROOT, '.dockerignore'), 'utf8').split('\n');
    for (const entry of [
      '**/node_modules',
      '**/dist',
      'data',
      '.env',
      '*.env',
      'tradewatch.yaml',
      '.git',
    ]) {
      expect(ignore).toContain(entry);
    }
  });

  it('compose: the hub waits for a healthy PostgreSQL; the password comes from the environment', () => {
    const { postgres, tradewatch } = compose.services;
    expect(postgres!.image).toMatch(/^postgres:15/);
    expect(postgres!.healthcheck).toBeDefined();
    expect(tradewatch!.depends_on).toEqual({ postgres: { condition: 'service_healthy' } });
    expect(tradewatch!.init).toBe(true);
    const env = tradewatch!.environment as Record<string, string>;
    expect(env.TRADEWATCH_DATABASE_URL).toContain('${POSTGRES_PASSWORD}');
    for (const service of Object.values(compose.services)) {
      for (const [k, v] of Object.entries((service.environment ?? {}) as Record<string, string>)) {
        if (/password/i.test(k)) expect(v, k).toMatch(/^\$\{/);
      }
    }
    expect(tradewatch!.ports).toEqual(['127.0.0.1:8080:8080']);
  });

  it.skipIf(!hasDockerEngine)('docker build succeeds', () => {
    const r = spawnSync('docker', ['build', '-t', 'tradewatch:e2e', ROOT], {
      encoding: 'utf8',
      timeout: 900_000,
    });
    expect(r.status, r.stderr).toBe(0);
  });
});

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, startHubProcess } from '../../support/hub-process.js';

const fresh = () => mkdtempSync(path.join(tmpdir(), 'tw-e2e-cli-'));

describe('the tradewatch command', () => {
  it('has --help on every command', { timeout: 180_000 }, async () => {
    const top = await runCli(['--help']);
    expect(top.code).toBe(0);
    const commands = [...top.stdout.matchAll(/^ {2}([a-z][a-z-]+)/gm)]
      .map((m) => m[1]!)
      .filter((c) => c !== 'help');
    expect(commands).toEqual(
      expect.arrayContaining(['serve', 'demo', 'token', 'migrate', 'rebuild', 'version']),
    );
    for (const command of commands) {
      const help = await runCli([command, '--help']);
      expect(help.code, command).toBe(0);
      expect(help.stdout, command).toContain(`Usage: tradewatch ${command}`);
    }
    for (const sub of ['create', 'list', 'revoke']) {
      expect((await runCli(['token', sub, '--help'])).code).toBe(0);
    }
  });

  it('stops on an invalid configuration file with a message naming the key and the problem', async () => {
    const dir = fresh();
    const file = path.join(dir, 'tradewatch.yaml');
    writeFileSync(
      file,
      'server:\n  port: "eighty"\naccounts:\n  - { id: main, mode: pretend }\nsurprise: 1\n',
      { mode: 0o600 },
    );
    const res = await runCli(['--config', file, 'serve'], { env: { TRADEWATCH_DATA_DIR: dir } });
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('config key "server.port"');
    expect(res.stderr).toContain('config key "accounts.0.mode"');
    expect(res.stderr).toContain('unknown key "surprise"');
    expect(res.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it(
    'creates, lists and revokes tokens, showing a secret only once',
    { timeout: 120_000 },
    async () => {
      const dir = fresh();
      const env = { TRADEWATCH_DATA_DIR: dir };
      const created = await runCli(['token', 'create', '--name', 'grafana', '--scope', 'read'], {
        env,
      });
      expect(created.code).toBe(0);
      const token = /(tw_[A-Za-z0-9_-]{20,})/.exec(created.stdout)?.[1];
      expect(token).toBeDefined();
      const bot = await runCli(
        ['token', 'create', '--name', 'alpha', '--scope', 'ingest', '--bot', 'alpha'],
        { env },
      );
      expect(bot.stdout).toContain('bound to bot alpha');
      const list = await runCli(['token', 'list'], { env });
      expect(list.stdout).toMatch(/grafana\s+read/);
      expect(list.stdout).toMatch(/alpha\s+ingest\s+alpha/);
      expect(list.stdout).not.toContain(token!);

      const hub = await startHubProcess({ dir });
      try {
        expect((await hub.api('GET', '/api/v1/portfolio', undefined, token)).status).toBe(200);
        const revoked = await runCli(['token', 'revoke', 'grafana'], { env });
        expect(revoked.stdout).toContain('Revoked 1 token');
        // A revoke from another process applies within the hub's 5 s verification cache.
        await expect
          .poll(async () => (await hub.api('GET', '/api/v1/portfolio', undefined, token)).status, {
            timeout: 8000,
            interval: 500,
          })
          .toBe(401);
      } finally {
        await hub.stop();
      }
      const bad = await runCli(['token', 'create', '--name', 'x', '--scope', 'superuser'], { env });
      expect(bad.code).toBe(1);
      expect(bad.stderr).toContain('unknown scope "superuser"');
    },
  );

  it('migrates, rebuilds an empty store and prints its version', { timeout: 60_000 }, async () => {
    const env = { TRADEWATCH_DATA_DIR: fresh() };
    expect((await runCli(['migrate'], { env })).stdout).toContain('latest schema');
    const rebuild = await runCli(['rebuild'], { env });
    expect(rebuild.code).toBe(0);
    expect(rebuild.stdout).toContain('Every projection matches the facts.');
    expect((await runCli(['version'])).stdout).toMatch(/^tradewatch \d+\.\d+\.\d+/);
  });
});

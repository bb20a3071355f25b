import type { Command } from 'commander';
import { parseScopes, TokenRepository } from '../auth/index.js';
import { appendAudit } from '../ops/audit.js';
import { systemClock } from '../time/index.js';
import { fail, loadOrExit, openConfiguredStore, type GlobalOptions } from './context.js';

export function registerTokenCommands(program: Command): void {
  const token = program.command('token').description('create, list and revoke API tokens');

  token
    .command('create')
    .description('create a token and print it once (only its hash is stored)')
    .requiredOption('--name <name>', 'a name to recognise the token by')
    .requiredOption('--scope <scopes>', 'comma-separated scopes: ingest, read, journal, admin')
    .option('--bot <bot>', 'bind an ingest token to one bot (it may then write only as that bot)')
    .action(async (opts: { name: string; scope: string; bot?: string }, cmd: Command) => {
      let scopes;
      try {
        scopes = parseScopes(opts.scope);
      } catch (error) {
        fail(error);
      }
      const loaded = loadOrExit(cmd.optsWithGlobals<GlobalOptions>());
      const store = await openConfiguredStore(loaded);
      const repo = new TokenRepository(store.db, () => systemClock.now());
      const created = await repo.create({ name: opts.name, scopes, bot: opts.bot ?? null });
      await appendAudit(store, {
        ts: systemClock.now(),
        actor: cliActor(),
        action: 'token.create',
        target: created.id,
        details: { name: opts.name, scopes, bot: opts.bot ?? null },
      });
      await store.close();
      process.stdout.write(
        `Created token ${created.id} "${opts.name}" [${scopes.join(',')}]${opts.bot ? ` bound to bot ${opts.bot}` : ''}.\n` +
          `Store it now; it is not shown again:\n\n  ${created.token}\n\n`,
      );
    });

  token
    .command('list')
    .description('list tokens (never their secrets)')
    .option('--all', 'include revoked tokens')
    .option('--json', 'print JSON')
    .action(async (opts: { all?: boolean; json?: boolean }, cmd: Command) => {
      const loaded = loadOrExit(cmd.optsWithGlobals<GlobalOptions>());
      const store = await openConfiguredStore(loaded);
      const rows = await new TokenRepository(store.db, () => systemClock.now()).list(
        opts.all ?? false,
      );
      await store.close();
      if (opts.json) {
        process.stdout.write(JSON.stringify(rows, null, 2) + '\n');
        return;
      }
      if (rows.length === 0) {
        process.stdout.write(
          'No tokens. Create one with: tradewatch token create --name NAME --scope read\n',
        );
        return;
      }
      const table = rows.map((r) => [
        r.id,
        r.name,
        r.scopes.join(','),
        r.bot ?? '',
        r.created_at.slice(0, 19),
        r.last_used_at?.slice(0, 19) ?? 'never',
        r.revoked_at ? `revoked ${r.revoked_at.slice(0, 19)}` : '',
      ]);
      printTable(['ID', 'NAME', 'SCOPES', 'BOT', 'CREATED', 'LAST USED', ''], table);
    });

  token
    .command('revoke')
    .description('revoke a token by id or name')
    .argument('<id-or-name>', 'token id (tok_…) or its name')
    .action(async (idOrName: string, _opts: unknown, cmd: Command) => {
      const loaded = loadOrExit(cmd.optsWithGlobals<GlobalOptions>());
      const store = await openConfiguredStore(loaded);
      const n = await new TokenRepository(store.db, () => systemClock.now()).revoke(idOrName);
      if (n > 0) {
        await appendAudit(store, {
          ts: systemClock.now(),
          actor: cliActor(),
          action: 'token.revoke',
          target: idOrName,
          details: { revoked: n },
        });
      }
      await store.close();
      if (n === 0) fail(new Error(`no active token with id or name "${idOrName}"`));
      process.stdout.write(`Revoked ${n} token${n === 1 ? '' : 's'}.\n`);
    });
}

export function printTable(header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  process.stdout.write([line(header), ...rows.map(line)].join('\n') + '\n');
}

/** Who ran a CLI command, for the audit log. */
function cliActor(): string {
  return `cli:${process.env.USER ?? process.env.LOGNAME ?? 'unknown'}`;
}

import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import type { GlobalOptions } from '../cli/context.js';
import type { LoadedConfig } from '../config/index.js';
import { createLogger } from '../logger.js';
import type { HubModule } from '../module.js';
import { openStore, type Store } from '../store/index.js';
import { coreMigrations } from '../store/migrations/index.js';
import { systemClock } from '../time/index.js';
import { defaultBackupDir, sqliteFileOf } from './backup.js';
import { exportFacts } from './export.js';
import { formatBytes } from './files.js';
import { detectRunningHub } from './hub-lock.js';
import { hubTarget, httpTarget, importFacts } from './import.js';
import { runBackupJob } from './jobs.js';
import { migrateStore, migrationOnlyModules } from './migrate-store.js';
import { parseBackupName } from './names.js';
import { terminalProgress } from './progress.js';
import { dryRunRestore, listBackups, restoreBackup, verifyBackup } from './restore.js';
import type { VerifyCheck } from './verify.js';

const out = (s: string) => process.stdout.write(s);

// The module list imports this module (through ops/index.ts); cli/context.js and hub.js import
// the module list: load them when a command runs, never at import time.
const context = () => import('../cli/context.js');
const modules = async (): Promise<HubModule[]> => (await import('../modules.js')).hubModules;

async function fail(error: unknown): Promise<never> {
  return (await context()).fail(error);
}

async function loadOrExit(options: GlobalOptions): Promise<LoadedConfig> {
  return (await context()).loadOrExit(options);
}

/** Who runs a command, for the audit log. */
export function cliActor(): string {
  return `cli:${process.env.SUDO_USER ?? process.env.USER ?? process.env.LOGNAME ?? 'unknown'}`;
}

/** Every migration name this version knows (core and the given modules'). */
export function knownMigrations(hubModules: HubModule[]): string[] {
  return [
    ...Object.keys(coreMigrations('sqlite')),
    ...hubModules.flatMap((m) => Object.keys(m.migrations?.('sqlite') ?? {})),
  ].sort();
}

/** Opens the configured store as it is (no migrations: a running hub may be older or newer). */
async function openExisting(loaded: LoadedConfig): Promise<Store> {
  const url = loaded.config.database.url!;
  const file = sqliteFileOf(url);
  if (file && !existsSync(file)) {
    await fail(
      new Error(`there is no database at ${file} yet (start the hub once, or check data_dir)`),
    );
  }
  return openStore(url, { sqliteSynchronous: loaded.config.database.sqlite_synchronous });
}

/** A backup given by path, or by bare name in the backup directory. */
function resolveBackupFile(loaded: LoadedConfig, file: string): string {
  if (existsSync(file)) return path.resolve(file);
  if (parseBackupName(file)) {
    const inDir = path.join(defaultBackupDir(loaded.config), file);
    if (existsSync(inDir)) return inDir;
  }
  return path.resolve(file);
}

function printChecks(checks: VerifyCheck[]): void {
  for (const c of checks) out(`  ${c.ok ? 'ok  ' : 'FAIL'} ${c.check.padEnd(10)} ${c.detail}\n`);
}

function printTable(header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  out([line(header), ...rows.map(line)].join('\n') + '\n');
}

export function registerOpsCommands(program: Command): void {
  program
    .command('backup')
    .description('write a consistent backup (database, configuration, manifest) while the hub runs')
    .option('--out <dir>', 'directory for the archive (default: backup.dir or <data_dir>/backups)')
    .option('--json', 'print the result as JSON')
    .action(async (opts: { out?: string; json?: boolean }, cmd: Command) => {
      const loaded = await loadOrExit(cmd.optsWithGlobals<GlobalOptions>());
      const store = await openExisting(loaded);
      try {
        const result = await runBackupJob(
          {
            store,
            config: loaded.config,
            configFile: loaded.file,
            now: () => systemClock.now(),
            progress: opts.json ? undefined : terminalProgress(),
          },
          { outDir: opts.out },
        );
        if (opts.json) {
          out(
            JSON.stringify(
              {
                file: result.backup.file,
                size: result.backup.size,
                sha256: result.backup.sha256,
                tables: result.backup.manifest.tables,
                deleted: result.deleted,
                s3: result.s3,
              },
              null,
              2,
            ) + '\n',
          );
          return;
        }
        const rows = Object.values(result.backup.manifest.tables).reduce((a, b) => a + b, 0);
        out(
          `Backup written: ${result.backup.file}\n` +
            `  ${formatBytes(result.backup.size)}, ${rows.toLocaleString('en-US')} rows in ${Object.keys(result.backup.manifest.tables).length} tables, method ${result.backup.manifest.method}\n` +
            `  SHA-256 ${result.backup.sha256} (also in ${path.basename(result.backup.file)}.sha256)\n`,
        );
        if (result.deleted.length > 0)
          out(`  Retention removed ${result.deleted.length}: ${result.deleted.join(', ')}\n`);
        if (result.s3) {
          out(
            result.s3.uploaded
              ? `  Copied to s3://${loaded.config.backup.s3!.bucket}/${loaded.config.backup.s3!.prefix}\n`
              : `  The copy to S3 FAILED: ${result.s3.error}\n`,
          );
        }
      } catch (error) {
        await fail(error);
      } finally {
        await store.close();
      }
    });

  program
    .command('restore')
    .description('list, verify, preview or restore a backup (refuses while the hub runs)')
    .argument('[file]', 'the backup to restore (a path, or a name in the backup directory)')
    .option('--list', 'list the backups in the backup directory')
    .option('--verify <file>', 'check a backup thoroughly without changing anything')
    .option(
      '--dry-run <file>',
      'show what restoring a backup would change, without changing anything',
    )
    .option(
      '--force',
      'restore even though a hub seems to be running (it must be restarted right after)',
    )
    .action(
      async (
        file: string | undefined,
        opts: { list?: boolean; verify?: string; dryRun?: string; force?: boolean },
        cmd: Command,
      ) => {
        const loaded = await loadOrExit(cmd.optsWithGlobals<GlobalOptions>());
        const ctx = {
          config: loaded.config,
          configFile: loaded.file,
          knownMigrations: knownMigrations(await modules()),
          now: systemClock.now(),
          actor: cliActor(),
        };
        try {
          if (opts.list) {
            const dir = defaultBackupDir(loaded.config);
            const items = await listBackups(dir);
            if (items.length === 0) {
              out(`No backups in ${dir}. Take one with: tradewatch backup\n`);
              return;
            }
            out(`Backups in ${dir}:\n`);
            printTable(
              ['NAME', 'CREATED (UTC)', 'SIZE', 'CHECKSUM'],
              items.map((b) => [
                b.name,
                new Date(b.createdAt).toISOString().slice(0, 19).replace('T', ' '),
                formatBytes(b.size),
                b.hasChecksum ? 'yes' : 'missing',
              ]),
            );
            return;
          }
          if (opts.verify) {
            const f = resolveBackupFile(loaded, opts.verify);
            const v = await verifyBackup(f, loaded.config);
            out(`${path.basename(f)} is a good backup:\n`);
            printChecks(v.checks);
            return;
          }
          if (opts.dryRun) {
            const f = resolveBackupFile(loaded, opts.dryRun);
            const r = await dryRunRestore(f, ctx);
            out(`${path.basename(f)} verified:\n`);
            printChecks(r.verified.checks);
            out(
              `\nRestoring it would replace ${loaded.config.database.url!.startsWith('sqlite:') ? sqliteFileOf(loaded.config.database.url!) : 'the PostgreSQL tables'} (a pre-restore backup is taken first):\n`,
            );
            printTable(
              ['TABLE', 'NOW', 'AFTER', 'CHANGE'],
              r.changes
                .filter((c) => c.current !== c.backup)
                .map((c) => [
                  c.table,
                  c.current === null ? '-' : String(c.current),
                  c.backup === null ? '(dropped)' : String(c.backup),
                  c.current !== null && c.backup !== null
                    ? `${c.backup - c.current >= 0 ? '+' : ''}${c.backup - c.current}`
                    : '',
                ]),
            );
            const same = r.changes.filter((c) => c.current === c.backup).length;
            if (same > 0) out(`(${same} tables keep their row counts)\n`);
            out(
              `Schema: now ${r.currentMigrations.length} migrations, backup ${r.verified.manifest.migrations.length}.\n`,
            );
            for (const n of r.notes) out(`Note: ${n}\n`);
            out('Nothing was changed.\n');
            return;
          }
          if (!file) {
            return await fail(
              new Error('give the backup to restore, or --list / --verify FILE / --dry-run FILE'),
            );
          }
          const f = resolveBackupFile(loaded, file);
          const r = await restoreBackup(f, {
            ...ctx,
            force: opts.force ?? false,
            progress: terminalProgress(),
          });
          out(`Restored ${path.basename(f)} (made ${r.verified.manifest.created_at}).\n`);
          if (r.preRestore) out(`The data it replaced is in ${r.preRestore.file}\n`);
          printChecks(r.checks);
          out('Start the hub now (systemctl start tradewatch, or tradewatch serve).\n');
        } catch (error) {
          await fail(error);
        }
      },
    );

  program
    .command('export')
    .description(
      'write every fact (fills, orders, balances, cash flows, signals, logs …) as JSON lines',
    )
    .requiredOption('--out <file>', 'output file; .gz compresses (e.g. tradewatch-export.jsonl.gz)')
    .action(async (opts: { out: string }, cmd: Command) => {
      const loaded = await loadOrExit(cmd.optsWithGlobals<GlobalOptions>());
      const store = await openExisting(loaded);
      try {
        const s = await exportFacts(store, opts.out, {
          now: systemClock.now(),
          progress: terminalProgress(process.stderr, 'rows'),
        });
        out(
          `Exported ${s.events.toLocaleString('en-US')} events to ${s.file}\n` +
            `  ${Object.entries(s.byType)
              .map(([t, n]) => `${t} ${n}`)
              .join(', ')}\n`,
        );
        if (s.inexact > 0) {
          out(
            `  ${s.inexact} events could not be rebuilt byte for byte; they keep their ids and content.\n`,
          );
        }
      } catch (error) {
        await fail(error);
      } finally {
        await store.close();
      }
    });

  program
    .command('import')
    .description(
      'replay an export (or JSON lines of ingest events) through ingest validation and idempotency',
    )
    .argument('<file>', 'a file written by tradewatch export (.jsonl or .jsonl.gz)')
    .option(
      '--hub <url>',
      'send to a running hub over its API instead of writing the database directly',
    )
    .option('--token <token>', 'ingest token for --hub (default: $TRADEWATCH_TOKEN)')
    .option('--batch <n>', 'events per batch (at most 10000)', '5000')
    .option('--force', 'write the database directly even though a hub seems to be running')
    .action(
      async (
        file: string,
        opts: { hub?: string; token?: string; batch: string; force?: boolean },
        cmd: Command,
      ) => {
        const loaded = await loadOrExit(cmd.optsWithGlobals<GlobalOptions>());
        const batchSize = Number(opts.batch);
        if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10_000) {
          await fail(new Error('--batch must be a whole number from 1 to 10000'));
        }
        const progress = terminalProgress(process.stderr, 'rows');
        try {
          let summary;
          if (opts.hub) {
            const token = opts.token ?? process.env.TRADEWATCH_TOKEN;
            if (!token)
              return await fail(
                new Error(
                  '--hub needs --token or TRADEWATCH_TOKEN (a token with the ingest scope)',
                ),
              );
            summary = await importFacts(file, httpTarget(opts.hub, token), {
              batchSize,
              progress,
            });
          } else {
            const running = await detectRunningHub(loaded.config);
            if (running.running && !opts.force) {
              await fail(
                new Error(
                  `the hub is running (${running.reason}); import through it with --hub URL --token TOKEN, or stop it first`,
                ),
              );
            }
            const { createHub } = await import('../hub.js');
            const hub = await createHub({
              config: loaded.config,
              modules: migrationOnlyModules(await modules()),
              logger: createLogger('warn'),
            });
            try {
              summary = await importFacts(file, hubTarget(hub), { batchSize, progress });
            } finally {
              await hub.close();
            }
          }
          out(
            `Imported ${file}: ${summary.events.toLocaleString('en-US')} events, ${summary.accepted.toLocaleString('en-US')} stored, ${summary.duplicates.toLocaleString('en-US')} already present.\n`,
          );
          if (summary.botsCreated.length > 0)
            out(`  Registered bots: ${summary.botsCreated.join(', ')}\n`);
          for (const n of summary.notes) out(`  Note: ${n}\n`);
        } catch (error) {
          await fail(error);
        }
      },
    );

  program
    .command('migrate-store')
    .description(
      'move the hub to another database (SQLite ⇄ PostgreSQL) and prove every figure matches',
    )
    .requiredOption('--from <url>', 'the current store (sqlite:PATH or postgres://…)')
    .requiredOption('--to <url>', 'the new, empty store')
    .option('--batch <n>', 'events per import batch', '5000')
    .option('--work-dir <dir>', 'where the temporary export goes (default: data_dir)')
    .action(
      async (opts: { from: string; to: string; batch: string; workDir?: string }, cmd: Command) => {
        const loaded = await loadOrExit(cmd.optsWithGlobals<GlobalOptions>());
        const running = await detectRunningHub(loaded.config);
        if (running.running) {
          out(
            `Note: ${running.reason}. Facts it stores after the export starts are not moved; stop it first.\n`,
          );
        }
        try {
          const r = await migrateStore({
            fromUrl: opts.from,
            toUrl: opts.to,
            config: loaded.config,
            modules: await modules(),
            clock: systemClock,
            workDir: path.resolve(opts.workDir ?? loaded.config.data_dir),
            batchSize: Number(opts.batch),
            progress: terminalProgress(process.stderr, 'rows'),
          });
          out(
            `Moved ${r.exported.events.toLocaleString('en-US')} events (${r.imported.accepted.toLocaleString('en-US')} stored) and copied ${Object.entries(
              r.copied,
            )
              .map(([t, n]) => `${t} ${n}`)
              .join(', ')}.\n`,
          );
          if (r.comparison.ok) {
            const p = r.comparison.portfolio!;
            out(
              `Verified: every compared table and the portfolio are identical (${Object.values(
                r.comparison.rows,
              )
                .reduce((a, b) => a + b, 0)
                .toLocaleString(
                  'en-US',
                )} rows; equity ${p.equity}, realized ${p.realized_net}, unrealized ${p.unrealized}).\n` +
                `Point database.url (or TRADEWATCH_DATABASE_URL) at the new store and start the hub.\n`,
            );
          } else {
            out(
              'The stores DIFFER:\n' + r.comparison.differences.map((d) => `  - ${d}\n`).join(''),
            );
            process.exitCode = 1;
          }
        } catch (error) {
          await fail(error);
        }
      },
    );

  program
    .command('audit')
    .description('show the audit log of admin actions, newest first')
    .option('--limit <n>', 'how many entries', '50')
    .option('--json', 'print JSON')
    .action(async (opts: { limit: string; json?: boolean }, cmd: Command) => {
      const loaded = await loadOrExit(cmd.optsWithGlobals<GlobalOptions>());
      const store = await openExisting(loaded);
      try {
        const rows = await store.db
          .selectFrom('audit_log')
          .selectAll()
          .orderBy('id', 'desc')
          .limit(Math.max(1, Number(opts.limit) || 50))
          .execute();
        if (opts.json) {
          out(JSON.stringify(rows, null, 2) + '\n');
          return;
        }
        printTable(
          ['WHEN (UTC)', 'ACTOR', 'ACTION', 'TARGET'],
          rows.map((r) => [
            new Date(Number(r.ts)).toISOString().slice(0, 19).replace('T', ' '),
            r.actor,
            r.action,
            r.target ?? '',
          ]),
        );
      } catch (error) {
        await fail(error);
      } finally {
        await store.close();
      }
    });
}

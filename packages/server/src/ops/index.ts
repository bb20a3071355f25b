import type { Hub } from '../hub.js';
import { addHealthCheck } from '../health/index.js';
import type { HubModule } from '../module.js';
import { installAudit, registerAuditRoutes } from './audit.js';
import { registerOpsCommands } from './cli.js';
import { registerBackupRoutes } from './routes.js';
import { OpsRuntime } from './runtime.js';
import { registerSecurity } from './security.js';

export { createBackup, defaultBackupDir, type BackupResult } from './backup.js';
export { runBackupJob, META as BACKUP_META } from './jobs.js';
export { verifyBackup, restoreBackup, dryRunRestore, listBackups } from './restore.js';
export { exportFacts } from './export.js';
export { importFacts } from './import.js';
export { resolveInside, backupPath, UnsafePathError } from './names.js';
export { tlsServerOptions } from './tls.js';
export { appendAudit } from './audit.js';

const runtimes = new WeakMap<Hub, OpsRuntime>();

/** The ops runtime of a hub (tests, and modules that want to trigger a backup). */
export function opsOf(hub: Hub): OpsRuntime | undefined {
  return runtimes.get(hub);
}

/**
 * Operations: security headers, CORS, rate limits and request time limits; the audit log;
 * scheduled backups with retention and an optional S3 copy; and the `backup`, `restore`,
 * `export`, `import` and `migrate-store` commands.
 */
export const opsModule: HubModule = {
  name: 'ops',
  async register(hub) {
    const runtime = new OpsRuntime(hub);
    runtimes.set(hub, runtime);
    await registerSecurity(hub);
    installAudit(hub);
    registerAuditRoutes(hub);
    registerBackupRoutes(hub, runtime);
    addHealthCheck(hub, { name: 'ops', checks: (now) => runtime.healthChecks(now) });
  },
  start(hub) {
    runtimes.get(hub)?.start();
  },
  stop(hub) {
    runtimes.get(hub)?.stop();
  },
  cli: registerOpsCommands,
};

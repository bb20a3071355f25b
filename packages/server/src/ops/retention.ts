import type { BackupName } from './names.js';

export interface RetentionPolicy {
  /** The newest N backups are always kept. */
  keepLast: number;
  /** Backups younger than this many days are kept too (0: only keepLast counts). */
  keepDays: number;
}

const DAY_MS = 86_400_000;

/**
 * Which backups a policy deletes (pure). A backup is kept when it is among the newest
 * `keepLast` OR younger than `keepDays`; everything else goes. The newest backup is therefore
 * never deleted, and a clock set back (a backup "from the future") counts as young.
 */
export function backupsToDelete(
  backups: readonly BackupName[],
  policy: RetentionPolicy,
  now: number,
): BackupName[] {
  const newestFirst = [...backups].sort(
    (a, b) => b.createdAt - a.createdAt || b.name.localeCompare(a.name),
  );
  const keepLast = Math.max(1, policy.keepLast);
  return newestFirst.filter((b, index) => {
    if (index < keepLast) return false;
    if (policy.keepDays > 0 && now - b.createdAt < policy.keepDays * DAY_MS) return false;
    return true;
  });
}

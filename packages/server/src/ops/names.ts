import path from 'node:path';

/**
 * Backup archives are named `tradewatch-backup-YYYYMMDD-HHMMSS[-label].tar.gz` (UTC). The name
 * carries the creation time, so listing and retention never trust file modification times, and
 * names that do not match are never touched.
 */
export const BACKUP_PREFIX = 'tradewatch-backup-';
export const BACKUP_SUFFIX = '.tar.gz';
const BACKUP_NAME =
  /^tradewatch-backup-(\d{4})(\d{2})(\d{2})-(\d{2})(\d{2})(\d{2})(?:-([a-z0-9][a-z0-9-]{0,39}))?\.tar\.gz$/;

export interface BackupName {
  name: string;
  /** Epoch ms of the time in the name. */
  createdAt: number;
  /** `pre-restore`, `2` (a second backup in the same second) … or null. */
  label: string | null;
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** `tradewatch-backup-20260105-143000.tar.gz` for 2026-01-05T14:30:00Z. */
export function backupFileName(ts: number, label?: string): string {
  const d = new Date(ts);
  const stamp =
    `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}-` +
    `${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}`;
  if (label !== undefined && !/^[a-z0-9][a-z0-9-]{0,39}$/.test(label)) {
    throw new Error(`backup label "${label}" must be lower-case letters, digits and -`);
  }
  return `${BACKUP_PREFIX}${stamp}${label ? `-${label}` : ''}${BACKUP_SUFFIX}`;
}

/** Parses a backup file name; null for anything else (including paths). */
export function parseBackupName(name: string): BackupName | null {
  const m = BACKUP_NAME.exec(name);
  if (!m) return null;
  const [, y, mo, d, h, mi, s, label] = m;
  const createdAt = Date.UTC(
    Number(y),
    Number(mo) - 1,
    Number(d),
    Number(h),
    Number(mi),
    Number(s),
  );
  const check = new Date(createdAt);
  // Reject 20261399-… style names that Date.UTC would silently roll over.
  if (check.getUTCMonth() + 1 !== Number(mo) || check.getUTCDate() !== Number(d)) return null;
  return { name, createdAt, label: label ?? null };
}

export class UnsafePathError extends Error {
  override name = 'UnsafePathError';
}

/**
 * Resolves a file name given by a client inside `dir`. Only a bare name is accepted: no
 * separators, no `..`, no NUL, no absolute path, no drive letter — and the resolved path must
 * still lie inside `dir`. This is the only way a request-supplied name becomes a path.
 */
export function resolveInside(dir: string, name: string, what = 'file name'): string {
  if (
    name.length === 0 ||
    name.length > 255 ||
    name.includes('\0') ||
    name.includes('/') ||
    name.includes('\\') ||
    name === '.' ||
    name === '..' ||
    /^[A-Za-z]:/.test(name)
  ) {
    throw new UnsafePathError(`${what} "${printable(name)}" is not a plain file name`);
  }
  const root = path.resolve(dir);
  const full = path.resolve(root, name);
  if (path.dirname(full) !== root) {
    throw new UnsafePathError(`${what} "${printable(name)}" points outside ${root}`);
  }
  return full;
}

/** A backup archive's path in `dir`; refuses anything that is not a backup name. */
export function backupPath(dir: string, name: string): string {
  if (!parseBackupName(name)) {
    throw new UnsafePathError(
      `"${printable(name)}" is not a backup name (tradewatch-backup-YYYYMMDD-HHMMSS.tar.gz)`,
    );
  }
  return resolveInside(dir, name, 'backup name');
}

function printable(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\x00-\x1f\x7f]/g, '?').slice(0, 120);
}
